// ElastiCache for Valkey replication group: primary + replicas in different zones with Multi-AZ
// automatic failover, TLS required in transit, KMS encryption at rest, an AUTH token (Pulumi secret),
// isolated data subnets, the cluster security group as the only source, retained snapshots, and the
// slow log and engine log delivered to CloudWatch Logs.
// Valkey rather than Redis OSS: the same protocol and clients (Valkey forked Redis OSS 7.2), open
// source (BSD), and AWS prices node-based Valkey about 20% below Redis OSS; AWS's new features
// (8.x memory efficiency, 9.x) land on Valkey.
// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { generatedSecret } from "../generatedSecret";
import type { RedisConnection } from "../platform";
import { storeSecurityGroup } from "./network";
import type { Tags } from "./tags";

export const REDIS_PORT = 6379;
/** Log types ElastiCache delivers for Valkey; slow-log for latency forensics, engine-log for failovers and errors. */
export const CACHE_LOG_TYPES = ["slow-log", "engine-log"] as const;

export interface RedisArgs {
    replicationGroupId: string;
    engineVersion: string;
    nodeType: string;
    /** Primary + replicas (>= 2 for automatic failover). */
    nodes: number;
    availabilityZones: pulumi.Input<string[]>;
    vpcId: pulumi.Input<string>;
    dataSubnetIds: pulumi.Input<string>[];
    clientSecurityGroupId: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    snapshotRetentionDays: number;
    logRetentionDays: number;
    protect: boolean;
    tags: Tags;
}

export class Redis extends pulumi.ComponentResource {
    public readonly primaryEndpoint: pulumi.Output<string>;
    public readonly port = REDIS_PORT;
    /** AUTH token: a Pulumi secret. */
    public readonly authToken: pulumi.Output<string>;
    /** The group's member clusters: ElastiCache names a replication group's nodes <group id>-001, -002, … */
    public readonly memberClusterIds: string[];
    /**
     * How the app connects: TLS, verified by the OS store (ElastiCache's certificates chain to Amazon's
     * public roots; AWS connects with `valkey-cli --tls` and no CA file).
     * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html
     */
    public readonly connection: RedisConnection;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Redis", name, {}, opts);
        if (args.nodes < 2) throw new Error(`Redis ${name}: ${args.nodes} node(s); Multi-AZ failover needs a primary and at least one replica.`);
        const parent = { parent: this };

        const group = storeSecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                port: REDIS_PORT,
                clientSecurityGroupId: args.clientSecurityGroupId,
                description: "Valkey from the EKS cluster only",
                tags: args.tags,
            },
            parent,
        );
        const subnetGroup = new aws.elasticache.SubnetGroup(
            name,
            { subnetIds: args.dataSubnetIds, description: "Isolated data subnets", tags: args.tags },
            parent,
        );
        // AUTH tokens are 16-128 printable characters without @ " /; alphanumeric avoids all of them.
        const token = generatedSecret(`${name}-auth`, 64, parent);
        // One log group per type (one delivery per type), created here with a retention; the slow log
        // replaces key names and values with "(N more arguments)", so no cached data reaches the logs.
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html
        const logDeliveryConfigurations = CACHE_LOG_TYPES.map((logType) => {
            const group = new aws.cloudwatch.LogGroup(
                `${name}-${logType}`,
                { name: `/zdp/${args.replicationGroupId}/${logType}`, retentionInDays: args.logRetentionDays, tags: args.tags },
                parent,
            );
            return { logType, destinationType: "cloudwatch-logs", destination: group.name, logFormat: "json" };
        });

        const replicationGroup = new aws.elasticache.ReplicationGroup(
            name,
            {
                replicationGroupId: args.replicationGroupId,
                description: `zdp ${args.replicationGroupId} (Valkey, Multi-AZ)`,
                engine: "valkey",
                engineVersion: args.engineVersion,
                autoMinorVersionUpgrade: true,
                nodeType: args.nodeType,
                numCacheClusters: args.nodes,
                // Primary and replicas spread round-robin over the zones.
                preferredCacheClusterAzs: pulumi
                    .output(args.availabilityZones)
                    .apply((azs) => Array.from({ length: args.nodes }, (_, i) => azs[i % azs.length])),
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                port: REDIS_PORT,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [group.id],
                atRestEncryptionEnabled: true,
                kmsKeyId: args.kmsKeyArn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: token,
                snapshotRetentionLimit: args.snapshotRetentionDays,
                logDeliveryConfigurations,
                snapshotWindow: "02:00-03:00",
                maintenanceWindow: "sun:05:30-sun:06:30",
                finalSnapshotIdentifier: `${args.replicationGroupId}-final`,
                applyImmediately: false,
                tags: { ...args.tags, Name: args.replicationGroupId },
            },
            { parent: this, protect: args.protect },
        );

        this.primaryEndpoint = replicationGroup.primaryEndpointAddress;
        this.memberClusterIds = Array.from({ length: args.nodes }, (_, i) => `${args.replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
        this.authToken = token;
        this.connection = { host: this.primaryEndpoint, port: this.port, password: token, tls: true };
        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, port: this.port });
    }
}
