// PostgreSQL Flexible Server: private access only (delegated subnet + private DNS zone linked to the
// VNet), zone-redundant HA, auto-growing storage at an IOPS tier, backups, TLS required, generated admin password.
import * as pulumi from "@pulumi/pulumi";
import { generatedSecret } from "../generatedSecret";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql";
import * as privatedns from "@pulumi/azure-native/privatedns";
import type { Sizing } from "../../model/capacity";
import type { AzureConfig } from "../../model/config";
import { WEEKDAYS } from "../../model/azure/config";
import { dbIopsWanted } from "../../model/capacity";
import { azurePostgresRoots } from "../../model/dataTls";
import type { PostgresConnection } from "../platform";
import { pgPerformanceTier, pgStorageGb } from "../../model/azure/sizing";

export interface AzureDatabaseArgs {
    location: string;
    resourceGroupName: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    /** `<label>.private.postgres.database.azure.com`: a private zone name of our own per stack. */
    dnsLabel: string;
    databaseName: string;
    settings: AzureConfig;
    sizing: Sizing;
    protect: boolean;
    tags: Record<string, string>;
}

export const POSTGRES_ADMIN = "zdpadmin";

export class AzureDatabase extends pulumi.ComponentResource {
    readonly host: pulumi.Output<string>;
    readonly port = 5432;
    readonly databaseName: string;
    readonly user = POSTGRES_ADMIN;
    /** Secret. */
    readonly password: pulumi.Output<string>;
    readonly serverId: pulumi.Output<string>;
    /**
     * How the app connects: the server requires TLS (require_secure_transport=on); its certificate names
     * the server's FQDN and chains to DigiCert / Microsoft roots, shipped as the CA bundle.
     * https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
     */
    readonly connection: PostgresConnection;

    constructor(name: string, args: AzureDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Database", name, {}, opts);
        const { settings: s, sizing, location, tags, resourceGroupName } = args;
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(args.dnsLabel))
            throw new Error(`AzureDatabase ${name}: dnsLabel must be a DNS label, got ${args.dnsLabel}`);
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.databaseName)) throw new Error(`AzureDatabase ${name}: databaseName must be a plain PostgreSQL identifier`);
        const parent = { parent: this };
        const stateful = { ...parent, protect: args.protect };

        // Custom private zone names must end in .postgres.database.azure.com.
        // https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-private#private-dns-zone-and-virtual-network-peering
        const zone = new privatedns.PrivateZone(
            `${name}-dns`,
            { resourceGroupName, location: "global", privateZoneName: `${args.dnsLabel}.private.postgres.database.azure.com`, tags },
            parent,
        );
        const link = new privatedns.VirtualNetworkLink(
            `${name}-dns-link`,
            { resourceGroupName, location: "global", privateZoneName: zone.name, virtualNetwork: { id: args.vnetId }, registrationEnabled: false, tags },
            parent,
        );

        // 3 of 4 character classes; only URL- and shell-safe specials.
        const password = generatedSecret(`${name}-admin-password`, 32, parent, "-_");

        const server = new dbforpostgresql.Server(
            `${name}-pg`,
            {
                resourceGroupName,
                location,
                version: s.postgresVersion,
                // General Purpose Ddsv5, e.g. Standard_D8ds_v5 = 8 vCores / 32 GiB for 10k users.
                // https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-compute
                sku: { name: sizing.database.instanceClass, tier: "GeneralPurpose" },
                // The disk's tier sets its IOPS (capacity row "database IOPS"); its size only starts there.
                storage: {
                    storageSizeGB: pgStorageGb(sizing.database.storageGiB),
                    autoGrow: "Enabled",
                    type: "Premium_LRS",
                    tier: pgPerformanceTier(sizing.database.storageGiB, sizing.database.maxStorageGiB, dbIopsWanted(sizing.targetUsers)).tier,
                },
                highAvailability: { mode: s.postgresHaMode },
                backup: { backupRetentionDays: s.postgresBackupRetentionDays, geoRedundantBackup: s.postgresGeoRedundantBackup ? "Enabled" : "Disabled" },
                network: { delegatedSubnetResourceId: args.subnetId, privateDnsZoneArmResourceId: zone.id, publicNetworkAccess: "Disabled" },
                authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
                administratorLogin: POSTGRES_ADMIN,
                administratorLoginPassword: password,
                // Same day as the AKS windows, 4 hours later: a database failover never overlaps node upgrades.
                // dayOfWeek counts from Sunday = 0.
                maintenanceWindow: {
                    customWindow: "Enabled",
                    dayOfWeek: WEEKDAYS.indexOf(s.maintenanceDay),
                    startHour: (s.maintenanceStartHourUtc + 4) % 24,
                    startMinute: 0,
                },
                tags,
            },
            // The zone must resolve from the VNet before the server registers its record. Auto-grow owns the
            // size after creation: kept in the inputs, a later update would ask Azure to shrink a grown disk,
            // which it refuses (storage only scales up: concepts-storage.md).
            { ...stateful, dependsOn: [link], additionalSecretOutputs: ["administratorLoginPassword"], ignoreChanges: ["storage.storageSizeGB"] },
        );

        // Refuse clients that don't use TLS (server default, pinned so nobody turns it off by hand unnoticed).
        const requireTls = new dbforpostgresql.Configuration(
            `${name}-require-tls`,
            { resourceGroupName, serverName: server.name, configurationName: "require_secure_transport", value: "on", source: "user-override" },
            parent,
        );

        // One write at a time: the server rejects concurrent child writes with ServerIsBusy.
        // https://github.com/Azure/azure-postgresql/issues/134
        const db = new dbforpostgresql.Database(
            `${name}-db`,
            { resourceGroupName, serverName: server.name, databaseName: args.databaseName, charset: "UTF8", collation: "en_US.utf8" },
            { ...stateful, dependsOn: [requireTls] },
        );

        if (s.resourceLocks) {
            new authorization.ManagementLockByScope(
                `${name}-lock`,
                {
                    scope: server.id,
                    level: "CanNotDelete",
                    notes: "zdp: database of the app; set azure.resourceLocks=false and protectStateful=false to delete",
                },
                parent,
            );
        }

        this.host = server.fullyQualifiedDomainName;
        this.databaseName = args.databaseName;
        this.password = password;
        this.serverId = server.id;
        const admin = { adminUser: this.user, adminPassword: password };
        this.connection = { host: this.host, port: this.port, database: this.databaseName, ...admin, sslMode: "verify-full", caCert: azurePostgresRoots() };
        this.registerOutputs({ host: this.host, databaseName: db.name, serverId: this.serverId });
    }
}
