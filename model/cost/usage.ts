// The traffic a stack's bill depends on and no resource declares: how many of the target users are
// on at once, how much each one asks for and what leaves the cloud. Stack config (`usage.*`, each
// default in Pulumi.yaml), validated here with the rest of the config. Pure: no Pulumi import.
import { z } from "zod";
import { decimal, integer } from "../configValues";

export const usageSchema = z
    .strictObject({
        /** Share of targetUsers connected on average over the month (the bill's point estimate). */
        averageConcurrency: decimal(0.01, 1, "a share of targetUsers").default(0.6),
        /** Share of targetUsers connected at the busiest hour (the high end of every usage line). */
        peakConcurrency: decimal(0.01, 1, "a share of targetUsers").default(1),
        requestsPerUserPerMinute: decimal(0.01, 600, "requests per connected user per minute").default(6),
        requestKiB: decimal(0, 10240, "KiB per request").default(2),
        responseKiB: decimal(0, 10240, "KiB per response").default(20),
        /** Share of response bytes that leave the cloud to the internet (1 without a CDN in front). */
        egressShare: decimal(0, 1, "a share of the response bytes").default(1),
        logBytesPerRequest: integer(0, 100_000, "bytes of log lines per request").default(500),
        /** Control-plane and agent logs, whatever the traffic. */
        fixedLogGiBPerMonth: integer(0, 1_000_000, "GiB a month").default(30),
        /** VPC or subnet flow logs, where the stack declares them. */
        flowLogGiBPerMonth: integer(0, 1_000_000, "GiB a month").default(20),
        /** Patches, image pulls and webhooks leaving through NAT on top of the logs that do. */
        natBaseGiBPerMonth: integer(0, 1_000_000, "GiB a month").default(100),
        /** Bytes each request moves to and from PostgreSQL and Redis (queries and results, both ways). */
        dataStoreKiBPerRequest: decimal(0, 10240, "KiB per request").default(4),
    })
    .refine((u) => u.peakConcurrency >= u.averageConcurrency, {
        path: ["peakConcurrency"],
        error: "must be at least usage.averageConcurrency: the busiest hour has no fewer users than the average",
    });
export type Usage = z.infer<typeof usageSchema>;
export const DEFAULT_USAGE: Usage = usageSchema.parse({});

/** The plan's cost checks: when a change's monthly increase warns or fails, and how old a price may be. */
export const costPolicySchema = z
    .strictObject({
        warnIncreaseUsd: integer(0, 10_000_000, "USD a month").default(500),
        failIncreaseUsd: integer(0, 10_000_000, "USD a month").default(2000),
        maxPriceAgeDays: integer(1, 3650, "days").default(180),
    })
    .refine((c) => c.failIncreaseUsd >= c.warnIncreaseUsd, {
        path: ["failIncreaseUsd"],
        error: "must be at least cost.warnIncreaseUsd: a change that fails the check also warns",
    });
export type CostPolicy = z.infer<typeof costPolicySchema>;
