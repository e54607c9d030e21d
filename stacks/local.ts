// Local stack (`dev`): any kubeconfig — kind, k3d, minikube, Docker Desktop. In-cluster PostgreSQL and
// Redis in the default app's namespace, shared by every app (components/k8s/localStores.ts), Envoy
// Gateway (unless the cluster names its own GatewayClass: one Envoy per app's Gateway), and one
// Prometheus and Grafana watching every app; the apps on top (components/k8s/app.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appSpecsFrom, type AppSpec } from "../model/appSpec";
import type { Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { LocalDatastores } from "../components/k8s/datastores";
import { sharedLocalStores } from "../components/k8s/localStores";
import { DevMonitoring } from "../components/k8s/devMonitoring";
import { ENVOY_GATEWAY_CLASS, ENVOY_GATEWAY_NAMESPACE, EnvoyGateway } from "../components/k8s/envoyGateway";
import { GATEWAY_NAME } from "../components/k8s/release";
import type { Platform } from "../components/platform";

export function deploy(cfg: StackConfig): AppOutputs {
    // The stack's sizing is its default app's, whose nodes hold every app (model/capacity.ts appSizings).
    const apps = appSpecsFrom(cfg);
    return deployApps(localPlatform(cfg, apps[0].sizing, apps), apps);
}

/** The dev platform for `apps` (the default app first), the apps deployApps is then given. */
export function localPlatform(cfg: StackConfig, sizing: Sizing, apps: AppSpec[]): Platform {
    // The current kube context unless `pulumi config set kubernetes:context <name>` picks another.
    const provider = new k8s.Provider("local", { context: new pulumi.Config("kubernetes").get("context"), enableServerSideApply: true });
    const opts = { provider };
    // A cluster with its own Gateway API controller names its GatewayClass; otherwise Envoy Gateway.
    const envoy = cfg.gatewayClass ? undefined : new EnvoyGateway("envoy", opts);
    let monitoring: DevMonitoring | undefined;
    return {
        provider,
        // Deleting the namespace deletes the datastores' volumes with it.
        namespace: { protect: cfg.protect },
        // Laptop-sized: the capacity model's database class is for the clouds' managed services.
        dataStores: sharedLocalStores(
            ({ namespace }) =>
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
            opts,
        ),
        // Envoy's proxies (or, with another controller, whatever namespace it runs in) reach the app port.
        edge: () => ({
            from: [{ namespace: envoy ? ENVOY_GATEWAY_NAMESPACE : "*" }],
            gateway: { className: cfg.gatewayClass ?? ENVOY_GATEWAY_CLASS },
            ready: envoy?.ready ?? [],
        }),
        watch: ({ spec, namespaceResource, release }) => {
            const index = apps.findIndex((a) => a.name === spec.name && a.namespace === spec.namespace);
            if (index < 0)
                throw new Error(`localPlatform: app ${spec.name} (namespace ${spec.namespace}) is not one of its apps (${apps.map((a) => a.name).join(", ")})`);
            // One Prometheus and Grafana for every app, made with the first app watched: a scrape job and a
            // dashboard per app (components/monitoring/devPrometheus.ts), let into each app's namespace here.
            monitoring ??= new DevMonitoring(
                "monitoring",
                {
                    namespace: `${apps[0].namespace}-monitoring`,
                    stackName: cfg.stack,
                    appNamespace: apps[0].namespace,
                    others: apps.slice(1).map(({ name, namespace }) => ({ name, namespace })),
                    envoy: envoy ? { namespace: ENVOY_GATEWAY_NAMESPACE, gatewayName: GATEWAY_NAME } : undefined,
                    envoyReady: envoy?.ready,
                },
                opts,
            );
            monitoring.watchApp({ name: spec.name, namespace: spec.namespace, port: spec.port, ready: [namespaceResource] });
            // Envoy Gateway runs one Envoy Service per Gateway, so one per app ("each Gateway has its own
            // dedicated set of Envoy Proxy", https://gateway.envoyproxy.io/docs/tasks/operations/deployment-mode/),
            // in its own namespace; a laptop cluster rarely gives it a LoadBalancer address, so the README
            // reaches it with a port-forward, each app on its own local port.
            const envoyService = `$(kubectl -n ${ENVOY_GATEWAY_NAMESPACE} get service -o name -l gateway.envoyproxy.io/owning-gateway-name=${GATEWAY_NAME},gateway.envoyproxy.io/owning-gateway-namespace=${spec.namespace})`;
            const localPort = 8080 + index;
            return {
                endpoint: `http://localhost:${localPort}`,
                outputs: {
                    portForward: `kubectl -n ${ENVOY_GATEWAY_NAMESPACE} port-forward ${envoyService} ${localPort}:80`,
                    gatewayName: release.gatewayName,
                    serviceNames: release.serviceNames,
                },
            };
        },
        outputs: {},
    };
}
