// azure: Azure Monitor platform metrics of the Application Gateway for Containers, read with
// @azure/monitor-query-metrics' MetricsClient (the regional metrics:getBatch API; @azure/monitor-query,
// which had MetricsQueryClient, is deprecated in its favour). From
// https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-servicenetworking-trafficcontrollers-metrics
// namespace Microsoft.ServiceNetworking/trafficControllers, BackendHTTPResponseStatus (Count, Total,
// PT1M) with dimensions BackendService and HttpResponseCode: each colour's Service is its own
// backend service, so one query split by both gives every colour's requests and 5xx.
// Latency: AGC publishes no latency metric (same page), and its access log (AGCAccessLogs,
// https://learn.microsoft.com/azure/azure-monitor/reference/tables/AGCAccessLogs) names the pod IP a
// request went to, not its Service. So this source reports no p99; the analysis file must switch
// the latency checks off explicitly (thresholds.checkLatency: false) to use it.
// AGC reports nothing for a minute without requests, so a missing series cannot tell "no requests"
// from "wrong name": the read fails (NoDataError) rather than guess.
import type { MetricsClient } from "@azure/monitor-query-metrics";
import { NoDataError, type ColorMetrics, type MetricsSource } from "./source";

export const AGC_NAMESPACE = "Microsoft.ServiceNetworking/trafficControllers";
export const AGC_RESPONSES = "BackendHTTPResponseStatus";
/** Series asked for per query; an answer with this many may be cut short, so it fails the read. */
const TOP = 100;

export interface AzureMonitorTarget {
    /** Resource ID of the trafficControllers resource (the stack's AGC). */
    resourceId: string;
    /** Colour -> its BackendService dimension value, as the portal's "Apply splitting" shows it. */
    backendServices: Record<string, string>;
}

const quote = (v: string) => `'${v.replaceAll("'", "''")}'`;
/** Names compared without case or spaces: the API lower-cases dimension names, the SDK prefers localised ones. */
const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

export function azureMonitorSource(client: Pick<MetricsClient, "queryResources">, target: AzureMonitorTarget): MetricsSource {
    return {
        name: "azure-monitor",
        async read(colors, window) {
            const names = colors.map((c) => {
                const b = target.backendServices[c];
                if (!b) throw new Error(`azure monitor: no backend service known for ${c}`);
                return b;
            });
            // Filter syntax of the metrics API: values of one dimension or'ed, then the split dimension.
            const filter = `${names.map((n) => `BackendService eq ${quote(n)}`).join(" or ")} and HttpResponseCode eq '*'`;
            const [result, ...rest] = await client.queryResources([target.resourceId], [AGC_RESPONSES], AGC_NAMESPACE, {
                startTime: window.start,
                endTime: window.end,
                interval: "PT1M",
                aggregation: "total",
                filter,
                top: TOP,
            });
            if (!result || rest.length) throw new Error(`azure monitor: expected one result for ${target.resourceId}, got ${rest.length + (result ? 1 : 0)}`);
            // The SDK hands over localised names (e.g. "Backend HTTP Response Status"); the id ends with the REST name.
            const metric = result.metrics.find((m) => key(m.name) === key(AGC_RESPONSES) || m.id.toLowerCase().endsWith(`/${AGC_RESPONSES.toLowerCase()}`));
            if (!metric) throw new Error(`azure monitor: no ${AGC_RESPONSES} in the answer`);
            if (metric.errorCode && metric.errorCode !== "Success")
                throw new Error(`azure monitor: ${AGC_RESPONSES}: ${metric.errorCode} ${metric.errorMessage ?? ""}`.trim());
            if (metric.timeseries.length >= TOP) throw new Error(`azure monitor: ${metric.timeseries.length} series, the answer may be cut short`);
            const dim = (s: (typeof metric.timeseries)[number], name: string) => s.metadatavalues?.find((m) => key(m.name ?? "") === key(name))?.value;
            const out: Record<string, ColorMetrics> = {};
            colors.forEach((color, i) => {
                const series = metric.timeseries.filter((s) => dim(s, "BackendService") === names[i]);
                if (series.length === 0)
                    throw new NoDataError(
                        `azure monitor: no ${AGC_RESPONSES} for ${color} (BackendService ${names[i]}) in the window (no requests reached it, or it is not the dimension's value)`,
                    );
                let requests = 0;
                let errors = 0;
                for (const s of series) {
                    const n = (s.data ?? []).reduce((a, p) => a + (p.total ?? 0), 0);
                    requests += n;
                    if (/^5/.test(dim(s, "HttpResponseCode") ?? "")) errors += n;
                }
                out[color] = requests > 0 ? { requests, successRate: 1 - errors / requests } : { requests: 0 };
            });
            return out;
        },
    };
}
