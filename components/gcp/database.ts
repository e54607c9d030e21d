// Cloud SQL for PostgreSQL: regional HA, private IP only, TLS required, backups with point-in-time
// recovery, deletion protection, query insights. The app's password is a generated Pulumi secret.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { generatedSecret } from "../generatedSecret";
import type { Sizing } from "../../model/capacity";
import { POSTGRES_VERSIONS } from "../../model/gcp/config";
import type { PostgresConnection } from "../platform";
import type { Labels } from "./naming";

export const DATABASE_NAME = "app";
export const DATABASE_USER = "app";
export const POSTGRES_PORT = 5432;

export interface CloudSqlPostgresArgs {
    region: string;
    version: (typeof POSTGRES_VERSIONS)[number];
    networkId: pulumi.Input<string>;
    /** Private Service Access range to take the instance's IP from. */
    allocatedIpRange: pulumi.Input<string>;
    /** The Private Service Access peering; the instance cannot get a private IP before it exists. */
    serviceAccessConnection: pulumi.Resource;
    sizing: Pick<Sizing, "database">;
    protect: boolean;
    labels: Labels;
}

export class CloudSqlPostgres extends pulumi.ComponentResource {
    public readonly instanceName: pulumi.Output<string>;
    public readonly connectionName: pulumi.Output<string>;
    /** Private IP address; the instance has no public IP. */
    public readonly host: pulumi.Output<string>;
    public readonly port = POSTGRES_PORT;
    public readonly databaseName = DATABASE_NAME;
    public readonly user = DATABASE_USER;
    /** Secret. */
    public readonly password: pulumi.Output<string>;
    /** PEM of every server CA the instance trusts: the active one and any upcoming one (a rotation in progress). */
    public readonly caCertificate: pulumi.Output<string>;
    /**
     * How the app connects: Cloud SQL enforces TLS (sslMode ENCRYPTED_ONLY). verify-ca, not verify-full:
     * the app reaches the private IP, and the certificate names the instance ("<project>:<instance>"),
     * not the IP. The per-instance CA signs this instance's certificate only, so the chain check pins the server.
     */
    public readonly connection: PostgresConnection;

    constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Database", name, {}, opts);
        const db = args.sizing.database;
        if (!/^db-custom-\d+-\d+$/.test(db.instanceClass))
            throw new Error(
                `CloudSqlPostgres ${name}: tier "${db.instanceClass}" is not a db-custom-<vCPU>-<MiB> tier, the only dedicated-core tiers of the Enterprise edition.`,
            );
        if (db.maxStorageGiB < db.storageGiB)
            throw new Error(`CloudSqlPostgres ${name}: maxStorageGiB (${db.maxStorageGiB}) is below storageGiB (${db.storageGiB}).`);
        const parent = { parent: this };
        const stateful = { parent: this, protect: args.protect };

        const password = generatedSecret(`${name}-app`, 32, parent);

        const instance = new gcp.sql.DatabaseInstance(
            name,
            {
                region: args.region,
                databaseVersion: args.version,
                // Pulumi-side guard (the provider refuses to delete) and, below, the Cloud SQL API guard.
                deletionProtection: args.protect,
                settings: {
                    // PostgreSQL 16+ defaults to ENTERPRISE_PLUS, which rejects db-custom-* tiers; say it.
                    edition: "ENTERPRISE",
                    tier: db.instanceClass,
                    // Synchronous standby in a second zone with automatic failover.
                    availabilityType: "REGIONAL",
                    diskType: "PD_SSD",
                    diskSize: db.storageGiB,
                    diskAutoresize: true,
                    diskAutoresizeLimit: db.maxStorageGiB,
                    ipConfiguration: {
                        ipv4Enabled: false,
                        privateNetwork: args.networkId,
                        allocatedIpRange: args.allocatedIpRange,
                        // TLS on every connection; clients need no certificate of their own.
                        // https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/instances#sslmode
                        sslMode: "ENCRYPTED_ONLY",
                        // A CA of this instance's own (the default, named): a chain check against it (the app's
                        // verify-ca) accepts this instance only. The shared regional CA (GOOGLE_MANAGED_CAS_CA)
                        // would accept any instance in the region, and verify-full by its DNS name needs DNS
                        // records that Private Service Access does not create.
                        // https://cloud.google.com/sql/docs/postgres/authorize-ssl
                        serverCaMode: "GOOGLE_MANAGED_INTERNAL_CA",
                    },
                    backupConfiguration: {
                        enabled: true,
                        startTime: "02:00",
                        pointInTimeRecoveryEnabled: true,
                        // Enterprise edition keeps at most 7 days of write-ahead log for PITR.
                        transactionLogRetentionDays: 7,
                        backupRetentionSettings: { retainedBackups: 14, retentionUnit: "COUNT" },
                    },
                    // Monday 03:00 UTC (day 1): after the nightly backup, outside GKE's weekend window and
                    // Memorystore's Tuesday one, so no two systems fail over in the same night.
                    maintenanceWindow: { day: 1, hour: 3, updateTrack: "stable" },
                    insightsConfig: { queryInsightsEnabled: true, queryStringLength: 1024, recordApplicationTags: true, recordClientAddress: false },
                    databaseFlags: [
                        { name: "log_checkpoints", value: "on" },
                        { name: "log_lock_waits", value: "on" },
                        { name: "log_min_duration_statement", value: "1000" },
                    ],
                    deletionProtectionEnabled: args.protect,
                    retainBackupsOnDelete: true,
                    userLabels: args.labels,
                },
            },
            // Autoresize grows the disk; a later diff on diskSize would try to shrink it (replacement).
            { ...stateful, dependsOn: [args.serviceAccessConnection], ignoreChanges: ["settings.diskSize"] },
        );

        // Postgres refuses to drop a database or role that still owns objects; on destroy they go with the instance.
        new gcp.sql.Database(`${name}-app`, { instance: instance.name, name: DATABASE_NAME, deletionPolicy: "ABANDON" }, stateful);
        new gcp.sql.User(`${name}-app`, { instance: instance.name, name: DATABASE_USER, password, deletionPolicy: "ABANDON" }, parent);

        this.instanceName = instance.name;
        this.connectionName = instance.connectionName;
        this.host = instance.privateIpAddress;
        this.password = password;
        // listServerCas, not the instance's serverCaCerts (the active CA only): it also returns a CA added
        // for a rotation (`gcloud sql ssl server-ca-certs create`), so the app trusts both before the
        // rotation switches the server over, and a `pulumi up` between the two steps keeps verify-ca working.
        // https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1beta4/instances/listServerCas
        this.caCertificate = gcp.sql
            .getCaCertsOutput({ instance: instance.name }, { parent: this })
            .certs.apply((certs) => certs.map((c) => c.cert.trim()).join("\n") + "\n");
        const admin = { adminUser: this.user, adminPassword: password };
        this.connection = { host: this.host, port: this.port, database: this.databaseName, ...admin, sslMode: "verify-ca", caCert: this.caCertificate };
        this.registerOutputs({ instanceName: this.instanceName, connectionName: this.connectionName, host: this.host, password: this.password });
    }
}
