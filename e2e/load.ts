// Constant load through the Gateway with autocannon in a process of its own (e2e/loadProcess.ts), so
// nothing the suite does synchronously (kubectl, the engine's program) delays a request or its timing;
// every answer attributed to the colour and version that sent it (the app's x-zdp-color /
// x-zdp-version headers; "gateway" for an answer without them). And the pure maths of a step's
// figures: failed requests, p99 and convergence on the step's target.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";

export interface Answer {
    /** ms on the clock both processes share (performance.timeOrigin + performance.now()) */
    at: number;
    status: number;
    /** `colour/version` of the pod that answered, or "gateway" (the proxy's own answer, e.g. a 502). */
    from: string;
}

/** What a step expects to answer: each `colour/version` and its share of requests (0..1). */
export type Target = Record<string, number>;

export interface StepFigures {
    requests: number;
    failed: number;
    p99Ms: number;
    /** ms from the step's start until the gateway answers as `target`; undefined if it never did. */
    convergedMs: number | undefined;
    /** Answers per `from`, failed ones counted apart. */
    by: Record<string, { ok: number; failed: number }>;
}

export const GATEWAY = "gateway";
const ok = (status: number) => status >= 200 && status < 300;

/**
 * When the answers settle on `target` for good: for a single destination, the first moment after
 * which nothing else answers; for a split, the first moment a window of `window` answers has moved
 * every destination's share at least halfway from before the step (`before`) to its target share.
 */
export function convergedAt(answers: Answer[], target: Target, before: Target = {}, window = 200): number | undefined {
    const dests = Object.keys(target).filter((k) => target[k] > 0);
    if (answers.length === 0 || dests.length === 0) return undefined;
    if (dests.length === 1) {
        const only = dests[0];
        let last = -1;
        for (let i = 0; i < answers.length; i++) if (answers[i].from !== only || !ok(answers[i].status)) last = i;
        if (last === answers.length - 1) return undefined;
        return last < 0 ? 0 : answers[last + 1].at;
    }
    const moving = [...new Set([...dests, ...Object.keys(before)])].filter((d) => (target[d] ?? 0) !== (before[d] ?? 0));
    const halfway = (d: string, share: number) => {
        const from = before[d] ?? 0;
        const to = target[d] ?? 0;
        return to > from ? share >= (from + to) / 2 : share <= (from + to) / 2;
    };
    const counts: Record<string, number> = {};
    for (let i = 0; i < answers.length; i++) {
        counts[answers[i].from] = (counts[answers[i].from] ?? 0) + 1;
        if (i >= window) counts[answers[i - window].from] -= 1;
        if (i >= window - 1 && moving.every((d) => halfway(d, (counts[d] ?? 0) / window))) return answers[i].at;
    }
    return undefined;
}

/** A step's figures; `startMs` is when the step's change began (the load starts a little earlier). */
export function figures(answers: Answer[], errors: number, p99Ms: number, target: Target, before?: Target, startMs = 0): StepFigures {
    const by: StepFigures["by"] = {};
    for (const a of answers) {
        const b = (by[a.from] ??= { ok: 0, failed: 0 });
        if (ok(a.status)) b.ok++;
        else b.failed++;
    }
    const at = convergedAt(answers, target, before);
    return {
        requests: answers.length + errors,
        failed: answers.filter((a) => !ok(a.status)).length + errors,
        p99Ms,
        convergedMs: at === undefined ? undefined : Math.max(0, at - startMs),
        by,
    };
}

/** The line tooling reads: `traffic <step>: <N> requests, <M> failed, p99 <ms> ms, converged <ms> ms`. */
export function trafficLine(step: string, f: StepFigures): string {
    const converged = f.convergedMs === undefined ? "never" : `${Math.round(f.convergedMs)} ms`;
    return `traffic ${step}: ${f.requests} requests, ${f.failed} failed, p99 ${Math.round(f.p99Ms)} ms, converged ${converged}`;
}

/** What the load process sends: new answers as they come, then the totals once stopped. */
export type LoadMessage = { answers: Answer[] } | { errors: number; p99Ms: number };

export interface LoadOptions {
    url: string;
    /** Sent with every request; `host` picks the app when the gateway routes by Host. */
    headers?: Record<string, string>;
    /** requests per second over all connections */
    rate: number;
    connections: number;
    /** the load stops by itself after this long */
    maxSeconds: number;
    timeoutSeconds: number;
}

/** Milliseconds on a clock every process of this machine reads alike. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/** A running load: `rate` requests/s over `connections` keep-alive connections, at most `maxSeconds`. */
export class Load {
    readonly answers: Answer[] = [];
    private readonly child: ChildProcess;
    private readonly totals: Promise<{ errors: number; p99Ms: number }>;

    constructor(opts: LoadOptions) {
        this.child = fork(path.join(__dirname, "loadProcess.ts"), [JSON.stringify(opts)], { execArgv: ["--require", "tsx/cjs"], stdio: "inherit" });
        this.totals = new Promise((resolve, reject) => {
            this.child.on("message", (m: LoadMessage) => {
                if ("answers" in m) this.answers.push(...m.answers);
                else resolve(m);
            });
            // Not on "exit": the exit can be handled before the last messages of the channel. Node emits the
            // channel's messages before its "disconnect", which the load process sends only after its totals.
            this.child.on("disconnect", () => reject(new Error(`e2e: the load process ended (exit code ${this.child.exitCode}) before reporting its totals`)));
        });
    }

    now(): number {
        return wallMs();
    }

    /** convergedAt over the answers so far. */
    convergedAt(target: Target, before?: Target): number | undefined {
        return convergedAt(this.answers, target, before);
    }

    /** Stops the load; the step's figures against `target` (and the split `before` it), the step begun at `startMs`. */
    async stop(target: Target, before: Target | undefined, startMs: number): Promise<StepFigures> {
        this.child.send("stop");
        const { errors, p99Ms } = await this.totals;
        return figures(this.answers, errors, p99Ms, target, before, startMs);
    }
}
