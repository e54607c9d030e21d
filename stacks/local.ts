// Local stack (`dev`): any kubeconfig — kind, k3d, minikube, Docker Desktop. In-cluster PostgreSQL and
// Redis in the app's namespace, Envoy Gateway (unless the cluster names its own GatewayClass), and
// Prometheus and Grafana; the app on top (components/k8s/app.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appSpecsFrom } from "../model/appSpec";
import { sizingFor, type Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { MIGRATION_JOB_PODS } from "../components/k8s/migrationJob";
import { LocalDatastores } from "../components/k8s/datastores";
import { DevMonitoring } from "../components/k8s/devMonitoring";
import { ENVOY_GATEWAY_CLASS, ENVOY_GATEWAY_NAMESPACE, EnvoyGateway } from "../components/k8s/envoyGateway";
import { GATEWAY_NAME } from "../components/k8s/release";
import type { DataStores, Platform } from "../components/platform";

export function deploy(cfg: StackConfig): AppOutputs {
    const sizing = sizingFor(cfg);
    return deployApps(localPlatform(cfg, sizing), appSpecsFrom(cfg));
}

export function localPlatform(cfg: StackConfig, sizing: Sizing): Platform {
    // The current kube context unless `pulumi config set kubernetes:context <name>` picks another.
    const provider = new k8s.Provider("local", { context: new pulumi.Config("kubernetes").get("context"), enableServerSideApply: true });
    const opts = { provider };
    // A cluster with its own Gateway API controller names its GatewayClass; otherwise Envoy Gateway.
    const envoy = cfg.gatewayClass ? undefined : new EnvoyGateway("envoy", opts);
    return {
        provider,
        // Deleting the namespace deletes the datastores' volumes with it.
        namespace: { protect: cfg.protect },
        // Laptop-sized: the capacity model's database class is for the clouds' managed services.
        dataStores: ({ namespace }) =>
            inClusterStores(
                new LocalDatastores(
                    "data",
                    {
                        namespace,
                        postgres: { cpu: "250m", memory: "512Mi", storage: `${sizing.database.storageGiB}Gi` },
                        redis: { cpu: "100m", memory: "256Mi", storage: "1Gi" },
                        protect: cfg.protect,
                    },
                    opts,
                ),
            ),
        // Envoy's proxies (or, with another controller, whatever namespace it runs in) reach the app port.
        edge: () => ({
            from: [{ namespace: envoy ? ENVOY_GATEWAY_NAMESPACE : "*" }],
            gateway: { className: cfg.gatewayClass ?? ENVOY_GATEWAY_CLASS },
            ready: envoy?.ready ?? [],
        }),
        watch: ({ spec, namespaceResource, release }) => {
            // Prometheus scraping the app's pods per colour and Envoy's proxies, and Grafana's dashboard of both.
            const envoyGateway = { namespace: ENVOY_GATEWAY_NAMESPACE, gatewayName: GATEWAY_NAME };
            new DevMonitoring(
                "monitoring",
                {
                    namespace: `${spec.namespace}-monitoring`,
                    stackName: cfg.stack,
                    appNamespace: spec.namespace,
                    appPort: spec.port,
                    envoy: envoy ? envoyGateway : undefined,
                    appNamespaceReady: [namespaceResource],
                    envoyReady: envoy?.ready,
                },
                opts,
            );
            // Envoy Gateway runs one Envoy Service per Gateway in its own namespace; a laptop cluster rarely
            // gives it a LoadBalancer address, so the README reaches it with a port-forward.
            const envoyService = `$(kubectl -n ${ENVOY_GATEWAY_NAMESPACE} get service -o name -l gateway.envoyproxy.io/owning-gateway-name=${GATEWAY_NAME},gateway.envoyproxy.io/owning-gateway-namespace=${spec.namespace})`;
            return {
                endpoint: "http://localhost:8080",
                outputs: {
                    portForward: `kubectl -n ${ENVOY_GATEWAY_NAMESPACE} port-forward ${envoyService} 8080:80`,
                    gatewayName: release.gatewayName,
                    serviceNames: release.serviceNames,
                },
            };
        },
        outputs: {},
    };
}

/** The stores take connections from the app (and the role Job) only. */
function inClusterStores(data: LocalDatastores): DataStores {
    const postgres = { pods: data.databasePods, port: Number(data.databasePort) };
    const redis = { pods: data.redisPods, port: Number(data.redisPort) };
    return {
        postgres: { ...data.postgresConnection, peer: { pods: postgres.pods } },
        redis: { ...data.redisConnection, peer: { pods: redis.pods } },
        inCluster: [{ ...postgres, alsoFrom: [DB_ROLE_JOB_PODS, MIGRATION_JOB_PODS] }, redis],
    };
}
