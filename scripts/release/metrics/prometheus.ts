// dev: Prometheus (scraping Envoy Gateway) through its HTTP API, GET /api/v1/query (instant
// queries evaluated at the window's end). Response shape, from the Prometheus docs "HTTP API":
//   {"status":"success","data":{"resultType":"vector","result":[{"metric":{...},"value":[<unix s>,"<number as string>"]}]}}
// Envoy Gateway names one Envoy cluster per route rule (httproute/<ns>/<route>/rule/<n>), so the
// per-colour split is in the queries, which the stack config supplies; `{{color}}` and `{{window}}`
// (e.g. 300s) are filled in per call.
import type { ColorMetrics, MetricsSource, Window } from "./source";

export interface PrometheusQueries {
    /** Requests in the window. */
    requests: string;
    /** Requests answered with a 5xx in the window. */
    errors: string;
    /** p99 latency in ms over the window. */
    p99Ms: string;
}

interface VectorResponse {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export function prometheusSource(baseUrl: string, queries: PrometheusQueries, timeoutMs = 10_000): MetricsSource {
    const instant = async (query: string, at: Date): Promise<number | undefined> => {
        const url = new URL("api/v1/query", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
        url.searchParams.set("query", query);
        url.searchParams.set("time", String(at.getTime() / 1000));
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.json()) as VectorResponse;
        if (!res.ok || body.status !== "success") throw new Error(`prometheus: ${query}: ${body.error ?? `HTTP ${res.status}`}`);
        if (body.data?.resultType !== "vector") throw new Error(`prometheus: ${query}: expected a vector, got ${body.data?.resultType}`);
        if (body.data.result.length > 1) throw new Error(`prometheus: ${query}: ${body.data.result.length} series, expected one (aggregate with sum)`);
        const v = body.data.result[0]?.value[1];
        return v === undefined ? undefined : Number(v);
    };
    return {
        name: "prometheus",
        async read(colors, window: Window) {
            const seconds = `${Math.max(1, Math.round((window.end.getTime() - window.start.getTime()) / 1000))}s`;
            const fill = (q: string, color: string) => q.replaceAll("{{color}}", color).replaceAll("{{window}}", seconds);
            const out: Record<string, ColorMetrics> = {};
            for (const color of colors) {
                const [requests, errors, p99] = await Promise.all(
                    [queries.requests, queries.errors, queries.p99Ms].map((q) => instant(fill(q, color), window.end)),
                );
                const n = Math.round(requests ?? 0);
                out[color] =
                    n > 0
                        ? { requests: n, successRate: 1 - (errors ?? 0) / n, p99Ms: p99 !== undefined && Number.isFinite(p99) ? p99 : undefined }
                        : { requests: 0 };
            }
            return out;
        },
    };
}
