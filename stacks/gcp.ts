// GCP: VPC → regional GKE (private nodes) → Cloud SQL PostgreSQL (HA, private IP) and Memorystore Redis
// (HA, TLS) → the app behind GKE's Gateway (global external Application Load Balancer).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { appSpecFrom, appSpecsFrom } from "../model/appSpec";
import type { Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { cloudArmorPolicy } from "../components/gcp/cloudArmor";
import { GkeCluster } from "../components/gcp/cluster";
import { CloudSqlPostgres } from "../components/gcp/database";
import { appLoadBalancer, gcpAppEdges } from "../components/gcp/appEdges";
import { StackLogs } from "../components/gcp/logs";
import { GcpMonitoring } from "../components/gcp/monitoring";
import { gcpLabels, gcpName } from "../components/gcp/naming";
import { Network } from "../components/gcp/network";
import { REQUIRED_APIS } from "../components/gcp/prerequisites";
import { MemorystoreRedis } from "../components/gcp/redis";
import { stackZones } from "../components/gcp/zones";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { thresholdsFor } from "../model/monitoring/thresholds";
import type { Platform } from "../components/platform";

export function deploy(cfg: StackConfig): AppOutputs {
    // The stack's sizing is its default app's, whose nodes hold every app (model/capacity.ts appSizings).
    const apps = appSpecsFrom(cfg);
    return deployApps(gcpPlatform(cfg, apps[0].sizing), apps);
}

export function gcpPlatform(cfg: StackConfig, sizing: Sizing): Platform {
    const [g, region, name, protect] = [cfg.gcp!, cfg.region!, `${cfg.project}-${cfg.stack}`, cfg.protect];
    const projectId = new pulumi.Config("gcp").require("project");
    const labels = (component: string) => ({ labels: gcpLabels(cfg, component) });
    // The project's APIs, enabled before anything is asked of them and left on by a destroy (other stacks
    // and resources in the project may use them). https://cloud.google.com/service-usage/docs/enable-disable
    const api = (service: string) => ({ project: projectId, service, disableOnDestroy: false, disableDependentServices: false });
    const apis = REQUIRED_APIS.map((service) => new gcp.projects.Service(`${name}-api-${service.split(".")[0]}`, api(service)));
    const afterApis = { dependsOn: apis };
    // The zones the capacity model counts on, fixed for the stack's life (a region may have more).
    const zones = stackZones(name, { projectId, region, count: sizing.zones, configured: g.zones }, afterApis);

    const network = new Network(name, { region, nodesCidr: g.nodesCidr, podsCidr: g.podsCidr, servicesCidr: g.servicesCidr, ...labels("network") }, afterApis);
    const { networkSelfLink, networkId, serviceAccessConnection } = network;
    const cluster = new GkeCluster(
        name,
        {
            projectId,
            stackName: cfg.stack,
            region,
            networkSelfLink,
            subnetworkSelfLink: network.subnetworkSelfLink,
            releaseChannel: g.releaseChannel,
            controlPlaneAccess: g.controlPlaneAccess,
            masterAuthorizedNetworks: g.masterAuthorizedNetworks ?? [],
            zones,
            sizing,
            protect,
            ...labels("cluster"),
        },
        afterApis,
    );

    const privateStore = { region, networkId, serviceAccessConnection, sizing, protect };
    const pg = { version: g.postgresVersion, allocatedIpRange: network.serviceAccessRangeName };
    const database = new CloudSqlPostgres(`${name}-pg`, { ...pg, ...privateStore, ...labels("database") });
    const redis = new MemorystoreRedis(`${name}-redis`, { version: g.redisVersion, readReplicas: g.redisReadReplicas, ...privateStore, ...labels("redis") });

    // The stack's logs, kept gcp.logRetentionDays in a bucket of its own (the project's _Default is left alone).
    const sources = pulumi
        .all([cluster.clusterName, database.instanceName, network.subnetworkName, network.natName])
        .apply(([clusterName, sqlInstance, subnetworkName, natName]) => ({ projectId, region, clusterName, sqlInstance, subnetworkName, natName }));
    const logs = { stack: cfg.stack, projectId, region, bucketId: gcpName(cfg, "logs"), retentionDays: g.logRetentionDays, sources, protect };
    new StackLogs(`${name}-logs`, logs, afterApis);

    // Each app's own load balancer (HTTPS for its domain and preview host, HTTP only without a domain); the default app's is the stack's.
    const edgeStack = { cfg, name, networkSelfLink, nodeServiceAccountEmail: cluster.nodeServiceAccountEmail, protect, opts: afterApis };
    const lb = appLoadBalancer(edgeStack, appSpecFrom(cfg, sizing));
    const armor = g.cloudArmor ? cloudArmorPolicy(`${name}-armor`, gcpName(cfg, "armor"), afterApis) : undefined;

    const monitoring = { stackName: name, projectId, region, sqlInstance: database.instanceName, redisInstance: redis.instanceName };
    const thresholds = (appSizing: Sizing) => thresholdsFor(appSizing, cfg.monitoring, cfg.usage);
    const stackMonitoring = new GcpMonitoring(`${name}-monitoring`, { ...monitoring, thresholds: thresholds(sizing), notify: cfg.monitoring }, afterApis);
    const edges = gcpAppEdges({ ...edgeStack, provider: cluster.provider, securityPolicy: armor?.name, monitoring: stackMonitoring, thresholds }, lb);

    // Cloud SQL and Memorystore in the Private Service Access range.
    const peer = { cidrs: [network.serviceAccessCidr] };
    return {
        provider: cluster.provider,
        namespace: {},
        dataStores: () => ({ postgres: { ...database.connection, peer }, redis: { ...redis.connection, peer } }),
        ...edges,
        outputs: {
            kubeconfig: cluster.kubeconfig,
            clusterName: cluster.clusterName,
            databaseInstance: database.connectionName,
            certificateDnsRecords: lb.dnsAuthorizationRecords,
        },
    };
}
