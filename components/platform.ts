// What a cloud provides to an app: a Kubernetes cluster, the app's data stores, the load balancer in
// front of it, and what watches it. Each stack builds its cloud's Platform; components/k8s/app.ts
// deploys an app on any of them.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppSpec } from "../model/appSpec";
import type { AppTrafficArgs, Peer } from "./k8s/networkPolicy";
import type { GatewaySettings, Release } from "./k8s/release";

/** PostgreSQL as the app and its database-role Job connect to it. */
export interface PostgresConnection {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    database: string;
    /** The master user the role Job connects as, and its password (a secret). */
    adminUser: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    /** libpq sslmode the app and the Job connect with, and the PEM roots it verifies against. */
    sslMode: "disable" | "verify-ca" | "verify-full";
    caCert?: pulumi.Input<string>;
}

/** Redis as the app connects to it. */
export interface RedisConnection {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    password: pulumi.Input<string>;
    tls: boolean;
    /** The server's CA where it is not a public root (otherwise the OS store verifies it). */
    caCert?: pulumi.Input<string>;
}

/** Where the app's pods reach a data store, for the app's network policy. */
export type PostgresEndpoint = PostgresConnection & { peer: Peer };
export type RedisEndpoint = RedisConnection & { peer: Peer };

export interface DataStores {
    postgres: PostgresEndpoint;
    redis: RedisEndpoint;
    /** Data stores running in the app's namespace: their pods take the app's traffic only. */
    inCluster?: AppTrafficArgs["datastores"];
}

/** The app's namespace, once made. */
export interface AppPlacement {
    spec: AppSpec;
    namespace: pulumi.Output<string>;
    namespaceResource: k8s.core.v1.Namespace;
}

/** The load balancer's side of an app: where its traffic comes from and the Gateway the Release declares. */
export interface AppEdge {
    /** The load balancer's data path to the pods. */
    from: Peer[];
    gateway: GatewaySettings;
    /** What the Gateway waits for: the controller, its CRDs and GatewayClass, backend policies. */
    ready: pulumi.Input<pulumi.Resource>[];
}

/** What the platform reports about an app: its public endpoint and cloud-specific stack outputs. */
export interface AppWatch {
    endpoint: pulumi.Input<string | undefined>;
    outputs?: Record<string, unknown>;
}

export interface Platform {
    provider: k8s.Provider;
    /** How the app's namespace is made on this cluster. */
    namespace: { labels?: Record<string, string>; protect?: boolean; dependsOn?: pulumi.Resource[] };
    /** The app's data stores (dev runs them in the app's namespace). */
    dataStores(app: AppPlacement): DataStores;
    /** The load balancer for the app (declared before its release). */
    edge(app: AppPlacement): AppEdge;
    /** What watches the released app (health checks, WAF, monitoring) and its endpoint. */
    watch(app: AppPlacement & { release: Release }): AppWatch;
    /** Stack outputs of the platform itself (cluster name, kubeconfig, ...). */
    outputs: Record<string, unknown>;
}
