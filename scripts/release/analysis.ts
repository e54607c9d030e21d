// `--analysis FILE`: where a stack's traffic metrics come from, what a candidate colour must meet,
// and how often to measure, as Argo Rollouts' AnalysisTemplate (initialDelay, interval, count,
// failureLimit, inconclusiveLimit, consecutiveErrorLimit) and Flagger's metric checks do. Each
// watched canary step and promote runs one analysis: `count` measurements `intervalSeconds` apart,
// each read `initialDelaySeconds` after its window ends so the source has ingested it, each judged
// Successful, Failed, Inconclusive or Error (analysisVerdict.ts). A run that exceeds a limit, or is
// interrupted, fails the step (and so rolls back); Argo would pause an Inconclusive run for a human,
// this CLI fails closed.
import fs from "node:fs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { parse } from "yaml";
import { z } from "zod";
import {
    assessRun,
    dueAt,
    judge,
    measurementWindow,
    type Limits,
    type Measurement,
    type MeasurementPhase,
    type RunPhase,
    type Span,
    type Thresholds,
} from "./analysisVerdict";
import type { Clock } from "./health";
import { azureMonitorSource, cloudMonitoringSource, cloudWatchSource, NoDataError, prometheusSource, type ColorMetrics, type MetricsSource } from "./metrics";
import { formatMs } from "./report";

/**
 * Seconds from the end of a window until a source shows all of it: each source's sampling period plus
 * its documented visibility delay (retrieved 2026-12-07). The default initialDelaySeconds.
 */
export const INGESTION_LAG_SECONDS = {
    // Prometheus scrapes every scrape_interval, default 1m
    // (https://prometheus.io/docs/prometheus/latest/configuration/configuration/); the dev stack's
    // scrapes every 15 s (components/monitoring/devPrometheus.ts), which 60 s covers too.
    prometheus: 60,
    // The ALB "measures and sends its metrics in 60-second intervals"
    // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html);
    // AWS states no CloudWatch visibility delay for them, Datadog gives "about 2 minutes" for
    // 1-minute CloudWatch metrics (https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/): 60 + 120.
    cloudwatch: 180,
    // Platform metrics are collected "at a one-minute frequency"
    // (https://learn.microsoft.com/azure/azure-monitor/metrics/data-platform-metrics) and "are available
    // in under a minute in the metrics database" (https://learn.microsoft.com/azure/azure-monitor/logs/data-ingestion-time): 60 + 60.
    azureMonitor: 120,
    // The load balancer's https/ metrics, e.g. https/backend_latencies: "Sampled every 60 seconds. After
    // sampling, data is not visible for up to 210 seconds" (https://cloud.google.com/load-balancing/docs/metrics;
    // the statement explained at https://cloud.google.com/monitoring/api/v3/latency-n-retention): 60 + 210.
    cloudMonitoring: 270,
} as const;

/** Argo Rollouts' DefaultErrorRetryInterval (analysis/analysis.go): an errored measurement is retried after 10 s. */
export const ERROR_RETRY_MS = 10_000;

const thresholds = z.strictObject({
    minRequests: z.number().int().min(1).default(100),
    minSuccessRate: z.number().min(0).max(1).default(0.999),
    maxP99Ms: z.number().positive().default(1000),
    maxSuccessRateDrop: z.number().min(0).max(1).default(0.001),
    maxP99Ratio: z.number().min(1).default(1.5),
    /** false skips the p99 checks; required by a source without latency (azureMonitor). */
    checkLatency: z.boolean().default(true),
    /** The candidate's requests in a window must be at least this share of those the load step sent into it; 0 switches it off. */
    minThroughputShare: z.number().min(0).max(1).default(0.5),
});

const whole = (min: number) => z.number().int().min(min);

const schema = z.strictObject({
    /** Length of the window judged before promote (seconds); canary steps use their watch window. */
    windowSeconds: z.number().int().min(60).default(300),
    /** Wait after a window ends before reading it (default: the source's ingestion lag, INGESTION_LAG_SECONDS). */
    initialDelaySeconds: whole(0).optional(),
    /** Between measurements; required when count > 1, as Argo requires interval with a count above 1. */
    intervalSeconds: whole(1).optional(),
    count: whole(1).default(1),
    failureLimit: whole(0).default(0),
    inconclusiveLimit: whole(0).default(0),
    consecutiveErrorLimit: whole(0).default(4),
    thresholds: thresholds.default(thresholds.parse({})),
    source: z.discriminatedUnion("kind", [
        z.strictObject({
            kind: z.literal("prometheus"),
            url: z.url(),
            queries: z.strictObject({ requests: z.string(), errors: z.string(), p99Ms: z.string() }),
        }),
        z.strictObject({ kind: z.literal("cloudwatch"), region: z.string(), loadBalancer: z.string(), targetGroups: z.record(z.string(), z.string()) }),
        z.strictObject({
            kind: z.literal("azureMonitor"),
            /** Regional metrics endpoint of the AGC's region, e.g. https://westeurope.metrics.monitor.azure.com */
            endpoint: z.url({ protocol: /^https$/ }),
            resourceId: z
                .string()
                .regex(
                    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ServiceNetworking\/trafficControllers\/[^/]+$/i,
                    "expected the trafficControllers resource ID",
                ),
            backendServices: z.record(z.string(), z.string().min(1)),
        }),
        z.strictObject({ kind: z.literal("cloudMonitoring"), projectId: z.string().min(1), backendServices: z.record(z.string(), z.string().min(1)) }),
    ]),
});

export interface Analysis {
    source: MetricsSource;
    thresholds: Thresholds;
    /** Length of the window judged before promote (canary steps judge their watch). */
    windowMs: number;
    initialDelayMs: number;
    intervalMs: number;
    limits: Limits;
}

/** A source made on its first read (a failure to make it fails that read, like any other). */
function onFirstRead(name: string, make: () => Promise<MetricsSource>): MetricsSource {
    let made: Promise<MetricsSource> | undefined;
    return { name, read: async (colors, window) => (await (made ??= make())).read(colors, window) };
}

export function parseAnalysis(text: string, file = "analysis file"): Analysis {
    const r = schema.safeParse(parse(text));
    if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    const { source: s, thresholds: t, windowSeconds, count, intervalSeconds, failureLimit, inconclusiveLimit, consecutiveErrorLimit } = r.data;
    if (count > 1 && intervalSeconds === undefined)
        throw new Error(`${file}: intervalSeconds: required with count ${count} (the time between measurements, e.g. 60)`);
    if (failureLimit + inconclusiveLimit >= count)
        throw new Error(
            `${file}: failureLimit ${failureLimit} + inconclusiveLimit ${inconclusiveLimit} must be below count ${count}, or an analysis without one successful measurement would pass`,
        );
    if (s.kind === "azureMonitor" && t.checkLatency)
        throw new Error(
            `${file}: thresholds.checkLatency: Application Gateway for Containers publishes no per-backend latency, so source.kind azureMonitor cannot judge p99; set it to false to judge on requests and success rate only`,
        );
    // Cloud clients authenticate the SDKs' usual way (AWS credential chain, Azure DefaultAzureCredential,
    // Google ADC). The Azure and Google SDKs load on first read: together they add about a second to
    // every start of the CLI otherwise.
    const source =
        s.kind === "prometheus"
            ? prometheusSource(s.url, s.queries)
            : s.kind === "cloudwatch"
              ? cloudWatchSource(new CloudWatchClient({ region: s.region }), { loadBalancer: s.loadBalancer, targetGroups: s.targetGroups })
              : s.kind === "azureMonitor"
                ? onFirstRead("azure-monitor", async () => {
                      const [{ DefaultAzureCredential }, { MetricsClient }] = await Promise.all([
                          import("@azure/identity"),
                          import("@azure/monitor-query-metrics"),
                      ]);
                      return azureMonitorSource(new MetricsClient(s.endpoint, new DefaultAzureCredential()), {
                          resourceId: s.resourceId,
                          backendServices: s.backendServices,
                      });
                  })
                : onFirstRead("cloud-monitoring", async () => {
                      const { MetricServiceClient } = await import("@google-cloud/monitoring");
                      return cloudMonitoringSource(new MetricServiceClient(), { projectId: s.projectId, backendServices: s.backendServices });
                  });
    return {
        source,
        thresholds: t,
        windowMs: windowSeconds * 1000,
        initialDelayMs: (r.data.initialDelaySeconds ?? INGESTION_LAG_SECONDS[s.kind]) * 1000,
        intervalMs: (intervalSeconds ?? 0) * 1000,
        limits: { count, failureLimit, inconclusiveLimit, consecutiveErrorLimit },
    };
}

export const loadAnalysis = (file: string): Analysis => parseAnalysis(fs.readFileSync(file, "utf8"), file);

export interface AnalysisRunSpec {
    candidate: string;
    stable: string;
    /** The first measurement's window (clock ms): the step's watch, or the windowMs before promote. */
    base: Span;
    /** Requests the load step sent to the candidate in a window, for the throughput gate; absent without a load. */
    sent?: (window: Span) => number;
    clock: Clock;
    /** Wall time of a clock reading: the window the source is asked for. */
    at: (t: number) => Date;
    /** Ctrl-C: ends a wait at once; the run then fails. */
    signal?: AbortSignal;
    /** One line per measurement, as it is taken. */
    log: (line: string) => void;
}

export interface AnalysisResult {
    ok: boolean;
    phase: RunPhase | "Interrupted";
    measurements: Measurement[];
    detail: string;
}

const clockTime = (d: Date) => d.toISOString().slice(11, 19);

/** The figures of one read, in a line. */
function describeRead(a: Analysis, spec: AnalysisRunSpec, m: Record<string, ColorMetrics>, v: Measurement): string {
    const fmt = (c: string) => {
        const x = m[c];
        return `${c} ${x?.requests ?? 0} req, ${x?.successRate === undefined ? "-" : `${(x.successRate * 100).toFixed(2)}% ok`}, p99 ${x?.p99Ms === undefined ? "-" : `${Math.round(x.p99Ms)} ms`}`;
    };
    const lb = m[spec.candidate]?.lbErrors
        ? `; +${m[spec.candidate].lbErrors} 5xx of the load balancer no colour explains, counted against ${spec.candidate}`
        : "";
    const unchecked = a.thresholds.checkLatency === false ? " (p99 not checked: thresholds.checkLatency is false)" : "";
    return `${a.source.name}: ${fmt(spec.candidate)}; ${fmt(spec.stable)}${lb}${unchecked}${v.reasons.length ? ` - ${v.reasons.join("; ")}` : ""}`;
}

/** One read of the source over `w`, judged. A source error is an Error; an answer without data points, Inconclusive. */
async function measureOnce(a: Analysis, spec: AnalysisRunSpec, w: Span): Promise<Measurement & { detail: string }> {
    let m: Record<string, ColorMetrics>;
    try {
        m = await a.source.read([spec.candidate, spec.stable], { start: spec.at(w.start), end: spec.at(w.end) });
    } catch (e) {
        const why = (e as Error).message;
        if (e instanceof NoDataError) return { phase: "Inconclusive", reasons: [why], detail: `${a.source.name}: ${why}` };
        return { phase: "Error", reasons: [why], detail: `${a.source.name} could not be read: ${why}` };
    }
    const v = judge(m[spec.candidate], m[spec.stable], a.thresholds, spec.sent?.(w));
    return { ...v, detail: describeRead(a, spec, m, v) };
}

/**
 * Runs `count` measurements of `candidate` against `stable`: measurement n reads the base window moved
 * on by n - 1 intervals, initialDelay after that window ends; an Error is retried after ERROR_RETRY_MS on
 * the same window. Stops as soon as the outcome is decided (assessRun) or the signal aborts.
 */
export async function runAnalysis(a: Analysis, spec: AnalysisRunSpec): Promise<AnalysisResult> {
    const { clock, signal } = spec;
    const { count } = a.limits;
    const measurements: Measurement[] = [];
    const phases = () => measurements.map((m) => m.phase);
    let last = "no measurement taken";
    let n = 1;
    let retryAt: number | undefined;
    for (;;) {
        const wait = (retryAt ?? dueAt(spec.base, n, a.intervalMs, a.initialDelayMs)) - clock.now();
        if (wait > 0) await clock.sleep(wait, signal);
        if (signal?.aborted) {
            const taken = phases().filter((p) => p !== "Error").length;
            return { ok: false, phase: "Interrupted", measurements, detail: `interrupted after ${taken}/${count} measurements - ${last}` };
        }
        const w = measurementWindow(spec.base, n, a.intervalMs);
        const m = await measureOnce(a, spec, w);
        measurements.push({ phase: m.phase, reasons: m.reasons });
        last = m.detail;
        const outcome = assessRun(phases(), a.limits);
        let retry = "";
        if (m.phase === "Error" && outcome.phase === "Running") {
            retryAt = clock.now() + ERROR_RETRY_MS;
            retry = ` (retried in ${formatMs(ERROR_RETRY_MS)})`;
        } else if (m.phase !== "Error") {
            retryAt = undefined;
        }
        spec.log(`      measurement ${n}/${count} of ${clockTime(spec.at(w.start))}-${clockTime(spec.at(w.end))} UTC: ${m.phase}${retry} - ${m.detail}`);
        if (outcome.phase !== "Running") return conclude(a, outcome.phase, outcome.message, phases(), measurements, last);
        if (m.phase !== "Error") n++;
    }
}

function conclude(a: Analysis, phase: RunPhase, message: string, phases: MeasurementPhase[], measurements: Measurement[], last: string): AnalysisResult {
    const n = (p: MeasurementPhase) => phases.filter((x) => x === p).length;
    const l = a.limits;
    const tally = `${n("Successful")} successful, ${n("Failed")} failed (tolerated ${l.failureLimit}), ${n("Inconclusive")} inconclusive (tolerated ${l.inconclusiveLimit}), ${n("Error")} errors`;
    // Argo Rollouts pauses the rollout on an Inconclusive run for a human to decide; a CLI run has no one to wait for.
    const closed = phase === "Inconclusive" ? "; Argo Rollouts would pause here for a human, this CLI fails closed" : "";
    const ok = phase === "Successful";
    return { ok, phase, measurements, detail: `${phase}${ok ? "" : `: ${message}`} - ${tally}${closed}; last: ${last}` };
}
