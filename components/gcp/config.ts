// Project keys `gcp.<name>` (Pulumi.yaml declares each with its default). Pure: no Pulumi import.
import { z } from "zod";

// GKE release channels; EXTENDED keeps a minor version for up to 24 months.
// https://cloud.google.com/kubernetes-engine/docs/concepts/release-channels
export const RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE", "EXTENDED"] as const;
// Cloud SQL for PostgreSQL major versions offered on both editions today (18 is Cloud SQL's default).
// https://cloud.google.com/sql/docs/postgres/instance-settings
export const POSTGRES_VERSIONS = ["POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17", "POSTGRES_18"] as const;
// Memorystore for Redis versions still worth starting on (7.2 is the current default).
// https://cloud.google.com/memorystore/docs/redis/supported-versions
export const REDIS_VERSIONS = ["REDIS_7_0", "REDIS_7_2"] as const;

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

/** Dotted-quad IPv4 CIDR with a prefix inside `[minPrefix, maxPrefix]`, host bits zero. */
export function isIpv4Cidr(value: string, minPrefix = 0, maxPrefix = 32): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) return false;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    return address % 2 ** (32 - prefix) === 0;
}

const cidr = (minPrefix: number, maxPrefix: number, example: string) =>
    z.string().refine((v) => isIpv4Cidr(v, minPrefix, maxPrefix), {
        error: `must be an IPv4 CIDR from /${minPrefix} to /${maxPrefix} with host bits zero, e.g. ${example}`,
    });

const cidrList = z
    .string({ error: "is required: the CIDRs (CI runners, operators) allowed to reach the GKE control plane, comma-separated" })
    .transform((s) => s.split(",").map((c) => c.trim()).filter((c) => c !== ""))
    .refine((list) => list.length > 0 && list.every((c) => isIpv4Cidr(c, 8, 32)), {
        error: "must be a comma-separated list of IPv4 CIDRs (host bits zero), e.g. 203.0.113.0/24,198.51.100.7/32",
    })
    // GKE accepts at most 100 authorized networks (public endpoint).
    .refine((list) => list.length <= 100, { error: "must list at most 100 CIDRs" });

export const gcpSchema = z
    .object({
        releaseChannel: oneOf(RELEASE_CHANNELS),
        /** CIDRs allowed to reach the control plane's external endpoint: your CI runners and operators. */
        masterAuthorizedNetworks: cidrList,
        /** Primary range of the nodes' subnet. */
        nodesCidr: cidr(8, 24, "10.10.0.0/20"),
        /** Secondary range for Pod IPs (a /24 per node at 110 pods per node). */
        podsCidr: cidr(8, 21, "10.16.0.0/14"),
        /** Secondary range for ClusterIP Services. */
        servicesCidr: cidr(8, 27, "10.20.0.0/20"),
        postgresVersion: oneOf(POSTGRES_VERSIONS),
        redisVersion: oneOf(REDIS_VERSIONS),
        /** Memorystore read replicas (1–5) behind a read endpoint; 0 keeps the single HA replica. */
        redisReadReplicas: z
            .string()
            .regex(/^[0-5]$/, { error: "must be a whole number from 0 to 5" })
            .transform(Number),
    })
    .strict()
    .superRefine((c, ctx) => {
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

function cidrRange(value: string): [number, number] {
    const [ip, prefix] = value.split("/");
    const start = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    return [start, start + 2 ** (32 - Number(prefix)) - 1];
}

export function cidrsOverlap(a: string, b: string): boolean {
    if (!isIpv4Cidr(a) || !isIpv4Cidr(b)) return false;
    const [a0, a1] = cidrRange(a);
    const [b0, b1] = cidrRange(b);
    return a0 <= b1 && b0 <= a1;
}
