// The traffic a stack's bill depends on and no resource declares: how many of the target users are
// on at once, how much each one asks for and what leaves the cloud. Stack config (`usage.*`, each
// default in Pulumi.yaml), validated here with the rest of the config. Pure: no Pulumi import.
import { z } from "zod";
import { decimal, integer } from "../configValues";

export const usageSchema = z
    .strictObject({
        /** Share of targetUsers connected on average over the month (the bill's point estimate). */
        averageConcurrency: decimal(0.01, 1, "a share of targetUsers"),
        /** Share of targetUsers connected at the busiest hour (the high end of every usage line). */
        peakConcurrency: decimal(0.01, 1, "a share of targetUsers"),
        requestsPerUserPerMinute: decimal(0.01, 600, "requests per connected user per minute"),
        requestKiB: decimal(0, 10240, "KiB per request"),
        responseKiB: decimal(0, 10240, "KiB per response"),
        /** Share of response bytes that leave the cloud to the internet (1 without a CDN in front). */
        egressShare: decimal(0, 1, "a share of the response bytes"),
        logBytesPerRequest: integer(0, 100_000, "bytes of log lines per request"),
        /** Promotes a month: each one holds the idle colour at full size for the rollback window (model/rollbackWindow.ts). */
        releasesPerMonth: integer(0, 1000, "promotes a month"),
        /** Control-plane and agent logs, whatever the traffic. */
        fixedLogGiBPerMonth: integer(0, 1_000_000, "GiB a month"),
        /** VPC or subnet flow logs, where the stack declares them. */
        flowLogGiBPerMonth: integer(0, 1_000_000, "GiB a month"),
        /** Patches, image pulls and webhooks leaving through NAT on top of the logs that do. */
        natBaseGiBPerMonth: integer(0, 1_000_000, "GiB a month"),
        /** Bytes each request moves to and from PostgreSQL and Redis (queries and results, both ways). */
        dataStoreKiBPerRequest: decimal(0, 10240, "KiB per request"),
        /** Metric series the monitoring agent sends for each app pod, one sample a minute each (pod and container level). */
        metricSeriesPerPod: integer(0, 10_000, "metric series per app pod"),
        /** Metric series for each node: its own and those of the agent pods every node runs (CNI, proxy, CSI, monitoring agent, log shipper). */
        metricSeriesPerNode: integer(0, 100_000, "metric series per node"),
        /** Bytes Log Analytics bills for one Container Insights metric record (azure: the agent writes metrics as log rows). */
        metricBytesPerSample: integer(1, 100_000, "bytes per metric record"),
    })
    .refine((u) => u.peakConcurrency >= u.averageConcurrency, {
        path: ["peakConcurrency"],
        error: "must be at least usage.averageConcurrency: the busiest hour has no fewer users than the average",
    });
export type Usage = z.infer<typeof usageSchema>;

/** The plan's cost checks: when a change's monthly increase warns or fails, and how old a price may be. */
export const costPolicySchema = z
    .strictObject({
        warnIncreaseUsd: integer(0, 10_000_000, "USD a month"),
        failIncreaseUsd: integer(0, 10_000_000, "USD a month"),
        maxPriceAgeDays: integer(1, 3650, "days"),
    })
    .refine((c) => c.failIncreaseUsd >= c.warnIncreaseUsd, {
        path: ["failIncreaseUsd"],
        error: "must be at least cost.warnIncreaseUsd: a change that fails the check also warns",
    });
export type CostPolicy = z.infer<typeof costPolicySchema>;
