// Default-deny in the app namespace, with exactly the allows the app needs: requests from the load
// balancer's data path to the app port, DNS, and its database and Redis. Everything else in or out
// of the namespace is refused. Enforced by the EKS VPC CNI (network policy on), AKS Cilium and GKE
// Dataplane V2; kubelet probes from the node are allowed by all three.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { selectorFor } from "./release";

/** A source or destination: address ranges, or pods (by namespace name, "*" for any, and/or labels). */
export type Peer = { cidrs: pulumi.Input<string>[] } | { namespace?: string; pods?: Record<string, string> };

export interface AppTrafficArgs {
    namespace: pulumi.Input<string>;
    appPort: number;
    /** The load balancer's data path to the pods (its subnet, its proxy ranges, or the gateway's namespace). */
    from: Peer[];
    /** What the app may call besides DNS: each data store with its port. */
    to: { peer: Peer; port: pulumi.Input<number> }[];
    /** In-cluster data stores (dev): their pods and ports, open to the app (and to `alsoFrom` pods) only. */
    datastores?: InClusterStore[];
    /** The database-role Job's pods (components/k8s/appDbRole.ts) and the database they reach. */
    dbRole?: { pods: Record<string, string>; to: { peer: Peer; port: pulumi.Input<number> } };
    /** The migration Jobs' pods (components/k8s/migrationJob.ts) and the database they reach. */
    migrations?: { pods: Record<string, string>; to: { peer: Peer; port: pulumi.Input<number> } };
}

/** A data store running in the cluster (dev): its pods and port, and the pods besides the app's that reach it. */
export interface InClusterStore {
    pods: Record<string, string>;
    port: number;
    alsoFrom?: Record<string, string>[];
}

// Every colour's pods: the app's name label is shared, the instance label differs per colour.
const APP_PODS = { "app.kubernetes.io/name": selectorFor("app")["app.kubernetes.io/name"] };

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type NetPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

function peers(p: Peer): NetPeer[] {
    if ("cidrs" in p) return p.cidrs.map((cidr) => ({ ipBlock: { cidr } }));
    return [
        {
            ...(p.namespace === undefined
                ? {}
                : { namespaceSelector: p.namespace === "*" ? {} : { matchLabels: { "kubernetes.io/metadata.name": p.namespace } } }),
            ...(p.pods === undefined ? {} : { podSelector: { matchLabels: p.pods } }),
        },
    ];
}

const tcp = (port: pulumi.Input<number>) => [{ protocol: "TCP", port }];

/** The base of every namespace this project owns: nothing in or out, but DNS. */
export const DENY_ALL_BUT_DNS: Record<"default-deny" | "allow-dns", Spec> = {
    "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    // CoreDNS / kube-dns carries k8s-app=kube-dns on EKS, AKS and GKE alike.
    "allow-dns": {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    },
};

/** The NetworkPolicy specs, by name. */
export function appTrafficPolicies(args: Omit<AppTrafficArgs, "namespace">): Record<string, Spec> {
    const specs: Record<string, Spec> = {
        ...DENY_ALL_BUT_DNS,
        "app-from-load-balancer": {
            podSelector: { matchLabels: APP_PODS },
            policyTypes: ["Ingress"],
            ingress: [{ from: args.from.flatMap(peers), ports: tcp(args.appPort) }],
        },
        "app-to-datastores": {
            podSelector: { matchLabels: APP_PODS },
            policyTypes: ["Egress"],
            egress: args.to.map((t) => ({ to: peers(t.peer), ports: tcp(t.port) })),
        },
    };
    // Jobs that reach the database and nothing else (default-deny covers their ingress).
    for (const [policy, job] of [
        ["db-role-to-database", args.dbRole],
        ["migration-to-database", args.migrations],
    ] as const)
        if (job)
            specs[policy] = {
                podSelector: { matchLabels: job.pods },
                policyTypes: ["Egress"],
                egress: [{ to: peers(job.to.peer), ports: tcp(job.to.port) }],
            };
    for (const [i, d] of (args.datastores ?? []).entries()) specs[`datastore-${i}-from-app`] = datastoreIngress(d);
    return specs;
}

/**
 * An in-cluster data store takes connections from the app's pods and `alsoFrom` pods only: those of
 * its own namespace, or of `appNamespace` when the app runs in another one.
 */
export function datastoreIngress(d: InClusterStore, appNamespace?: string): Spec {
    const ns = appNamespace === undefined ? {} : { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": appNamespace } } };
    return {
        podSelector: { matchLabels: d.pods },
        policyTypes: ["Ingress"],
        ingress: [{ from: [APP_PODS, ...(d.alsoFrom ?? [])].map((pods) => ({ ...ns, podSelector: { matchLabels: pods } })), ports: tcp(d.port) }],
    };
}

export class AppTraffic extends pulumi.ComponentResource {
    constructor(name: string, args: AppTrafficArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:AppTraffic", name, {}, opts);
        for (const [policy, spec] of Object.entries(appTrafficPolicies(args)))
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${policy}`,
                {
                    metadata: {
                        name: policy,
                        namespace: args.namespace,
                        labels: { "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" },
                    },
                    spec,
                },
                { parent: this },
            );
        this.registerOutputs({});
    }
}
