// The project's flat config keys and their value grammars (the messages say what is allowed). Pure:
// the parser (config.ts) and the apps' entries (apps.ts) read values with these.
import { z } from "zod";
import { boolean, imageRepository, integer, oneOf, version } from "./configValues";
import { MAX_WINDOW_MINUTES } from "./rollbackWindow";
import { monitoringKeys, SECRET_MONITORING_KEYS } from "./monitoring/config";
import { CLOUDS, COLORS, MAX_USERS, MIN_USERS, NODE_ARCHS, SESSION_AFFINITIES, STRATEGIES } from "./stackConfig";

/** A pod's size and what it serves (model/capacity.ts); unset, the capacity model's assumptions. */
const podKeys = {
    usersPerPod: integer(1, 100_000, "a whole number of concurrent users one pod serves"),
    podCpuMillis: integer(50, 64_000, "CPU millicores a pod requests"),
    podMemoryMiB: integer(64, 262_144, "MiB of memory a pod requests (and is limited to)"),
} as const;

// A DNS hostname (RFC 1123), at least two labels.
export const hostname = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: "must be a lower-case DNS hostname such as app.example.com",
});

export const dnsLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a DNS label: lower-case letters, digits and '-', at most 63 characters",
});

// Namespaces Kubernetes, the clouds or our controllers own: deleting the app's namespace (or its
// default-deny and Pod Security labels) must never touch them.
const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "envoy-gateway-system", "azure-alb-system"];
const SYSTEM_PREFIXES = ["kube-", "gke-", "gmp-", "aks-", "amazon-", "azure-"];
export const appNamespaceName = dnsLabel.refine((n) => !SYSTEM_NAMESPACES.includes(n) && !SYSTEM_PREFIXES.some((p) => n.startsWith(p)), {
    error: `must be the app's own namespace, not ${SYSTEM_NAMESPACES.join(", ")} or one starting with ${SYSTEM_PREFIXES.join(", ")} (Kubernetes, the clouds and the controllers own those)`,
});

// Project keys (without the `zdp:` prefix). Every key here is declared in Pulumi.yaml with its default.
export const projectKeys = {
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
    rollbackWindowMinutes: integer(0, MAX_WINDOW_MINUTES, "minutes"),
    // Format only here; the time itself is checked against the run's clock in parseConfig.
    promotedAt: z.string(),
    sessionAffinity: oneOf(SESSION_AFFINITIES),
    nodeArch: oneOf(NODE_ARCHS),
    previewHost: hostname,
    previewHeader: z.string().regex(/^[a-z0-9-]{1,64}$/, { error: "must be a lower-case HTTP header name, e.g. x-zdp-preview" }),
    domain: hostname,
    allowPlainHttp: boolean,
    gatewayClass: dnsLabel,
    protectStateful: boolean,
    ...podKeys,
    ...monitoringKeys,
} as const;
export type ProjectKey = keyof typeof projectKeys;
export const PROJECT_KEYS = Object.keys(projectKeys) as ProjectKey[];

/** Offline (npm run plan, the release CLI) an encrypted value reads as ENCRYPTED: only a secret key may be one. */
export const isSecretKey = (key: string) => (SECRET_MONITORING_KEYS as readonly string[]).includes(key);
