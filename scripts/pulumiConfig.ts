// The config the Pulumi CLI hands a program: Pulumi.yaml's defaults merged under a stack file, the way
// pulumi/pulumi pkg/workspace/config.go mergeConfig does it. e2e/config.spec.ts compares this with the
// real CLI's `pulumi config --json` for every stack file.
//  - The project's namespace is Pulumi.yaml's `name` (a fork renames it), never a constant.
//  - A project key with a dot (`aws.cacheNodes`) is a *path*: its default lands in the object `<project>:aws`,
//    under the stack's own fields; a literal stack key `<project>:aws.cacheNodes` stays a separate key.
//  - A scalar is the text the CLI's YAML reader makes of it; where that differs from the text in the
//    file (`6.10` is read as "6.1"), this refuses the file and asks for quotes.
//  - Inside objects, integer-looking text and true/false become JSON numbers and booleans.
//  - YAML as gopkg.in/yaml.v3 (the CLI's reader) takes it: `<<` merge keys and aliases are resolved, keys
//    written in the mapping win over merged ones (yaml.v3 decode.go decoder.merge / mergedFields);
//    duplicate keys and tabs are errors; a stack key needs a namespace (sdk/go/common/resource/config
//    key.go ParseKey: "configuration keys should be of the form `<namespace>:<name>`").
//  - An encrypted value (`secure:`, top level or a field of an object) cannot be read offline: it reads
//    as ENCRYPTED and its ciphertext is never passed on.
// Every refusal is one ConfigError naming the key and the fix.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { ConfigError } from "../model/config";
import { ENCRYPTED } from "../model/monitoring/config";
import type { ConfigIssue } from "../model/stackConfig";

/** The project name (Pulumi.yaml `name`): the namespace of the project's config keys. */
export function projectName(pulumiYaml: string): string {
    const name: unknown = projectDocument(pulumiYaml).name;
    if (typeof name !== "string" || name === "")
        throw new ConfigError([{ key: "Pulumi.yaml name", message: "is required: the project name is the namespace of its config keys" }]);
    return name;
}

/** Pulumi.yaml as data, parsed once per text: it is long, and the plan and the config corpus read it for every stack. */
function projectDocument(pulumiYaml: string): Record<string, any> {
    let doc = parsedProjects.get(pulumiYaml);
    if (!doc) parsedProjects.set(pulumiYaml, (doc = (parseDocument(pulumiYaml, { intAsBigInt: true }).toJS() as Record<string, any> | null) ?? {}));
    return doc;
}
const parsedProjects = new Map<string, Record<string, any>>();

/** Project keys (full `<project>:` names) and provider keys of a Pulumi.yaml, with their default or value. */
export function projectConfig(pulumiYaml: string): Record<string, unknown> {
    const doc = projectDocument(pulumiYaml);
    const project = projectName(pulumiYaml);
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries<any>(doc.config ?? {})) {
        const full = key.includes(":") ? key : `${project}:${key}`;
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
function checkScalars(doc: Document, node: unknown, at: string, issues: ConfigIssue[]): void {
    if (isAlias(node)) return checkScalars(doc, node.resolve(doc), at, issues);
    if (isSeq(node)) for (const item of node.items) checkScalars(doc, item, at, issues);
    if (isMap(node))
        for (const pair of node.items) {
            const key = String((pair.key as any)?.value ?? pair.key);
            checkScalars(doc, pair.value, key === "<<" ? at : `${at}.${key}`, issues);
        }
    if (!isScalar(node) || node.type !== "PLAIN" || typeof node.source !== "string") return;
    const s = node.source;
    const divergent = /^[-+]?\d[\d_]*_[\d_]*$/.test(s) || /^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(s) || /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/.test(s);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar: number, boolean or bigint here
    if (divergent || (typeof node.value !== "string" && node.value !== null && String(node.value) !== s))
        issues.push({
            key: at,
            message: `Pulumi reads the unquoted value ${s} as ${divergent ? "something else" : String(node.value)}; quote it ("${s}") to keep the text`,
        });
}

/** `{secure: <ciphertext>}` anywhere in a value becomes ENCRYPTED: offline it cannot be read, and is never shown. */
function withoutCiphertext(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map(withoutCiphertext);
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure" && typeof entries[0][1] === "string") return ENCRYPTED;
    return Object.fromEntries(entries.map(([k, v]) => [k, withoutCiphertext(v)]));
}

/**
 * A stack file's `config:` as the CLI's reader takes it (merge keys and aliases resolved, ciphertext
 * replaced by ENCRYPTED), or every reason the CLI would refuse it / read it as other text.
 */
function stackValues(stackYaml: string, project: string): Map<string, unknown> {
    // merge: `<<` keys as yaml.v3 applies them; uniqueKeys: yaml.v3 refuses "mapping key already defined".
    const doc = parseDocument(stackYaml, { intAsBigInt: true, merge: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
        const e = doc.errors[0];
        const fix = /tab/i.test(e.message) ? "indent with spaces" : /unique/i.test(e.message) ? "keep one line per key" : "fix the YAML";
        const line = e.linePos ? stackYaml.split("\n")[e.linePos[0].line - 1]?.trim() : undefined;
        const key = line?.replace(/:(\s.*)?$/, "") || "stack file";
        throw new ConfigError([{ key, message: `makes the stack file invalid YAML (${e.message.split("\n")[0]}); ${fix}` }]);
    }
    const issues: ConfigIssue[] = [];
    const node = doc.get("config", true);
    checkScalars(doc, node, "", issues);
    for (const i of issues) i.key = i.key.slice(1);
    const config: unknown = doc.toJS()?.config ?? {};
    if (config === null || typeof config !== "object" || Array.isArray(config))
        throw new ConfigError([{ key: "config", message: "must be a mapping of `<namespace>:<key>: value` lines" }]);
    for (const key of Object.keys(config))
        if (key.split(":").length !== 2 || key.startsWith(":") || key.endsWith(":"))
            issues.push({
                key,
                message: `is not a configuration key: the Pulumi CLI refuses keys not of the form \`<namespace>:<name>\`; write it as \`${project}:${key}\``,
            });
    if (issues.length > 0) throw new ConfigError(issues);
    return new Map(Object.entries(config).map(([k, v]) => [k, withoutCiphertext(v)]));
}

/** A YAML value as the CLI stores it: scalars as text (objects keep JSON types). */
function cliText(value: unknown): string {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were handled above
    return String(value);
}

/** What `pulumi config set --path` stores for a text value inside an object. */
export function pathValue(value: unknown): unknown {
    if (typeof value === "bigint") return Number(value);
    if (typeof value !== "string") return value;
    if (/^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    if (value === "true" || value === "false") return value === "true";
    return value;
}

/**
 * The merged config of one stack (`<project>:key` / `provider:key` → the string the program receives).
 * `overrides` act like `pulumi config set`: a key without a namespace and with a dot is set by path
 * (`aws.cacheNodes` → field of `<project>:aws`, as `--path` does); a full key (`<project>:aws.cacheNodes`) literally.
 */
export function mergedConfig(pulumiYaml: string, stackYaml: string, overrides: Record<string, string> = {}): Record<string, string> {
    return withOverrides(mergedValues(pulumiYaml, stackYaml), projectName(pulumiYaml), overrides);
}

/** Pulumi.yaml's defaults under the stack file's values (objects as objects). */
function mergedValues(pulumiYaml: string, stackYaml: string): Map<string, unknown> {
    const values = stackValues(stackYaml, projectName(pulumiYaml));
    for (const [full, value] of Object.entries(projectConfig(pulumiYaml))) {
        const [ns, key] = [full.slice(0, full.indexOf(":")), full.slice(full.indexOf(":") + 1)];
        const dot = key.indexOf(".");
        if (dot > 0) setPath(values, `${ns}:${key.slice(0, dot)}`, key.slice(dot + 1), value, true);
        else if (!values.has(full)) values.set(full, value);
    }
    return values;
}

/**
 * Set a field of the object at `full` (as `pulumi config set --path` does), or only fill it when unset;
 * a dotted field (`api.activeColor` of `apps`) sets inside nested objects, made where missing.
 */
function setPath(values: Map<string, unknown>, full: string, field: string, value: unknown, onlyIfUnset: boolean): void {
    const asObject = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
    const set = (obj: Record<string, unknown>, [head, ...rest]: string[]): Record<string, unknown> | undefined => {
        if (rest.length > 0) {
            const inner = set(asObject(obj[head]), rest);
            return inner && { ...obj, [head]: inner };
        }
        return onlyIfUnset && head in obj ? undefined : { ...obj, [head]: pathValue(value) };
    };
    const next = set(asObject(values.get(full)), field.split("."));
    if (next) values.set(full, next);
}

/** `overrides` applied as `pulumi config set` would, then every value as the text the program receives. */
function withOverrides(values: Map<string, unknown>, project: string, overrides: Record<string, string>): Record<string, string> {
    for (const [key, value] of Object.entries(overrides)) {
        const dot = key.indexOf(".");
        if (!key.includes(":") && dot > 0) setPath(values, `${project}:${key.slice(0, dot)}`, key.slice(dot + 1), value, false);
        else values.set(key.includes(":") ? key : `${project}:${key}`, value);
    }
    return Object.fromEntries([...values].map(([k, v]) => [k, cliText(v)]));
}

/**
 * The Pulumi ESC environments a stack file imports (`environment:`, merged in order): their
 * `pulumiConfig` values reach the program through the Pulumi CLI, which alone can open them
 * (https://www.pulumi.com/docs/esc/guides/pulumi-iac/).
 */
export function stackEnvironments(stackYaml: string): string[] {
    const env: unknown = parseDocument(stackYaml).toJS()?.environment;
    if (env === undefined || env === null) return [];
    if (Array.isArray(env) && env.every((e) => typeof e === "string")) return env;
    throw new ConfigError([{ key: "environment", value: JSON.stringify(env), message: "must be a list of ESC environment names, e.g. [my-project/dev]" }]);
}

/** Where the stack files are, and the Pulumi CLI that resolves them (tests point these elsewhere). */
export interface CliOptions {
    root?: string;
    pulumi?: string;
    env?: NodeJS.ProcessEnv;
}

interface CliConfigValue {
    value?: string;
    objectValue?: unknown;
    secret?: boolean;
}

/**
 * A stack's config as the Pulumi CLI resolves it (`pulumi config --json`: the stack file, Pulumi.yaml's
 * defaults and the ESC environments), or why the CLI could not. Without --show-secrets the CLI prints a
 * secret key as `{"secret": true}` and no value, a whole object holding one secret field too: such an
 * object keeps `fromFiles`' fields (its secret ones read as ENCRYPTED); any other secret is ENCRYPTED.
 */
export function cliStackConfig(stack: string, fromFiles: Map<string, unknown>, cli: CliOptions = {}): Map<string, unknown> | string {
    const { root: cwd = ROOT, pulumi = "pulumi", env = process.env } = cli;
    const r = spawnSync(pulumi, ["config", "--json", "--stack", stack], { cwd, env, encoding: "utf8", timeout: 120_000 });
    if (r.error) return (r.error as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not installed" : r.error.message;
    if (r.status !== 0) return (r.stderr.trim().split("\n").pop() ?? "").replace(/^error: /, "") || `pulumi config exited ${r.status}`;
    try {
        const out = JSON.parse(r.stdout) as Record<string, CliConfigValue>;
        const fileObject = (k: string) => (typeof fromFiles.get(k) === "object" ? fromFiles.get(k) : undefined);
        const value = (k: string, v: CliConfigValue) => v.objectValue ?? v.value ?? (v.secret ? (fileObject(k) ?? ENCRYPTED) : "");
        return new Map(Object.entries(out).map(([k, v]) => [k, value(k, v)]));
    } catch {
        return "pulumi config --json printed no JSON";
    }
}

/** Where a stack's config came from: the files alone, or the Pulumi CLI with the stack's ESC environments. */
export interface ConfigSource {
    environments: string[];
    /** Set when the stack imports environments the CLI could not open: the plan then shows the files' values only. */
    unresolved?: string;
}

/**
 * The config the Pulumi CLI would hand the program, and where it came from. A stack that imports ESC
 * environments is resolved by the CLI when it can; otherwise from the files, saying so.
 */
export function stackConfig(
    stack: string,
    overrides: Record<string, string> = {},
    cli: CliOptions = {},
): { raw: Record<string, string>; source: ConfigSource } {
    const root = cli.root ?? ROOT;
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new Error(`No stack file Pulumi.${stack}.yaml; stacks are ${listStacks().join(", ")}`);
    const [pulumiYaml, stackYaml] = [fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"), fs.readFileSync(stackFile, "utf8")];
    const [project, fromFiles, environments] = [projectName(pulumiYaml), mergedValues(pulumiYaml, stackYaml), stackEnvironments(stackYaml)];
    const resolved = environments.length > 0 ? cliStackConfig(stack, fromFiles, cli) : undefined;
    if (typeof resolved === "string") return { raw: withOverrides(fromFiles, project, overrides), source: { environments, unresolved: resolved } };
    return { raw: withOverrides(resolved ?? fromFiles, project, overrides), source: { environments } };
}

/** What the plan and the config errors say about a stack whose ESC environments were not opened. */
export function unresolvedNote(stack: string, source: ConfigSource): string | undefined {
    if (source.unresolved === undefined) return undefined;
    return (
        `Pulumi.${stack}.yaml imports ESC environment(s) ${source.environments.join(", ")}, which only the Pulumi CLI can open (here: ${source.unresolved}). ` +
        `Keys they set under pulumiConfig are not in this plan: it shows the stack file and Pulumi.yaml's defaults. ` +
        `Run where \`pulumi config --stack ${stack}\` works, or pass such keys with --config KEY=VALUE.`
    );
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

/** The project directory: Pulumi.yaml and the stack files. */
export const ROOT = path.resolve(__dirname, "..");

/**
 * The config the Pulumi CLI would hand the program: Pulumi.yaml defaults, then Pulumi.<stack>.yaml,
 * then overrides (as `pulumi config set`; `aws.cacheNodes` is set by path like `--path` does).
 */
export function stackConfigMap(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    return stackConfig(stack, overrides).raw;
}

/** The stacks: one per Pulumi.<stack>.yaml beside Pulumi.yaml. */
export function listStacks(): string[] {
    return fs
        .readdirSync(ROOT)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s);
}
