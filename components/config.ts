// The stack config contract: one parse of the whole stack config into one typed object.
// Pure (no Pulumi import) so it is tested directly; stacks/index.ts feeds it pulumi.runtime.allConfig().
import { z } from "zod";
import { boolean, integer, oneOf } from "./configValues";
import { awsSchema } from "./aws/config";
import { azureSchema } from "./azure/config";
import { gcpSchema } from "./gcp/config";
import { RULE_NAMES } from "../policy/ruleNames";
import { addressRows, addressShortfall } from "./addressSpace";
import { NODE_ARCHS, sizingFor, type NodeArch } from "./capacity";
import { rdsRegions } from "./dataTls";
import { stackNameProblem } from "./identifiers";
import { costPolicySchema, usageSchema, type CostPolicy, type Usage } from "./cost/usage";
import { ENCRYPTED, monitoringConfig, monitoringKeys, SECRET_MONITORING_KEYS, type MonitoringConfig } from "./monitoring/config";

export const PROJECT = "zdp";
export const CLOUDS = ["local", "aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];
export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];
export const STRATEGIES = ["rolling", "blueGreen", "canary"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Bounds of the capacity model: below 100 a single pod is the whole app; above 1M nothing here is sized. */
export const MIN_USERS = 100;
export const MAX_USERS = 1_000_000;

export type AwsConfig = z.infer<typeof awsSchema>;
export type AzureConfig = z.infer<typeof azureSchema>;
export type GcpConfig = z.infer<typeof gcpSchema>;

export interface ReleaseConfig {
    strategy: Strategy;
    appVersion?: string;
    blueVersion?: string;
    greenVersion?: string;
    activeColor: Color;
    /** Share of traffic (0..100) on the inactive colour; canary only, 0 otherwise. */
    canaryWeight: number;
    inactiveScale: "full" | "minimal";
    previewHost?: string;
    previewHeader: string;
}

export interface StackConfig {
    stack: string;
    project: string;
    cloud: Cloud;
    region?: string;
    targetUsers: number;
    protect: boolean;
    domain?: string;
    /** Cloud stacks: serve production without a domain, over plain HTTP (explicit opt-out of HTTPS). */
    allowPlainHttp: boolean;
    /** CPU architecture of the nodes (arm64 needs a multi-arch app image). */
    nodeArch: NodeArch;
    /** Dev stack: attach to this existing GatewayClass instead of installing Envoy Gateway. */
    gatewayClass?: string;
    policyExceptions: string[];
    app: { image: string; port: number; healthPath: string; namespace: string };
    release: ReleaseConfig;
    aws?: AwsConfig;
    azure?: AzureConfig;
    gcp?: GcpConfig;
    /** Alert targets and threshold overrides (components/monitoring). */
    monitoring: MonitoringConfig;
    /** Traffic the bill depends on (components/cost/usage.ts). */
    usage: Usage;
    /** When a change's cost warns or fails, and how old a price may be. */
    costPolicy: CostPolicy;
}

export interface ConfigIssue {
    key: string;
    value?: string;
    message: string;
}

export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(
            `Invalid stack config (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  - ${i.key}${i.value === undefined ? "" : ` = "${i.value}"`}: ${i.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

// ---- value grammars (messages say what is allowed) --------------------------------------------

// A DNS hostname (RFC 1123), at least two labels.
const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "must be a lower-case DNS hostname such as app.example.com",
});

// Image repository without tag or digest (the version keys carry the tag): registry/path per the
// distribution reference grammar, lower-case path components.
const imageRepository = z.string().regex(/^(([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+|__)*(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$/, {
    error: "must be an image repository without tag or digest, e.g. ghcr.io/org/app (the version keys carry the tag)",
});

// A version key's value: an image tag that is also a Kubernetes label value (it goes into
// app.kubernetes.io/version: at most 63 characters, letters or digits at both ends), its digest
// `tag@sha256:<64 hex>`, or the digest alone `@sha256:<64 hex>`. With a digest the node pulls exactly
// that image, whatever the tag points to later (the tag then only names it). `latest` is refused:
// releases must be reproducible.
const version = z
    .string()
    .regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/, {
        error: "must be an image tag usable as a Kubernetes label value (letters, digits, '.', '_', '-' inside; at most 63 characters; a letter or digit at both ends), that tag with its digest, or the digest alone: e.g. 6.9.2, 6.9.2@sha256:<64 lower-case hex digits> or @sha256:<64 lower-case hex digits>",
    })
    .refine((v) => versionTag(v) !== "latest", { error: "must be a fixed version; 'latest' cannot be released or rolled back" });

/** The tag of a version key's value (`6.9.2@sha256:…` → `6.9.2`; `@sha256:…` → ""). */
export function versionTag(version: string): string {
    const at = version.indexOf("@");
    return at < 0 ? version : version.slice(0, at);
}

/** The image reference a version pulls: `repo:tag`, `repo:tag@sha256:…` or `repo@sha256:…`. */
export function imageReference(repository: string, version: string): string {
    return version.startsWith("@") ? `${repository}${version}` : `${repository}:${version}`;
}

/**
 * The version as a label value: the tag, or for a digest alone `sha256-` and its first 12 hex digits
 * (a label value holds no ':' or '@', and at most 63 characters).
 */
export function versionLabel(version: string): string {
    return version.startsWith("@sha256:") ? `sha256-${version.slice(8, 20)}` : versionTag(version);
}

const dnsLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a DNS label: lower-case letters, digits and '-', at most 63 characters",
});

// Namespaces Kubernetes, the clouds or our controllers own: deleting the app's namespace (or its
// default-deny and Pod Security labels) must never touch them.
const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "envoy-gateway-system", "azure-alb-system"];
const SYSTEM_PREFIXES = ["kube-", "gke-", "gmp-", "aks-", "amazon-", "azure-"];
const appNamespaceName = dnsLabel.refine((n) => !SYSTEM_NAMESPACES.includes(n) && !SYSTEM_PREFIXES.some((p) => n.startsWith(p)), {
    error: `must be the app's own namespace, not ${SYSTEM_NAMESPACES.join(", ")} or one starting with ${SYSTEM_PREFIXES.join(", ")} (Kubernetes, the clouds and the controllers own those)`,
});

// Project keys (without the `zdp:` prefix). Every key here is declared in Pulumi.yaml with its default.
const projectKeys = {
    cloud: oneOf(CLOUDS),
    targetUsers: integer(MIN_USERS, MAX_USERS, "a whole number of concurrent users"),
    appImage: imageRepository,
    // Non-root pods with every capability dropped cannot bind ports below 1024.
    appPort: integer(1024, 65535, "a port number (non-root pods cannot bind below 1024)"),
    healthPath: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, { error: "must be a URL path starting with '/', e.g. /healthz" }),
    namespace: appNamespaceName,
    releaseStrategy: oneOf(STRATEGIES),
    appVersion: version,
    blueVersion: version,
    greenVersion: version,
    activeColor: oneOf(COLORS),
    canaryWeight: integer(0, 100, "a percentage"),
    inactiveScale: oneOf(["full", "minimal"] as const),
    nodeArch: oneOf(NODE_ARCHS),
    previewHost: hostname,
    previewHeader: z.string().regex(/^[a-z0-9-]{1,64}$/, { error: "must be a lower-case HTTP header name, e.g. x-zdp-preview" }),
    domain: hostname,
    allowPlainHttp: boolean,
    gatewayClass: dnsLabel,
    protectStateful: boolean,
    ...monitoringKeys,
} as const;
type ProjectKey = keyof typeof projectKeys;
export const PROJECT_KEYS = Object.keys(projectKeys) as ProjectKey[];

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
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch {
        value = json;
    }
    const fields: Record<string, string> = {};
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        issues.push({ key, value: json, message: `must be an object of ${key} settings; set one with \`pulumi config set --path ${key}.<setting> <value>\`` });
        return fields;
    }
    for (const [field, v] of Object.entries(value)) {
        if (v === null || v === "") continue;
        if (typeof v === "object") issues.push({ key: `${key}.${field}`, value: JSON.stringify(v), message: "must be a single value, not a list or object" });
        else fields[field] = String(v);
    }
    return fields;
}

/** Provider key that carries each cloud's region, and the shape of that cloud's region names. */
const REGION_KEYS = {
    aws: { key: "aws:region", pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, example: "us-east-1" },
    azure: { key: "azure-native:location", pattern: /^[a-z]+[a-z0-9]*$/, example: "westeurope" },
    gcp: { key: "gcp:region", pattern: /^[a-z]+-[a-z]+\d+$/, example: "europe-west1" },
} as const;

function closest(key: string, candidates: string[]): string | undefined {
    const lower = key.toLowerCase();
    return candidates.find((c) => c.toLowerCase() === lower || c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
}

/**
 * Parse a stack's whole config (`project:key` → string, as `pulumi.runtime.allConfig()` returns it,
 * project defaults already applied) into a StackConfig. Throws ConfigError listing every problem.
 */
export function parseConfig(raw: Record<string, string>, stack: string, project = PROJECT): StackConfig {
    const issues: ConfigIssue[] = [];
    const prefix = `${project}:`;
    const values: Partial<Record<ProjectKey, string>> = {};
    const structured: Partial<Record<StructuredKey, Record<string, string>>> = {};

    for (const [fullKey, value] of Object.entries(raw)) {
        // Pulumi.yaml declares optional keys with default "": empty means unset.
        if (!fullKey.startsWith(prefix) || value === "") continue;
        const key = fullKey.slice(prefix.length);
        if ((STRUCTURED_KEYS as string[]).includes(key)) {
            structured[key as StructuredKey] = objectFields(key as StructuredKey, value, issues);
            continue;
        }
        const dotted = /^([^.]+)\.(.+)$/.exec(key);
        if (dotted && (STRUCTURED_KEYS as string[]).includes(dotted[1])) {
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
                message: `is not a config key of this project${hint ? ` (did you mean ${hint}?)` : ""}; keys are ${PROJECT_KEYS.join(", ")} and the objects ${STRUCTURED_KEYS.join(", ")}`,
            });
            continue;
        }
        values[key as ProjectKey] = value;
    }

    const parsed: Partial<Record<ProjectKey, unknown>> = {};
    for (const key of PROJECT_KEYS) {
        const value = values[key];
        if (value === undefined) continue;
        const result = projectKeys[key].safeParse(value);
        if (result.success) parsed[key] = result.data;
        else
            issues.push({
                key: key,
                value: (SECRET_MONITORING_KEYS as readonly string[]).includes(key) ? ENCRYPTED : value,
                message: result.error.issues.map((i) => i.message).join("; "),
            });
    }

    const required: ProjectKey[] = [
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
        "nodeArch",
        "previewHeader",
        "protectStateful",
    ];
    for (const key of required) {
        if (values[key] === undefined) issues.push({ key, message: "is required (Pulumi.yaml declares its default; is the project file missing?)" });
    }

    const cloud = parsed.cloud as Cloud | undefined;
    const strategy = parsed.releaseStrategy as Strategy | undefined;

    // Release keys must match the strategy, so that a config never says something the program ignores.
    if (strategy === "rolling") {
        if (values.appVersion === undefined) issues.push({ key: "appVersion", message: "is required with releaseStrategy rolling" });
        const inert = { canaryWeight: "0", inactiveScale: "full" } as Partial<Record<ProjectKey, string>>;
        for (const key of ["blueVersion", "greenVersion", "canaryWeight", "previewHost", "inactiveScale"] as const) {
            if (values[key] !== undefined && values[key] !== inert[key])
                issues.push({
                    key: key,
                    value: values[key],
                    message: `applies only to blueGreen and canary releases, not to releaseStrategy rolling; remove it or change releaseStrategy`,
                });
        }
    } else if (strategy) {
        for (const key of ["blueVersion", "greenVersion"] as const) {
            if (values[key] === undefined) issues.push({ key, message: `is required with releaseStrategy ${strategy}` });
        }
        if (values.appVersion !== undefined)
            issues.push({
                key: "appVersion",
                value: values.appVersion,
                message: `applies only to releaseStrategy rolling; with ${strategy} set blueVersion and greenVersion`,
            });
        if (strategy === "blueGreen" && values.canaryWeight !== undefined && values.canaryWeight !== "0")
            issues.push({
                key: "canaryWeight",
                value: values.canaryWeight,
                message: "applies only to releaseStrategy canary; blueGreen always sends 100% to activeColor",
            });
    }
    if (values.gatewayClass !== undefined && cloud !== undefined && cloud !== "local")
        issues.push({
            key: "gatewayClass",
            value: values.gatewayClass,
            message: `applies only to cloud local; cloud ${cloud} provides its own Gateway API controller`,
        });
    if (parsed.nodeArch === "arm64" && cloud === "gcp")
        issues.push({
            key: "nodeArch",
            value: "arm64",
            message: "is amd64 on gcp: GKE taints Arm nodes and this project does not tolerate them yet; arm64 is offered on aws (Graviton) and azure (Ampere)",
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
    if (parsed.previewHost !== undefined && parsed.previewHost === parsed.domain)
        issues.push({ key: "previewHost", value: values.previewHost, message: "must differ from domain, or the preview route would take all traffic" });

    // Each cloud's region comes from its provider key; another cloud's region key is a mistake.
    let region: string | undefined;
    for (const [c, spec] of Object.entries(REGION_KEYS)) {
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
    // The app verifies RDS against the region's roots, vendored in components/certs/.
    if (cloud === "aws" && region && !rdsRegions().includes(region))
        issues.push({
            key: "aws:region",
            value: region,
            message: `has no RDS root CAs in components/certs/rds-global-bundle.pem; refresh that bundle from its source URL`,
        });
    const nameProblem = cloud && stackNameProblem(cloud, project, stack);
    if (nameProblem) issues.push({ key: "stack name", value: stack, message: nameProblem });
    if (cloud === "gcp" && raw["gcp:project"] === undefined) issues.push({ key: "gcp:project", message: "is required for cloud gcp (your GCP project id)" });

    // Structured settings: the policy object and the stack's own cloud's object (the CLI fills every
    // cloud's object with its project defaults, so the others are present and ignored).
    const cloudParsed: Record<string, unknown> = {};
    for (const key of ["policy", "usage", "cost", ...(cloud && cloud !== "local" ? [cloud] : [])] as StructuredKey[]) {
        const fields = structured[key] ?? {};
        const result = structuredSchemas[key].safeParse(fields);
        if (result.success) cloudParsed[key] = result.data;
        else
            for (const i of result.error.issues) {
                const sub = i.code === "unrecognized_keys" ? i.keys : [String(i.path[0] ?? "")];
                for (const k of sub)
                    issues.push({
                        key: `${key}.${k}`,
                        value: fields[k],
                        message: i.code === "unrecognized_keys" ? `is not a ${key} setting of this project` : i.message,
                    });
            }
    }

    const gcpZones = (cloudParsed.gcp as GcpConfig | undefined)?.zones;
    if (gcpZones && region && gcpZones.some((z) => !z.startsWith(`${region}-`)))
        issues.push({ key: "gcp.zones", value: gcpZones.join(","), message: `must be zones of gcp:region ${region}, e.g. ${region}-b` });

    // Keys that only work together on one cloud: refused here, so nothing is declared that cannot finish.
    if (parsed.domain !== undefined) {
        const aws = cloudParsed.aws as AwsConfig | undefined;
        const azure = cloudParsed.azure as AzureConfig | undefined;
        if (aws && aws.certificateArn === undefined && aws.hostedZoneId === undefined)
            issues.push({
                key: "domain",
                value: values.domain,
                message: "on aws needs a certificate: set aws.certificateArn, or aws.hostedZoneId to issue one with ACM",
            });
        if (azure && azure.tlsSecretName === undefined)
            issues.push({
                key: "domain",
                value: values.domain,
                message:
                    "on azure needs azure.tlsSecretName: a kubernetes.io/tls Secret in the app namespace (Azure issues no certificate for Application Gateway for Containers)",
            });
    }

    if (issues.length > 0) throw new ConfigError(issues);

    const cfg: StackConfig = {
        stack,
        project,
        cloud: cloud!,
        region,
        targetUsers: parsed.targetUsers as number,
        nodeArch: parsed.nodeArch as NodeArch,
        protect: parsed.protectStateful as boolean,
        domain: parsed.domain as string | undefined,
        allowPlainHttp: (parsed.allowPlainHttp as boolean | undefined) ?? false,
        gatewayClass: parsed.gatewayClass as string | undefined,
        policyExceptions: (cloudParsed.policy as z.infer<typeof policySchema> | undefined)?.exceptions ?? [],
        app: {
            image: parsed.appImage as string,
            port: parsed.appPort as number,
            healthPath: parsed.healthPath as string,
            namespace: parsed.namespace as string,
        },
        release: {
            strategy: strategy!,
            appVersion: parsed.appVersion as string | undefined,
            blueVersion: parsed.blueVersion as string | undefined,
            greenVersion: parsed.greenVersion as string | undefined,
            activeColor: parsed.activeColor as Color,
            canaryWeight: strategy === "canary" ? (parsed.canaryWeight as number) : 0,
            inactiveScale: parsed.inactiveScale as "full" | "minimal",
            previewHost: parsed.previewHost as string | undefined,
            previewHeader: parsed.previewHeader as string,
        },
        aws: cloudParsed.aws as AwsConfig | undefined,
        azure: cloudParsed.azure as AzureConfig | undefined,
        gcp: cloudParsed.gcp as GcpConfig | undefined,
        monitoring: monitoringConfig(parsed),
        usage: cloudParsed.usage as Usage,
        costPolicy: cloudParsed.cost as CostPolicy,
    };
    // What the capacity model asks of the clouds' address ranges and classes: refused here, because the
    // clouds would accept the ranges and leave pods Pending later.
    const sizing = sizingFor(cfg);
    for (const r of addressRows(cfg, sizing))
        if (!r.ok) issues.push({ key: r.key, value: r.value, message: `is too small: ${addressShortfall(r, cfg.targetUsers)}` });
    if (issues.length > 0) throw new ConfigError(issues);
    return cfg;
}
