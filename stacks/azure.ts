// Azure: VNet + NAT → AKS (Entra ID, CNI Overlay/Cilium, zonal pools) → PostgreSQL Flexible Server
// (zone-redundant HA, private access) and Azure Managed Redis (private endpoint, TLS) → the app
// behind Application Gateway for Containers.
import * as authorization from "@pulumi/azure-native/authorization";
import { addressPlan } from "../model/azure/addressing";
import { AzureCluster } from "../components/azure/cluster";
import { AzureDatabase } from "../components/azure/database";
import { AzureLoadBalancer } from "../components/azure/loadBalancer";
import { azureAppWatch, azureStackMonitoring, knownApp } from "../components/azure/appWatch";
import { AzureNetwork } from "../components/azure/network";
import { AzureRedis } from "../components/azure/redis";
import { azureTags } from "../components/azure/tags";
import { appSpecsFrom, type AppSpec } from "../model/appSpec";
import type { Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { HSTS_VALUE } from "../components/hsts";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import type { Platform } from "../components/platform";

export function deploy(cfg: StackConfig): AppOutputs {
    // The stack's sizing is its default app's, whose nodes hold every app (model/capacity.ts appSizings).
    const apps = appSpecsFrom(cfg);
    return deployApps(azurePlatform(cfg, apps[0].sizing, apps), apps);
}

/** The platform for `apps` (the default app first): the node NSG opens every app's port, the AGC has a frontend per app. */
export function azurePlatform(cfg: StackConfig, sizing: Sizing, apps: AppSpec[]): Platform {
    const [settings, location, name, protect] = [cfg.azure!, cfg.region!, `${cfg.project}-${cfg.stack}`, cfg.protect];
    const tags = (component: string) => ({ tags: azureTags(cfg, component) });
    const client = authorization.getClientConfigOutput();

    const network = new AzureNetwork(name, { location, plan: addressPlan(settings.vnetCidr), appPorts: apps.map((a) => a.port), ...tags("network") });
    const [rg, plan] = [network.resourceGroupName, network.addressPlan];
    const inGroup = { location, resourceGroupName: rg, settings };

    const cluster = new AzureCluster(name, {
        ...inGroup,
        nodeSubnetId: network.nodeSubnetId,
        egressIp: network.egressIp,
        plan,
        sizing,
        client: { subscriptionId: client.subscriptionId, tenantId: client.tenantId },
        ...tags("cluster"),
    });
    const privateStore = { vnetId: network.vnetId, sizing, protect };
    const pg = { subnetId: network.postgresSubnetId, dnsLabel: name, databaseName: "app" };
    const database = new AzureDatabase(`${name}-db`, { ...inGroup, ...privateStore, ...pg, ...tags("database") });
    const redis = new AzureRedis(`${name}-cache`, { ...inGroup, ...privateStore, endpointSubnetId: network.endpointSubnetId, ...tags("redis") });

    // Application Gateway for Containers in its association subnet, and its ALB Controller in the cluster.
    const agc = { resourceGroupId: network.resourceGroupId, agcSubnetId: network.agcSubnetId, subscriptionId: client.subscriptionId };
    const controller = { oidcIssuerUrl: cluster.oidcIssuerUrl, nodeResourceGroup: cluster.nodeResourceGroup, provider: cluster.provider };
    const lb = new AzureLoadBalancer(`${name}-lb`, { ...inGroup, ...agc, ...controller, apps: apps.map((a) => a.name), ...tags("load-balancer") });

    // AGC terminates TLS with a certificate from a Secret the Gateway listener references; Azure issues
    // none for *.alb.azure.com or your domain, so the Secret comes from you or cert-manager, in each app's
    // namespace (its Gateway's), for the app's domain and preview host.
    // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-ssl-offloading-gateway-api
    // HSTS from the routes: AGC rewrites response headers with the Gateway API filters
    // (https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-header-rewrite-gateway-api)
    // and passes HTTPRouteResponseHeaderModification in its conformance report
    // (https://github.com/kubernetes-sigs/gateway-api/blob/main/conformance/reports/v1.1.0/azure-application-gateway-for-containers/standard-v1.1.0-default-report.yaml).
    const certificateRefs = [{ group: "", kind: "Secret", name: settings.tlsSecretName! }];
    const https = (app: AppSpec) => (app.domain ? { https: { certificateRefs, strictTransportSecurity: HSTS_VALUE } } : {});
    const where = { stackName: name, location, resourceGroupName: rg, trafficControllerId: lb.trafficControllerId, ...tags("monitoring") };
    const stores = {
        databaseServerId: database.serverId,
        redisClusterId: redis.clusterId,
        logWorkspaceId: cluster.logWorkspaceId,
        redisDatabaseId: redis.databaseId,
    };
    // Once per stack, on the first app watched: the action group, the resource logs, the AGC-wide and data-store alerts.
    const monitoring = azureStackMonitoring({ ...where, ...stores, apps, databaseMemoryGiB: sizing.database.memoryGiB, cfg });

    return {
        provider: cluster.provider,
        namespace: {},
        // PostgreSQL in its delegated subnet, Redis behind its private endpoint.
        dataStores: () => ({
            postgres: { ...database.connection, peer: { cidrs: [plan.postgres] } },
            redis: { ...redis.connection, peer: { cidrs: [plan.endpoints] } },
        }),
        // AGC reaches pods from its association subnet; the ALB Controller brings the GatewayClass and the Gateway API CRDs.
        // A further app's Gateway also waits for its own frontend (the default app's keeps the dependencies it had).
        edge: ({ spec }) => ({
            from: [{ cidrs: [plan.agc] }],
            gateway: { ...lb.gatewayOf(knownApp(apps, spec).name), ...https(spec) },
            ready: spec.name === apps[0].name ? [lb.controller] : [lb.controller, lb.frontendOf(spec.name)],
        }),
        watch: (app) => azureAppWatch(lb, app, { ...where, provider: cluster.provider, first: apps[0].name, monitoring, cfg }),
        outputs: { kubeconfig: cluster.kubeconfig, clusterName: cluster.clusterName, resourceGroup: rg, oidcIssuerUrl: cluster.oidcIssuerUrl },
    };
}
