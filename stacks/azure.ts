// Azure: VNet + NAT → AKS (Entra ID, CNI Overlay/Cilium, zonal pools) → PostgreSQL Flexible Server
// (zone-redundant HA, private access) and Azure Managed Redis (private endpoint, TLS) → the release
// behind Application Gateway for Containers.
import { AzureMonitoring } from "../components/azure/monitoring";
import { thresholdsFor } from "../components/monitoring/thresholds";
import * as kubernetes from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import { addressPlan } from "../components/azure/addressing";
import { AzureCluster } from "../components/azure/cluster";
import { AzureDatabase } from "../components/azure/database";
import { AzureLoadBalancer, healthCheckPolicy } from "../components/azure/loadBalancer";
import { AzureNetwork } from "../components/azure/network";
import { AzureRedis } from "../components/azure/redis";
import { wafPolicyAttachment } from "../components/azure/waf";
import { azureTags } from "../components/azure/tags";
import { sizingFor } from "../components/capacity";
import { trafficFor } from "../components/cost/model";
import { azurePostgresRoots } from "../components/dataTls";
import { appSpecFrom } from "../components/appSpec";
import type { StackConfig } from "../components/config";
import { AppDbRole, DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { AppSecret } from "../components/k8s/appSecret";
import { HSTS_VALUE } from "../components/hsts";
import { appNamespace } from "../components/k8s/namespace";
import { AppTraffic } from "../components/k8s/networkPolicy";
import { GATEWAY_NAME, Release } from "../components/k8s/release";
import { releaseState } from "../components/releasePlan";
import type { StackOutputs } from "./types";

export function deploy(cfg: StackConfig): StackOutputs {
    const settings = cfg.azure!;
    const location = cfg.region!;
    const sizing = sizingFor(cfg);
    const app = appSpecFrom(cfg, sizing);
    const name = `${cfg.project}-${cfg.stack}`;
    const plan = addressPlan(settings.vnetCidr);
    const tags = (component: string) => azureTags(cfg, component);
    const client = authorization.getClientConfigOutput();

    const network = new AzureNetwork(name, { location, plan, appPort: cfg.app.port, tags: tags("network") });
    const rg = network.resourceGroupName;

    const cluster = new AzureCluster(name, {
        location,
        resourceGroupName: rg,
        nodeSubnetId: network.nodeSubnetId,
        egressIp: network.egressIp,
        plan,
        settings,
        sizing,
        client: { subscriptionId: client.subscriptionId, tenantId: client.tenantId },
        tags: tags("cluster"),
    });

    const database = new AzureDatabase(`${name}-db`, {
        location,
        resourceGroupName: rg,
        vnetId: network.vnetId,
        subnetId: network.postgresSubnetId,
        dnsLabel: name,
        databaseName: "app",
        settings,
        sizing,
        protect: cfg.protect,
        tags: tags("database"),
    });

    const redis = new AzureRedis(`${name}-cache`, {
        location,
        resourceGroupName: rg,
        vnetId: network.vnetId,
        endpointSubnetId: network.endpointSubnetId,
        settings,
        sizing,
        protect: cfg.protect,
        tags: tags("redis"),
    });

    const lb = new AzureLoadBalancer(`${name}-lb`, {
        location,
        resourceGroupName: rg,
        resourceGroupId: network.resourceGroupId,
        agcSubnetId: network.agcSubnetId,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        nodeResourceGroup: cluster.nodeResourceGroup,
        subscriptionId: client.subscriptionId,
        provider: cluster.provider,
        settings,
        tags: tags("load-balancer"),
    });

    const k8s = { provider: cluster.provider };
    const namespace = appNamespace(app, k8s);
    // Application Gateway for Containers reaches pods from its association subnet; the app reaches
    // PostgreSQL (delegated subnet) and Redis (private endpoint) and nothing else.
    new AppTraffic(
        "app",
        {
            namespace: namespace.metadata.name,
            appPort: cfg.app.port,
            from: [{ cidrs: [plan.agc] }],
            to: [
                { peer: { cidrs: [plan.postgres] }, port: database.port },
                { peer: { cidrs: [plan.endpoints] }, port: redis.port },
            ],
            dbRole: { pods: DB_ROLE_JOB_PODS, to: { peer: { cidrs: [plan.postgres] }, port: database.port } },
        },
        k8s,
    );

    // The app's own role, made by a Job that connects as the administrator with the app's TLS settings.
    const dbTls = { sslMode: "verify-full", caCert: azurePostgresRoots() };
    const dbRole = new AppDbRole(
        "app-db",
        {
            namespace: namespace.metadata.name,
            host: database.host,
            port: String(database.port),
            database: database.databaseName,
            adminUser: database.user,
            adminPassword: database.password,
            ...dbTls,
        },
        k8s,
    );

    const secret = new AppSecret(
        "app",
        {
            namespace: namespace.metadata.name,
            values: {
                DATABASE_HOST: database.host,
                DATABASE_PORT: String(database.port),
                DATABASE_NAME: database.databaseName,
                DATABASE_USER: dbRole.user,
                DATABASE_PASSWORD: dbRole.password,
                // The server requires TLS (require_secure_transport=on); its certificate names the server's FQDN
                // (DATABASE_HOST) and chains to DigiCert / Microsoft roots, shipped in DATABASE_CA_CERT.
                // https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
                DATABASE_SSLMODE: dbTls.sslMode,
                DATABASE_CA_CERT: dbTls.caCert,
                REDIS_HOST: redis.host,
                REDIS_PORT: String(redis.port),
                REDIS_PASSWORD: redis.password,
                // Azure Managed Redis serves a certificate for its host name from a public CA: the OS store verifies it.
                // https://learn.microsoft.com/azure/redis/tls-configuration
                REDIS_TLS: "true",
            },
        },
        k8s,
    );

    // AGC terminates TLS with a certificate from a Secret the Gateway listener references; Azure issues
    // none for *.alb.azure.com or your domain, so the Secret comes from you or cert-manager.
    // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-ssl-offloading-gateway-api
    // HSTS from the routes: AGC rewrites response headers with the Gateway API filters
    // (https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-header-rewrite-gateway-api)
    // and passes HTTPRouteResponseHeaderModification in its conformance report
    // (https://github.com/kubernetes-sigs/gateway-api/blob/main/conformance/reports/v1.1.0/azure-application-gateway-for-containers/standard-v1.1.0-default-report.yaml).
    const https = cfg.domain
        ? { https: { certificateRefs: [{ group: "", kind: "Secret", name: settings.tlsSecretName! }], strictTransportSecurity: HSTS_VALUE } }
        : {};

    const release = new Release(
        "app",
        {
            app,
            namespace: namespace.metadata.name,
            appSecretName: secret.secretName,
            gateway: { ...lb.gateway, ...https },
        },
        // The ALB Controller brings the GatewayClass and the Gateway API CRDs.
        { ...k8s, dependsOn: [lb.controller, dbRole.job] },
    );

    // AGC probes pods directly; probe healthPath on every Service the release routes to.
    for (const service of Object.values(release.serviceNames)) {
        new kubernetes.apiextensions.CustomResource(
            `${service}-health`,
            healthCheckPolicy({ namespace: namespace.metadata.name, service, port: cfg.app.port, path: cfg.app.healthPath }),
            { ...k8s, dependsOn: [lb.controller, release] },
        );
    }

    // WAF inspects the Gateway's traffic only once this object attaches the policy (components/azure/waf.ts).
    if (lb.wafPolicyId)
        new kubernetes.apiextensions.CustomResource(
            `${GATEWAY_NAME}-waf`,
            wafPolicyAttachment({ namespace: namespace.metadata.name, gateway: GATEWAY_NAME, wafPolicyId: lb.wafPolicyId }),
            { ...k8s, dependsOn: [lb.controller, release] },
        );

    new AzureMonitoring(`${name}-monitoring`, {
        stackName: name,
        location,
        resourceGroupName: rg,
        trafficControllerId: lb.trafficControllerId,
        databaseServerId: database.serverId,
        redisClusterId: redis.clusterId,
        databaseMemoryGiB: sizing.database.memoryGiB,
        colourFloors: releaseState(cfg, sizing).tracks.map((t) => t.minReplicas),
        requestsPerFiveMinutes: trafficFor(cfg.targetUsers).requestsPerSecond * 300,
        logWorkspaceId: cluster.logWorkspaceId,
        redisDatabaseId: redis.databaseId,
        thresholds: thresholdsFor(sizing, cfg.monitoring),
        notify: cfg.monitoring,
        tags: tags("monitoring"),
    });

    return {
        kubeconfig: cluster.kubeconfig,
        endpoint: lb.fqdn,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        // The dark canary\'s preview header value (secret); the release CLI reads it.
        previewToken: release.previewToken,
        databaseHost: database.host,
        redisHost: redis.host,
        clusterName: cluster.clusterName,
        resourceGroup: rg,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
    };
}
