// The stack config contract: one parse of the whole stack config into one typed object.
// Pure (no Pulumi import) so it is tested directly; stacks/index.ts feeds it pulumi.runtime.allConfig().
import { z } from "zod";
import { imageReference, jsonObject, versionLabel, versionTag } from "./configValues";
import { awsSchema } from "./aws/config";
import { azureSchema } from "./azure/config";
import { gcpSchema } from "./gcp/config";
import { RULE_NAMES } from "../policy/ruleNames";
import { NOT_WAIVABLE_ON_CLOUD, refusedWaivers } from "../policy/waivers";
import { addressRows, addressShortfall } from "./addressSpace";
import { appSizings, DEFAULT_POD, nodeShapes, podsPerNodeOf } from "./capacity";
import { awsRules } from "./aws/rules";
import { azureRules } from "./azure/rules";
import { gcpRules } from "./gcp/rules";
import { stackNameProblem } from "./identifiers";
import { costPolicySchema, usageSchema, type CostPolicy, type Usage } from "./cost/usage";
import { contractIssues, MIGRATIONS_KEY, parseMigrations } from "./migrations";
import { releaseState } from "./releasePlan";
import { ENCRYPTED, monitoringConfig } from "./monitoring/config";
import { sessionAffinityProblem } from "./sessionAffinity";
import { isSecretKey, PROJECT_KEYS, projectKeys, type ProjectKey } from "./projectKeys";
import { releaseConfigOf, releaseKeyIssues, timeIssues } from "./releaseKeys";
import { appKey, appOf, APPS_KEY, crossAppIssues, parseApps, podOf } from "./apps";

import {
    allApps,
    CLOUDS,
    COLORS,
    PROJECT,
    STRATEGIES,
    type AwsConfig,
    type AzureConfig,
    type CloudRules,
    type Cloud,
    type ConfigIssue,
    type GcpConfig,
    type NodeArch,
    type StackConfig,
    type Strategy,
} from "./stackConfig";

// The parser's callers read the config's shape (and the version helpers) from here too.
export { CLOUDS, COLORS, PROJECT, PROJECT_KEYS, STRATEGIES, imageReference, versionLabel, versionTag };
export type { AzureConfig, Cloud, Color, StackConfig, Strategy } from "./stackConfig";

export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(
            `Invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${i.key}${i.value === undefined ? "" : ` = "${i.value}"`}: ${i.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

// Structured keys: Pulumi stores a dotted project key (`aws.cacheNodes`) as a field of the object
// `zdp:aws` (pulumi/pulumi pkg/workspace/config.go mergeConfig); users set fields with `--path`.
const policySchema = z.strictObject({
    exceptions: z
        .string()
        .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, { error: "must be a comma-separated list of policy rule names" })
        .transform((s) => s.split(","))
        // A misspelt name would waive nothing while the stack file says it does.
        .refine((names) => names.every((n) => (RULE_NAMES as readonly string[]).includes(n)), {
            error: `must name rules of the guardrails pack: ${RULE_NAMES.join(", ")}`,
        })
        .optional(),
});
const structuredSchemas = { aws: awsSchema, azure: azureSchema, gcp: gcpSchema, policy: policySchema, usage: usageSchema, cost: costPolicySchema } as const;
type StructuredKey = keyof typeof structuredSchemas;
const STRUCTURED_KEYS = Object.keys(structuredSchemas) as StructuredKey[];

/** The fields of a structured key's JSON object as text (as `pulumi config get --path` prints them); "" is unset. */
function objectFields(key: StructuredKey, json: string, issues: ConfigIssue[]): Record<string, string> {
    const value = jsonObject(json);
    const fields: Record<string, string> = {};
    if (value === undefined) {
        issues.push({ key, value: json, message: `must be an object of ${key} settings; set one with \`pulumi config set --path ${key}.<setting> <value>\`` });
        return fields;
    }
    for (const [field, v] of Object.entries(value)) {
        if (v === null || v === "") continue;
        if (v === ENCRYPTED) issues.push(encryptedIssue(`${key}.${field}`));
        else if (typeof v === "object")
            issues.push({ key: `${key}.${field}`, value: JSON.stringify(v), message: "must be a single value, not a list or object" });
        else fields[field] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return fields;
}

// Each cloud's own rules (region key, keys that only work together there), one folder per cloud.
const CLOUD_RULES: { [C in Exclude<Cloud, "local">]: CloudRules<NonNullable<StackConfig[C]>> } = { aws: awsRules, azure: azureRules, gcp: gcpRules };

function closest(key: string, candidates: string[]): string | undefined {
    const lower = key.toLowerCase();
    return candidates.find((c) => c.toLowerCase() === lower || c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
}

type Values = Partial<Record<ProjectKey, string>>;
type Parsed = Partial<Record<ProjectKey, unknown>>;
type Structured = Partial<Record<StructuredKey, Record<string, string>>>;

/**
 * Parse a stack's whole config (`project:key` → string, as `pulumi.runtime.allConfig()` returns it,
 * project defaults already applied) into a StackConfig. Throws ConfigError listing every problem.
 */
export function parseConfig(raw: Record<string, string>, stack: string, project = PROJECT, asOf: Date = new Date()): StackConfig {
    const issues: ConfigIssue[] = [];
    const { values, structured, empty, migrations: migrationsJson, apps: appsJson } = projectValues(raw, project, issues);
    const parsed = parseProjectKeys(values, empty, issues);
    const pod = podOf(parsed, DEFAULT_POD);
    const allowPlainHttp = (parsed.allowPlainHttp as boolean | undefined) ?? false;
    const apps = parseApps(appsJson, { cloud: parsed.cloud as Cloud | undefined, parsed, pod, allowPlainHttp, asOf }, issues);
    const migrations = parseMigrations(migrationsJson);
    issues.push(...migrations.issues);
    const cloud = parsed.cloud as Cloud | undefined;
    const strategy = parsed.releaseStrategy as Strategy | undefined;
    issues.push(...releaseKeyIssues(values, strategy), ...crossKeyIssues(values, parsed, cloud), ...timeIssues(values, asOf));
    const region = stackRegion(raw, cloud, values, issues);
    const nameProblem = cloud && stackNameProblem(cloud, project, stack);
    if (nameProblem) issues.push({ key: "stack name", value: stack, message: nameProblem });
    const settings = parseStructured(structured, cloud, issues);
    const refused = refusedWaivers((settings.policy as z.infer<typeof policySchema> | undefined)?.exceptions ?? [], cloud);
    if (refused.length > 0)
        issues.push({
            key: "policy.exceptions",
            value: structured.policy?.exceptions,
            message: `waives ${refused.join(", ")}, but a stack on cloud ${cloud} may not waive the data-protection and edge rules (${NOT_WAIVABLE_ON_CLOUD.join(", ")}); only a local stack may. Remove them and fix what they report`,
        });
    if (cloud && cloud !== "local")
        issues.push(
            ...CLOUD_RULES[cloud].check({
                raw,
                region,
                domain: values.domain,
                nodeArch: parsed.nodeArch as NodeArch | undefined,
                settings: settings[cloud] as never,
            }),
        );
    const cloudSettings = cloud && cloud !== "local" ? settings[cloud] : undefined;
    if (cloudSettings !== undefined) issues.push(...(CLOUD_RULES[cloud as Exclude<Cloud, "local">].apps?.(apps, cloudSettings as never) ?? []));
    if (issues.length > 0) throw new ConfigError(issues);

    const cfg = { ...stackConfig(stack, project, region, parsed, settings), pod, release: releaseConfigOf(parsed, migrations.migrations, asOf), apps };
    issues.push(...crossAppIssues(cfg), ...sizedIssues(cfg));
    if (issues.length > 0) throw new ConfigError(issues);
    return cfg;
}

/** What each app's sizing asks of the nodes, the address ranges and its migrations. */
function sizedIssues(cfg: StackConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const apps = allApps(cfg);
    const node = nodeShapes(cfg.cloud, cfg.nodeArch)[0];
    for (const { name, pod } of apps)
        if (podsPerNodeOf(node, pod) < 1)
            issues.push({
                key: appKey(name, "podCpuMillis"),
                value: `${pod.cpuMillis} (podMemoryMiB ${pod.memoryMiB})`,
                message: `leaves no room for one pod on the stack's ${node.machineType} nodes beside what each node reserves; request less`,
            });
    if (issues.length > 0) return issues;
    const sizings = appSizings(cfg);
    // What the capacity model asks of the clouds' address ranges and classes: refused here, because the
    // clouds would accept the ranges and leave pods Pending later.
    for (const r of addressRows(cfg, sizings[0]))
        if (!r.ok) issues.push({ key: r.key, value: r.value, message: `is too small: ${addressShortfall(r, cfg.targetUsers)}` });
    // Expand/contract: a contract waits until the older version neither serves nor can be rolled back to.
    apps.forEach((app, i) => {
        const state = releaseState(app, sizings[i]);
        const inWindow = (track: string) => app.release.rollbackWindow.open && track !== state.activeColor;
        const found = contractIssues(app.release.migrations, state, inWindow);
        issues.push(...found.map((f) => ({ ...f, key: appKey(app.name, f.key) })));
    });
    return issues;
}

/** This project's keys, as text: flat keys and the fields of the structured ones; anything else is an issue. */
function projectValues(
    raw: Record<string, string>,
    project: string,
    issues: ConfigIssue[],
): { values: Values; structured: Structured; empty: Set<string>; migrations?: string; apps?: string } {
    const prefix = `${project}:`;
    let migrations: string | undefined;
    let apps: string | undefined;
    const values: Values = {};
    const structured: Structured = {};
    const empty = new Set<string>();
    for (const [fullKey, value] of Object.entries(raw)) {
        // Pulumi.yaml declares optional keys with default "": empty means unset.
        if (fullKey.startsWith(prefix) && value === "") empty.add(fullKey.slice(prefix.length));
        if (value === "") continue;
        if (!fullKey.startsWith(prefix)) {
            const misplaced = otherProjectKey(fullKey, project, value);
            if (misplaced) issues.push(misplaced);
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (key === MIGRATIONS_KEY || key === APPS_KEY) {
            if (key === MIGRATIONS_KEY) migrations = value;
            else apps = value;
            continue;
        }
        if ((STRUCTURED_KEYS as string[]).includes(key)) {
            structured[key as StructuredKey] = objectFields(key as StructuredKey, value, issues);
            continue;
        }
        const dotted = /^([^.]+)\.(.+)$/.exec(key);
        if (dotted && [...STRUCTURED_KEYS, MIGRATIONS_KEY, APPS_KEY].includes(dotted[1])) {
            issues.push({
                key,
                value,
                message: `is a literal key, which Pulumi does not merge into the ${dotted[1]} settings; set it by path: \`pulumi config rm ${key} && pulumi config set --path ${key} ${value}\``,
            });
            continue;
        }
        if (!(key in projectKeys)) {
            const hint = closest(dotted ? dotted[2] : key, PROJECT_KEYS);
            issues.push({
                key,
                value,
                message: `is not a config key of this project${hint ? ` (did you mean ${hint}?)` : ""}; keys are ${PROJECT_KEYS.join(", ")} and the objects ${[...STRUCTURED_KEYS, MIGRATIONS_KEY, APPS_KEY].join(", ")}`,
            });
            continue;
        }
        values[key as ProjectKey] = value;
    }
    return { values, structured, empty, migrations, apps };
}

// Namespaces of the providers the program uses (package.json @pulumi/*): their keys are not the project's.
const PROVIDER_NAMESPACES = ["aws", "azure-native", "gcp", "kubernetes", "pulumi"];

/**
 * A project key under another namespace (`zdp:cloud` after Pulumi.yaml's name became `acme`, a fork's
 * first step): the program would never read it and deploy the defaults instead.
 */
function otherProjectKey(fullKey: string, project: string, value: string): ConfigIssue | undefined {
    const colon = fullKey.indexOf(":");
    const [ns, name] = [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
    const base = name.split(".")[0];
    if (PROVIDER_NAMESPACES.includes(ns) || !(base in projectKeys || [...STRUCTURED_KEYS, MIGRATIONS_KEY, APPS_KEY].includes(base))) return undefined;
    return {
        key: fullKey,
        value: isSecretKey(base) ? ENCRYPTED : value,
        message: `is in namespace ${ns}, but the project is ${project} (Pulumi.yaml name), so the program never reads it; rename the key to ${project}:${name}`,
    };
}

// Pulumi.yaml is the only source of defaults: a key it declares that arrives unset means the project file was not read.
const MISSING_DEFAULT = "is required (Pulumi.yaml declares its default; is the project file missing?)";
// Keys Pulumi.yaml gives a default.
const REQUIRED: ProjectKey[] = [
    "cloud",
    "targetUsers",
    "appImage",
    "appPort",
    "healthPath",
    "namespace",
    "releaseStrategy",
    "activeColor",
    "canaryWeight",
    "inactiveScale",
    "rollbackWindowMinutes",
    "sessionAffinity",
    "nodeArch",
    "previewHeader",
    "protectStateful",
];

const encryptedIssue = (key: string): ConfigIssue => ({
    key,
    value: ENCRYPTED,
    message: `is encrypted (secure:), which only the Pulumi CLI can decrypt, and the offline tools need its value to check it: pass it with --config ${key}=<value>, or store it in plain text (it is not a secret of this project)`,
});

function parseProjectKeys(values: Values, empty: Set<string>, issues: ConfigIssue[]): Parsed {
    const parsed: Parsed = {};
    for (const key of PROJECT_KEYS) {
        const value = values[key];
        if (value === undefined) continue;
        if (value === ENCRYPTED && !isSecretKey(key)) {
            issues.push(encryptedIssue(key));
            continue;
        }
        const result = projectKeys[key].safeParse(value);
        if (result.success) parsed[key] = result.data;
        else
            issues.push({
                key: key,
                value: isSecretKey(key) ? ENCRYPTED : value,
                message: result.error.issues.map((i) => i.message).join("; "),
            });
    }
    for (const key of REQUIRED) {
        if (values[key] !== undefined) continue;
        if (empty.has(key))
            issues.push({ key, value: "", message: "is empty in the stack file: give it a value, or remove the line to use Pulumi.yaml's default" });
        else issues.push({ key, message: MISSING_DEFAULT });
    }
    return parsed;
}

/** Keys that only mean something together (on every cloud). */
function crossKeyIssues(values: Values, parsed: Parsed, cloud: Cloud | undefined): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (values.gatewayClass !== undefined && cloud !== undefined && cloud !== "local")
        issues.push({
            key: "gatewayClass",
            value: values.gatewayClass,
            message: `applies only to cloud local; cloud ${cloud} provides its own Gateway API controller`,
        });
    // The opt-out must say something the program does: it applies to a cloud stack without a domain.
    if (parsed.allowPlainHttp === true && (parsed.domain !== undefined || cloud === "local"))
        issues.push({
            key: "allowPlainHttp",
            value: "true",
            message:
                cloud === "local"
                    ? "applies only to cloud stacks (the dev stack is served over plain HTTP anyway); remove it"
                    : "applies only without domain (with domain the stack serves HTTPS); remove one of them",
        });
    // The dev stack runs Prometheus and Grafana in `<namespace>-monitoring` (stacks/local.ts), a DNS label too.
    const monitoring = `${String(parsed.namespace)}-monitoring`;
    if (cloud === "local" && monitoring.length > 63)
        issues.push({
            key: "namespace",
            value: values.namespace,
            message: `makes the dev stack's monitoring namespace ${monitoring} ${monitoring.length} characters, over Kubernetes' 63; use at most ${63 - "-monitoring".length} characters`,
        });
    const affinity = parsed.sessionAffinity === undefined || cloud === undefined ? undefined : sessionAffinityProblem(parsed.sessionAffinity as string, cloud);
    if (affinity) issues.push({ key: "sessionAffinity", value: values.sessionAffinity, message: affinity });
    if (parsed.previewHost !== undefined && parsed.previewHost === parsed.domain)
        issues.push({ key: "previewHost", value: values.previewHost, message: "must differ from domain, or the preview route would take all traffic" });
    return issues;
}

/** Each cloud's region comes from its provider key; another cloud's region key is a mistake. */
function stackRegion(raw: Record<string, string>, cloud: Cloud | undefined, values: Values, issues: ConfigIssue[]): string | undefined {
    let region: string | undefined;
    for (const [c, { region: spec }] of Object.entries(CLOUD_RULES)) {
        const value = raw[spec.key];
        if (c === cloud) {
            if (value === undefined) issues.push({ key: spec.key, message: `is required for cloud ${c} (e.g. ${spec.example})` });
            else if (!spec.pattern.test(value))
                issues.push({ key: spec.key, value, message: `is not a ${c} region name; ${c} regions look like ${spec.example}` });
            else region = value;
        } else if (value !== undefined) {
            issues.push({ key: spec.key, value, message: `belongs to cloud ${c}, but this stack's cloud is ${cloud ?? values.cloud ?? "unset"}; remove it` });
        }
    }
    return region;
}

/**
 * The structured settings: the policy, usage and cost objects and the stack's own cloud's object (the
 * CLI fills every cloud's object with its project defaults, so the others are present and ignored).
 */
function parseStructured(structured: Structured, cloud: Cloud | undefined, issues: ConfigIssue[]): Partial<Record<StructuredKey, unknown>> {
    const settings: Partial<Record<StructuredKey, unknown>> = {};
    for (const key of ["policy", "usage", "cost", ...(cloud && cloud !== "local" ? [cloud] : [])] as StructuredKey[]) {
        const fields = structured[key] ?? {};
        const result = structuredSchemas[key].safeParse(fields);
        if (result.success) settings[key] = result.data;
        else
            for (const i of result.error.issues) {
                const sub = i.code === "unrecognized_keys" ? i.keys : [String(i.path[0] ?? "")];
                for (const k of sub)
                    issues.push({
                        key: `${key}.${k}`,
                        value: fields[k],
                        message:
                            i.code === "unrecognized_keys"
                                ? `is not a ${key} setting of this project`
                                : fields[k] === undefined && i.code === "invalid_type" && !i.message.startsWith("is required")
                                  ? MISSING_DEFAULT
                                  : i.message,
                    });
            }
    }
    return settings;
}

/** The parsed keys as one StackConfig (called once every key is valid). */
function stackConfig(
    stack: string,
    project: string,
    region: string | undefined,
    parsed: Parsed,
    settings: Partial<Record<StructuredKey, unknown>>,
): Omit<StackConfig, "pod" | "release" | "apps"> {
    return {
        stack,
        project,
        cloud: parsed.cloud as Cloud,
        region,
        targetUsers: parsed.targetUsers as number,
        nodeArch: parsed.nodeArch as NodeArch,
        protect: parsed.protectStateful as boolean,
        domain: parsed.domain as string | undefined,
        allowPlainHttp: (parsed.allowPlainHttp as boolean | undefined) ?? false,
        gatewayClass: parsed.gatewayClass as string | undefined,
        policyExceptions: (settings.policy as z.infer<typeof policySchema> | undefined)?.exceptions ?? [],
        app: appOf(parsed),
        aws: settings.aws as AwsConfig | undefined,
        azure: settings.azure as AzureConfig | undefined,
        gcp: settings.gcp as GcpConfig | undefined,
        monitoring: monitoringConfig(parsed),
        usage: settings.usage as Usage,
        costPolicy: settings.cost as CostPolicy,
    };
}
