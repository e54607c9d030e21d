// AWS: VPC over three zones → EKS (managed node groups per zone, Cluster Autoscaler) → RDS PostgreSQL
// (Multi-AZ) and ElastiCache for Valkey (Multi-AZ), both private → the release behind an
// internet-facing ALB provisioned by the AWS Load Balancer Controller from the release's Gateway.
import * as aws from "@pulumi/aws";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AccessLogBucket } from "../components/aws/accessLogs";
import { Certificate } from "../components/aws/certificate";
import { Cluster } from "../components/aws/cluster";
import { Database } from "../components/aws/database";
import { AlbTargetGroups, LoadBalancer, deregistrationDelayFor } from "../components/aws/loadBalancer";
import { Monitoring } from "../components/aws/monitoring";
import { Network } from "../components/aws/network";
import { targetGroupName } from "../components/monitoring/cloudwatch";
import { thresholdsFor } from "../components/monitoring/thresholds";
import { Redis } from "../components/aws/redis";
import { albWebAcl } from "../components/aws/waf";
import { awsTags, clusterName } from "../components/aws/tags";
import { zonesChosenOnce } from "../components/zonesChosenOnce";
import { subnetPlan } from "../components/aws/subnets";
import { AppTraffic } from "../components/k8s/networkPolicy";
import { sizingFor } from "../components/capacity";
import { releaseState } from "../components/releasePlan";
import { rdsCaBundle } from "../components/dataTls";
import { appSpecFrom } from "../components/appSpec";
import type { StackConfig } from "../components/config";
import { AppDbRole, DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { AppSecret } from "../components/k8s/appSecret";
import { appNamespace } from "../components/k8s/namespace";
import { GATEWAY_NAME, PRE_STOP_SECONDS, ROUTE_NAME, Release, serviceNamesFor } from "../components/k8s/release";
import type { StackOutputs } from "./types";

export function deploy(cfg: StackConfig): StackOutputs {
    const a = cfg.aws!;
    const region = cfg.region!;
    const sizing = sizingFor(cfg);
    const app = appSpecFrom(cfg, sizing);
    const name = clusterName(cfg);
    const tags = (component: string) => awsTags(cfg, component);

    // Zones that need no opt-in (Local and Wavelength Zones do): the first `sizing.zones` available on
    // the stack's first run, kept from then on.
    const availabilityZones = zonesChosenOnce(
        name,
        aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }).names,
        sizing.zones,
        `Region ${region} needs ${sizing.zones} zones that need no opt-in.`,
    );

    const network = new Network(name, {
        region,
        vpcCidr: a.vpcCidr,
        availabilityZones,
        zones: sizing.zones,
        singleNatGateway: a.singleNatGateway,
        clusterName: name,
        logRetentionDays: a.logRetentionDays,
        tags: tags("network"),
    });

    // One customer-managed key (rotated yearly) for Kubernetes Secrets, RDS, Performance Insights and ElastiCache.
    const key = new aws.kms.Key(
        `${name}-data`,
        { description: `zdp ${cfg.stack}: EKS secrets, RDS, ElastiCache`, enableKeyRotation: true, deletionWindowInDays: 30, tags: tags("kms") },
        { protect: cfg.protect },
    );
    new aws.kms.Alias(`${name}-data`, { name: `alias/${name}-data`, targetKeyId: key.keyId });

    const cluster = new Cluster(name, {
        clusterName: name,
        kubernetesVersion: a.kubernetesVersion,
        region,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        publicAccessCidrs: a.apiPublicAccessCidrs,
        kmsKeyArn: key.arn,
        nodes: sizing.nodes,
        zones: sizing.zones,
        adminPrincipalArns: a.adminPrincipalArns,
        logRetentionDays: a.logRetentionDays,
        deletionProtection: cfg.protect,
        tags: tags("cluster"),
    });

    const database = new Database(`${name}-pg`, {
        identifier: `${name}-pg`,
        engineVersion: a.postgresVersion,
        instanceClass: sizing.database.instanceClass,
        storageGiB: sizing.database.storageGiB,
        maxStorageGiB: sizing.database.maxStorageGiB,
        vpcId: network.vpcId,
        dataSubnetIds: network.dataSubnetIds,
        clientSecurityGroupId: cluster.clusterSecurityGroupId,
        kmsKeyArn: key.arn,
        backupRetentionDays: a.backupRetentionDays,
        logRetentionDays: a.logRetentionDays,
        protect: cfg.protect,
        tags: tags("database"),
    });

    const redis = new Redis(`${name}-valkey`, {
        replicationGroupId: `${name}-valkey`,
        engineVersion: a.valkeyVersion,
        nodeType: sizing.redis.nodeClass,
        nodes: a.cacheNodes,
        availabilityZones,
        vpcId: network.vpcId,
        dataSubnetIds: network.dataSubnetIds,
        clientSecurityGroupId: cluster.clusterSecurityGroupId,
        kmsKeyArn: key.arn,
        snapshotRetentionDays: a.backupRetentionDays,
        logRetentionDays: a.logRetentionDays,
        protect: cfg.protect,
        tags: tags("redis"),
    });

    // HTTPS when a certificate is given, or issued for `domain` in its Route 53 zone.
    const certificateArn: pulumi.Input<string> | undefined =
        a.certificateArn ??
        (cfg.domain && a.hostedZoneId
            ? new Certificate(`${name}-tls`, {
                  domain: cfg.domain,
                  // The HTTPS listener serves the preview host too (the preview route and the redirect name it).
                  alternativeNames: cfg.release.previewHost ? [cfg.release.previewHost] : [],
                  hostedZoneId: a.hostedZoneId,
                  tags: tags("tls"),
              }).arn
            : undefined);

    const k8s = { provider: cluster.provider };
    const namespace = appNamespace(
        app,
        { ...k8s, dependsOn: cluster.ready },
        // The controller adds a target-health readiness gate to the app's pods: a pod counts as ready
        // (and a rollout proceeds) only once the ALB reports it healthy.
        { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
    );

    // The edge: access logs for every request the ALB takes, and AWS WAF in front of it (aws.waf).
    const accessLogs = new AccessLogBucket(`${name}-alb-logs`, {
        region,
        retentionDays: a.logRetentionDays,
        protect: cfg.protect,
        tags: tags("load-balancer"),
    });
    const webAcl = a.waf
        ? albWebAcl(
              `${name}-waf`,
              { aclName: `${name}-alb`, logRetentionDays: a.logRetentionDays, redactHeaders: [cfg.release.previewHeader], tags: tags("load-balancer") },
              {},
          )
        : undefined;

    const lb = new LoadBalancer(
        `${name}-lb`,
        {
            clusterName: cluster.name,
            region,
            vpcId: network.vpcId,
            namespace: namespace.metadata.name,
            certificateArn,
            accessLogs: { bucket: accessLogs.bucketName, prefix: accessLogs.prefix, ready: accessLogs.ready },
            webAclArn: webAcl?.arn,
            tags: tags("load-balancer"),
            after: cluster.ready,
        },
        k8s,
    );

    // The ALB (IP targets) reaches pods from its public subnets; the app reaches RDS and Valkey in the
    // data subnets and nothing else.
    const subnets = subnetPlan(a.vpcCidr, sizing.zones);
    new AppTraffic(
        "app",
        {
            namespace: namespace.metadata.name,
            appPort: cfg.app.port,
            from: [{ cidrs: subnets.public }],
            to: [
                { peer: { cidrs: subnets.data }, port: database.port },
                { peer: { cidrs: subnets.data }, port: redis.port },
            ],
            dbRole: { pods: DB_ROLE_JOB_PODS, to: { peer: { cidrs: subnets.data }, port: database.port } },
        },
        k8s,
    );

    // Before the routes exist, so every target group is created with IP targets and these checks.
    const targetGroups = new AlbTargetGroups(
        "app",
        {
            namespace: namespace.metadata.name,
            serviceNames: serviceNamesFor(cfg),
            healthPath: cfg.app.healthPath,
            deregistrationDelaySeconds: deregistrationDelayFor(PRE_STOP_SECONDS),
            liveRoute: { name: ROUTE_NAME, targetGroupName: (service) => targetGroupName(name, service) },
            after: lb.ready,
        },
        k8s,
    );

    // The app's own role, made by a Job that connects as the master user with the app's TLS settings.
    const dbTls = { sslMode: "verify-full", caCert: rdsCaBundle(region) };
    const dbRole = new AppDbRole(
        "app-db",
        {
            namespace: namespace.metadata.name,
            host: database.address,
            port: String(database.port),
            database: database.dbName,
            adminUser: database.username,
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
                DATABASE_HOST: database.address,
                DATABASE_PORT: String(database.port),
                DATABASE_NAME: database.dbName,
                DATABASE_USER: dbRole.user,
                DATABASE_PASSWORD: dbRole.password,
                // rds.force_ssl=1 refuses plaintext; the client checks the chain to the region's RDS roots and
                // the host name: RDS puts the instance endpoint (DATABASE_HOST) in its certificate.
                // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
                DATABASE_SSLMODE: dbTls.sslMode,
                DATABASE_CA_CERT: dbTls.caCert,
                REDIS_HOST: redis.primaryEndpoint,
                REDIS_PORT: String(redis.port),
                REDIS_PASSWORD: redis.authToken,
                // ElastiCache's certificates chain to Amazon's public roots (AWS connects with `valkey-cli --tls`
                // and no CA file): the OS store verifies them, so no REDIS_CA_CERT.
                // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html
                REDIS_TLS: "true",
            },
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
                className: lb.gatewayClassName,
                // `pulumi up` waits until the controller has provisioned the ALB and published its hostname.
                annotations: { "pulumi.com/waitFor": "jsonpath={.status.addresses[0].value}" },
                // The ALB takes its certificate from the LoadBalancerConfiguration (the controller does not
                // read certificateRefs or TLS options); the option only documents that on the listener.
                ...(certificateArn !== undefined ? { https: { tlsOptions: { "zdp.dev/certificate": "acm-via-loadbalancerconfiguration" } } } : {}),
            },
        },
        { ...k8s, dependsOn: [...lb.ready, targetGroups, dbRole.job] },
    );

    // The ALB's DNS name, as the controller reports it on the Gateway (read back after the release).
    // (CustomResource.get declares only apiVersion/kind/metadata; naming `status` reads it back too.)
    const gateway = new kubernetes.apiextensions.CustomResource(
        "app-gateway-status",
        { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", status: undefined },
        { ...k8s, id: pulumi.interpolate`${namespace.metadata.name}/${GATEWAY_NAME}`, dependsOn: [release] },
    ) as kubernetes.apiextensions.CustomResource & { status: pulumi.Output<{ addresses?: { value: string }[] } | undefined> };
    const endpoint = gateway.status.apply((s) => s?.addresses?.[0]?.value);

    const monitoring = new Monitoring(`${name}-monitoring`, {
        stackName: name,
        region,
        serviceNames: serviceNamesFor(cfg),
        colourFloors: releaseState(cfg, sizing).tracks.map((t) => t.minReplicas),
        dbInstanceIdentifier: `${name}-pg`,
        database,
        // ElastiCache names a replication group's nodes <group id>-001, -002, …
        cacheClusterIds: Array.from({ length: a.cacheNodes }, (_, i) => `${name}-valkey-${String(i + 1).padStart(3, "0")}`),
        thresholds: thresholdsFor(sizing, cfg.monitoring),
        notify: cfg.monitoring,
        certificateArn: a.certificateArn === undefined ? certificateArn : undefined,
        tags: tags("monitoring"),
    });

    return {
        dashboard: monitoring.dashboardName,
        kubeconfig: cluster.kubeconfig,
        endpoint,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        // The dark canary\'s preview header value (secret); the release CLI reads it.
        previewToken: release.previewToken,
        databaseHost: database.address,
        redisHost: redis.primaryEndpoint,
        clusterName: cluster.name,
        region,
    };
}
