// HTTP health checks of the app through its routes: single probes, a check that needs a run of
// consecutive successes, and a watch over a time window. Bounded in requests and time.
import http from "node:http";
import https from "node:https";

export interface ProbeResult {
    ok: boolean;
    status?: number;
    error?: string;
    ms: number;
}

/** One GET; healthy means a complete 2xx answer, body included, within the deadline. */
export function probe(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    return new Promise((resolve) => {
        let settled = false;
        const done = (r: Omit<ProbeResult, "ms">) => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            resolve({ ...r, ms: Math.round(performance.now() - started) });
        };
        // A fresh connection per probe, so a check is not answered by one pinned backend connection.
        const req = client.get(target, { headers, agent: false }, (res) => {
            res.resume();
            res.on("end", () => done({ ok: res.statusCode! >= 200 && res.statusCode! < 300, status: res.statusCode }));
            res.on("error", (e) => done({ ok: false, status: res.statusCode, error: e.message }));
        });
        // A deadline for the whole exchange, not an idle timeout: a response trickling a byte at a
        // time would otherwise keep a check open indefinitely.
        const deadline = setTimeout(() => {
            done({ ok: false, error: `no complete answer within ${timeoutMs} ms` });
            req.destroy();
        }, timeoutMs);
        req.on("error", (e) => done({ ok: false, error: e.message }));
    });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface CheckResult {
    ok: boolean;
    attempts: number;
    successes: number;
    failures: number;
    last?: ProbeResult;
    ms: number;
}

export interface CheckSpec {
    url: string;
    headers: Record<string, string>;
    timeoutMs: number;
    intervalMs: number;
    successThreshold: number;
    maxAttempts: number;
    /** Stops the check early (Ctrl-C): it then reports unhealthy. */
    signal?: AbortSignal;
}

/**
 * Probe until `successThreshold` consecutive successes (healthy) or until the remaining attempts
 * cannot reach it any more (unhealthy). A flapping backend never gets a long enough run.
 */
export async function checkHealthy(spec: CheckSpec): Promise<CheckResult> {
    const started = performance.now();
    let run = 0;
    let successes = 0;
    let attempts = 0;
    let last: ProbeResult | undefined;
    while (attempts < spec.maxAttempts && run < spec.successThreshold && !spec.signal?.aborted) {
        if (spec.maxAttempts - attempts < spec.successThreshold - run) break;
        if (attempts > 0) await sleep(spec.intervalMs);
        last = await probe(spec.url, spec.headers, spec.timeoutMs);
        attempts++;
        if (last.ok) {
            run++;
            successes++;
        } else run = 0;
    }
    return { ok: run >= spec.successThreshold, attempts, successes, failures: attempts - successes, last, ms: Math.round(performance.now() - started) };
}

export interface WatchSpec {
    url: string;
    /** Header sets used in turn, one per request (e.g. live, then the canary colour's preview route). */
    headerSets: Record<string, string>[];
    timeoutMs: number;
    intervalMs: number;
    windowMs: number;
    maxFailures: number;
    signal?: AbortSignal;
}

/** Probe for the whole window; unhealthy as soon as failures exceed `maxFailures`. */
export async function watchHealthy(spec: WatchSpec): Promise<CheckResult> {
    const started = performance.now();
    const deadline = started + spec.windowMs;
    let attempts = 0;
    let failures = 0;
    let last: ProbeResult | undefined;
    // At least one probe, so a zero-length window still proves the route answers.
    do {
        if (attempts > 0) await sleep(Math.min(spec.intervalMs, Math.max(0, deadline - performance.now())));
        last = await probe(spec.url, spec.headerSets[attempts % spec.headerSets.length], spec.timeoutMs);
        attempts++;
        if (!last.ok && ++failures > spec.maxFailures) break;
    } while (performance.now() < deadline && !spec.signal?.aborted);
    return {
        ok: failures <= spec.maxFailures && !spec.signal?.aborted,
        attempts,
        successes: attempts - failures,
        failures,
        last,
        ms: Math.round(performance.now() - started),
    };
}

export function describe(r: CheckResult): string {
    const last = r.last ? (r.last.error ?? `HTTP ${r.last.status}`) : "no request";
    return `${r.successes}/${r.attempts} healthy, ${r.failures} failed; last: ${last}`;
}
