// AWS: VPC over three zones → EKS (managed node groups per zone, Cluster Autoscaler) → RDS PostgreSQL
// (Multi-AZ) and ElastiCache for Valkey (Multi-AZ), both private → the app behind an internet-facing
// ALB provisioned by the AWS Load Balancer Controller from the release's Gateway.
import * as aws from "@pulumi/aws";
import { AccessLogBucket } from "../components/aws/accessLogs";
import { albEdges, albHostname } from "../components/aws/albEdge";
import { Certificate } from "../components/aws/certificate";
import { Cluster } from "../components/aws/cluster";
import { Database } from "../components/aws/database";
import { awsMonitors } from "../components/aws/monitoring";
import { Network } from "../components/aws/network";
import { Redis } from "../components/aws/redis";
import { awsTags, clusterName } from "../components/aws/tags";
import { albWebAcl } from "../components/aws/waf";
import { appSpecsFrom, type AppSpec } from "../model/appSpec";
import type { Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { thresholdsFor } from "../model/monitoring/thresholds";
import type { Platform } from "../components/platform";
import { zonesChosenOnce } from "../components/zonesChosenOnce";

export function deploy(cfg: StackConfig): AppOutputs {
    // The stack's sizing is its default app's, whose nodes hold every app (model/capacity.ts appSizings).
    const apps = appSpecsFrom(cfg);
    return deployApps(awsPlatform(cfg, apps[0].sizing, apps), apps);
}

/** The platform for `apps` (the default app first): the access-log bucket and the WAF logs are set up for all of them. */
export function awsPlatform(cfg: StackConfig, sizing: Sizing, apps: AppSpec[]): Platform {
    const [a, region, name, zones, protect] = [cfg.aws!, cfg.region!, clusterName(cfg), sizing.zones, cfg.protect];
    const tags = (component: string) => ({ tags: awsTags(cfg, component) });
    const { logRetentionDays, backupRetentionDays } = a;

    // Zones that need no opt-in (Local and Wavelength Zones do): the first `zones` available on the
    // stack's first run, kept from then on.
    const optInFree = aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    const availabilityZones = zonesChosenOnce(name, optInFree.names, zones, `Region ${region} needs ${zones} zones that need no opt-in.`);
    const { vpcCidr, singleNatGateway } = a;
    const network = new Network(name, { region, vpcCidr, availabilityZones, zones, singleNatGateway, clusterName: name, logRetentionDays, ...tags("network") });

    // One customer-managed key (rotated yearly) for Kubernetes Secrets, RDS, Performance Insights and ElastiCache.
    const keyArgs = { description: `zdp ${cfg.stack}: EKS secrets, RDS, ElastiCache`, enableKeyRotation: true, deletionWindowInDays: 30, ...tags("kms") };
    const key = new aws.kms.Key(`${name}-data`, keyArgs, { protect });
    new aws.kms.Alias(`${name}-data`, { name: `alias/${name}-data`, targetKeyId: key.keyId });

    // EKS's API (version, who reaches and administers it, Secrets encrypted with the key) and its nodes in the private subnets.
    const api = {
        kubernetesVersion: a.kubernetesVersion,
        publicAccessCidrs: a.apiPublicAccessCidrs,
        adminPrincipalArns: a.adminPrincipalArns,
        kmsKeyArn: key.arn,
    };
    const nodes = { region, vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds, nodes: sizing.nodes, zones };
    const cluster = new Cluster(name, { clusterName: name, ...api, ...nodes, logRetentionDays, deletionProtection: protect, ...tags("cluster") });

    // Both data stores in the isolated data subnets, reachable from the cluster's security group only.
    const { vpcId, dataSubnetIds } = network;
    const data = { vpcId, dataSubnetIds, clientSecurityGroupId: cluster.clusterSecurityGroupId, kmsKeyArn: key.arn, logRetentionDays, protect };
    const { instanceClass, storageGiB, maxStorageGiB } = sizing.database;
    const pg = { identifier: `${name}-pg`, region, engineVersion: a.postgresVersion, instanceClass, storageGiB, maxStorageGiB, backupRetentionDays };
    const database = new Database(`${name}-pg`, { ...pg, ...data, ...tags("database") });
    const cache = { replicationGroupId: `${name}-valkey`, engineVersion: a.valkeyVersion, nodeType: sizing.redis.nodeClass, nodes: a.cacheNodes };
    const redis = new Redis(`${name}-valkey`, { ...cache, availabilityZones, snapshotRetentionDays: backupRetentionDays, ...data, ...tags("redis") });

    // HTTPS when a certificate is given, or issued for `domain` (and the preview host) in its Route 53 zone.
    const alternativeNames = cfg.release.previewHost ? [cfg.release.previewHost] : [];
    const tls =
        a.certificateArn === undefined && cfg.domain && a.hostedZoneId
            ? { domain: cfg.domain, alternativeNames, hostedZoneId: a.hostedZoneId, ...tags("tls") }
            : undefined;
    const issued = tls ? new Certificate(`${name}-tls`, tls) : undefined;
    // The edge: access logs for every request the ALB takes, and AWS WAF in front of it (aws.waf).
    const logs = { region, retentionDays: logRetentionDays, protect, apps: apps.map((app) => app.name) };
    const accessLogs = new AccessLogBucket(`${name}-alb-logs`, { ...logs, ...tags("load-balancer") });
    // One web ACL for every app's ALB; its logs redact each app's preview header (it carries that app's token).
    const redactHeaders = [...new Set(apps.map((app) => app.release.previewHeader))];
    const waf = { aclName: `${name}-alb`, logRetentionDays, redactHeaders, ...tags("load-balancer") };
    const webAclArn = a.waf ? albWebAcl(`${name}-waf`, waf, {}).arn : undefined;
    const edge = { name, region, cluster, network, certificateArn: a.certificateArn ?? issued?.arn, hostedZoneId: a.hostedZoneId, accessLogs, webAclArn };
    const edges = albEdges({ ...edge, ...tags("load-balancer") }, issued?.arn);
    const thresholds = (spec: AppSpec) => thresholdsFor(spec.sizing, cfg.monitoring, cfg.usage);
    const monitor = awsMonitors({ stackName: name, region, database, redis, notify: cfg.monitoring, apps, thresholds, ...tags("monitoring") });

    const peer = { cidrs: network.dataSubnetCidrs };
    return {
        provider: cluster.provider,
        // The controller adds a target-health readiness gate to the app's pods: a pod counts as ready
        // (and a rollout proceeds) only once the ALB reports it healthy.
        namespace: { dependsOn: cluster.ready, labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } },
        dataStores: () => ({ postgres: { ...database.connection, peer }, redis: { ...redis.connection, peer } }),
        edge: edges.edge,
        watch: (app) => {
            const monitoring = monitor(app.spec, edges.issuedCertificate(app.spec.name));
            return { endpoint: albHostname(cluster.provider, app), outputs: { dashboard: monitoring.dashboardName } };
        },
        outputs: { kubeconfig: cluster.kubeconfig, clusterName: cluster.name, region },
    };
}
