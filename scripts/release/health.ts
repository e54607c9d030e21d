// HTTP health checks of the app through its routes: single probes, a check that needs a run of
// consecutive successes, and a watch over a time window. Bounded in requests and time.
// Every answer must say which colour and version served it (response headers the route sets per
// backend, see components/k8s/release.ts): a 2xx that cannot be attributed, or that came from a
// colour/version the check did not expect, is a failure, never a pass.
import http from "node:http";
import https from "node:https";

/** Response headers naming the colour and version that answered (set per backendRef by the HTTPRoute). */
export const COLOR_HEADER = "x-zdp-color";
export const VERSION_HEADER = "x-zdp-version";

/** Which answers count: colour -> the version it must run. */
export type Expect = Record<string, string>;

export interface ProbeResult {
    ok: boolean;
    status?: number;
    error?: string;
    /** Colour and version the answer named (absent: it named none). */
    color?: string;
    version?: string;
    ms: number;
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(",") : v);

/** Colours and versions as a reader says them: "blue 1.0.0 or green 2.0.0". */
export const describeExpect = (e: Expect) =>
    Object.entries(e)
        .map(([c, v]) => `${c} ${v}`)
        .join(" or ");

/** Why an answer does not prove it came from an expected colour and version, or undefined when it does. */
export function attributionError(color: string | undefined, version: string | undefined, expect: Expect): string | undefined {
    const wanted = describeExpect(expect);
    if (!color || !version) return `the answer has no ${COLOR_HEADER}/${VERSION_HEADER} header: cannot tell which colour answered (expected ${wanted})`;
    if (expect[color] !== version) return `answered by ${color} ${version}, expected ${wanted}`;
    return undefined;
}

/**
 * One GET; healthy means a complete 2xx answer, body included, within the deadline, and (with
 * `expect`) attributed to one of the expected colours at its expected version.
 */
export function probe(url: string, headers: Record<string, string>, timeoutMs: number, expect?: Expect, versionField?: string): Promise<ProbeResult> {
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
            let color = header(res.headers[COLOR_HEADER]);
            let version = header(res.headers[VERSION_HEADER]);
            // Without the headers, an app's version endpoint (e.g. podinfo's /version JSON) names the
            // version; the colour is the one expected colour running it (two with one version: unknown).
            const readBody = !color && !version && versionField !== undefined && expect !== undefined;
            let body = "";
            if (readBody) res.on("data", (c) => body.length < 65_536 && (body += c));
            else res.resume();
            res.on("end", () => {
                const ok2xx = res.statusCode! >= 200 && res.statusCode! < 300;
                if (readBody && ok2xx) {
                    try {
                        const v = (JSON.parse(body) as Record<string, unknown>)[versionField];
                        if (typeof v === "string") version = v;
                    } catch {
                        // not JSON: the version stays unknown, so the attribution fails below
                    }
                    const running = Object.entries(expect).filter(([, ver]) => ver === version);
                    if (running.length === 1) color = running[0][0];
                }
                const wrong = ok2xx && expect ? attributionError(color, version, expect) : undefined;
                done({ ok: ok2xx && !wrong, status: res.statusCode, color, version, ...(wrong ? { error: wrong } : {}) });
            });
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

/** Waits `ms`, or less when `signal` aborts meanwhile (the timer is then cleared, so it keeps nothing alive). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });
}

/** The time a watch, a load step or an analysis runs for (tests pass one that moves only when they say). */
export interface Clock {
    now(): number;
    /** Resolves after `ms`, or as soon as `signal` aborts. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = { now: () => performance.now(), sleep };

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
    /** Colour -> version an answer must come from. */
    expect: Expect;
    /** JSON field of the answer naming the version when the attribution headers are absent. */
    versionField?: string;
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
        last = await probe(spec.url, spec.headers, spec.timeoutMs, spec.expect, spec.versionField);
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
    /**
     * Requests used in turn (e.g. live, then the canary colour's preview route), each with the
     * colours/versions allowed to answer it.
     */
    requests: { headers: Record<string, string>; expect: Expect }[];
    versionField?: string;
    timeoutMs: number;
    intervalMs: number;
    windowMs: number;
    maxFailures: number;
    signal?: AbortSignal;
    clock?: Clock;
}

/** Probe for the whole window; unhealthy as soon as failures exceed `maxFailures`. */
export async function watchHealthy(spec: WatchSpec): Promise<CheckResult> {
    const clock = spec.clock ?? realClock;
    const started = clock.now();
    const deadline = started + spec.windowMs;
    let attempts = 0;
    let failures = 0;
    let last: ProbeResult | undefined;
    // At least one probe, so a zero-length window still proves the route answers.
    do {
        if (attempts > 0) await clock.sleep(Math.min(spec.intervalMs, Math.max(0, deadline - clock.now())));
        const request = spec.requests[attempts % spec.requests.length];
        last = await probe(spec.url, request.headers, spec.timeoutMs, request.expect, spec.versionField);
        attempts++;
        if (!last.ok && ++failures > spec.maxFailures) break;
    } while (clock.now() < deadline && !spec.signal?.aborted);
    return {
        ok: failures <= spec.maxFailures && !spec.signal?.aborted,
        attempts,
        successes: attempts - failures,
        failures,
        last,
        ms: Math.round(clock.now() - started),
    };
}

/** One answer in a line: its error, or its status and who sent it. */
export function describeAnswer(p: ProbeResult | undefined): string {
    if (!p) return "no request";
    const by = p.color ? ` from ${p.color} ${p.version ?? "?"}` : "";
    return p.error ?? `HTTP ${p.status}${by}`;
}

export function describe(r: CheckResult): string {
    return `${r.successes}/${r.attempts} healthy, ${r.failures} failed; last: ${describeAnswer(r.last)}`;
}
