// The config the Pulumi CLI hands a program: Pulumi.yaml's defaults merged under a stack file, the way
// pulumi/pulumi pkg/workspace/config.go mergeConfig does it. e2e/config.spec.ts compares this with the
// real CLI's `pulumi config --json` for every stack file.
//  - A project key with a dot (`aws.cacheNodes`) is a *path*: its default lands in the object `zdp:aws`,
//    under the stack's own fields; a literal stack key `zdp:aws.cacheNodes` stays a separate key.
//  - A scalar is the text the CLI's YAML reader makes of it; where that differs from the text in the
//    file (`6.10` is read as "6.1"), this refuses the file and asks for quotes.
//  - Inside objects, integer-looking text and true/false become JSON numbers and booleans.
import { isMap, isScalar, parseDocument, type Node } from "yaml";
import { PROJECT } from "../model/config";

/** Project keys (full `zdp:` names) and provider keys of a Pulumi.yaml, with their default or value. */
export function projectConfig(pulumiYaml: string): Record<string, unknown> {
    const doc = parseDocument(pulumiYaml, { intAsBigInt: true }).toJS() ?? {};
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries<any>(doc.config ?? {})) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        const value = spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec.value ?? spec.default) : spec;
        if (value !== undefined && value !== null) out[full] = value;
    }
    return out;
}

/**
 * Refuse a plain (unquoted) scalar whose text the CLI would change (`6.10` becomes "6.1", `True`
 * "true") or that its Go YAML reader and this one read differently (`1_000`, dates, `.inf`): a
 * version tag silently released as another is worse than an error. Quoting keeps the text.
 */
function checkScalars(node: unknown, at: string): void {
    if (isMap(node)) for (const pair of node.items) checkScalars(pair.value, `${at}.${String((pair.key as any)?.value ?? pair.key)}`);
    if (!isScalar(node) || node.type !== "PLAIN" || typeof node.source !== "string") return;
    const s = node.source;
    const divergent = /^[-+]?\d[\d_]*_[\d_]*$/.test(s) || /^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(s) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar: number, boolean or bigint here
    if (divergent || (typeof node.value !== "string" && node.value !== null && String(node.value) !== s))
        throw new Error(
            `${at}: Pulumi reads the unquoted value ${s} as ${divergent ? "something else" : String(node.value)}; quote it ("${s}") to keep the text`,
        );
}

/** A YAML value as the CLI stores it: scalars as text (objects keep JSON types). */
function cliText(value: unknown): string {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were handled above
    return String(value);
}

/** What `pulumi config set --path` stores for a text value inside an object. */
function pathValue(value: unknown): unknown {
    if (typeof value === "bigint") return Number(value);
    if (typeof value !== "string") return value;
    if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    if (value === "true" || value === "false") return value === "true";
    return value;
}

/**
 * The merged config of one stack (`zdp:key` / `provider:key` → the string the program receives).
 * `overrides` act like `pulumi config set`: a key without a namespace and with a dot is set by path
 * (`aws.cacheNodes` → field of `zdp:aws`, as `--path` does); a full key (`zdp:aws.cacheNodes`) literally.
 */
export function mergedConfig(pulumiYaml: string, stackYaml: string, overrides: Record<string, string> = {}): Record<string, string> {
    const doc = parseDocument(stackYaml, { intAsBigInt: true });
    if (doc.errors.length > 0) throw new Error(`stack file is not valid YAML: ${doc.errors[0].message}`);
    const config = doc.get("config", true);
    const values = new Map<string, unknown>();
    if (isMap(config)) {
        for (const pair of config.items) {
            const key = String((pair.key as any)?.value ?? pair.key);
            const node = pair.value as Node;
            checkScalars(node, key);
            const value = node === null ? null : (node as any).toJSON();
            // Encrypted values (`secure:`) cannot be read here; the plan treats them as set.
            values.set(key, value && typeof value === "object" && "secure" in value ? "[secret]" : value);
        }
    }
    const setPath = (full: string, field: string, value: unknown, onlyIfUnset: boolean) => {
        const current = values.get(full);
        const obj = current && typeof current === "object" && !Array.isArray(current) ? (current as Record<string, unknown>) : {};
        if (onlyIfUnset && field in obj) return;
        values.set(full, { ...obj, [field]: pathValue(value) });
    };
    for (const [full, value] of Object.entries(projectConfig(pulumiYaml))) {
        const [ns, key] = [full.slice(0, full.indexOf(":")), full.slice(full.indexOf(":") + 1)];
        const dot = key.indexOf(".");
        if (dot > 0) setPath(`${ns}:${key.slice(0, dot)}`, key.slice(dot + 1), value, true);
        else if (!values.has(full)) values.set(full, value);
    }
    for (const [key, value] of Object.entries(overrides)) {
        const dot = key.indexOf(".");
        if (!key.includes(":") && dot > 0) setPath(`${PROJECT}:${key.slice(0, dot)}`, key.slice(dot + 1), value, false);
        else values.set(key.includes(":") ? key : `${PROJECT}:${key}`, value);
    }
    return Object.fromEntries([...values].map(([k, v]) => [k, cliText(v)]));
}

/**
 * `--config KEY=VALUE` pairs of the offline commands (plan, preflight) as overrides; the message of the
 * first malformed pair, or undefined.
 */
export function configOverrides(pairs: string[]): { overrides: Record<string, string>; error?: string } {
    const overrides: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) return { overrides, error: `--config takes KEY=VALUE (as in pulumi config set KEY VALUE), got "${pair}"` };
        overrides[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { overrides };
}
