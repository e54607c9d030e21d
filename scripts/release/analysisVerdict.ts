// The decisions of an analysis, pure: one measurement's figures -> its phase, a run's phases -> its
// outcome, and when each measurement is due and which window it reads. Modelled on Argo Rollouts'
// AnalysisRun (analysis/analysis.go: assessMetricStatus, assessMetricFailureInconclusiveOrError;
// docs/features/analysis.md): a measurement is Successful, Failed, Inconclusive or Error; the run
// fails once failures exceed failureLimit, inconclusives exceed inconclusiveLimit or consecutive
// errors exceed consecutiveErrorLimit, and succeeds once `count` measurements (errors not counted)
// were taken. Where Argo pauses an Inconclusive run for a human, this CLI fails closed.
import type { ColorMetrics } from "./metrics";

export interface Thresholds {
    /** Fewer candidate requests than this in a window prove nothing: the measurement is Inconclusive. */
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
    /**
     * The candidate's requests in a window must be at least this share of those the load step sent
     * into it; fewer mean the source does not (yet) show the candidate's traffic. 0 switches it off.
     */
    minThroughputShare?: number;
}

export type MeasurementPhase = "Successful" | "Failed" | "Inconclusive" | "Error";

export interface Measurement {
    phase: MeasurementPhase;
    reasons: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Figures that are present but not finite: a comparison with NaN is false, so they would pass every check. */
function broken(candidate: ColorMetrics | undefined, stable: ColorMetrics | undefined): string[] {
    return (["requests", "successRate", "p99Ms", "lbErrors"] as const).flatMap((k) =>
        [["candidate", candidate?.[k]] as const, ["stable", stable?.[k]] as const]
            .filter(([, v]) => v !== undefined && !Number.isFinite(v))
            .map(([who, v]) => `the ${who}'s ${k} is ${String(v)}, not a number the analysis can judge`),
    );
}

/**
 * One measurement from the colours' figures. Failed when a figure is not a finite number or a
 * threshold is broken; Inconclusive when the window cannot decide (too few candidate requests, or
 * fewer than `minThroughputShare` of the `sent` requests the load step put into it); Successful only
 * when every check can be made and holds. The comparison with the stable colour applies when it had
 * traffic. The load balancer's own 5xx that no colour explains (`lbErrors`) count against the candidate.
 */
export function judge(candidate: ColorMetrics | undefined, stable: ColorMetrics | undefined, t: Thresholds, sent?: number): Measurement {
    const bad = broken(candidate, stable);
    if (bad.length) return { phase: "Failed", reasons: bad };
    const n = candidate?.requests ?? 0;
    if (n < t.minRequests) return { phase: "Inconclusive", reasons: [`${n} candidate requests in the window, need at least ${t.minRequests}`] };
    const share = t.minThroughputShare ?? 0;
    if (sent !== undefined && share > 0 && n < share * sent)
        return {
            phase: "Inconclusive",
            reasons: [
                `the source shows ${n} candidate requests in the window, the load step alone sent about ${Math.round(sent)} (need at least ${pct(share)} of them): it does not (yet) show the candidate's traffic`,
            ],
        };
    const reasons: string[] = [];
    const u = candidate?.lbErrors ?? 0;
    const sr = candidate?.successRate === undefined || u === 0 ? candidate?.successRate : (candidate.successRate * n) / (n + u);
    const p99 = t.checkLatency === false ? undefined : candidate?.p99Ms;
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
    return { phase: reasons.length ? "Failed" : "Successful", reasons };
}

export interface Limits {
    /** Measurements to take (errors not counted). */
    count: number;
    /** Failed measurements tolerated. */
    failureLimit: number;
    /** Inconclusive measurements tolerated. */
    inconclusiveLimit: number;
    /** Errors in a row tolerated (each is retried). */
    consecutiveErrorLimit: number;
}

export type RunPhase = "Running" | "Successful" | "Failed" | "Inconclusive" | "Error";

/** Where a run stands after `phases`: decided as soon as a limit is exceeded, successful once `count` were taken. */
export function assessRun(phases: MeasurementPhase[], l: Limits): { phase: RunPhase; message: string } {
    const n = (p: MeasurementPhase) => phases.filter((x) => x === p).length;
    const taken = phases.length - n("Error");
    let inARow = 0;
    while (inARow < phases.length && phases[phases.length - 1 - inARow] === "Error") inARow++;
    // Argo's order: a later check overrides an earlier one, so errors win, then inconclusives.
    if (inARow > l.consecutiveErrorLimit)
        return { phase: "Error", message: `consecutive errors (${inARow}) > consecutiveErrorLimit (${l.consecutiveErrorLimit})` };
    if (n("Inconclusive") > l.inconclusiveLimit)
        return { phase: "Inconclusive", message: `inconclusive (${n("Inconclusive")}) > inconclusiveLimit (${l.inconclusiveLimit})` };
    if (n("Failed") > l.failureLimit) return { phase: "Failed", message: `failed (${n("Failed")}) > failureLimit (${l.failureLimit})` };
    if (taken >= l.count) return { phase: "Successful", message: `${taken} of ${l.count} measurements taken within the limits` };
    return { phase: "Running", message: `${taken} of ${l.count} measurements taken` };
}

/** A span of clock time (ms). */
export interface Span {
    start: number;
    end: number;
}

/**
 * The window measurement `n` (from 1) reads: as long as the base window (the step's watch, or the
 * window before promote), moved on by `n - 1` intervals. It is read `delayMs` after it ends, so the
 * source has ingested it; a read that comes later (after an error's retry) reads the same window.
 */
export function measurementWindow(base: Span, n: number, intervalMs: number): Span {
    const shift = (n - 1) * intervalMs;
    return { start: base.start + shift, end: base.end + shift };
}

export const dueAt = (base: Span, n: number, intervalMs: number, delayMs: number) => measurementWindow(base, n, intervalMs).end + delayMs;

/** Requests a load of `requests` spread evenly over `load` put into `window` (the throughput gate's expectation). */
export function sentInto(load: Span & { requests: number }, window: Span): number {
    const overlap = Math.max(0, Math.min(load.end, window.end) - Math.max(load.start, window.start));
    return load.end > load.start ? (load.requests * overlap) / (load.end - load.start) : 0;
}
