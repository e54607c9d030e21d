// Local stack (`dev`): any kubeconfig — kind, k3d, minikube, Docker Desktop. Namespace, in-cluster
// PostgreSQL and Redis, the app Secret, Envoy Gateway, and the release behind it.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { sizingFor } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { AppDbRole, DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { AppSecret } from "../components/k8s/appSecret";
import { datastorePods, LocalDatastores } from "../components/k8s/datastores";
import { DevMonitoring } from "../components/k8s/devMonitoring";
import { AppTraffic } from "../components/k8s/networkPolicy";
import { ENVOY_GATEWAY_CLASS, ENVOY_GATEWAY_NAMESPACE, EnvoyGateway } from "../components/k8s/envoyGateway";
import { appNamespace } from "../components/k8s/namespace";
import { GATEWAY_NAME, Release } from "../components/k8s/release";
import type { StackOutputs } from "./types";

export function deploy(cfg: StackConfig): StackOutputs {
    const sizing = sizingFor(cfg);
    // The current kube context unless `pulumi config set kubernetes:context <name>` picks another.
    const provider = new k8s.Provider("local", { context: new pulumi.Config("kubernetes").get("context"), enableServerSideApply: true });
    const opts = { provider };

    // Deleting the namespace deletes the datastores' volumes with it.
    const namespace = appNamespace(cfg, { ...opts, protect: cfg.protect });
    const ns = namespace.metadata.name;

    // Laptop-sized: the capacity model's database class is for the clouds' managed services.
    const datastores = new LocalDatastores(
        "data",
        {
            namespace: ns,
            postgres: { cpu: "250m", memory: "512Mi", storage: `${sizing.database.storageGiB}Gi` },
            redis: { cpu: "100m", memory: "256Mi", storage: "1Gi" },
            protect: cfg.protect,
        },
        opts,
    );

    // The app's own role, as on the clouds: a Job connects as the image's superuser (POSTGRES_USER).
    const dbRole = new AppDbRole(
        "app-db",
        {
            namespace: ns,
            host: datastores.databaseHost,
            port: datastores.databasePort,
            database: datastores.databaseName,
            adminUser: datastores.databaseUser,
            adminPassword: datastores.databasePassword,
            sslMode: "disable",
        },
        opts,
    );

    const secret = new AppSecret(
        "app",
        {
            namespace: ns,
            values: {
                DATABASE_HOST: datastores.databaseHost,
                DATABASE_PORT: datastores.databasePort,
                DATABASE_NAME: datastores.databaseName,
                DATABASE_USER: dbRole.user,
                DATABASE_PASSWORD: dbRole.password,
                // In-cluster traffic on a laptop; the cloud stacks require TLS to their managed services.
                DATABASE_SSLMODE: "disable",
                REDIS_HOST: datastores.redisHost,
                REDIS_PORT: datastores.redisPort,
                REDIS_PASSWORD: datastores.redisPassword,
                REDIS_TLS: "false",
            },
        },
        opts,
    );

    // Envoy's proxies (or, with another controller, whatever namespace it runs in) reach the app port;
    // the app reaches only its two data stores, and they only accept the app.
    new AppTraffic(
        "app",
        {
            namespace: ns,
            appPort: cfg.app.port,
            from: [{ namespace: cfg.gatewayClass ? "*" : ENVOY_GATEWAY_NAMESPACE }],
            to: [
                { peer: { pods: datastorePods("postgres") }, port: Number(datastores.databasePort) },
                { peer: { pods: datastorePods("redis") }, port: Number(datastores.redisPort) },
            ],
            dbRole: { pods: DB_ROLE_JOB_PODS, to: { peer: { pods: datastorePods("postgres") }, port: Number(datastores.databasePort) } },
            datastores: [
                { pods: datastorePods("postgres"), port: Number(datastores.databasePort), alsoFrom: [DB_ROLE_JOB_PODS] },
                { pods: datastorePods("redis"), port: Number(datastores.redisPort) },
            ],
        },
        opts,
    );

    // A cluster with its own Gateway API controller names its GatewayClass; otherwise Envoy Gateway.
    const gateway = cfg.gatewayClass ? undefined : new EnvoyGateway("envoy", opts);
    const release = new Release(
        "app",
        { config: cfg, sizing, namespace: ns, appSecretName: secret.secretName, gateway: { className: cfg.gatewayClass ?? ENVOY_GATEWAY_CLASS } },
        { ...opts, dependsOn: [...(gateway?.ready ?? []), dbRole.job] },
    );

    // Prometheus scraping the app's pods per colour and Envoy's proxies, and Grafana's dashboard of both.
    new DevMonitoring(
        "monitoring",
        {
            namespace: `${cfg.app.namespace}-monitoring`,
            stackName: cfg.stack,
            appNamespace: cfg.app.namespace,
            appPort: cfg.app.port,
            envoy: gateway ? { namespace: ENVOY_GATEWAY_NAMESPACE, gatewayName: GATEWAY_NAME } : undefined,
            appNamespaceReady: [namespace],
            envoyReady: gateway?.ready,
        },
        opts,
    );

    // Envoy Gateway runs one Envoy Service per Gateway in its own namespace; a laptop cluster rarely
    // gives it a LoadBalancer address, so the README reaches it with a port-forward.
    const envoyService = `$(kubectl -n ${ENVOY_GATEWAY_NAMESPACE} get service -o name -l gateway.envoyproxy.io/owning-gateway-name=${GATEWAY_NAME},gateway.envoyproxy.io/owning-gateway-namespace=${cfg.app.namespace})`;
    return {
        endpoint: "http://localhost:8080",
        portForward: `kubectl -n ${ENVOY_GATEWAY_NAMESPACE} port-forward ${envoyService} 8080:80`,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        // The dark canary\'s preview header value (secret); the release CLI reads it.
        previewToken: release.previewToken,
        databaseHost: datastores.databaseHost,
        redisHost: datastores.redisHost,
        gatewayName: release.gatewayName,
        serviceNames: release.serviceNames,
    };
}
