// Compare two recorded runs of a stack: what a config change adds, removes and changes.
import type { Recorded } from "./run";

export interface ResourceChange {
    type: string;
    name: string;
    /** Input paths whose value differs, e.g. `spec.rules[0].backendRefs[1].weight`. */
    paths: string[];
    /** True when pulumi-kubernetes would replace the object (delete-before-create with explicit names). */
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
    const changed: ResourceChange[] = [];
    for (const [k, r] of now) {
        const o = old.get(k);
        if (!o) continue;
        const paths: string[] = [];
        changedPaths(o.inputs, r.inputs, "", paths);
        // The engine diffs an ignoreChanges path with the old value: it never counts as a change.
        const ignored = (p: string) => r.ignoreChanges.some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`));
        paths.splice(0, paths.length, ...paths.filter((p) => !ignored(p)));
        if (paths.length) changed.push({ type: r.type, name: r.name, paths, replaces: replaces(r, paths) });
    }
    return {
        added: after.filter((r) => !old.has(key(r))).map(brief),
        removed: before.filter((r) => !now.has(key(r))).map(brief),
        changed,
    };
}
