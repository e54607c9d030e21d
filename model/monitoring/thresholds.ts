// Alert thresholds: config overrides or defaults derived from the capacity model. Pure (no Pulumi).
import type { Sizing } from "../capacity";
import { trafficFor } from "../cost/model";
import type { Usage } from "../cost/usage";
import type { MonitoringConfig } from "./config";

export interface Thresholds {
    /** 5xx responses as a share (%) of the live route's requests over 5 minutes. */
    errorRatePercent: number;
    /** p99 response time of the live route, milliseconds. */
    p99LatencyMs: number;
    /** Ready pods of the live colour below its HPA floor: it has lost its zone-loss headroom. */
    readyPodFloor: number;
    /** Database CPU (%). */
    databaseCpuPercent: number;
    /** Database connections: 80% of the default max_connections of the class the model chose. */
    databaseConnections: number;
    /**
     * Free storage below this (GiB): half of what storage autoscaling keeps free at the initial size (it
     * grows the disk when free space is at most 10 % of the allocated size, and the allocation only grows),
     * so a new, empty database never starts in ALARM; reached only when autoscaling is at its ceiling, in
     * its cool-down, or outrun (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html).
     */
    databaseFreeStorageGiB: number;
    /** Edge errors (5xx, connection errors) in 5 minutes: errorRatePercent of the requests the capacity model assumes. */
    edgeErrorsPer5Min: number;
    /** Redis used memory (%) of the node's maxmemory. */
    redisMemoryPercent: number;
    /** Redis client connections: 80% of the engine's client limit. */
    redisConnections: number;
    /** Days before a certificate we issue expires. */
    certificateDays: number;
}

/**
 * RDS for PostgreSQL's default max_connections: LEAST({DBInstanceClassMemory/9531392}, 5000)
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections).
 * Memory is taken as the class's whole memory, so the estimate errs high by the OS reservation.
 */
export function rdsDefaultMaxConnections(memoryGiB: number): number {
    return Math.min(Math.floor((memoryGiB * 2 ** 30) / 9_531_392), 5000);
}

/** Valkey/Redis OSS maxclients on ElastiCache node-based clusters: 65,000, not modifiable
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/RedisConfiguration.html; not re-read for this value). */
export const REDIS_MAX_CLIENTS = 65_000;

/** Alert thresholds from the sizing, the stack's alert settings and its usage (the edge alert counts its requests). */
export function thresholdsFor(sizing: Sizing, cfg: MonitoringConfig, usage: Usage): Thresholds {
    return {
        errorRatePercent: cfg.errorRatePercent ?? 1,
        p99LatencyMs: cfg.p99LatencyMs ?? 1000,
        // The HPA floor: the model keeps this many so that losing a zone still leaves `needed`.
        readyPodFloor: sizing.app.hpaMin,
        databaseCpuPercent: 80,
        databaseConnections: Math.floor(rdsDefaultMaxConnections(sizing.database.memoryGiB) * 0.8),
        databaseFreeStorageGiB: Math.max(1, Math.floor(sizing.database.storageGiB * 0.05)),
        edgeErrorsPer5Min: Math.max(1, Math.ceil(((cfg.errorRatePercent ?? 1) / 100) * trafficFor(sizing.targetUsers, usage).requestsPerSecond * 300)),
        redisMemoryPercent: 80,
        redisConnections: Math.floor(REDIS_MAX_CLIENTS * 0.8),
        certificateDays: 14,
    };
}
