// The stack's apps: the default app is the top-level keys; each `apps.<name>` entry adds one, with
// the same key names scoped to it, so `pulumi config set --path apps.api.activeColor green` promotes
// that app alone. Pure (no Pulumi import).
//
//   zdp:apps:
//     api:
//       appImage: ghcr.io/org/api      # required
//       namespace: api                 # required, its own
//       blueVersion: 1.4.0             # the versions its strategy takes (required)
//       greenVersion: 1.4.0
//       activeColor: blue              # required with blueGreen and canary
//       domain: api.example.com        # required on a cloud stack serving HTTPS
//       appPort: 8080                  # unset: the stack's (INHERITED below)
import { z } from "zod";
import { jsonObject } from "./configValues";
import { ENCRYPTED } from "./monitoring/config";
import { parseMigrations } from "./migrations";
import { dnsLabel, projectKeys, type ProjectKey } from "./projectKeys";
import { releaseConfigOf, releaseKeyIssues, timeIssues } from "./releaseKeys";
import { allApps, DEFAULT_APP, type AppConfig, type Cloud, type ConfigIssue, type PodSize, type StackConfig, type Strategy } from "./stackConfig";

export const APPS_KEY = "apps";
/** The stack output holding each other app's preview token (a secret), apart from its other outputs under `apps`. */
export const PREVIEW_TOKENS_OUTPUT = "appPreviewTokens";

/** The stack-file key of one of an app's keys: the default app's at the top level, another's by path (`apps.api.activeColor`). */
export const appKey = (app: string | undefined, key: string): string => (app === undefined || app === DEFAULT_APP ? key : `${APPS_KEY}.${app}.${key}`);

/** The keys an app entry takes: the default app's own keys, by the same names. */
export const APP_KEYS = [
    "appImage",
    "appPort",
    "healthPath",
    "namespace",
    "domain",
    "targetUsers",
    "usersPerPod",
    "podCpuMillis",
    "podMemoryMiB",
    "releaseStrategy",
    "appVersion",
    "blueVersion",
    "greenVersion",
    "activeColor",
    "canaryWeight",
    "inactiveScale",
    "rollbackWindowMinutes",
    "promotedAt",
    "previewHost",
    "previewHeader",
] as const satisfies readonly ProjectKey[];
type AppKey = (typeof APP_KEYS)[number];

/**
 * Unset in an entry, these take the stack's top-level value: how the stack runs its apps. The others
 * are the app's alone (its image, namespace, host, versions and colour): a promote of the default
 * app must never promote another. The pod keys unset take the default app's pod.
 */
const INHERITED: readonly AppKey[] = ["appPort", "healthPath", "targetUsers", "releaseStrategy", "inactiveScale", "rollbackWindowMinutes", "previewHeader"];

// Its name prefixes the Pulumi names of its resources and, on the clouds, of its load balancer's.
const MAX_NAME = 16;
const appName = dnsLabel.regex(new RegExp(`^[a-z][a-z0-9-]{0,${MAX_NAME - 1}}$`), {
    error: `must start with a letter and be at most ${MAX_NAME} characters (it prefixes the app's resource names)`,
});

/** What the entries are checked and completed against: the stack's parsed top-level keys. */
export interface StackDefaults {
    cloud?: Cloud;
    parsed: Partial<Record<ProjectKey, unknown>>;
    pod: PodSize;
    allowPlainHttp: boolean;
    asOf: Date;
}

type Parsed = Partial<Record<ProjectKey, unknown>>;

/** The `apps` object's entries as AppConfigs; every problem lands in `issues` under `apps.<name>.<key>`. */
export function parseApps(json: string | undefined, stack: StackDefaults, issues: ConfigIssue[]): AppConfig[] {
    if (json === undefined) return [];
    const value = jsonObject(json);
    if (value === undefined) {
        issues.push({
            key: APPS_KEY,
            value: json,
            message: "must be an object of apps by name; add one with `pulumi config set --path apps.<name>.appImage <image>`",
        });
        return [];
    }
    const apps: AppConfig[] = [];
    for (const [name, entry] of Object.entries(value)) {
        const nameCheck = appName.safeParse(name);
        const problems: ConfigIssue[] = [];
        if (name === DEFAULT_APP)
            problems.push({ key: `${APPS_KEY}.${name}`, message: `is the default app's name (its keys are the top-level ones); name this app otherwise` });
        else if (!nameCheck.success) problems.push({ key: `${APPS_KEY}.${name}`, message: nameCheck.error.issues.map((i) => i.message).join("; ") });
        const app = problems.length ? undefined : parseApp(name, entry, stack, problems);
        issues.push(...problems);
        if (app) apps.push(app);
    }
    return apps;
}

/** An entry's fields as text (`pulumi config set --path` stores 8080 as a number), its migrations apart. */
function entryValues(at: string, entry: unknown, issues: ConfigIssue[]): { values: Partial<Record<AppKey, string>>; migrations?: unknown } {
    const values: Partial<Record<AppKey, string>> = {};
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
        issues.push({ key: at, value: JSON.stringify(entry), message: "must be an object of the app's keys, e.g. appImage, namespace, blueVersion" });
        return { values };
    }
    let migrations: unknown;
    for (const [key, v] of Object.entries(entry)) {
        if (key === "migrations") migrations = v;
        else if (!(APP_KEYS as readonly string[]).includes(key))
            issues.push({
                key: `${at}.${key}`,
                value: JSON.stringify(v),
                message: `is not a key of an app; an app takes ${APP_KEYS.join(", ")} and migrations`,
            });
        else if (v === ENCRYPTED)
            issues.push({ key: `${at}.${key}`, value: ENCRYPTED, message: "is encrypted, and no key of an app is a secret: store it in plain text" });
        else if (v !== null && typeof v === "object")
            issues.push({ key: `${at}.${key}`, value: JSON.stringify(v), message: "must be a single value, not a list or object" });
        else if (v !== null && v !== "") values[key as AppKey] = String(v);
    }
    return { values, migrations };
}

function parseApp(name: string, entry: unknown, stack: StackDefaults, issues: ConfigIssue[]): AppConfig | undefined {
    const at = `${APPS_KEY}.${name}`;
    const before = issues.length;
    const { values, migrations: migrationsValue } = entryValues(at, entry, issues);
    const own: Parsed = {};
    for (const [key, value] of Object.entries(values) as [AppKey, string][]) {
        const result = (projectKeys[key] as z.ZodType).safeParse(value);
        if (result.success) own[key] = result.data;
        else issues.push({ key: `${at}.${key}`, value, message: result.error.issues.map((i) => i.message).join("; ") });
    }
    const parsed: Parsed = { ...Object.fromEntries(INHERITED.map((k) => [k, stack.parsed[k]])), ...own };
    const strategy = parsed.releaseStrategy as Strategy | undefined;
    for (const key of ["appImage", "namespace", ...(strategy && strategy !== "rolling" ? (["activeColor"] as const) : [])] as const)
        if (values[key] === undefined) issues.push({ key: `${at}.${key}`, message: `is required: ${name} has no default for it` });
    if (stack.cloud && stack.cloud !== "local" && stack.parsed.domain !== undefined && values.domain === undefined && !stack.allowPlainHttp)
        issues.push({
            key: `${at}.domain`,
            message: `is required: the stack serves HTTPS (domain ${stack.parsed.domain as string}), and ${name} would otherwise be served over plain HTTP`,
        });
    issues.push(...releaseKeyIssues(values, strategy, `${at}.`), ...timeIssues(values, stack.asOf, `${at}.`));
    const migrations = parseMigrations(migrationsValue === undefined ? undefined : JSON.stringify(migrationsValue));
    issues.push(...migrations.issues.map((i) => ({ ...i, key: `${at}.${i.key}` })));
    if (issues.length > before) return undefined;
    // A rolling app has one workload: the inherited colour settings say nothing about it.
    if (strategy === "rolling") Object.assign(parsed, { inactiveScale: "full", rollbackWindowMinutes: 0 });
    return {
        name,
        app: appOf(parsed),
        domain: parsed.domain as string | undefined,
        targetUsers: parsed.targetUsers as number,
        pod: podOf(own, stack.pod),
        release: releaseConfigOf({ ...parsed, sessionAffinity: stack.parsed.sessionAffinity }, migrations.migrations, stack.asOf),
    };
}

/** What an app is, from its parsed keys (every key valid). */
export const appOf = (parsed: Parsed): AppConfig["app"] => ({
    image: parsed.appImage as string,
    port: parsed.appPort as number,
    healthPath: parsed.healthPath as string,
    namespace: parsed.namespace as string,
});

/** A pod's size from parsed keys; what is unset comes from `fallback`. */
export function podOf(parsed: Parsed, fallback: PodSize): PodSize {
    return {
        usersPerPod: (parsed.usersPerPod as number | undefined) ?? fallback.usersPerPod,
        cpuMillis: (parsed.podCpuMillis as number | undefined) ?? fallback.cpuMillis,
        memoryMiB: (parsed.podMemoryMiB as number | undefined) ?? fallback.memoryMiB,
    };
}

/** Rules between apps: each its own namespace and hosts (two apps on one host would split its traffic). */
export function crossAppIssues(cfg: StackConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const namespaces = new Map<string, string>();
    const hosts = new Map<string, string>();
    for (const app of allApps(cfg)) {
        const ns = app.app.namespace;
        if (namespaces.has(ns))
            issues.push({ key: appKey(app.name, "namespace"), value: ns, message: `is ${namespaces.get(ns)}'s namespace too; each app has its own` });
        else namespaces.set(ns, app.name);
        for (const [key, host] of [
            ["domain", app.domain],
            ["previewHost", app.release.previewHost],
        ] as const) {
            if (host === undefined) continue;
            if (hosts.has(host) && app.name !== DEFAULT_APP)
                issues.push({
                    key: appKey(app.name, key),
                    value: host,
                    message: `is already served by ${hosts.get(host)}; each app and preview has its own host`,
                });
            hosts.set(host, `${app.name}'s ${key}`);
        }
        const monitoring = `${ns}-monitoring`;
        if (cfg.cloud === "local" && app.name !== DEFAULT_APP && monitoring.length > 63)
            issues.push({
                key: appKey(app.name, "namespace"),
                value: ns,
                message: `makes the dev stack's monitoring namespace ${monitoring} ${monitoring.length} characters, over Kubernetes' 63; use at most ${63 - "-monitoring".length} characters`,
            });
    }
    return issues;
}
