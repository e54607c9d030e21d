// Managed PostgreSQL guardrails: RDS, Azure Database for PostgreSQL Flexible Server, Cloud SQL, and the
// app's side of TLS to its data stores.
import * as rds from "@pulumi/aws/rds";
import * as azpg from "@pulumi/azure-native/dbforpostgresql";
import * as sql from "@pulumi/gcp/sql";
import * as core from "@pulumi/kubernetes/core/v1";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { tlsOverrideValidations, tlsValueProblems } from "./workloadTls";

export const MIN_BACKUP_DAYS = 7;

const tlsModes = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"];

/** A Secret's values as text: stringData as given, data decoded from base64. */
function secretValues(secret: { data?: Record<string, string>; stringData?: Record<string, string> }): Record<string, string> {
    const decoded = Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]);
    return { ...Object.fromEntries(decoded), ...(secret.stringData ?? {}) };
}

export const databasePolicies: ResourceValidationPolicy[] = [
    {
        name: "database-not-public",
        description: "Managed PostgreSQL is reachable only from private networks.",
        validateResource: [
            validateResourceOfType(rds.Instance, (db, _args, report) => {
                if (db.publiclyAccessible === true) {
                    report("RDS instance is publicly accessible: set publiclyAccessible: false and place it in private subnets.");
                }
            }),
            validateResourceOfType(azpg.Server, (db, _args, report) => {
                if (db.network?.publicNetworkAccess !== "Disabled") {
                    report(
                        'Flexible Server allows public network access: set network.publicNetworkAccess: "Disabled" and use a delegated subnet (network.delegatedSubnetResourceId).',
                    );
                }
            }),
            validateResourceOfType(azpg.FirewallRule, (rule, _args, report) => {
                report(
                    `Firewall rule ${rule.startIpAddress}-${rule.endIpAddress} opens the server to public addresses: remove it and reach the server through its delegated subnet.`,
                );
            }),
            validateResourceOfType(sql.DatabaseInstance, (db, _args, report) => {
                const ip = db.settings?.ipConfiguration;
                if (ip?.ipv4Enabled !== false) {
                    report(
                        "Cloud SQL instance has a public IPv4 address: set settings.ipConfiguration.ipv4Enabled: false and use privateNetwork (private services access).",
                    );
                }
                if ((ip?.authorizedNetworks ?? []).length > 0) {
                    report("Cloud SQL instance lists authorizedNetworks: remove them; clients connect over the private network.");
                }
            }),
        ],
    },
    {
        name: "database-encrypted-at-rest",
        // Flexible Server and Cloud SQL always encrypt storage (no switch to check); RDS makes it opt-in.
        description: "Database storage is encrypted at rest.",
        validateResource: validateResourceOfType(rds.Instance, (db, _args, report) => {
            if (db.storageEncrypted !== true) {
                report("RDS storage is not encrypted: set storageEncrypted: true (optionally kmsKeyId). Encryption can only be chosen at creation.");
            }
        }),
    },
    {
        name: "database-tls-required",
        description: "Database connections must use TLS; the server refuses plaintext.",
        validateResource: [
            // RDS enforces TLS through rds.force_ssl in the instance's parameter group; the default group
            // cannot be edited, so the instance must use a custom group and that group must force SSL.
            // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
            validateResourceOfType(rds.Instance, (db, _args, report) => {
                if (db.engine?.startsWith("postgres") && !db.parameterGroupName) {
                    report("RDS instance uses the default parameter group: attach a parameter group that sets rds.force_ssl = 1 (parameterGroupName).");
                }
            }),
            validateResourceOfType(rds.ParameterGroup, (group, _args, report) => {
                if (!group.family.startsWith("postgres")) return;
                const force = (group.parameters ?? []).find((p) => p.name === "rds.force_ssl");
                if (force?.value !== "1") {
                    report(`Parameter group (${group.family}) does not force TLS: add parameter { name: "rds.force_ssl", value: "1" }.`);
                }
            }),
            // Flexible Server requires TLS by default (require_secure_transport = on); only an override can weaken it.
            // https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-networking-ssl-tls
            validateResourceOfType(azpg.Configuration, (cfg, args, report) => {
                const name = (cfg.configurationName ?? args.name).toLowerCase();
                if (name === "require_secure_transport" && String(cfg.value).toLowerCase() !== "on") {
                    report('require_secure_transport is turned off: remove this Configuration or set value "on".');
                }
            }),
            validateResourceOfType(sql.DatabaseInstance, (db, _args, report) => {
                const mode = db.settings?.ipConfiguration?.sslMode;
                if (!mode || !tlsModes.includes(mode)) {
                    report(
                        `Cloud SQL accepts unencrypted connections: set settings.ipConfiguration.sslMode to "ENCRYPTED_ONLY" (or "TRUSTED_CLIENT_CERTIFICATE_REQUIRED").`,
                    );
                }
            }),
        ],
    },
    {
        name: "datastore-tls-verified",
        description:
            "The app verifies its data stores: a Secret that configures a PostgreSQL client sets sslmode verify-full or verify-ca with a CA certificate, and Redis with TLS on; no container env or ConfigMap overrides them with a weaker value.",
        // The client side of TLS is only visible in what the app is given: the keys of its Secret
        // (components/k8s/appSecret.ts). "require" encrypts but accepts any server.
        // A workload's own env overrides the Secret, so the rule reads pods and ConfigMaps too (workloadTls.ts).
        validateResource: [
            validateResourceOfType(core.Secret, (secret, _args, report) => {
                const data = secretValues(secret);
                for (const p of tlsValueProblems(data)) report(p);
                if (data.DATABASE_SSLMODE !== undefined && !(data.DATABASE_CA_CERT ?? "").includes("-----BEGIN CERTIFICATE-----"))
                    report("DATABASE_CA_CERT holds no PEM certificate: give the roots the server's certificate chains to (libpq does not read the OS store).");
            }),
            ...tlsOverrideValidations,
        ],
    },
    {
        name: "database-backups",
        description: `Automated backups with point-in-time recovery are kept for at least ${MIN_BACKUP_DAYS} days.`,
        validateResource: [
            validateResourceOfType(rds.Instance, (db, _args, report) => {
                if ((db.backupRetentionPeriod ?? 0) < MIN_BACKUP_DAYS) {
                    report(`RDS keeps backups ${db.backupRetentionPeriod ?? 0} days: set backupRetentionPeriod >= ${MIN_BACKUP_DAYS}.`);
                }
            }),
            // Flexible Server keeps 7 days when backupRetentionDays is not set.
            // https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-backup-restore
            validateResourceOfType(azpg.Server, (db, _args, report) => {
                const days = db.backup?.backupRetentionDays ?? 7;
                if (days < MIN_BACKUP_DAYS) {
                    report(`Flexible Server keeps backups ${days} days: set backup.backupRetentionDays >= ${MIN_BACKUP_DAYS}.`);
                }
            }),
            validateResourceOfType(sql.DatabaseInstance, (db, _args, report) => {
                const b = db.settings?.backupConfiguration;
                if (b?.enabled !== true || b?.pointInTimeRecoveryEnabled !== true) {
                    report("Cloud SQL backups are off: set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled to true.");
                }
                // Cloud SQL keeps 7 automated backups when retainedBackups is not set.
                const kept = b?.backupRetentionSettings?.retainedBackups ?? 7;
                if (kept < MIN_BACKUP_DAYS) {
                    report(`Cloud SQL keeps ${kept} backups: set settings.backupConfiguration.backupRetentionSettings.retainedBackups >= ${MIN_BACKUP_DAYS}.`);
                }
            }),
        ],
    },
    {
        name: "database-high-availability",
        description: "The database has a synchronous standby in another availability zone.",
        validateResource: [
            validateResourceOfType(rds.Instance, (db, _args, report) => {
                if (db.multiAz !== true) report("RDS instance is single-AZ: set multiAz: true.");
            }),
            validateResourceOfType(azpg.Server, (db, _args, report) => {
                if (db.highAvailability?.mode !== "ZoneRedundant") {
                    report('Flexible Server has no zone-redundant standby: set highAvailability.mode: "ZoneRedundant".');
                }
            }),
            validateResourceOfType(sql.DatabaseInstance, (db, _args, report) => {
                if (db.settings?.availabilityType !== "REGIONAL") {
                    report('Cloud SQL instance is zonal: set settings.availabilityType: "REGIONAL".');
                }
            }),
        ],
    },
    {
        name: "database-deletion-protection",
        description: "The database cannot be deleted by a stray `pulumi destroy` or console click.",
        validateResource: [
            validateResourceOfType(rds.Instance, (db, _args, report) => {
                if (db.deletionProtection !== true) report("RDS instance can be deleted: set deletionProtection: true.");
            }),
            // Flexible Server has no deletion-protection flag: require Pulumi `protect` (config protectStateful).
            validateResourceOfType(azpg.Server, (_db, args, report) => {
                if (!args.opts.protect) {
                    report("Flexible Server is not protected: keep protectStateful: true so the server is declared with `protect`.");
                }
            }),
            validateResourceOfType(sql.DatabaseInstance, (db, _args, report) => {
                if (db.deletionProtection === false) {
                    report("Cloud SQL instance sets deletionProtection: false: remove it (the provider default is true).");
                }
                if (db.settings?.deletionProtectionEnabled !== true) {
                    report("Cloud SQL instance lacks API-level deletion protection: set settings.deletionProtectionEnabled: true.");
                }
            }),
        ],
    },
];
