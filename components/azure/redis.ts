// Azure Managed Redis (Microsoft.Cache/redisEnterprise): Azure Cache for Redis takes no new instances,
// so this is the only managed Redis a new stack can create. Private endpoint only, TLS only.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise";
import type { Sizing } from "../../model/capacity";
import type { AzureConfig } from "../../model/config";
import type { RedisConnection } from "../platform";

export interface AzureRedisArgs {
    location: string;
    resourceGroupName: pulumi.Input<string>;
    vnetId: pulumi.Input<string>;
    endpointSubnetId: pulumi.Input<string>;
    settings: AzureConfig;
    sizing: Sizing;
    protect: boolean;
    tags: Record<string, string>;
}

// Azure Managed Redis clients connect on 10000 (the single-endpoint port of the Enterprise stack).
export const REDIS_PORT = 10000;
const PRIVATE_ZONE = "privatelink.redis.azure.net";

export class AzureRedis extends pulumi.ComponentResource {
    readonly host: pulumi.Output<string>;
    readonly port = REDIS_PORT;
    /** Secret: the database's primary access key. */
    readonly password: pulumi.Output<string>;
    readonly clusterId: pulumi.Output<string>;
    /**
     * How the app connects: TLS; Azure Managed Redis serves a certificate for its host name from a public
     * CA, so the OS store verifies it. https://learn.microsoft.com/azure/redis/tls-configuration
     */
    readonly connection: RedisConnection;
    readonly databaseId: pulumi.Output<string>;

    constructor(name: string, args: AzureRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Redis", name, {}, opts);
        const { settings: s, sizing, location, tags, resourceGroupName } = args;
        // Balanced (4:1 memory:vCPU) SKUs: B5 = 6 GB, B10 = 12 GB, B20 = 24 GB ...
        // https://learn.microsoft.com/azure/redis/overview#choosing-the-right-tier
        if (!/^(Balanced_B|MemoryOptimized_M|ComputeOptimized_X)\d+$/.test(sizing.redis.nodeClass))
            throw new Error(`AzureRedis ${name}: ${sizing.redis.nodeClass} is not an Azure Managed Redis in-memory SKU`);
        const parent = { parent: this };
        const stateful = { ...parent, protect: args.protect };

        // Zone redundancy needs no zones list: with high availability on, AMR spreads its nodes over the
        // region's availability zones by default. https://learn.microsoft.com/azure/redis/high-availability#zone-redundancy
        const cluster = new redisenterprise.RedisEnterprise(
            `${name}-redis`,
            {
                resourceGroupName,
                location,
                sku: { name: sizing.redis.nodeClass },
                highAvailability: s.redisHighAvailability ? "Enabled" : "Disabled",
                minimumTlsVersion: "1.2",
                publicNetworkAccess: "Disabled",
                tags,
            },
            stateful,
        );
        const db = new redisenterprise.Database(
            `${name}-db`,
            {
                resourceGroupName,
                clusterName: cluster.name,
                databaseName: "default",
                clientProtocol: "Encrypted",
                port: REDIS_PORT,
                // One endpoint that any Redis client can use (no cluster-aware client needed).
                clusteringPolicy: "EnterpriseCluster",
                evictionPolicy: "VolatileLRU",
                // The app authenticates with REDIS_PASSWORD; new databases default to keys disabled.
                accessKeysAuthentication: "Enabled",
            },
            stateful,
        );

        const zone = new privatedns.PrivateZone(`${name}-dns`, { resourceGroupName, location: "global", privateZoneName: PRIVATE_ZONE, tags }, parent);
        new privatedns.VirtualNetworkLink(
            `${name}-dns-link`,
            { resourceGroupName, location: "global", privateZoneName: zone.name, virtualNetwork: { id: args.vnetId }, registrationEnabled: false, tags },
            parent,
        );
        const endpoint = new network.PrivateEndpoint(
            `${name}-pe`,
            {
                resourceGroupName,
                location,
                subnet: { id: args.endpointSubnetId },
                privateLinkServiceConnections: [{ name: "redis", privateLinkServiceId: cluster.id, groupIds: ["redisEnterprise"] }],
                tags,
            },
            parent,
        );
        new network.PrivateDnsZoneGroup(
            `${name}-pe-dns`,
            {
                resourceGroupName,
                privateEndpointName: endpoint.name,
                privateDnsZoneGroupName: "default",
                privateDnsZoneConfigs: [{ name: "redis", privateDnsZoneId: zone.id }],
            },
            parent,
        );

        if (s.resourceLocks) {
            new authorization.ManagementLockByScope(
                `${name}-lock`,
                { scope: cluster.id, level: "CanNotDelete", notes: "zdp: Redis of the app; set azure.resourceLocks=false and protectStateful=false to delete" },
                parent,
            );
        }

        const keys = redisenterprise.listDatabaseKeysOutput({ resourceGroupName, clusterName: cluster.name, databaseName: db.name }, parent);
        this.host = cluster.hostName;
        this.password = pulumi.secret(keys.primaryKey);
        this.clusterId = cluster.id;
        this.connection = { host: this.host, port: this.port, password: this.password, tls: true };
        this.databaseId = db.id;
        this.registerOutputs({ host: this.host, clusterId: this.clusterId });
    }
}
