// Project keys `gcp.<name>` (Pulumi.yaml declares each with its default). Pure: no Pulumi import.
import { z } from "zod";
import { boolean, privateCidr, cidrList, cidrsOverlap, integer, oneOf } from "../configValues";

// GKE release channels; EXTENDED keeps a minor version for up to 24 months.
// https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels
export const RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE", "EXTENDED"] as const;
// Cloud SQL for PostgreSQL major versions offered on both editions today (18 is Cloud SQL's default).
// https://cloud.google.com/sql/docs/postgres/instance-settings
export const POSTGRES_VERSIONS = ["POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17", "POSTGRES_18"] as const;
// Memorystore for Redis versions still worth starting on (7.2 is the current default).
// https://cloud.google.com/memorystore/docs/redis/supported-versions
export const REDIS_VERSIONS = ["REDIS_7_0", "REDIS_7_2"] as const;
// How clients reach the control plane: the external IP endpoint behind authorized networks, or only the
// DNS-based endpoint, where every request needs IAM's container.clusters.connect (no IP allow-list, so
// GitHub-hosted runners with Workload Identity Federation can reach it) and the IP endpoint is private.
// https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation
export const CONTROL_PLANE_ACCESS = ["authorizedNetworks", "dns"] as const;
const AUTHORIZED_NETWORKS = "the CIDRs (CI runners, operators) allowed to reach the GKE control plane, comma-separated";

export const gcpSchema = z
    .object({
        releaseChannel: oneOf(RELEASE_CHANNELS),
        /** CIDRs allowed to reach the control plane's external endpoint: your CI runners and operators. */
        controlPlaneAccess: oneOf(CONTROL_PLANE_ACCESS),
        /** Cloud Armor's OWASP rules in front of the app (components/gcp/cloudArmor.ts). */
        cloudArmor: boolean,
        /** authorizedNetworks: required. dns: optional, then it limits the private IP endpoint. */
        masterAuthorizedNetworks: cidrList(AUTHORIZED_NETWORKS).optional(),
        /** Primary range of the nodes' subnet. */
        nodesCidr: privateCidr(8, 24, "10.10.0.0/20"),
        /** Secondary range for Pod IPs (a /24 per node at 110 pods per node). */
        podsCidr: privateCidr(8, 21, "10.16.0.0/14"),
        /** Secondary range for ClusterIP Services. */
        servicesCidr: privateCidr(8, 27, "10.20.0.0/20"),
        postgresVersion: oneOf(POSTGRES_VERSIONS),
        redisVersion: oneOf(REDIS_VERSIONS),
        /**
         * Days the stack's logs are kept in its own log bucket (the minimum is 1 day; 3650 is Cloud Logging's
         * maximum for a bucket). https://cloud.google.com/logging/docs/reference/v2/rest/v2/locations.buckets
         */
        logRetentionDays: integer(1, 3650, "a number of days"),
        /** Three zones of the region, fixed for the stack's life; unset, the first run picks and keeps them. */
        zones: z
            .string()
            .transform((s) => s.split(",").map((z) => z.trim()))
            .refine((l) => l.length === 3 && new Set(l).size === 3 && l.every((z) => /^[a-z]+-[a-z]+\d+-[a-z]$/.test(z)), {
                error: "must be three different standard zones of the region, comma-separated, e.g. europe-west1-b,europe-west1-c,europe-west1-d",
            })
            .optional(),
        /**
         * Memorystore replicas (1–5), each a failover target and a reader behind the read endpoint.
         * Read replicas stay enabled: Memorystore cannot disable them on an instance (readReplicasMode
         * is create-time only), so only the count moves, in either direction.
         */
        redisReadReplicas: z
            .string()
            .regex(/^[1-5]$/, {
                error: "must be a whole number from 1 to 5 (read replicas are always on: Memorystore cannot turn them off, so only their count changes)",
            })
            .transform(Number),
    })
    .strict()
    .superRefine((c, ctx) => {
        if (c.controlPlaneAccess === "authorizedNetworks" && !c.masterAuthorizedNetworks)
            ctx.addIssue({
                code: "custom",
                path: ["masterAuthorizedNetworks"],
                message: `is required: ${AUTHORIZED_NETWORKS} (or set gcp.controlPlaneAccess to dns)`,
            });
        const ranges = [
            ["nodesCidr", c.nodesCidr],
            ["podsCidr", c.podsCidr],
            ["servicesCidr", c.servicesCidr],
        ] as const;
        for (let i = 0; i < ranges.length; i++)
            for (let j = i + 1; j < ranges.length; j++)
                if (cidrsOverlap(ranges[i][1], ranges[j][1]))
                    ctx.addIssue({ code: "custom", path: [ranges[j][0]], message: `overlaps gcp.${ranges[i][0]} (${ranges[i][1]})` });
    });

export type GcpConfig = z.infer<typeof gcpSchema>;
