// GCP: VPC → regional GKE (private nodes) → Cloud SQL PostgreSQL (HA, private IP) and Memorystore Redis
// (HA, TLS) → the release behind GKE's Gateway (global external Application Load Balancer).
import { GcpMonitoring } from "../components/gcp/monitoring";
import { thresholdsFor } from "../components/monitoring/thresholds";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { REQUIRED_APIS } from "../components/gcp/prerequisites";
import { sizingFor } from "../components/capacity";
import { appSpecFrom } from "../components/appSpec";
import type { StackConfig } from "../components/config";
import { GkeBackendPolicies } from "../components/gcp/backendPolicies";
import { cloudArmorPolicy } from "../components/gcp/cloudArmor";
import { GkeCluster } from "../components/gcp/cluster";
import { CloudSqlPostgres } from "../components/gcp/database";
import { GATEWAY_CLASS, HEALTH_CHECK_RANGES, LoadBalancer } from "../components/gcp/loadBalancer";
import { HSTS_VALUE } from "../components/hsts";
import { gcpLabels, gcpName } from "../components/gcp/naming";
import { stackZones } from "../components/gcp/zones";
import { Network } from "../components/gcp/network";
import { MemorystoreRedis } from "../components/gcp/redis";
import { AppDbRole, DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { AppSecret } from "../components/k8s/appSecret";
import { appNamespace } from "../components/k8s/namespace";
import { AppTraffic } from "../components/k8s/networkPolicy";
import { GATEWAY_NAME, PRE_STOP_SECONDS, Release, serviceNamesFor } from "../components/k8s/release";
import type { StackOutputs } from "./types";

export function deploy(cfg: StackConfig): StackOutputs {
    const gcpCfg = cfg.gcp!;
    const region = cfg.region!;
    const projectId = new pulumi.Config("gcp").require("project");
    const sizing = sizingFor(cfg);
    const app = appSpecFrom(cfg, sizing);
    const name = `${cfg.project}-${cfg.stack}`;
    const labels = (component: string) => gcpLabels(cfg, component);
    // The project's APIs, enabled before anything is asked of them and left on by a destroy (other stacks
    // and resources in the project may use them). https://cloud.google.com/service-usage/docs/enable-disable
    const apis = REQUIRED_APIS.map(
        (service) =>
            new gcp.projects.Service(`${name}-api-${service.split(".")[0]}`, {
                project: projectId,
                service,
                disableOnDestroy: false,
                disableDependentServices: false,
            }),
    );
    const afterApis = { dependsOn: apis };
    // The zones the capacity model counts on, fixed for the stack's life (a region may have more).
    const zones = stackZones(name, { projectId, region, count: sizing.zones, configured: gcpCfg.zones }, afterApis);

    const network = new Network(
        name,
        {
            region,
            nodesCidr: gcpCfg.nodesCidr,
            podsCidr: gcpCfg.podsCidr,
            servicesCidr: gcpCfg.servicesCidr,
            labels: labels("network"),
        },
        afterApis,
    );

    const cluster = new GkeCluster(
        name,
        {
            projectId,
            stackName: cfg.stack,
            region,
            networkSelfLink: network.networkSelfLink,
            subnetworkSelfLink: network.subnetworkSelfLink,
            releaseChannel: gcpCfg.releaseChannel,
            controlPlaneAccess: gcpCfg.controlPlaneAccess,
            masterAuthorizedNetworks: gcpCfg.masterAuthorizedNetworks ?? [],
            zones,
            sizing,
            protect: cfg.protect,
            labels: labels("cluster"),
        },
        afterApis,
    );

    const database = new CloudSqlPostgres(`${name}-pg`, {
        region,
        version: gcpCfg.postgresVersion,
        networkId: network.networkId,
        allocatedIpRange: network.serviceAccessRangeName,
        serviceAccessConnection: network.serviceAccessConnection,
        sizing,
        protect: cfg.protect,
        labels: labels("database"),
    });

    const redis = new MemorystoreRedis(`${name}-redis`, {
        region,
        version: gcpCfg.redisVersion,
        networkId: network.networkId,
        serviceAccessConnection: network.serviceAccessConnection,
        sizing,
        readReplicas: gcpCfg.redisReadReplicas,
        protect: cfg.protect,
        labels: labels("redis"),
    });

    // HTTPS for the domain (and the preview host) once a domain is configured; HTTP only otherwise.
    const hostnames = cfg.domain ? [cfg.domain, ...(cfg.release.previewHost ? [cfg.release.previewHost] : [])] : [];
    const lb = new LoadBalancer(
        `${name}-lb`,
        {
            addressName: gcpName(cfg, "gateway-ip"),
            networkSelfLink: network.networkSelfLink,
            nodeServiceAccountEmail: cluster.nodeServiceAccountEmail,
            appPort: cfg.app.port,
            hostnames,
            certificateMapName: gcpName(cfg, "certmap"),
            sslPolicyName: gcpName(cfg, "tls"),
            protect: cfg.protect,
            labels: labels("load-balancer"),
        },
        afterApis,
    );

    const k8s = { provider: cluster.provider };
    const namespace = appNamespace(app, k8s);
    // The load balancer's proxies and health checks come from Google's front-end ranges; the app
    // reaches Cloud SQL and Memorystore in the Private Service Access range and nothing else.
    new AppTraffic(
        "app",
        {
            namespace: namespace.metadata.name,
            appPort: cfg.app.port,
            from: [{ cidrs: [...HEALTH_CHECK_RANGES] }],
            to: [
                { peer: { cidrs: [network.serviceAccessCidr] }, port: database.port },
                { peer: { cidrs: [network.serviceAccessCidr] }, port: redis.port },
            ],
            dbRole: { pods: DB_ROLE_JOB_PODS, to: { peer: { cidrs: [network.serviceAccessCidr] }, port: database.port } },
        },
        k8s,
    );

    // The app's own role, made by a Job that connects as the stack's admin user with the app's TLS settings.
    const dbTls = { sslMode: "verify-ca", caCert: database.caCertificate };
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
                // Cloud SQL enforces TLS (sslMode ENCRYPTED_ONLY). verify-ca, not verify-full: the app reaches the
                // private IP, and the certificate names the instance ("<project>:<instance>"), not the IP. The
                // per-instance CA signs this instance's certificate only, so the chain check pins the server.
                DATABASE_SSLMODE: dbTls.sslMode,
                DATABASE_CA_CERT: dbTls.caCert,
                REDIS_HOST: redis.host,
                REDIS_PORT: redis.port.apply(String),
                REDIS_PASSWORD: redis.authString,
                REDIS_TLS: "true",
                // Memorystore's server CA: clients verify the server with it (transit encryption).
                REDIS_CA_CERT: redis.caCertificate,
            },
        },
        k8s,
    );

    // Policies first: the Gateway controller builds the backends with the right health check from the
    // start instead of GKE's default (GET / on the serving port). Service names are stable per track.
    const armor = gcpCfg.cloudArmor ? cloudArmorPolicy(`${name}-armor`, gcpName(cfg, "armor"), afterApis) : undefined;
    const policies = new GkeBackendPolicies(
        "gke",
        {
            namespace: namespace.metadata.name,
            services: serviceNamesFor(cfg),
            healthPath: cfg.app.healthPath,
            preStopSeconds: PRE_STOP_SECONDS,
            securityPolicy: armor?.name,
            gateway: lb.sslPolicyName ? { name: GATEWAY_NAME, sslPolicyName: lb.sslPolicyName } : undefined,
            labels: { "app.kubernetes.io/part-of": cfg.project },
        },
        k8s,
    );

    const release = new Release(
        "app",
        {
            app,
            namespace: namespace.metadata.name,
            appSecretName: secret.secretName,
            gateway: {
                className: GATEWAY_CLASS,
                addresses: [{ type: "NamedAddress", value: lb.addressName }],
                annotations: lb.gatewayAnnotations,
                // The certificate comes from the certificate map annotation: no certificateRefs. HSTS from
                // the routes: gke-l7-global-external-managed implements ResponseHeaderModifier (GKE's own
                // conformance report lists HTTPRouteResponseHeaderModification for that class,
                // https://github.com/kubernetes-sigs/gateway-api/blob/main/conformance/reports/v1.1.0/gke-gateway/standard-1.30.3-gxlb-report.yaml).
                ...(hostnames.length > 0 ? { https: { strictTransportSecurity: HSTS_VALUE } } : {}),
            },
        },
        { ...k8s, dependsOn: [lb, policies, dbRole.job] },
    );

    new GcpMonitoring(
        `${name}-monitoring`,
        {
            stackName: name,
            projectId,
            region,
            sqlInstance: database.instanceName,
            redisInstance: redis.instanceName,
            thresholds: thresholdsFor(sizing, cfg.monitoring),
            notify: cfg.monitoring,
        },
        afterApis,
    );

    return {
        kubeconfig: cluster.kubeconfig,
        endpoint: lb.address,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        // The dark canary\'s preview header value (secret); the release CLI reads it.
        previewToken: release.previewToken,
        databaseHost: database.host,
        redisHost: redis.host,
        clusterName: cluster.clusterName,
        databaseInstance: database.connectionName,
        certificateDnsRecords: lb.dnsAuthorizationRecords,
    };
}
