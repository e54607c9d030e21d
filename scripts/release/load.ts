// `--load N`: N concurrent request loops through a route for a bounded time, every answer checked
// like a probe (complete 2xx from an expected colour/version within the deadline). Its numbers go
// into the report, and a promote's analysis window then holds real traffic on the candidate.
import { probe, realClock, type Clock, type Expect } from "./health";

export interface LoadResult {
    /** Clock readings (ms) when the load began and ended: the analysis's throughput gate spreads `requests` over them. */
    startMs: number;
    endMs: number;
    requests: number;
    failures: number;
    rps: number;
    p50Ms: number;
    p99Ms: number;
    lastError?: string;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : 0);

export async function load(spec: {
    url: string;
    headers: Record<string, string>;
    expect: Expect;
    concurrency: number;
    durationMs: number;
    timeoutMs: number;
    versionField?: string;
    signal?: AbortSignal;
    clock?: Clock;
}): Promise<LoadResult> {
    const clock = spec.clock ?? realClock;
    const started = clock.now();
    const end = started + spec.durationMs;
    const latencies: number[] = [];
    let failures = 0;
    let lastError: string | undefined;
    const loop = async () => {
        while (clock.now() < end && !spec.signal?.aborted) {
            const r = await probe(spec.url, spec.headers, spec.timeoutMs, spec.expect, spec.versionField);
            latencies.push(r.ms);
            if (!r.ok) {
                failures++;
                lastError = r.error ?? `HTTP ${r.status}`;
            }
        }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, loop));
    const ended = clock.now();
    const seconds = (ended - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
        startMs: started,
        endMs: ended,
        requests: latencies.length,
        failures,
        rps: Math.round(latencies.length / seconds),
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        lastError,
    };
}

export const describeLoad = (r: LoadResult, concurrency: number) =>
    `${r.requests} requests (${r.rps}/s, ${concurrency} connections), ${r.failures} failed, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${r.lastError ? `; last error: ${r.lastError}` : ""}`;
