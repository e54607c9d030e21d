// The wait between `pulumi up` and judging the live route: `up` returns once the HTTPRoute is written,
// but the data plane (Envoy over xDS, an ALB's listener rules, AGC, every Google front end of a URL
// map) applies it later. Until it has, answers from the state before the change are expected, not
// failures; an unhealthy answer from the state the change moves to is a failure at once, and a route
// that never moves within the bound fails closed.
import { formatMs } from "./report";
import { describeAnswer, describeExpect as named, probe, type Expect, type ProbeResult } from "./health";

/**
 * forward: traffic moves to a colour that must prove itself; the previous state may keep answering
 * meanwhile, but only healthily (it is still serving users). rollback: traffic leaves a colour that
 * failed, so whatever does not come from the target yet (the failed colour's errors, a connection
 * reset while the proxy switches) means "not there yet"; the check after the rollback judges.
 */
export type ConvergeMode = "forward" | "rollback";

export interface ConvergeSpec {
    url: string;
    /** Headers of every probe (the app's Host). */
    headers?: Record<string, string>;
    /** The state the change moves to (colour -> version). */
    target: Expect;
    /** The state before the change. */
    previous: Expect;
    mode: ConvergeMode;
    versionField?: string;
    timeoutMs: number;
    intervalMs: number;
    /** Consecutive answers from the target that show the route has moved. */
    successThreshold: number;
    /** Failed answers tolerated (forward: like the watch's --max-failures). */
    maxFailures: number;
    /** The bound (--converge-timeout). */
    boundMs: number;
    signal?: AbortSignal;
    /** Injected in tests, so the bound does not depend on the machine's speed. */
    clock?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

export interface ConvergeResult {
    ok: boolean;
    converged: boolean;
    attempts: number;
    /** Answers that did not come from the target yet but were no failure. */
    waiting: number;
    failures: number;
    last?: ProbeResult;
    ms: number;
}

export type AnswerKind = "target" | "waiting" | "failure";

/** Whether an answer came from one of `expect`'s colours at its version (with --version-path an answer may name only its version). */
function fromState(p: ProbeResult, expect: Expect): boolean {
    if (p.color !== undefined) return expect[p.color] === p.version;
    return p.version !== undefined && Object.values(expect).includes(p.version);
}

/** What one answer says about the move (probe() judged it against `target` already). */
export function classify(p: ProbeResult, previous: Expect, target: Expect, mode: ConvergeMode): AnswerKind {
    if (p.ok) return "target";
    if (fromState(p, target)) return "failure"; // the target answered, unhealthily
    if (mode === "rollback") return "waiting";
    const ok2xx = p.status !== undefined && p.status >= 200 && p.status < 300;
    return ok2xx && fromState(p, previous) ? "waiting" : "failure";
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Probe until `successThreshold` answers in a row come from the target, failures exceed the limit, or the bound passes. */
export async function awaitConvergence(spec: ConvergeSpec): Promise<ConvergeResult> {
    const now = spec.clock ?? (() => performance.now());
    const sleep = spec.sleep ?? pause;
    const started = now();
    let run = 0;
    let attempts = 0;
    let waiting = 0;
    let failures = 0;
    let last: ProbeResult | undefined;
    while (run < spec.successThreshold && failures <= spec.maxFailures && !spec.signal?.aborted) {
        if (attempts > 0) {
            if (now() - started >= spec.boundMs) break;
            await sleep(spec.intervalMs);
        }
        last = await probe(spec.url, spec.headers ?? {}, spec.timeoutMs, spec.target, spec.versionField);
        attempts++;
        const kind = classify(last, spec.previous, spec.target, spec.mode);
        if (kind === "target") run++;
        else {
            run = 0;
            if (kind === "waiting") waiting++;
            else failures++;
        }
    }
    const converged = run >= spec.successThreshold;
    return { ok: converged && failures <= spec.maxFailures, converged, attempts, waiting, failures, last, ms: Math.round(now() - started) };
}

/** The step's detail: how long the move took, or why it is judged failed. */
export function describeConvergence(res: ConvergeResult, spec: ConvergeSpec): string {
    const target = named(spec.target);
    const waited = `${res.waiting} answers ${spec.mode === "forward" ? `from ${named(spec.previous)}` : "not from it yet"}`;
    const failed = `${res.failures} failed (tolerate ${spec.maxFailures})`;
    if (res.ok) return `converged in ${res.ms} ms: ${spec.successThreshold} in a row from ${target} after ${waited}, ${failed}`;
    if (res.failures > spec.maxFailures) return `unhealthy while converging to ${target}: ${failed}, ${waited}; last: ${describeAnswer(res.last)}`;
    if (spec.signal?.aborted) return `stopped after ${res.ms} ms: ${waited}, ${failed}`;
    return (
        `did not converge within ${formatMs(spec.boundMs)} (--converge-timeout): ${waited}, never ${spec.successThreshold} in a row from ${target}; ` +
        `${failed}; last: ${describeAnswer(res.last)}`
    );
}
