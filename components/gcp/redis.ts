// Memorystore for Redis: Standard tier (replica in another zone, automatic failover), TLS with server
// authentication, AUTH, reached over Private Service Access. The AUTH string is a Pulumi secret.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Sizing } from "../../model/capacity";
import { REDIS_VERSIONS } from "../../model/gcp/config";
import type { RedisConnection } from "../platform";
import type { Labels } from "./naming";

export interface MemorystoreRedisArgs {
    region: string;
    version: (typeof REDIS_VERSIONS)[number];
    networkId: pulumi.Input<string>;
    /** The Private Service Access peering the instance connects through. */
    serviceAccessConnection: pulumi.Resource;
    sizing: Pick<Sizing, "redis">;
    /** 0: one HA replica, no read endpoint. 1–5: read replicas behind a read endpoint. */
    readReplicas: number;
    protect: boolean;
    labels: Labels;
}

export class MemorystoreRedis extends pulumi.ComponentResource {
    public readonly instanceName: pulumi.Output<string>;
    public readonly host: pulumi.Output<string>;
    /** 6378 with transit encryption. */
    public readonly port: pulumi.Output<number>;
    /** Secret. */
    public readonly authString: pulumi.Output<string>;
    /** PEM bundle of the server CAs (several while Memorystore rotates them). */
    public readonly caCertificate: pulumi.Output<string>;
    /** How the app connects: TLS, verified with Memorystore's server CA (transit encryption). */
    public readonly connection: RedisConnection;

    constructor(name: string, args: MemorystoreRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Redis", name, {}, opts);
        const memoryGb = args.sizing.redis.memoryGiB;

        const instance = new gcp.redis.Instance(
            name,
            {
                region: args.region,
                tier: "STANDARD_HA",
                memorySizeGb: memoryGb,
                redisVersion: args.version,
                authorizedNetwork: args.networkId,
                connectMode: "PRIVATE_SERVICE_ACCESS",
                transitEncryptionMode: "SERVER_AUTHENTICATION",
                authEnabled: true,
                // Always on (the capacity model sizes at least 5 GB): Memorystore can enable read replicas
                // later but never disable them, so a count that moves both ways needs them from the start.
                readReplicasMode: "READ_REPLICAS_ENABLED",
                replicaCount: args.readReplicas,
                // Needed only to enable read replicas on an instance created without them (earlier versions of
                // this stack): a free range of the private service access allocation, picked by Memorystore.
                // The provider's own acceptance test creates an instance with these two settings
                // (terraform-provider-google resource_redis_instance_test.go).
                secondaryIpRange: "auto",
                // Tuesday 03:00 UTC: apart from GKE's weekend and Cloud SQL's Monday windows.
                maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "TUESDAY", startTime: { hours: 3, minutes: 0, seconds: 0, nanos: 0 } }] },
                deletionProtection: args.protect,
                displayName: `zdp ${args.labels.stack} cache and sessions`,
                labels: args.labels,
            },
            { parent: this, protect: args.protect, dependsOn: [args.serviceAccessConnection] },
        );

        this.instanceName = instance.name;
        this.host = instance.host;
        this.port = instance.port;
        this.authString = pulumi.secret(instance.authString);
        this.caCertificate = instance.serverCaCerts.apply((certs) => certs.map((c) => c.cert.trim()).join("\n") + "\n");
        this.connection = { host: this.host, port: this.port, password: this.authString, tls: true, caCert: this.caCertificate };
        this.registerOutputs({
            instanceName: this.instanceName,
            host: this.host,
            port: this.port,
            authString: this.authString,
            caCertificate: this.caCertificate,
        });
    }
}
