// gcp: Cloud Monitoring metrics of the global external Application Load Balancer that the GKE
// Gateway controller builds, read with @google-cloud/monitoring's MetricServiceClient.listTimeSeries.
// Metric types and labels, from https://cloud.google.com/load-balancing/docs/metrics (the same ones
// components/monitoring/cloudMonitoring.ts charts): loadbalancing.googleapis.com/https/
// backend_request_count (DELTA, label response_code_class: 200, 500, ...) and https/backend_latencies
// (DELTA distribution, ms), on resource https_lb_rule whose label backend_target_name is the backend
// service. The Gateway controller makes one backend service per Service a route references, so each
// colour's Service (app-blue, app-green) is its own backend service.
// Cloud Monitoring returns no series for a backend without data in the interval, so a missing series
// cannot tell "no requests" from "wrong name": the read fails (NoDataError) rather than guess.
import type { MetricServiceClient, protos } from "@google-cloud/monitoring";
import { NoDataError, type ColorMetrics, type MetricsSource, type Window } from "./source";

type TimeSeries = protos.google.monitoring.v3.ITimeSeries;
type Distribution = protos.google.api.IDistribution;

const LB = "loadbalancing.googleapis.com/https";

export interface CloudMonitoringTarget {
    projectId: string;
    /** Colour -> name of its backend service (`gcloud compute backend-services list`). */
    backendServices: Record<string, string>;
}

const num = (x: number | string | { toString(): string } | null | undefined) => Number(x ?? 0);

/** Upper and lower bound of each bucket (underflow first, overflow last), per google.api.Distribution.BucketOptions. */
function bucketBounds(o: protos.google.api.Distribution.IBucketOptions, buckets: number): [number, number][] {
    const edges: number[] = [];
    if (o.exponentialBuckets) {
        const { numFiniteBuckets: n, growthFactor: g, scale: s } = o.exponentialBuckets;
        for (let i = 0; i <= num(n); i++) edges.push(num(s) * num(g) ** i);
    } else if (o.linearBuckets) {
        const { numFiniteBuckets: n, width: w, offset: off } = o.linearBuckets;
        for (let i = 0; i <= num(n); i++) edges.push(num(off) + num(w) * i);
    } else if (o.explicitBuckets) {
        edges.push(...(o.explicitBuckets.bounds ?? []).map(num));
    } else throw new Error("cloud monitoring: distribution without bucket options");
    const bounds: [number, number][] = [
        [Math.min(0, edges[0]), edges[0]],
        ...edges.slice(1).map((e, i): [number, number] => [edges[i], e]),
        [edges[edges.length - 1], Infinity],
    ];
    if (buckets > bounds.length) throw new Error(`cloud monitoring: ${buckets} bucket counts for ${bounds.length} buckets`);
    return bounds;
}

/** p99 of the merged distributions, interpolated linearly inside its bucket (as Prometheus' histogram_quantile). */
export function distributionP99(ds: Distribution[]): number | undefined {
    const counts: number[] = [];
    let options: protos.google.api.Distribution.IBucketOptions | undefined;
    for (const d of ds) {
        if (!d.bucketOptions) throw new Error("cloud monitoring: distribution without bucket options");
        if (options && JSON.stringify(options) !== JSON.stringify(d.bucketOptions))
            throw new Error("cloud monitoring: latency distributions with different buckets");
        options = d.bucketOptions;
        (d.bucketCounts ?? []).forEach((c, i) => (counts[i] = (counts[i] ?? 0) + num(c)));
    }
    const total = counts.reduce((a, b) => a + (b ?? 0), 0);
    if (!options || total === 0) return undefined;
    const bounds = bucketBounds(options, counts.length);
    const rank = 0.99 * total;
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
        const c = counts[i] ?? 0;
        if (c > 0 && seen + c >= rank) {
            const [lo, hi] = bounds[i];
            return hi === Infinity ? lo : lo + ((hi - lo) * (rank - seen)) / c;
        }
        seen += c;
    }
    return undefined;
}

export function cloudMonitoringSource(client: MetricServiceClient, target: CloudMonitoringTarget): MetricsSource {
    const list = async (metric: string, backend: string, window: Window, groupBy: string[]): Promise<TimeSeries[]> => {
        const seconds = Math.max(60, Math.ceil((window.end.getTime() - window.start.getTime()) / 1000));
        const [series] = await client.listTimeSeries({
            name: `projects/${target.projectId}`,
            filter: `metric.type="${LB}/${metric}" AND resource.type="https_lb_rule" AND resource.label.backend_target_name="${backend}"`,
            interval: { startTime: { seconds: Math.floor(window.start.getTime() / 1000) }, endTime: { seconds: Math.ceil(window.end.getTime() / 1000) } },
            // One delta over the whole window, summed over forwarding rules, proxies and client regions.
            aggregation: { alignmentPeriod: { seconds }, perSeriesAligner: "ALIGN_DELTA", crossSeriesReducer: "REDUCE_SUM", groupByFields: groupBy },
            view: "FULL",
        });
        return series;
    };
    return {
        name: "cloud-monitoring",
        async read(colors, window) {
            const out: Record<string, ColorMetrics> = {};
            for (const color of colors) {
                const backend = target.backendServices[color];
                if (!backend) throw new Error(`cloud monitoring: no backend service known for ${color}`);
                const [counts, latencies] = await Promise.all([
                    list("backend_request_count", backend, window, ["metric.label.response_code_class"]),
                    list("backend_latencies", backend, window, ["resource.label.backend_target_name"]),
                ]);
                const missing = `in the window (no requests reached it, or it is not the backend service's name)`;
                if (counts.length === 0)
                    throw new NoDataError(`cloud monitoring: no ${LB}/backend_request_count for ${color} (backend service ${backend}) ${missing}`);
                let requests = 0;
                let errors = 0;
                for (const s of counts) {
                    const n = (s.points ?? []).reduce((a, p) => a + num(p.value?.int64Value), 0);
                    requests += n;
                    if (s.metric?.labels?.response_code_class === "500") errors += n;
                }
                if (requests === 0) {
                    out[color] = { requests: 0 };
                    continue;
                }
                const p99Ms = distributionP99(
                    latencies.flatMap((s) => (s.points ?? []).flatMap((p) => (p.value?.distributionValue ? [p.value.distributionValue] : []))),
                );
                if (p99Ms === undefined)
                    throw new NoDataError(`cloud monitoring: no ${LB}/backend_latencies for ${color} (backend service ${backend}) ${missing}`);
                out[color] = { requests, successRate: 1 - errors / requests, p99Ms };
            }
            return out;
        },
    };
}
