// The cluster's live state as the release page reads it, through kubectl (the stack's kubeconfig, its
// auth plugins for EKS, AKS and GKE): the live HTTPRoute's weights, each colour's Deployment (version,
// ready pods) and the release Lease with its record (scripts/release/record.ts). Each read fails as a
// whole, with kubectl's reason: the page then shows that value as unreadable, never a default.
import { execFile } from "node:child_process";
import { ROUTE_NAME } from "../../components/k8s/release";
import { LEASE_NAME } from "../release/lock";
import { entriesOf, type EventList, type RecordEntry } from "../release/record";

/** Runs kubectl with these arguments and resolves its stdout; rejects with the last line of its stderr (its summary; klog lines come first). */
export type Kubectl = (args: string[]) => Promise<string>;

export function runKubectl(bin = "kubectl"): Kubectl {
    return (args) =>
        new Promise((resolve, reject) =>
            execFile(bin, args, { timeout: 10_000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) =>
                err ? reject(new Error((stderr || err.message).trim().split("\n").at(-1))) : resolve(stdout),
            ),
        );
}

export interface KubeTarget {
    kubeconfig?: string;
    context?: string;
}

export interface DeploymentView {
    /** Container `app`'s ZDP_VERSION (the whole version, digest included), else its version label. */
    version?: string;
    image?: string;
    ready: number;
    replicas: number;
}

export interface LeaseView {
    holder: string;
    renewTime: string;
    durationSeconds: number;
}

interface HttpRoute {
    metadata?: { resourceVersion?: string };
    spec?: { rules?: { backendRefs?: { name?: string; weight?: number }[] }[] };
}

/**
 * Percent of the route's traffic per backend (Service name). Gateway API: a backendRef's weight is its
 * proportion, weight / (sum of the rule's weights), and defaults to 1 (HTTPBackendRef.weight,
 * gateway.networking.k8s.io/v1). The live route has one rule (components/k8s/release.ts). No weight at
 * all: every backend 0 %, since the Gateway then sends no traffic to any.
 */
export function routePercents(route: HttpRoute): Record<string, number> {
    const refs = route.spec?.rules?.[0]?.backendRefs ?? [];
    const weights = refs.map((r) => r.weight ?? 1);
    const sum = weights.reduce((a, b) => a + b, 0);
    return Object.fromEntries(refs.map((r, i) => [r.name ?? "", sum ? Math.round((weights[i] / sum) * 1000) / 10 : 0]));
}

interface Deployment {
    metadata?: { name?: string; labels?: Record<string, string> };
    spec?: { replicas?: number; template?: { spec?: { containers?: { name?: string; image?: string; env?: { name: string; value?: string }[] }[] } } };
    status?: { readyReplicas?: number };
}

/** A Deployment as the page shows it. The API omits readyReplicas when none is ready (a real 0) and replicas only when unset (1). */
export function deploymentView(d: Deployment): DeploymentView {
    const app = d.spec?.template?.spec?.containers?.find((c) => c.name === "app");
    return {
        version: app?.env?.find((e) => e.name === "ZDP_VERSION")?.value ?? d.metadata?.labels?.["app.kubernetes.io/version"],
        image: app?.image,
        ready: d.status?.readyReplicas ?? 0,
        replicas: d.spec?.replicas ?? 1,
    };
}

export interface ClusterReader {
    /** The live route's percent per backend Service, and its resourceVersion. */
    route(namespace: string): Promise<{ percents: Record<string, number>; resourceVersion?: string }>;
    deployments(namespace: string, names: string[]): Promise<Record<string, DeploymentView>>;
    /** The release Lease (undefined: none) and every entry of the release record the API server still holds. */
    release(namespace: string): Promise<{ lease?: LeaseView; entries: RecordEntry[] }>;
}

export function kubectlCluster(target: KubeTarget, kubectl: Kubectl = runKubectl()): ClusterReader {
    const global = [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : [])];
    const get = async (namespace: string, args: string[]) =>
        JSON.parse(await kubectl([...global, "--namespace", namespace, "get", ...args, "--output", "json"])) as unknown;
    return {
        async route(namespace) {
            const route = (await get(namespace, ["httproutes.gateway.networking.k8s.io", ROUTE_NAME])) as HttpRoute;
            return { percents: routePercents(route), resourceVersion: route.metadata?.resourceVersion };
        },
        async deployments(namespace, names) {
            // One name gives the object itself, several a List.
            const parsed = (await get(namespace, ["deployments.apps", ...names])) as Deployment & { items?: Deployment[] };
            const items = parsed.items ?? [parsed];
            const out: Record<string, DeploymentView> = {};
            for (const d of items) if (d.metadata?.name) out[d.metadata.name] = deploymentView(d);
            const missing = names.filter((n) => !(n in out));
            if (missing.length) throw new Error(`no Deployment ${missing.join(", ")} in namespace ${namespace}`);
            return out;
        },
        async release(namespace) {
            const [lease, events] = await Promise.all([
                // --ignore-not-found: no Lease is no release running, an empty answer.
                kubectl([...global, "--namespace", namespace, "get", "leases.coordination.k8s.io", LEASE_NAME, "--ignore-not-found", "--output", "json"]),
                get(namespace, ["events", "--field-selector", `involvedObject.kind=Lease,involvedObject.name=${LEASE_NAME}`]),
            ]);
            const spec = lease.trim()
                ? (JSON.parse(lease) as { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } }).spec
                : undefined;
            return {
                lease: spec && { holder: spec.holderIdentity ?? "", renewTime: spec.renewTime ?? "", durationSeconds: spec.leaseDurationSeconds ?? 0 },
                entries: entriesOf(events as EventList),
            };
        },
    };
}
