// `--analysis FILE`: where a stack's traffic metrics come from and what a candidate colour must
// meet, as Argo Rollouts' AnalysisTemplates and Flagger's metric checks do. Each watched step is
// then judged on the server-side metrics of its watch window: a failed or impossible analysis
// fails the step (and so rolls back); promote is judged on the window before it switches.
import fs from "node:fs";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { parse } from "yaml";
import { z } from "zod";
import {
    azureMonitorSource,
    cloudMonitoringSource,
    cloudWatchSource,
    judge,
    prometheusSource,
    type MetricsSource,
    type Thresholds,
    type Verdict,
    type Window,
} from "./metrics";

const thresholds = z.strictObject({
    minRequests: z.number().int().min(1).default(100),
    minSuccessRate: z.number().min(0).max(1).default(0.999),
    maxP99Ms: z.number().positive().default(1000),
    maxSuccessRateDrop: z.number().min(0).max(1).default(0.001),
    maxP99Ratio: z.number().min(1).default(1.5),
    /** false skips the p99 checks; required by a source without latency (azureMonitor). */
    checkLatency: z.boolean().default(true),
});

const schema = z.strictObject({
    /** Length of the window judged before promote (seconds); canary steps use their watch window. */
    windowSeconds: z.number().int().min(60).default(300),
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
    windowMs: number;
}

/** A source made on its first read (a failure to make it fails that read, like any other). */
function onFirstRead(name: string, make: () => Promise<MetricsSource>): MetricsSource {
    let made: Promise<MetricsSource> | undefined;
    return { name, read: async (colors, window) => (await (made ??= make())).read(colors, window) };
}

export function parseAnalysis(text: string, file = "analysis file"): Analysis {
    const r = schema.safeParse(parse(text));
    if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
    const { source: s, thresholds: t, windowSeconds } = r.data;
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
    return { source, thresholds: t, windowMs: windowSeconds * 1000 };
}

export const loadAnalysis = (file: string): Analysis => parseAnalysis(fs.readFileSync(file, "utf8"), file);

export interface AnalysisResult extends Verdict {
    detail: string;
}

/** Judge `candidate` against `stable` over `window`; a source that cannot answer fails the analysis. */
export async function analyze(a: Analysis, candidate: string, stable: string, window: Window): Promise<AnalysisResult> {
    let m;
    try {
        m = await a.source.read([candidate, stable], window);
    } catch (e) {
        return { ok: false, reasons: [(e as Error).message], detail: `${a.source.name} could not be read: ${(e as Error).message}` };
    }
    const v = judge(m[candidate], m[stable], a.thresholds);
    const fmt = (c: string) => {
        const x = m[c];
        return `${c} ${x?.requests ?? 0} req, ${x?.successRate === undefined ? "-" : `${(x.successRate * 100).toFixed(2)}% ok`}, p99 ${x?.p99Ms === undefined ? "-" : `${Math.round(x.p99Ms)} ms`}`;
    };
    const unchecked = a.thresholds.checkLatency === false ? " (p99 not checked: thresholds.checkLatency is false)" : "";
    return { ...v, detail: `${a.source.name}: ${fmt(candidate)}; ${fmt(stable)}${unchecked}${v.ok ? "" : ` - ${v.reasons.join("; ")}`}` };
}
