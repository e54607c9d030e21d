// Traffic metrics per colour over a time window, read server-side from each stack's own source.
// Independent of the release flow: the release CLI's analysis and the live dashboard both use it.
//
// Interface:
//   interface MetricsSource {
//     readonly name: string;                                  // e.g. "prometheus", "cloudwatch"
//     read(colors: string[], window: Window): Promise<Record<string, ColorMetrics>>;
//   }
//   Window        = { start: Date; end: Date }
//   ColorMetrics  = { requests: number; successRate?: number; p99Ms?: number }
//                   successRate in 0..1 and p99Ms are absent when the window had no requests.
//   judge(candidate, stable, thresholds) -> { ok, reasons }   (pure; see Thresholds)
//
// Sources (one file each): prometheus.ts (dev: Prometheus scraping Envoy Gateway, HTTP API),
// cloudwatch.ts (aws: the ALB's metrics per target group, @aws-sdk/client-cloudwatch),
// azureMonitor.ts (azure: AGC's metrics per backend service, no latency; @azure/monitor-query-metrics)
// and cloudMonitoring.ts (gcp: the load balancer's metrics per backend service; @google-cloud/monitoring).
// A source throws when it cannot read a colour; the caller must treat that as a failed analysis.

import type { ColorMetrics } from "./source";
export type { ColorMetrics, MetricsSource, Window } from "./source";

export interface Thresholds {
    /** Fewer candidate requests than this in the window proves nothing: the analysis fails. */
    minRequests: number;
    /** Candidate success rate must be at least this (e.g. 0.999). */
    minSuccessRate: number;
    /** Candidate p99 must be at most this. */
    maxP99Ms: number;
    /** Candidate success rate may be at most this much below the stable colour's (e.g. 0.001). */
    maxSuccessRateDrop: number;
    /** Candidate p99 may be at most this factor of the stable colour's (e.g. 1.2). */
    maxP99Ratio: number;
    /** false only where the source has no latency (Azure's AGC): the p99 checks are then skipped, said so in the verdict. */
    checkLatency?: boolean;
}

export interface Verdict {
    ok: boolean;
    reasons: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * Pass only when every check can be made and holds: no data is a failure, never a pass. The
 * comparison with the stable colour applies when the stable colour had traffic in the window.
 */
export function judge(candidate: ColorMetrics | undefined, stable: ColorMetrics | undefined, t: Thresholds): Verdict {
    const reasons: string[] = [];
    // A comparison with NaN is false, so a non-finite figure would pass every check below: it fails.
    const broken = (["requests", "successRate", "p99Ms"] as const).flatMap((k) =>
        [["candidate", candidate?.[k]] as const, ["stable", stable?.[k]] as const]
            .filter(([, v]) => v !== undefined && !Number.isFinite(v))
            .map(([who, v]) => `the ${who}'s ${k} is ${String(v)}, not a number the analysis can judge`),
    );
    if (broken.length) return { ok: false, reasons: broken };
    if (!candidate || candidate.requests < t.minRequests) {
        return { ok: false, reasons: [`${candidate?.requests ?? 0} candidate requests in the window, need at least ${t.minRequests}`] };
    }
    const { successRate: sr } = candidate;
    const p99 = t.checkLatency === false ? undefined : candidate.p99Ms;
    if (sr === undefined) reasons.push("no candidate success rate");
    else if (sr < t.minSuccessRate) reasons.push(`success rate ${pct(sr)} < ${pct(t.minSuccessRate)}`);
    if (t.checkLatency !== false) {
        if (p99 === undefined) reasons.push("no candidate p99 latency");
        else if (p99 > t.maxP99Ms) reasons.push(`p99 ${Math.round(p99)} ms > ${t.maxP99Ms} ms`);
    }
    if (stable && stable.requests > 0) {
        if (sr !== undefined && stable.successRate !== undefined && stable.successRate - sr > t.maxSuccessRateDrop)
            reasons.push(
                `success rate ${pct(sr)} is ${pct(stable.successRate - sr)} below stable's ${pct(stable.successRate)} (allowed ${pct(t.maxSuccessRateDrop)})`,
            );
        if (p99 !== undefined && stable.p99Ms !== undefined && stable.p99Ms > 0 && p99 / stable.p99Ms > t.maxP99Ratio)
            reasons.push(
                `p99 ${Math.round(p99)} ms is ${(p99 / stable.p99Ms).toFixed(2)}x stable's ${Math.round(stable.p99Ms)} ms (allowed ${t.maxP99Ratio}x)`,
            );
    }
    return { ok: reasons.length === 0, reasons };
}

export { prometheusSource, type PrometheusQueries } from "./prometheus";
export { cloudWatchSource } from "./cloudwatch";
export { cloudMonitoringSource } from "./cloudMonitoring";
export { azureMonitorSource } from "./azureMonitor";
