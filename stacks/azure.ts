// Azure: VNet + NAT → AKS (Entra ID, CNI Overlay/Cilium, zonal pools) → PostgreSQL Flexible Server
// (zone-redundant HA, private access) and Azure Managed Redis (private endpoint, TLS) → the app
// behind Application Gateway for Containers.
import * as authorization from "@pulumi/azure-native/authorization";
import { addressPlan } from "../model/azure/addressing";
import { AzureCluster } from "../components/azure/cluster";
import { AzureDatabase } from "../components/azure/database";
import { AzureLoadBalancer, agcAppPolicies } from "../components/azure/loadBalancer";
import { AzureMonitoring } from "../components/azure/monitoring";
import { AzureNetwork } from "../components/azure/network";
import { AzureRedis } from "../components/azure/redis";
import { azureTags } from "../components/azure/tags";
import { appSpecsFrom } from "../model/appSpec";
import { sizingFor, type Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { trafficFor } from "../model/cost/model";
import { HSTS_VALUE } from "../components/hsts";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { thresholdsFor } from "../model/monitoring/thresholds";
import type { Platform } from "../components/platform";

export function deploy(cfg: StackConfig): AppOutputs {
    const sizing = sizingFor(cfg);
    return deployApps(azurePlatform(cfg, sizing), appSpecsFrom(cfg));
}

export function azurePlatform(cfg: StackConfig, sizing: Sizing): Platform {
    const [settings, location, name, protect] = [cfg.azure!, cfg.region!, `${cfg.project}-${cfg.stack}`, cfg.protect];
    const tags = (component: string) => ({ tags: azureTags(cfg, component) });
    const client = authorization.getClientConfigOutput();

    const network = new AzureNetwork(name, { location, plan: addressPlan(settings.vnetCidr), appPort: cfg.app.port, ...tags("network") });
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
    const lb = new AzureLoadBalancer(`${name}-lb`, { ...inGroup, ...agc, ...controller, ...tags("load-balancer") });

    // AGC terminates TLS with a certificate from a Secret the Gateway listener references; Azure issues
    // none for *.alb.azure.com or your domain, so the Secret comes from you or cert-manager.
    // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-ssl-offloading-gateway-api
    // HSTS from the routes: AGC rewrites response headers with the Gateway API filters
    // (https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-header-rewrite-gateway-api)
    // and passes HTTPRouteResponseHeaderModification in its conformance report
    // (https://github.com/kubernetes-sigs/gateway-api/blob/main/conformance/reports/v1.1.0/azure-application-gateway-for-containers/standard-v1.1.0-default-report.yaml).
    const certificateRefs = [{ group: "", kind: "Secret", name: settings.tlsSecretName! }];
    const https = cfg.domain ? { https: { certificateRefs, strictTransportSecurity: HSTS_VALUE } } : {};

    return {
        provider: cluster.provider,
        namespace: {},
        // PostgreSQL in its delegated subnet, Redis behind its private endpoint.
        dataStores: () => ({
            postgres: { ...database.connection, peer: { cidrs: [plan.postgres] } },
            redis: { ...redis.connection, peer: { cidrs: [plan.endpoints] } },
        }),
        // AGC reaches pods from its association subnet; the ALB Controller brings the GatewayClass and the Gateway API CRDs.
        edge: () => ({ from: [{ cidrs: [plan.agc] }], gateway: { ...lb.gateway, ...https }, ready: [lb.controller] }),
        watch: (app) => {
            agcAppPolicies(lb, app, cluster.provider);
            const watched = { trafficControllerId: lb.trafficControllerId, databaseServerId: database.serverId, redisClusterId: redis.clusterId };
            const logs = { logWorkspaceId: cluster.logWorkspaceId, redisDatabaseId: redis.databaseId };
            const colourFloors = app.spec.state.tracks.map((t) => t.minReplicas);
            const load = { colourFloors, requestsPerFiveMinutes: trafficFor(cfg.targetUsers, cfg.usage).requestsPerSecond * 300 };
            const alerts = {
                databaseMemoryGiB: sizing.database.memoryGiB,
                thresholds: thresholdsFor(sizing, cfg.monitoring, cfg.usage),
                notify: cfg.monitoring,
            };
            const where = { stackName: name, location, resourceGroupName: rg };
            new AzureMonitoring(`${name}-monitoring`, { ...where, ...watched, ...logs, ...load, ...alerts, ...tags("monitoring") });
            return { endpoint: lb.fqdn };
        },
        outputs: { kubeconfig: cluster.kubeconfig, clusterName: cluster.clusterName, resourceGroup: rg, oidcIssuerUrl: cluster.oidcIssuerUrl },
    };
}
