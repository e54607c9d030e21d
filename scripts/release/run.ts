// Carries out one release command against a Workspace, in phases that each take and return explicit
// state: read (the config as the program parses it, and the plan), resolve (the deployed stack and
// the endpoint), precheck (the receiving colour through its preview route), apply (config and `up`
// step by step, waiting for the live route to converge on each new state), watch (the live route
// after each step) and, on any failure, rollback: the previous config back and `up` again, the live
// route first (never after a rollback's up).
import os from "node:os";
import type { Track } from "../../model/releasePlan";
import { CONVERGE_DEFAULT_MS, EXIT, type CheckOptions, type ReleaseAction, type ReleaseArgs } from "./args";
import {
    configCommands,
    deployedDifferences,
    revertToDeployed,
    fastRollbackBlocker,
    appNames,
    parsedStack,
    planRelease,
    readState,
    restoreEdit,
    type StackEdit,
    type ConfigStep,
    type ReleasePlan,
    type ReleaseState,
} from "./change";
import { awaitConvergence, describeConvergence, type ConvergeMode, type ConvergeSpec } from "./converge";
import { checkHealthy, describe, describeExpect, watchHealthy, realClock, type CheckResult, type Clock, type Expect } from "./health";
import { runAnalysis, type Analysis } from "./analysis";
import { sentInto, type Span } from "./analysisVerdict";
import { describeLoad, load, type LoadResult } from "./load";
import { previewTokenTransportProblem } from "./tokenTransport";
import { acquireLock, breakLock, LEASE_NAME, LOCK_SECONDS, type HeldLock } from "./lock";
import { recordRelease, type ReleaseRecord } from "./record";
import { Reporter, StepFailed, formatMs, type StepRecord } from "./report";
import { urnName, type ChangeSummary, type Workspace } from "./workspace";
import { appKey, previewTokenOutput } from "./appKeys";
import { DEFAULT_APP } from "../../model/stackConfig";

/** Who holds the lock: the CI run, or user@host and pid. */
export function holderIdentity(env: NodeJS.ProcessEnv = process.env): string {
    if (env.GITHUB_RUN_ID) return `${env.GITHUB_ACTOR ?? "github"} (CI ${env.GITHUB_REPOSITORY ?? ""} run ${env.GITHUB_RUN_ID})`;
    return `${os.userInfo().username}@${os.hostname()} pid ${process.pid}`;
}

export interface ReleaseResult {
    exitCode: number;
    outcome: string;
    steps: StepRecord[];
}

/** What the caller may add to a run: all optional. */
export interface RunOptions {
    /** SIGINT/SIGTERM in the CLI: see runRelease. */
    signal?: AbortSignal;
    analysis?: Analysis;
    /** Times the watches, the load step and the convergence waits (the real clock unless a test passes its own). */
    clock?: Clock;
    /** Asks the operator yes/no (a terminal's prompt); absent: nobody can be asked, so --break-lock needs --yes. */
    confirm?: (question: string) => Promise<boolean>;
    /** The plan, decided by the caller instead of from the command (apply.ts: a merge that changes no release key). */
    plan?: ReleasePlan;
}

/** What every phase gets: the command, the stack, the report, the caller's options. Fixed for the whole run. */
interface Run extends RunOptions {
    args: ReleaseArgs;
    ws: Workspace;
    log: (line: string) => void;
    r: Reporter;
    /** performance.now() when the command started (the report's total time). */
    started: number;
    /** Wall time of a clock reading (the windows an analysis asks its source for). */
    at: (t: number) => Date;
}

/** The read phase's result: the stack file before the command and the state it describes. */
interface Read {
    /** The stack file's project keys before the command: what a rollback puts back. */
    before: Record<string, string>;
    state: ReleaseState;
}

/** Where the checks send requests: the resolve phase's result. */
interface Routes {
    live: string;
    /** Headers of every request: the app's Host (see hostHeader). */
    liveHeaders: Record<string, string>;
    /** The live headers and the preview route's token. */
    previewHeaders: Record<string, string>;
}

/** The read phase and the plan of a changing command. */
interface Planned extends Read {
    plan: ReleasePlan;
}

/**
 * What the apply phase has changed so far, updated as each change lands, so that a failure at any
 * point rolls back exactly that.
 */
interface Progress {
    /** The state the stack file describes now (after the steps so far): what each check must see answer. */
    current: ReleaseState;
    /** Keys written to the stack file. */
    touched: Set<string>;
    upStarted: boolean;
}

/** What the steps around an `up` need. */
interface Traffic extends Run, Routes {
    /** Bound of each convergence wait (--converge-timeout or the cloud's default). */
    boundMs: number;
    /** The stack's release lock: each change first checks it is still held. */
    held: HeldLock;
}

const summarize = (s: ChangeSummary) =>
    Object.entries(s)
        .filter(([, n]) => n)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ") || "no changes";

const message = (e: unknown) => (e as Error).message;

/** Prints the step table and the outcome line. */
function finish(run: Run, exitCode: number, outcome: string): ReleaseResult {
    run.log("");
    run.log(run.r.table());
    run.log(`${exitCode === EXIT.ok ? "OK" : "FAILED"} (exit ${exitCode}, ${formatMs(Math.round(performance.now() - run.started))}): ${outcome}`);
    return { exitCode, outcome, steps: run.r.steps };
}

/** An `up`'s own output, indented under its step. */
function upOutput(run: Run): (line: string) => void {
    return (line) => {
        for (const l of line.split("\n")) if (l.trim()) run.log(`      | ${l.trimEnd()}`);
    };
}

/** Throws once SIGINT/SIGTERM has arrived: the command stops at the next step or check. */
function interrupted(run: Run): void {
    if (run.signal?.aborted) throw new Error(`interrupted by ${String(run.signal.reason ?? "a signal")}`);
}

/**
 * An app with a domain is routed by that Host alone (its HTTPRoute's hostnames), and another app of the
 * stack may serve every other host: a URL that names something else (--endpoint: a port-forward, the
 * load balancer's address) would reach that other app, or nothing. Every request names the domain.
 */
export function hostHeader(url: string, domain: string | undefined): Record<string, string> {
    return domain === undefined || new URL(url).hostname === domain ? {} : { host: domain };
}

/** `outputs`: the app's own (appKeys.ts appOutputs). */
function baseUrl(args: ReleaseArgs, state: ReleaseState, outputs: Record<string, unknown>): string {
    if (args.endpoint) return args.endpoint;
    // With a domain the Gateway serves HTTPS for that name only; the LB hostname would fail TLS.
    if (state.domain) return `https://${state.domain}`;
    const endpoint = outputs.endpoint;
    if (typeof endpoint !== "string" || endpoint === "")
        throw new Error(`the stack has no \`${appKey(state.app, "endpoint")}\` output yet (run \`pulumi up\` first) and no --endpoint was given`);
    return endpoint.includes("://") ? endpoint : `http://${endpoint}`;
}

function httpCheck(url: string, headers: Record<string, string>, expect: Expect, c: CheckOptions, signal?: AbortSignal): Promise<CheckResult> {
    return checkHealthy({
        url,
        headers,
        expect,
        versionField: c.versionField,
        timeoutMs: c.timeoutMs,
        intervalMs: c.intervalMs,
        successThreshold: c.successThreshold,
        maxAttempts: c.maxAttempts,
        signal,
    });
}

const versionOf = (s: ReleaseState, track: string) => s.versions[track as Track] ?? "(unset)";

/** The colours (with their versions) a state's live route may answer from: those with weight. */
export function liveExpect(s: ReleaseState): Expect {
    return Object.fromEntries(
        Object.entries(s.weights)
            .filter(([, w]) => w > 0)
            .map(([t]) => [t, versionOf(s, t)]),
    );
}

/** The preview route answers from the inactive colour only. */
export const previewExpect = (s: ReleaseState, color: string): Expect => ({ [color]: versionOf(s, color) });

/**
 * `signal` (SIGINT/SIGTERM in the CLI) stops the command at the next step or inside a check/watch;
 * a running `up` finishes first. What was changed is then restored like any failure (a rollback
 * stays), the report is printed, and the exit code is 130.
 *
 * The phases, in order: read (config and plan), resolve (deployed stack and endpoint), precheck
 * (the receiving colour before any change), apply (each step's config and `up`), watch (the live
 * route after each step) and, on a failure after a change, rollback. Nothing is changed before the
 * release lock is held; until then a failure refuses the command.
 */
export async function runRelease(args: ReleaseArgs, ws: Workspace, log: (line: string) => void, opts: RunOptions = {}): Promise<ReleaseResult> {
    const c0 = (opts.clock ?? realClock).now();
    const epoch0 = Date.now();
    const at = (t: number) => new Date(epoch0 + t - c0);
    const run: Run = { args, ws, log, r: new Reporter(log), started: performance.now(), ...opts, at };
    let planned: Planned;
    try {
        const read = await readPhase(run);
        if (args.action.kind === "status") return await status(run, read);
        planned = { ...read, plan: await planPhase(run, read.state, args.action) };
    } catch (e) {
        return finish(run, EXIT.refused, message(e));
    }
    if (args.dryRun) return dryRun(run, planned.plan);

    // Changes start here: hold the stack's release lock until the end, whatever the outcome.
    let held: HeldLock;
    let record: ReleaseRecord | undefined;
    try {
        ({ held, record } = await lockPhase(run, planned));
    } catch (e) {
        return finish(run, EXIT.refused, message(e));
    }
    let result: ReleaseResult | undefined;
    try {
        return (result = await release(run, planned, held));
    } finally {
        // The verdict goes on the record while the lock is still held: the page never sees a free lock before it.
        await record?.end(result?.exitCode === EXIT.ok, result?.outcome ?? "ended by an internal error (see the CLI's output)");
        await held.release().catch((e) => log(`releasing the lock failed (it expires ${LOCK_SECONDS} s after its last renewal): ${message(e)}`));
    }
}

/** Read: the stack file's keys (what a rollback puts back) and the release state the program reads from it. */
async function readPhase(run: Run): Promise<Read> {
    const { ws, r } = run;
    const app = run.args.app === undefined ? "" : ` (app ${run.args.app})`;
    return r.step(`read config of stack ${ws.stackName}${app}`, async () => {
        const stackConfig = await ws.stackConfig();
        const s = readState(await ws.programConfig(), ws.stackName, ws.project, run.args.app);
        const versions = s.strategy === "rolling" ? `app ${s.versions.app}` : `blue ${s.versions.blue ?? "-"}, green ${s.versions.green ?? "-"}`;
        return { value: { before: stackConfig, state: s }, detail: `${s.strategy}; active ${s.activeColor}; ${versions}; canary ${s.canaryWeight}%` };
    });
}

function planPhase(run: Run, state: ReleaseState, action: ReleaseAction | { kind: "apply" }): Promise<ReleasePlan> {
    return run.r.step("plan the change", async () => {
        if (action.kind === "apply" && !run.plan) throw new Error("apply runs through apply.ts, which derives the command from the merge");
        const p = run.plan ?? planRelease(state, action as ReleaseAction);
        return { value: p, detail: p.summary };
    });
}

/**
 * The release lock; with --break-lock, a killed run's lease is removed first (once confirmed). Once held,
 * every step so far and from now on goes on the release's record in the cluster (record.ts).
 */
async function lockPhase(run: Run, { state, plan }: Planned): Promise<{ held: HeldLock; record?: ReleaseRecord }> {
    const { ws, r, args } = run;
    const where = `Lease ${LEASE_NAME} in namespace ${state.namespace}`;
    const leases = await ws.lease(state.namespace);
    if (args.breakLock) {
        const confirm = args.yes ? async () => true : run.confirm;
        await r.step(`break the release lock (${where})`, async () => ({ value: undefined, detail: await breakLock(leases, confirm) }));
    }
    const held = await r.step(`take the release lock (${where})`, async () => {
        const h = await acquireLock(leases, holderIdentity(), LOCK_SECONDS, (why) => r.info(`WARNING: ${why}; stopping before the next change`));
        return { value: h, detail: h.detail };
    });
    if (!leases.record) {
        r.info("WARNING: this cluster access cannot record the release's steps: the release page will not show them");
        return { held };
    }
    const record = recordRelease(leases.record, holderIdentity(), args.action.kind, plan.summary, (why) => r.info(`WARNING: ${why}`));
    r.listen(record.step);
    return { held, record };
}

/** Resolve: the live URL and the preview route's header, from --endpoint or the stack's outputs (fetched when `outputs` is empty). */
async function resolvePhase(run: Run, state: ReleaseState, outputs: Record<string, unknown>): Promise<{ routes: Routes; outputs: Record<string, unknown> }> {
    const { args, ws } = run;
    const routes = await run.r.step("resolve the app endpoint", async () => {
        if (!args.endpoint && Object.keys(outputs).length === 0) outputs = await ws.outputs(state.app);
        const base = baseUrl(args, state, outputs);
        const live = new URL(args.versionPath ?? state.healthPath, base).toString();
        const liveHeaders = hostHeader(live, state.domain);
        const host = liveHeaders.host ? ` (Host ${liveHeaders.host})` : "";
        if (state.strategy === "rolling") return { value: { live, liveHeaders, previewHeaders: liveHeaders }, detail: live + host };
        // The preview route answers only the generated token (a dark canary), never a guessable value.
        const transport = previewTokenTransportProblem(live);
        if (transport) throw new Error(transport);
        const token = await ws.previewToken(state.app);
        if (!token)
            throw new Error(
                `the stack exports no ${previewTokenOutput(state.app)} (the preview route's secret header value): run \`pulumi up\` with this version of the program first`,
            );
        return {
            value: { live, liveHeaders, previewHeaders: { ...liveHeaders, [state.previewHeader]: token } },
            detail: `${live}${host} (preview: ${state.previewHeader} with the stack's secret previewToken)`,
        };
    });
    return { routes, outputs };
}

/** `status`: one request to each route, the configured against the deployed weights. Changes nothing. */
async function status(run: Run, { state }: Read): Promise<ReleaseResult> {
    const { args, ws, log } = run;
    const { routes, outputs } = await resolvePhase(run, state, {});
    const { live, liveHeaders, previewHeaders } = routes;
    const once = { ...args.checks, successThreshold: 1, maxAttempts: 1 };
    const liveHealth = await httpCheck(live, liveHeaders, liveExpect(state), once);
    const previewHealth = state.strategy === "rolling" ? undefined : await httpCheck(live, previewHeaders, previewExpect(state, state.inactiveColor), once);
    const configured = state.weights;
    const deployed = (outputs.weights ?? {}) as Record<string, number | undefined>;
    log(
        `stack ${ws.stackName}${args.app === undefined ? "" : ` app ${state.app}`}: ${state.strategy}, active ${state.activeColor} (deployed: ${typeof outputs.activeColor === "string" ? outputs.activeColor : "unknown"})`,
    );
    for (const [target, weight] of Object.entries(configured)) {
        const version = state.versions[target as Track];
        log(`  ${target.padEnd(5)} version ${version ?? "-"}  weight ${weight}% (deployed ${deployed[target] ?? "?"}%)`);
    }
    log(`  live route    ${live}: ${describe(liveHealth)}`);
    if (previewHealth) log(`  preview route ${state.previewHeader}: true -> ${state.inactiveColor}: ${describe(previewHealth)}`);
    const others = appNames(parsedStack(await ws.programConfig(), ws.stackName, ws.project)).filter((a) => a !== state.app);
    if (others.length > 0) log(`  the stack's other apps: ${others.join(", ")} (their status: --app NAME)`);
    return finish(run, liveHealth.ok ? EXIT.ok : EXIT.failed, liveHealth.ok ? "live route healthy" : "live route unhealthy");
}

/** Under the lock: resolve, precheck, then apply (which watches and, on failure, rolls back). */
async function release(run: Run, planned: Planned, held: HeldLock): Promise<ReleaseResult> {
    let routes: Routes;
    try {
        const outputs = await comparePhase(run, planned.state);
        ({ routes } = await resolvePhase(run, planned.state, outputs));
    } catch (e) {
        return finish(run, EXIT.refused, message(e));
    }
    const t: Traffic = { ...run, ...routes, held, boundMs: run.args.convergeMs ?? CONVERGE_DEFAULT_MS[planned.state.cloud] };
    try {
        await precheckPhase(t, planned);
    } catch (e) {
        return finish(run, run.signal?.aborted ? EXIT.interrupted : EXIT.failed, `aborted before any change: ${message(e)}`);
    }
    return applyPhase(t, planned);
}

/**
 * The checks verify what is deployed; the `up`s ship what the file says. They must agree, for every app
 * of the stack: an `up` deploys them all, so another app's release keys off what runs would ship
 * unchecked in this app's release. Returns the stack's outputs (the app's own).
 */
function comparePhase(run: Run, state: ReleaseState): Promise<Record<string, unknown>> {
    const { ws } = run;
    return run.r.step("compare the stack file with the deployed stack", async () => {
        const outputs = await ws.outputs(state.app);
        const diffs = deployedDifferences(state, outputs);
        const revertEdit = revertToDeployed(state, outputs);
        const config = await ws.programConfig();
        for (const app of appNames(parsedStack(config, ws.stackName, ws.project)).filter((a) => a !== state.app)) {
            const other = readState(config, ws.stackName, ws.project, app);
            const deployed = await ws.outputs(app);
            // Not deployed yet (added since the last up): it has no release to move, and its first deploy none to check.
            if (Object.keys(deployed).length === 0) continue;
            const whose = app === DEFAULT_APP ? "the default app" : `app ${app}`;
            diffs.push(...deployedDifferences(other, deployed).map((d) => `${whose}'s ${d}`));
            Object.assign(revertEdit, revertToDeployed(other, deployed));
        }
        if (diffs.length > 0) {
            const revert = configCommands(ws.stackName, { set: revertEdit });
            const back = revert.length ? revert.join("; ") : "revert the file to the deployed release";
            throw new Error(
                `Pulumi.${ws.stackName}.yaml and the deployed stack differ: ${diffs.join("; ")}. To go back to what is deployed (the safe recovery after an interrupted release): ${back}; then run this command again. A bare \`pulumi up\` would ship the file's values without the release's checks.`,
            );
        }
        return { value: outputs, detail: "release keys agree" };
    });
}

/** Check `color` through the preview route, as `current` says it runs. */
function checkPreview(t: Traffic, current: ReleaseState, color: string, when: string): Promise<CheckResult> {
    const { args, signal } = t;
    return t.r.step(`check ${color} through the preview route ${when}`, async () => {
        interrupted(t);
        const res = await httpCheck(t.live, t.previewHeaders, previewExpect(current, color), args.checks, signal);
        interrupted(t);
        return { value: res, ok: res.ok, detail: `${describe(res)} (need ${args.checks.successThreshold} in a row)` };
    });
}

/**
 * Judged on server-side metrics: the candidate against the colour that keeps (or had) the traffic,
 * `count` measurements from the `base` window on, each printed as it is taken.
 */
function analyse(t: Traffic, candidate: string, stable: string, base: Span, what: string, sent?: (w: Span) => number): Promise<unknown> {
    return t.r.step(`analyse ${candidate} ${what}`, async () => {
        const res = await runAnalysis(t.analysis!, {
            candidate,
            stable,
            base,
            sent,
            clock: t.clock ?? realClock,
            at: t.at,
            signal: t.signal,
            log: (line) => t.r.info(line),
        });
        return { value: res, ok: res.ok, detail: res.detail };
    });
}

/**
 * `--load`: N connections through the preview route. With an analysis of `count` > 1 it runs
 * (count - 1) intervals longer, so each measurement's window still ends inside it: before a
 * blue/green switch the load is the candidate's only traffic.
 */
function loadStep(t: Traffic, state: ReleaseState, color: string): Promise<LoadResult> {
    const { args, analysis } = t;
    const extraMs = analysis ? (analysis.limits.count - 1) * analysis.intervalMs : 0;
    const why = extraMs ? ` (${formatMs(args.loadMs)}, and ${formatMs(extraMs)} more for the analysis's later windows)` : "";
    return t.r.step(`load ${color} through the preview route for ${formatMs(args.loadMs + extraMs)}${why}`, async () => {
        const res = await load({
            url: t.live,
            headers: t.previewHeaders,
            expect: previewExpect(state, color),
            concurrency: args.loadConcurrency,
            durationMs: args.loadMs + extraMs,
            timeoutMs: args.checks.timeoutMs,
            versionField: args.checks.versionField,
            signal: t.signal,
            clock: t.clock,
        });
        interrupted(t);
        return {
            value: res,
            ok: res.failures <= args.checks.maxFailures,
            detail: `${describeLoad(res, args.loadConcurrency)} (tolerate ${args.checks.maxFailures})`,
        };
    });
}

/** Precheck: the receiving colour through the preview route (and, on promote, under load and by analysis) before any change. */
async function precheckPhase(t: Traffic, { plan, state }: Planned): Promise<void> {
    const { args, analysis } = t;
    const color = plan.preCheck;
    if (!color) return;
    await checkPreview(t, state, color, "before switching");
    if (args.action.kind !== "promote") return;
    const res = args.loadConcurrency > 0 ? await loadStep(t, state, color) : undefined;
    if (!analysis) return;
    // The first window ends where --load-seconds end; later ones inside the load's extra time.
    const end = res ? res.startMs + args.loadMs : now(t);
    await analyse(
        t,
        color,
        state.activeColor,
        { start: end - analysis.windowMs, end },
        `over the last ${formatMs(analysis.windowMs)} before switching`,
        res && ((w) => sentInto({ start: res.startMs, end: res.endMs, requests: res.requests }, w)),
    );
}

/**
 * Apply: each step's config edit and `up` (and the wait for the live route to move), each followed by
 * the watch; then the post-check. A failed step rolls back what `progress` says landed, except that a
 * rollback command's `up`, once started, stays.
 */
async function applyPhase(t: Traffic, planned: Planned): Promise<ReleaseResult> {
    const { plan, state } = planned;
    const progress: Progress = { current: state, touched: new Set(), upStarted: false };
    try {
        for (const step of plan.steps) {
            const from = progress.current;
            const since = now(t);
            await setStep(t, progress, step);
            progress.upStarted = true;
            if (plan.keepOnFailure) await rollbackUps(t, from, progress.current, "pulumi up", since, plan.watchLive);
            else await upThenConverge(t, from, progress.current, plan.watchLive);
            await watchPhase(t, planned, progress.current, step);
        }
        if (plan.postCheck) await checkPreview(t, progress.current, plan.postCheck, "after the update");
        return finish(t, EXIT.ok, plan.summary);
    } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        const code = t.signal?.aborted ? EXIT.interrupted : EXIT.failed;
        if (progress.upStarted && progress.touched.size === 0)
            return finish(t, code, `${e.message}; no release key was changed, so there is nothing to roll back: revert the change (or fix it forward)`);
        if (plan.keepOnFailure && progress.upStarted)
            return finish(
                t,
                code,
                `${e.message}; the rollback stays in place (the tool never undoes a rollback): the stack file holds it; if its up failed, pulumi up --stack ${t.ws.stackName} completes it; then npm run release -- status --stack ${t.ws.stackName}`,
            );
        return rollbackPhase(t, { ...progress, before: planned.before, to: state, moved: plan.watchLive }, e, code);
    }
}

/** One step's config edit: recorded in `progress` as it lands (the keys before the write, the new state after it). */
function setStep(t: Traffic, progress: Progress, step: ConfigStep): Promise<void> {
    const { ws } = t;
    return t.r.step(`set ${step.label}`, async () => {
        interrupted(t);
        await t.held.ensure();
        for (const k of Object.keys(step.edit)) progress.touched.add(k);
        await ws.setConfig(step.edit);
        progress.current = readState(await ws.programConfig(), ws.stackName, ws.project, t.args.app);
        return { value: undefined, detail: `Pulumi.${ws.stackName}.yaml` };
    });
}

/** Watch: after a step that moves traffic, the live route (and a canary through the preview route) for the watch window, then the canary's analysis. */
async function watchPhase(t: Traffic, { plan, state }: Planned, current: ReleaseState, step: ConfigStep): Promise<void> {
    const { args } = t;
    const watchStart = now(t);
    if (plan.watchLive)
        await t.r.step(`watch the live route${step.watchCanary ? ` and ${state.inactiveColor}` : ""} for ${formatMs(args.checks.watchMs)}`, async () => {
            const requests = [{ headers: t.liveHeaders, expect: liveExpect(current) }];
            if (step.watchCanary) requests.push({ headers: t.previewHeaders, expect: previewExpect(current, current.inactiveColor) });
            const res = await watchHealthy({
                url: t.live,
                requests,
                versionField: args.checks.versionField,
                timeoutMs: args.checks.timeoutMs,
                intervalMs: args.checks.intervalMs,
                windowMs: args.checks.watchMs,
                maxFailures: args.checks.maxFailures,
                signal: t.signal,
                clock: t.clock,
            });
            interrupted(t);
            return { value: res, ok: res.ok, detail: `${describe(res)} (tolerate ${args.checks.maxFailures})` };
        });
    if (t.analysis && step.watchCanary) {
        interrupted(t);
        await analyse(t, current.inactiveColor, current.activeColor, { start: watchStart, end: now(t) }, `over the watch of ${step.label}`);
    }
}

const now = (t: Traffic) => (t.clock ?? realClock).now();

const fullUp = (t: Traffic, name: string) => t.r.step(name, async () => ({ value: undefined, detail: summarize(await t.ws.up(upOutput(t))) }));

/** `pulumi up`, then (when the step moves traffic) the wait until the live route answers from the new state. */
async function upThenConverge(t: Traffic, from: ReleaseState, to: ReleaseState, moves: boolean): Promise<void> {
    await fullUp(t, "pulumi up");
    if (moves) await convergeStep(t, from, to, "forward");
}

/** Waits until the live route answers only from `to` (converge.ts); `since`: when the rollback began, for the report. */
async function convergeStep(t: Traffic, from: ReleaseState, to: ReleaseState, mode: ConvergeMode, since?: number): Promise<void> {
    const c = t.args.checks;
    const spec: ConvergeSpec = {
        url: t.live,
        headers: t.liveHeaders,
        target: liveExpect(to),
        previous: liveExpect(from),
        mode,
        versionField: c.versionField,
        timeoutMs: c.timeoutMs,
        intervalMs: c.intervalMs,
        successThreshold: c.successThreshold,
        maxFailures: c.maxFailures,
        boundMs: t.boundMs,
        // Ctrl-C stops a release's wait; a rollback's runs to its end.
        signal: mode === "forward" ? t.signal : undefined,
        clock: t.clock && (() => t.clock!.now()),
        sleep: t.clock && ((ms) => t.clock!.sleep(ms)),
    };
    await t.r.step(`wait until the live route answers only from ${describeExpect(spec.target)} (up to ${formatMs(t.boundMs)})`, async () => {
        const res = await awaitConvergence(spec);
        const sinceStart = res.ok && since !== undefined ? `; ${Math.round(now(t) - since)} ms after the rollback started` : "";
        return { value: res, ok: res.ok, detail: describeConvergence(res, spec) + sinceStart };
    });
}

const ROUTE_UP = "pulumi up --target the live route";

/** The fast half of a rollback: an `up` of the traffic routes only. False when it did not run or failed (the full `up` follows anyway). */
async function routeOnlyUp(t: Traffic, blocker: string | undefined): Promise<boolean> {
    if (blocker) {
        t.r.skip(ROUTE_UP, blocker);
        return false;
    }
    try {
        return await t.r.step(ROUTE_UP, async () => {
            const targets = await t.ws.routeUrns();
            if (targets.length === 0) return { value: false, detail: "not run: the stack's state has no traffic routes" };
            const changes = summarize(await t.ws.up(upOutput(t), { targets }));
            return { value: true, detail: `${targets.map(urnName).join(", ")}: ${changes}` };
        });
    } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        return false;
    }
}

/**
 * A rollback's `up`s: the live route alone first where that is safe (fastRollbackBlocker), and the
 * wait until the live route answers from `to`; then the full `up` for everything else, which runs even
 * when that wait failed (a rollback is completed, never undone). Otherwise the full `up`, then the wait.
 */
async function rollbackUps(t: Traffic, from: ReleaseState, to: ReleaseState, upName: string, since: number, moves: boolean): Promise<void> {
    const routed = await routeOnlyUp(t, fastRollbackBlocker(from, to));
    let waitFailed: StepFailed | undefined;
    if (routed && moves)
        await convergeStep(t, from, to, "rollback", since).catch((e: unknown) => {
            if (!(e instanceof StepFailed)) throw e;
            waitFailed = e;
        });
    await fullUp(t, upName);
    if (waitFailed) throw waitFailed;
    if (!routed && moves) await convergeStep(t, from, to, "rollback", since);
}

/** What an automatic rollback puts back: the config before the command, deployed as `to`. */
interface Undo extends Progress {
    before: Record<string, string>;
    /** The state before the command (`current`: the one the failed command left in the stack file). */
    to: ReleaseState;
    /** The command moved traffic: wait for the route to move back. */
    moved: boolean;
}

/** Rollback: the previous config back in the stack file, its `up`s, and a check of the live route. */
async function rollbackPhase(t: Traffic, undo: Undo, cause: StepFailed, code: number): Promise<ReleaseResult> {
    const { r, ws } = t;
    r.info(`rolling back: ${cause.message}`);
    const since = now(t);
    const edit = restoreEdit(undo.before, undo.touched);
    let restored = false;
    try {
        await r.step("restore the previous config", async () => {
            await ws.setConfig(edit.set);
            await ws.removeConfig(edit.remove);
            const parts = [...Object.entries(edit.set).map(([k, v]) => `${k}=${v}`), ...edit.remove.map((k) => `unset ${k}`)];
            return { value: undefined, detail: parts.join(" ") };
        });
        restored = true;
        if (!undo.upStarted) return finish(t, code, `${cause.message}; config restored, nothing was deployed`);
        await rollbackUps(t, undo.current, undo.to, "pulumi up (rollback)", since, undo.moved);
        await r.step("check the live route after rollback", async () => {
            const res = await httpCheck(t.live, t.liveHeaders, liveExpect(undo.to), t.args.checks);
            return { value: res, ok: res.ok, detail: describe(res) };
        });
    } catch (e) {
        return finish(t, EXIT.rollbackFailed, `${cause.message}; ROLLBACK FAILED: ${message(e)}. ${recovery(ws.stackName, edit, restored)}`);
    }
    return finish(t, code, `${cause.message}; rolled back to the previous config`);
}

/**
 * What puts the previous release back by hand when the automatic rollback could not: the previous
 * config into the stack file (unless that step succeeded), then an `up` of it. Never a bare `up`
 * first: the file still holds the unverified change, and `up` would finish it.
 */
function recovery(stack: string, edit: { set: Record<string, string>; remove: string[] }, restored: boolean): string {
    const deploy = `pulumi up --stack ${stack} (it deploys the previous config: nothing unverified), then npm run release -- status --stack ${stack}`;
    if (restored)
        return `The stack file holds the previous config again, but the deployed stack may hold part of the change. To put the previous release back: ${deploy}`;
    return `The stack file still holds the change. To put the previous release back: ${configCommands(stack, edit).join("; ")}; then ${deploy}. A pulumi up before those would ship the unverified change`;
}

async function dryRun(run: Run, plan: ReleasePlan): Promise<ReleaseResult> {
    const { r, ws } = run;
    // The final edit, previewed on a copy of the stack file: a dry run takes no lock, so it must not
    // write the file a running release (or a merge) deploys from.
    const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as StackEdit;
    const shown = Object.entries(edit)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
    let summary = "";
    let failure: string | undefined;
    try {
        summary = await r.step(`pulumi preview with ${shown || "the current config"} (the stack file untouched)`, async () => {
            const s = summarize(await ws.preview(upOutput(run), edit));
            return { value: s, detail: s };
        });
    } catch (e) {
        failure = (e as Error).message;
    }
    if (failure) return finish(run, EXIT.failed, `dry run: ${failure}`);
    const checks = [
        plan.preCheck && `check ${plan.preCheck} through the preview route`,
        plan.watchLive && "wait for the live route to converge, watch it",
        plan.postCheck && `check ${plan.postCheck} after the update`,
    ].filter(Boolean);
    return finish(run, EXIT.ok, `dry run of: ${plan.summary}; preview: ${summary}; a real run would also ${checks.join(", ") || "only up"}`);
}
