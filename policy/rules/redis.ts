// Managed Redis guardrails: ElastiCache, Azure Managed Redis (redisenterprise), Memorystore for Redis.
import * as elasticache from "@pulumi/aws/elasticache";
import * as amr from "@pulumi/azure-native/redisenterprise";
import * as gredis from "@pulumi/gcp/redis";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

export const redisPolicies: ResourceValidationPolicy[] = [
    {
        name: "redis-tls",
        description: "Redis clients connect over TLS only.",
        validateResource: [
            validateResourceOfType(elasticache.ReplicationGroup, (rg, _args, report) => {
                if (rg.transitEncryptionEnabled !== true) {
                    report("ElastiCache accepts plaintext: set transitEncryptionEnabled: true.");
                } else if (rg.transitEncryptionMode === "preferred") {
                    report('ElastiCache transitEncryptionMode is "preferred" (plaintext still accepted): set it to "required".');
                }
            }),
            validateResourceOfType(amr.Database, (db, _args, report) => {
                if (db.clientProtocol !== "Encrypted") {
                    report('Azure Managed Redis database is not TLS-only: set clientProtocol: "Encrypted".');
                }
            }),
            validateResourceOfType(amr.RedisEnterprise, (cluster, _args, report) => {
                if (cluster.minimumTlsVersion !== undefined && cluster.minimumTlsVersion !== "1.2") {
                    report(`Azure Managed Redis allows TLS ${cluster.minimumTlsVersion}: set minimumTlsVersion: "1.2".`);
                }
            }),
            validateResourceOfType(gredis.Instance, (r, _args, report) => {
                if (r.transitEncryptionMode !== "SERVER_AUTHENTICATION") {
                    report('Memorystore accepts plaintext: set transitEncryptionMode: "SERVER_AUTHENTICATION".');
                }
            }),
        ],
    },
    {
        name: "redis-auth",
        // Azure Managed Redis always authenticates (access keys or Microsoft Entra ID): nothing can turn it off.
        description: "Redis requires authentication.",
        validateResource: [
            validateResourceOfType(elasticache.ReplicationGroup, (rg, _args, report) => {
                const hasAuth = !!rg.authToken || !!rg.authTokenWo || (rg.userGroupIds ?? []).length > 0;
                if (!hasAuth) {
                    report("ElastiCache has no authentication: set authToken (a generated secret) or userGroupIds (RBAC).");
                }
            }),
            validateResourceOfType(gredis.Instance, (r, _args, report) => {
                if (r.authEnabled !== true) report("Memorystore has AUTH off: set authEnabled: true.");
            }),
        ],
    },
    {
        name: "redis-encryption-at-rest",
        // Azure Managed Redis and Memorystore always encrypt data at rest; ElastiCache makes it a choice.
        description: "Redis data and snapshots are encrypted at rest where the service offers a switch.",
        validateResource: validateResourceOfType(elasticache.ReplicationGroup, (rg, _args, report) => {
            if (rg.atRestEncryptionEnabled !== true) {
                report("ElastiCache is not encrypted at rest: set atRestEncryptionEnabled: true.");
            }
        }),
    },
    {
        name: "redis-high-availability",
        description: "Redis has a replica in another zone and fails over automatically.",
        validateResource: [
            validateResourceOfType(elasticache.ReplicationGroup, (rg, _args, report) => {
                const replicas = rg.numCacheClusters !== undefined ? rg.numCacheClusters - 1 : (rg.replicasPerNodeGroup ?? 0);
                if (rg.automaticFailoverEnabled !== true || rg.multiAzEnabled !== true || replicas < 1) {
                    report(
                        "ElastiCache is not multi-AZ: set automaticFailoverEnabled: true, multiAzEnabled: true and at least one replica (numCacheClusters >= 2).",
                    );
                }
            }),
            validateResourceOfType(amr.RedisEnterprise, (cluster, _args, report) => {
                if (cluster.highAvailability === "Disabled") {
                    report('Azure Managed Redis has high availability disabled: remove highAvailability or set it to "Enabled".');
                }
            }),
            validateResourceOfType(gredis.Instance, (r, _args, report) => {
                if (r.tier !== "STANDARD_HA") report('Memorystore BASIC tier has no replica: set tier: "STANDARD_HA".');
            }),
        ],
    },
    {
        name: "redis-not-public",
        description: "Redis is reachable only from the private network.",
        validateResource: [
            validateResourceOfType(amr.RedisEnterprise, (cluster, _args, report) => {
                if (cluster.publicNetworkAccess !== "Disabled") {
                    report('Azure Managed Redis has a public endpoint: set publicNetworkAccess: "Disabled" and add a private endpoint.');
                }
            }),
            // ElastiCache has no public endpoint, but without explicit subnets and security groups it lands in
            // the default VPC behind the default security group.
            validateResourceOfType(elasticache.ReplicationGroup, (rg, _args, report) => {
                if (!rg.subnetGroupName || (rg.securityGroupIds ?? []).length === 0) {
                    report(
                        "ElastiCache has no subnetGroupName/securityGroupIds: place it in private subnets behind a security group that admits only the cluster nodes.",
                    );
                }
            }),
            validateResourceOfType(gredis.Instance, (r, _args, report) => {
                if (!r.authorizedNetwork) {
                    report("Memorystore is attached to the project's \"default\" network: set authorizedNetwork to the stack's VPC.");
                }
            }),
        ],
    },
];
