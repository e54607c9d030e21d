// Compare two recorded runs of a stack: what a config change adds, removes and changes.
import { k8sProviderReplaced } from "./k8sProviderDiff";
import type { Recorded } from "./run";

export interface ResourceChange {
    type: string;
    name: string;
    /** Input paths whose value differs, e.g. `spec.rules[0].backendRefs[1].weight`; `provider` when its provider is replaced. */
    paths: string[];
    /** True when pulumi-kubernetes would replace the object (delete-before-create with explicit names), or its provider. */
    replaces: boolean;
}

export interface StackDiff {
    added: { type: string; name: string }[];
    removed: { type: string; name: string }[];
    changed: ResourceChange[];
}

function changedPaths(a: unknown, b: unknown, at: string, out: string[]): void {
    if (a === b) return;
    const objects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
    if (!objects || Array.isArray(a) !== Array.isArray(b)) {
        out.push(at || "(root)");
        return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
        const sub = Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
        changedPaths((a as any)[k], (b as any)[k], sub, out);
    }
}

// Inputs whose change makes pulumi-kubernetes replace the object rather than update it.
const K8S_REPLACING = [/^metadata\.name$/, /^metadata\.namespace$/, /^spec\.selector(\.|$)/];

function replaces(r: Recorded, paths: string[]): boolean {
    const k8sObject = r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");
    const selectorImmutable = /^kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)$/.test(r.type);
    return paths.some(
        (p) =>
            r.replaceOnChanges.some((q) => p === q || p.startsWith(`${q}.`) || q === "*") ||
            (k8sObject && K8S_REPLACING.some((re) => re.test(p) && (selectorImmutable || !p.startsWith("spec.selector")))),
    );
}

export function diffResources(before: Recorded[], after: Recorded[]): StackDiff {
    const key = (r: Recorded) => r.urn;
    const old = new Map(before.map((r) => [key(r), r]));
    const now = new Map(after.map((r) => [key(r), r]));
    const brief = (r: Recorded) => ({ type: r.type, name: r.name });
    const changes = new Map<string, ResourceChange>();
    for (const [k, r] of now) {
        const o = old.get(k);
        if (!o) continue;
        const paths: string[] = [];
        changedPaths(o.inputs, r.inputs, "", paths);
        // The engine diffs an ignoreChanges path with the old value: it never counts as a change.
        const ignored = (p: string) => r.ignoreChanges.some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`));
        paths.splice(0, paths.length, ...paths.filter((p) => !ignored(p)));
        const replaced = r.type === "pulumi:providers:kubernetes" ? k8sProviderReplaced(o.inputs, r.inputs) : replaces(r, paths);
        if (paths.length) changes.set(k, { type: r.type, name: r.name, paths, replaces: replaced });
    }
    // A replaced provider replaces every resource it manages (their provider reference is `<urn>::<id>`).
    const gone = [...changes].filter(([, c]) => c.replaces && c.type.startsWith("pulumi:providers:")).map(([urn]) => urn);
    for (const [k, r] of now) {
        if (!old.has(k) || !gone.some((urn) => r.provider?.startsWith(`${urn}::`))) continue;
        const c = changes.get(k);
        changes.set(k, { type: r.type, name: r.name, paths: [...(c?.paths ?? []), "provider"], replaces: true });
    }
    const changed = [...changes.values()];
    return {
        added: after.filter((r) => !old.has(key(r))).map(brief),
        removed: before.filter((r) => !now.has(key(r))).map(brief),
        changed,
    };
}
