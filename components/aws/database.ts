// RDS for PostgreSQL: Multi-AZ, gp3 with storage autoscaling, KMS-encrypted, private (data subnets,
// reachable only from the cluster security group), TLS forced by the parameter group, backups,
// deletion protection, final snapshot, Performance Insights and Enhanced Monitoring.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RDS_CA_IDENTIFIER, rdsCaBundle } from "../../model/dataTls";
import type { PostgresConnection } from "../platform";
import { generatedSecret } from "../generatedSecret";
import { managedPolicy, serviceRole } from "./iam";
import { storeSecurityGroup } from "./network";
import type { Tags } from "./tags";

export const POSTGRES_PORT = 5432;
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** Parameter group family for an engine version: "18" or "18.1" -> "postgres18". */
export function postgresFamily(engineVersion: string): string {
    return `postgres${engineVersion.split(".")[0]}`;
}

export interface DatabaseArgs {
    identifier: string;
    /** The instance's region: the app verifies the server against that region's RDS roots. */
    region: string;
    engineVersion: string;
    instanceClass: string;
    storageGiB: number;
    maxStorageGiB: number;
    vpcId: pulumi.Input<string>;
    dataSubnetIds: pulumi.Input<string>[];
    clientSecurityGroupId: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    backupRetentionDays: number;
    logRetentionDays: number;
    /** Pulumi protect and RDS deletion protection. */
    protect: boolean;
    tags: Tags;
}

/** What the instance is wired to: its password, subnet group, security group, parameters and monitoring role. */
interface InstanceRefs {
    password: pulumi.Output<string>;
    subnetGroupName: pulumi.Output<string>;
    securityGroupId: pulumi.Output<string>;
    parameterGroupName: pulumi.Output<string>;
    monitoringRoleArn: pulumi.Output<string>;
    dependsOn: pulumi.Resource[];
}

export class Database extends pulumi.ComponentResource {
    /** The RDS instance identifier (CloudWatch's DBInstanceIdentifier dimension). */
    public readonly identifier: string;
    public readonly address: pulumi.Output<string>;
    public readonly port = POSTGRES_PORT;
    public readonly dbName = "app";
    public readonly username = "app";
    /** Master password: a Pulumi secret (never in plaintext in state, outputs or the Secret's inputs). */
    public readonly password: pulumi.Output<string>;
    /**
     * How the app connects: rds.force_ssl=1 refuses plaintext; the client checks the chain to the
     * region's RDS roots and the host name (RDS puts the instance endpoint in its certificate).
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
     */
    public readonly connection: PostgresConnection;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Database", name, {}, opts);
        if (args.backupRetentionDays < 7) throw new Error(`Database ${name}: backupRetentionDays ${args.backupRetentionDays} is below 7.`);
        if (args.maxStorageGiB <= args.storageGiB) throw new Error(`Database ${name}: maxStorageGiB must exceed storageGiB for storage autoscaling.`);
        const parent = { parent: this };

        const group = storeSecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                port: POSTGRES_PORT,
                clientSecurityGroupId: args.clientSecurityGroupId,
                description: "PostgreSQL from the EKS cluster only",
                tags: args.tags,
            },
            parent,
        );
        const subnetGroup = new aws.rds.SubnetGroup(name, { subnetIds: args.dataSubnetIds, description: "Isolated data subnets", tags: args.tags }, parent);
        // rds.force_ssl=1: the server refuses unencrypted connections
        // (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html).
        const parameters = new aws.rds.ParameterGroup(
            name,
            {
                family: postgresFamily(args.engineVersion),
                description: "zdp PostgreSQL: TLS required",
                parameters: [
                    { name: "rds.force_ssl", value: "1" },
                    { name: "log_min_duration_statement", value: "1000" },
                ],
                tags: args.tags,
            },
            parent,
        );
        // RDS disallows / @ " and space in master passwords; alphanumeric also keeps URLs simple.
        const password = generatedSecret(`${name}-master`, 40, parent);
        const monitoringRole = serviceRole(
            `${name}-monitoring`,
            { service: "monitoring.rds.amazonaws.com", managedPolicyArns: [managedPolicy("service-role/AmazonRDSEnhancedMonitoringRole")], tags: args.tags },
            parent,
        );

        // Created first with a retention; RDS would otherwise create the export groups with no expiry. RDS
        // names them /aws/rds/instance/<identifier>/<log type>.
        const logGroups = LOG_EXPORTS.map(
            (logType) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${logType}`,
                    { name: `/aws/rds/instance/${args.identifier}/${logType}`, retentionInDays: args.logRetentionDays, tags: args.tags },
                    parent,
                ),
        );

        const instance = this.instance(name, args, {
            password,
            subnetGroupName: subnetGroup.name,
            securityGroupId: group.id,
            parameterGroupName: parameters.name,
            monitoringRoleArn: monitoringRole.role.arn,
            dependsOn: [...logGroups, ...monitoringRole.grants],
        });

        this.identifier = args.identifier;
        this.address = instance.address;
        this.password = password;
        const admin = { adminUser: this.username, adminPassword: password };
        this.connection = { host: this.address, port: this.port, database: this.dbName, ...admin, sslMode: "verify-full", caCert: rdsCaBundle(args.region) };
        this.registerOutputs({ address: this.address, port: this.port });
    }

    private instance(name: string, args: DatabaseArgs, refs: InstanceRefs): aws.rds.Instance {
        return new aws.rds.Instance(
            name,
            {
                identifier: args.identifier,
                engine: "postgres",
                // A major version alone lets RDS choose, and auto-upgrade, the latest minor.
                engineVersion: args.engineVersion,
                autoMinorVersionUpgrade: true,
                allowMajorVersionUpgrade: false,
                instanceClass: args.instanceClass,
                multiAz: true,
                storageType: "gp3",
                allocatedStorage: args.storageGiB,
                maxAllocatedStorage: args.maxStorageGiB,
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                dbName: this.dbName,
                username: this.username,
                // A Pulumi secret rather than an RDS-managed secret: RDS rotates managed secrets every
                // 7 days, which would silently break the copy the app reads from its Kubernetes Secret.
                password: refs.password,
                port: POSTGRES_PORT,
                // Named, not left to the region's default: the app ships this CA family's root (`connection`).
                caCertIdentifier: RDS_CA_IDENTIFIER,
                dbSubnetGroupName: refs.subnetGroupName,
                vpcSecurityGroupIds: [refs.securityGroupId],
                publiclyAccessible: false,
                parameterGroupName: refs.parameterGroupName,
                backupRetentionPeriod: args.backupRetentionDays,
                backupWindow: "03:00-04:00",
                maintenanceWindow: "sun:04:30-sun:05:30",
                copyTagsToSnapshot: true,
                deleteAutomatedBackups: false,
                deletionProtection: args.protect,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: `${args.identifier}-final`,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: args.kmsKeyArn,
                performanceInsightsRetentionPeriod: 7,
                monitoringInterval: 60,
                monitoringRoleArn: refs.monitoringRoleArn,
                enabledCloudwatchLogsExports: [...LOG_EXPORTS],
                applyImmediately: false,
                tags: { ...args.tags, Name: args.identifier },
            },
            { parent: this, protect: args.protect, dependsOn: refs.dependsOn },
        );
    }
}
