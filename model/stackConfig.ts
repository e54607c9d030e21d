// The shape of a parsed stack config, types, enums and the list of its apps: capacity, address space, identifiers, cost
// and the release maths read it; the parser (config.ts) builds it and depends on them, not the reverse.
import type { z } from "zod";
import type { awsSchema } from "./aws/config";
import type { azureSchema } from "./azure/config";
import type { gcpSchema } from "./gcp/config";
import type { CostPolicy, Usage } from "./cost/usage";
import type { MonitoringConfig } from "./monitoring/config";
import type { RollbackWindow } from "./rollbackWindow";

export const PROJECT = "zdp";
export const CLOUDS = ["local", "aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];
export const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];
export const STRATEGIES = ["rolling", "blueGreen", "canary"] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const SESSION_AFFINITIES = ["none", "cookie"] as const;

/** Bounds of the capacity model: below 100 a single pod is the whole app; above 1M nothing here is sized. */
export const MIN_USERS = 100;
export const MAX_USERS = 1_000_000;

/** CPU architectures of the nodes (arm64 needs a multi-arch app image). */
export const NODE_ARCHS = ["amd64", "arm64"] as const;
export type NodeArch = (typeof NODE_ARCHS)[number];

export type AwsConfig = z.infer<typeof awsSchema>;
export type AzureConfig = z.infer<typeof azureSchema>;
export type GcpConfig = z.infer<typeof gcpSchema>;

/** expand: backward compatible, runs before the version gets traffic; contract: removes what older versions need. */
export const MIGRATION_PHASES = ["expand", "contract"] as const;
export type MigrationPhase = (typeof MIGRATION_PHASES)[number];

/** A schema migration of one version (stack config `migrations`, model/migrations.ts). */
export interface Migration {
    version: string;
    phase: MigrationPhase;
    /** Full image reference; unset, the app image at this version. */
    image?: string;
    command: string[];
    /** Extra environment (values kept in a Secret). */
    env: Record<string, string>;
}

export interface ReleaseConfig {
    strategy: Strategy;
    appVersion?: string;
    blueVersion?: string;
    greenVersion?: string;
    activeColor: Color;
    /** Share of traffic (0..100) on the inactive colour; canary only, 0 otherwise. */
    canaryWeight: number;
    inactiveScale: "full" | "minimal";
    /** How long a promote keeps the colour that lost its traffic at full size, judged at the run's start (model/rollbackWindow.ts). */
    rollbackWindow: RollbackWindow;
    /** Cookie affinity between colours; only `none` is accepted today (docs/releasing.md, "Sessions across colours"). */
    sessionAffinity: (typeof SESSION_AFFINITIES)[number];
    previewHost?: string;
    previewHeader: string;
    /** Migration Jobs by version; only those of versions a track runs are declared. */
    migrations: Migration[];
}

/** The stack's first app, configured by the top-level keys; `apps.<name>` adds others (model/apps.ts). */
export const DEFAULT_APP = "app";

/** One pod of an app: the users it serves and what it requests (model/capacity.ts). */
export interface PodSize {
    usersPerPod: number;
    cpuMillis: number;
    memoryMiB: number;
}

/** What one app is: its image and probes, the users it serves, its pods and its release. */
export interface AppConfig {
    name: string;
    app: { image: string; port: number; healthPath: string; namespace: string };
    /** Host its routes serve; unset, any host. */
    domain?: string;
    targetUsers: number;
    pod: PodSize;
    release: ReleaseConfig;
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
    /** The default app (named DEFAULT_APP): its keys are the stack's top-level ones. */
    app: AppConfig["app"];
    pod: PodSize;
    release: ReleaseConfig;
    /** The stack's other apps (`apps.<name>`), each sized and released on its own. */
    apps: AppConfig[];
    aws?: AwsConfig;
    azure?: AzureConfig;
    gcp?: GcpConfig;
    /** Alert targets and threshold overrides (components/monitoring). */
    monitoring: MonitoringConfig;
    /** Traffic the bill depends on (model/cost/usage.ts). */
    usage: Usage;
    /** When a change's cost warns or fails, and how old a price may be. */
    costPolicy: CostPolicy;
}

/** One problem with one key: what the user set and what is allowed. */
export interface ConfigIssue {
    key: string;
    value?: string;
    message: string;
}

/** One cloud's rules beyond its settings' schema (model/<cloud>/rules.ts). */
export interface CloudRules<Settings> {
    /** The provider key that carries the stack's region, and what that cloud's region names look like. */
    region: { key: string; pattern: RegExp; example: string };
    /** Keys that only work together on this cloud; `settings` is absent when its schema refused them. */
    check(input: { raw: Record<string, string>; region?: string; domain?: string; nodeArch?: NodeArch; settings?: Settings }): ConfigIssue[];
}

/** Every app of the stack, the default app first. */
export function allApps(cfg: Pick<StackConfig, "app" | "domain" | "targetUsers" | "pod" | "release" | "apps">): AppConfig[] {
    return [{ name: DEFAULT_APP, app: cfg.app, domain: cfg.domain, targetUsers: cfg.targetUsers, pod: cfg.pod, release: cfg.release }, ...cfg.apps];
}
