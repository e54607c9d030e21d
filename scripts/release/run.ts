// Carries out one release command against a Workspace: read config, plan, verify the receiving
// colour through its preview route, change config and `up` step by step, waiting for the live route
// to converge on each new state and watching it, and on any failure put the previous config back and
// `up` again, the live route first (never after a rollback's up).
import os from "node:os";
import { CONVERGE_DEFAULT_MS, type CheckOptions, type ReleaseArgs } from "./args";
import {
    deployedDifferences,
    fastRollbackBlocker,
    planRelease,
    readState,
    restoreEdit,
    weightsOf,
    type ConfigEdit,
    type ReleasePlan,
    type ReleaseState,
} from "./change";
import { awaitConvergence, describeConvergence, type ConvergeMode, type ConvergeSpec } from "./converge";
import { checkHealthy, describe, describeExpect, watchHealthy, realClock, type CheckResult, type Clock, type Expect } from "./health";
import { analyze, type Analysis } from "./analysis";
import { describeLoad, load } from "./load";
import { previewTokenTransportProblem } from "./tokenTransport";
import { acquireLock, LEASE_NAME, type HeldLock } from "./lock";
import { Reporter, StepFailed, formatMs, type StepRecord } from "./report";
import { urnName, type ChangeSummary, type Workspace } from "./workspace";

export const EXIT = {
    ok: 0,
    /** A check or an `up` failed; the previous config is back in place (or nothing was changed). */
    failed: 1,
    /** Refused before anything ran: bad config, meaningless command, no endpoint. */
    refused: 2,
    /** The automatic rollback failed too: a human must look now. */
    rollbackFailed: 3,
    /** Stopped by SIGINT/SIGTERM; the previous config is back in place (a rollback stays). */
    interrupted: 130,
} as const;

/** Lease duration: renewed every third of it while a release runs; a killed run's lock expires after it. */
export const LOCK_SECONDS = 120;

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

interface Routes {
    live: string;
    previewHeaders: Record<string, string>;
}

const summarize = (s: ChangeSummary) =>
    Object.entries(s)
        .filter(([, n]) => n)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ") || "no changes";

function baseUrl(args: ReleaseArgs, state: ReleaseState, outputs: Record<string, unknown>): string {
    if (args.endpoint) return args.endpoint;
    // With a domain the Gateway serves HTTPS for that name only; the LB hostname would fail TLS.
    if (state.domain) return `https://${state.domain}`;
    const endpoint = outputs.endpoint;
    if (typeof endpoint !== "string" || endpoint === "")
        throw new Error("the stack has no `endpoint` output yet (run `pulumi up` first) and no --endpoint was given");
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

const versionOf = (s: ReleaseState, track: string) => (track === "app" ? s.versions.app : s.versions[track as "blue" | "green"]) ?? "(unset)";

/** The colours (with their versions) a state's live route may answer from: those with weight. */
export function liveExpect(s: ReleaseState): Expect {
    return Object.fromEntries(
        Object.entries(weightsOf(s))
            .filter(([, w]) => w > 0)
            .map(([t]) => [t, versionOf(s, t)]),
    );
}

/** The preview route answers from the inactive colour only. */
const previewExpect = (s: ReleaseState, color: string): Expect => ({ [color]: versionOf(s, color) });

/**
 * `signal` (SIGINT/SIGTERM in the CLI) stops the command at the next step or inside a check/watch;
 * a running `up` finishes first. What was changed is then restored like any failure (a rollback
 * stays), the report is printed, and the exit code is 130.
 */
export async function runRelease(
    args: ReleaseArgs,
    ws: Workspace,
    log: (line: string) => void,
    signal?: AbortSignal,
    analysis?: Analysis,
    /** Times the watches and the load step (the real clock unless a test passes its own). */
    clock?: Clock,
): Promise<ReleaseResult> {
    const r = new Reporter(log);
    const started = performance.now();
    const finish = (exitCode: number, outcome: string): ReleaseResult => {
        log("");
        log(r.table());
        log(`${exitCode === EXIT.ok ? "OK" : "FAILED"} (exit ${exitCode}, ${formatMs(Math.round(performance.now() - started))}): ${outcome}`);
        return { exitCode, outcome, steps: r.steps };
    };
    const upOutput = (line: string) => {
        for (const l of line.split("\n")) if (l.trim()) log(`      | ${l.trimEnd()}`);
    };

    let before: Record<string, string>;
    let state: ReleaseState;
    let defaults: Record<string, string> = {};
    try {
        ({ before, state } = await r.step(`read config of stack ${ws.stackName}`, async () => {
            const stackConfig = await ws.stackConfig();
            defaults = await ws.projectDefaults();
            const s = readState(defaults, stackConfig);
            const versions = s.strategy === "rolling" ? `app ${s.versions.app}` : `blue ${s.versions.blue ?? "-"}, green ${s.versions.green ?? "-"}`;
            return { value: { before: stackConfig, state: s }, detail: `${s.strategy}; active ${s.activeColor}; ${versions}; canary ${s.canaryWeight}%` };
        }));
    } catch (e) {
        return finish(EXIT.refused, (e as Error).message);
    }

    let outputs: Record<string, unknown> = {};
    let routes: Routes | undefined;
    const resolveRoutes = async () => {
        routes = await r.step("resolve the app endpoint", async () => {
            if (!args.endpoint && Object.keys(outputs).length === 0) outputs = await ws.outputs();
            const base = baseUrl(args, state, outputs);
            const live = new URL(args.versionPath ?? state.healthPath, base).toString();
            if (state.strategy === "rolling") return { value: { live, previewHeaders: {} }, detail: live };
            // The preview route answers only the generated token (a dark canary), never a guessable value.
            const transport = previewTokenTransportProblem(live);
            if (transport) throw new Error(transport);
            const token = await ws.previewToken();
            if (!token)
                throw new Error(
                    "the stack exports no previewToken (the preview route's secret header value): run `pulumi up` with this version of the program first",
                );
            return {
                value: { live, previewHeaders: { [state.previewHeader]: token } },
                detail: `${live} (preview: ${state.previewHeader} with the stack's secret previewToken)`,
            };
        });
        return routes;
    };

    if (args.action.kind === "status") {
        try {
            const { live, previewHeaders } = await resolveRoutes();
            const once = { ...args.checks, successThreshold: 1, maxAttempts: 1 };
            const liveHealth = await httpCheck(live, {}, liveExpect(state), once);
            const previewHealth =
                state.strategy === "rolling" ? undefined : await httpCheck(live, previewHeaders, previewExpect(state, state.inactiveColor), once);
            const configured = weightsOf(state);
            const deployed = (outputs.weights ?? {}) as Record<string, number | undefined>;
            log(
                `stack ${ws.stackName}: ${state.strategy}, active ${state.activeColor} (deployed: ${typeof outputs.activeColor === "string" ? outputs.activeColor : "unknown"})`,
            );
            for (const [target, weight] of Object.entries(configured)) {
                const version = target === "app" ? state.versions.app : state.versions[target as "blue" | "green"];
                log(`  ${target.padEnd(5)} version ${version ?? "-"}  weight ${weight}% (deployed ${deployed[target] ?? "?"}%)`);
            }
            log(`  live route    ${live}: ${describe(liveHealth)}`);
            if (previewHealth) log(`  preview route ${state.previewHeader}: true -> ${state.inactiveColor}: ${describe(previewHealth)}`);
            return finish(liveHealth.ok ? EXIT.ok : EXIT.failed, liveHealth.ok ? "live route healthy" : "live route unhealthy");
        } catch (e) {
            return finish(EXIT.refused, (e as Error).message);
        }
    }

    let plan: ReleasePlan;
    try {
        const action = args.action;
        plan = await r.step("plan the change", async () => {
            const p = planRelease(state, action);
            return { value: p, detail: p.summary };
        });
    } catch (e) {
        return finish(EXIT.refused, (e as Error).message);
    }

    if (args.dryRun) return dryRun(r, ws, before, plan, upOutput, finish);

    // Changes start here: hold the stack's release lock until the end, whatever the outcome.
    let held: HeldLock | undefined;
    try {
        held = await r.step(`take the release lock (Lease ${LEASE_NAME} in namespace ${state.namespace})`, async () => {
            if (!state.namespace) throw new Error("the namespace config key is not set: the release lock lives in the app namespace");
            const h = await acquireLock(await ws.lease(state.namespace), holderIdentity(), LOCK_SECONDS, (why) => r.info(`WARNING: ${why}`));
            return { value: h, detail: h.detail };
        });
    } catch (e) {
        return finish(EXIT.refused, (e as Error).message);
    }
    try {
        return await applyPlan();
    } finally {
        await held.release().catch((e) => log(`releasing the lock failed (it expires ${LOCK_SECONDS} s after its last renewal): ${(e as Error).message}`));
    }

    async function applyPlan(): Promise<ReleaseResult> {
        // The checks below verify what is deployed; the `up`s ship what the file says. They must agree.
        try {
            await r.step("compare the stack file with the deployed stack", async () => {
                outputs = await ws.outputs();
                const diffs = deployedDifferences(state, outputs);
                if (diffs.length > 0)
                    throw new Error(
                        `Pulumi.${ws.stackName}.yaml and the deployed stack differ: ${diffs.join("; ")}. Run \`pulumi up\` (or revert the file) first.`,
                    );
                return { value: undefined, detail: "release keys agree" };
            });
        } catch (e) {
            return finish(EXIT.refused, (e as Error).message);
        }

        try {
            await resolveRoutes();
        } catch (e) {
            return finish(EXIT.refused, (e as Error).message);
        }
        const { live, previewHeaders } = routes!;
        const interrupted = () => {
            if (signal?.aborted) throw new Error(`interrupted by ${String(signal.reason ?? "a signal")}`);
        };
        // The state the stack file describes now (after the steps so far): what each check must see answer.
        let current = state;
        const checkPreview = (color: string, when: string) =>
            r.step(`check ${color} through the preview route ${when}`, async () => {
                interrupted();
                const res = await httpCheck(live, previewHeaders, previewExpect(current, color), args.checks, signal);
                interrupted();
                return { value: res, ok: res.ok, detail: `${describe(res)} (need ${args.checks.successThreshold} in a row)` };
            });

        // Judged on server-side metrics: the candidate against the colour that keeps (or had) the traffic.
        const analyse = (candidate: string, stable: string, window: { start: Date; end: Date }, what: string) =>
            r.step(`analyse ${candidate} ${what}`, async () => {
                const res = await analyze(analysis!, candidate, stable, window);
                return { value: res, ok: res.ok, detail: res.detail };
            });

        if (plan.preCheck) {
            try {
                await checkPreview(plan.preCheck, "before switching");
                if (args.loadConcurrency > 0 && args.action.kind === "promote") {
                    const color = plan.preCheck;
                    await r.step(`load ${color} through the preview route for ${formatMs(args.loadMs)}`, async () => {
                        const res = await load({
                            url: live,
                            headers: previewHeaders,
                            expect: previewExpect(current, color),
                            concurrency: args.loadConcurrency,
                            durationMs: args.loadMs,
                            timeoutMs: args.checks.timeoutMs,
                            versionField: args.checks.versionField,
                            signal,
                            clock,
                        });
                        interrupted();
                        return {
                            value: res,
                            ok: res.failures <= args.checks.maxFailures,
                            detail: `${describeLoad(res, args.loadConcurrency)} (tolerate ${args.checks.maxFailures})`,
                        };
                    });
                }
                if (analysis && args.action.kind === "promote") {
                    const end = new Date();
                    await analyse(
                        plan.preCheck,
                        state.activeColor,
                        { start: new Date(end.getTime() - analysis.windowMs), end },
                        `over the last ${formatMs(analysis.windowMs)} before switching`,
                    );
                }
            } catch (e) {
                return finish(signal?.aborted ? EXIT.interrupted : EXIT.failed, `aborted before any change: ${(e as Error).message}`);
            }
        }

        const touched = new Set<string>();
        let upStarted = false;
        const traffic: Traffic = { r, ws, args, live, upOutput, signal, boundMs: args.convergeMs ?? CONVERGE_DEFAULT_MS[state.cloud], clock };
        try {
            for (const step of plan.steps) {
                const from = current;
                const since = now(traffic);
                await r.step(`set ${step.label}`, async () => {
                    interrupted();
                    for (const k of Object.keys(step.edit)) touched.add(k);
                    await ws.setConfig(step.edit);
                    current = readState(defaults, await ws.stackConfig());
                    return { value: undefined, detail: `Pulumi.${ws.stackName}.yaml` };
                });
                upStarted = true;
                if (plan.keepOnFailure) await rollbackUps(traffic, from, current, "pulumi up", since, plan.watchLive);
                else await upThenConverge(traffic, from, current, plan.watchLive);
                const watchStart = new Date();
                if (plan.watchLive)
                    await r.step(
                        `watch the live route${step.watchCanary ? ` and ${state.inactiveColor}` : ""} for ${formatMs(args.checks.watchMs)}`,
                        async () => {
                            const requests = [{ headers: {}, expect: liveExpect(current) }];
                            if (step.watchCanary) requests.push({ headers: previewHeaders, expect: previewExpect(current, current.inactiveColor) });
                            const res = await watchHealthy({
                                url: live,
                                requests,
                                versionField: args.checks.versionField,
                                timeoutMs: args.checks.timeoutMs,
                                intervalMs: args.checks.intervalMs,
                                windowMs: args.checks.watchMs,
                                maxFailures: args.checks.maxFailures,
                                signal,
                                clock,
                            });
                            interrupted();
                            return { value: res, ok: res.ok, detail: `${describe(res)} (tolerate ${args.checks.maxFailures})` };
                        },
                    );
                if (analysis && step.watchCanary) {
                    interrupted();
                    await analyse(current.inactiveColor, current.activeColor, { start: watchStart, end: new Date() }, `over the watch of ${step.label}`);
                }
            }
            if (plan.postCheck) await checkPreview(plan.postCheck, "after the update");
            return finish(EXIT.ok, plan.summary);
        } catch (e) {
            if (!(e instanceof StepFailed)) throw e;
            const code = signal?.aborted ? EXIT.interrupted : EXIT.failed;
            if (plan.keepOnFailure && upStarted)
                return finish(
                    code,
                    `${e.message}; the rollback stays in place (the tool never undoes a rollback): check the stack now, pulumi stack --stack ${ws.stackName}`,
                );
            return rollback(traffic, { before, touched, upStarted, from: current, to: state, moved: plan.watchLive }, finish, e, code);
        }
    }
}

/** What the steps around an `up` need. */
interface Traffic {
    r: Reporter;
    ws: Workspace;
    args: ReleaseArgs;
    live: string;
    upOutput: (line: string) => void;
    signal?: AbortSignal;
    /** Bound of each convergence wait (--converge-timeout or the cloud's default). */
    boundMs: number;
    /** Times the convergence waits (the real clock unless a test passes its own). */
    clock?: Clock;
}

const now = (t: Traffic) => (t.clock ?? realClock).now();

const fullUp = (t: Traffic, name: string) => t.r.step(name, async () => ({ value: undefined, detail: summarize(await t.ws.up(t.upOutput)) }));

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
            const changes = summarize(await t.ws.up(t.upOutput, { targets }));
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
interface Undo {
    before: Record<string, string>;
    touched: Set<string>;
    upStarted: boolean;
    /** The state the failed command left in the stack file, and the one before it. */
    from: ReleaseState;
    to: ReleaseState;
    /** The command moved traffic: wait for the route to move back. */
    moved: boolean;
}

async function rollback(
    t: Traffic,
    undo: Undo,
    finish: (code: number, outcome: string) => ReleaseResult,
    cause: StepFailed,
    code: number,
): Promise<ReleaseResult> {
    const { r, ws } = t;
    r.info(`rolling back: ${cause.message}`);
    const since = now(t);
    const edit = restoreEdit(undo.before, undo.touched);
    try {
        await r.step("restore the previous config", async () => {
            await ws.setConfig(edit.set);
            await ws.removeConfig(edit.remove);
            const parts = [...Object.entries(edit.set).map(([k, v]) => `${k}=${v}`), ...edit.remove.map((k) => `unset ${k}`)];
            return { value: undefined, detail: parts.join(" ") };
        });
        if (!undo.upStarted) return finish(code, `${cause.message}; config restored, nothing was deployed`);
        await rollbackUps(t, undo.from, undo.to, "pulumi up (rollback)", since, undo.moved);
        await r.step("check the live route after rollback", async () => {
            const res = await httpCheck(t.live, {}, liveExpect(undo.to), t.args.checks);
            return { value: res, ok: res.ok, detail: describe(res) };
        });
    } catch (e) {
        return finish(
            EXIT.rollbackFailed,
            `${cause.message}; ROLLBACK FAILED: ${(e as Error).message}. Check the stack now: pulumi stack --stack ${ws.stackName}`,
        );
    }
    return finish(code, `${cause.message}; rolled back to the previous config`);
}

async function dryRun(
    r: Reporter,
    ws: Workspace,
    before: Record<string, string>,
    plan: ReleasePlan,
    upOutput: (line: string) => void,
    finish: (code: number, outcome: string) => ReleaseResult,
): Promise<ReleaseResult> {
    // Preview reads config from the stack file, so the final edit is written for the preview and
    // always put back afterwards.
    const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as ConfigEdit;
    const undo = restoreEdit(before, Object.keys(edit));
    let summary = "";
    let failure: string | undefined;
    try {
        await r.step("set config for the preview", async () => {
            await ws.setConfig(edit);
            return {
                value: undefined,
                detail: Object.entries(edit)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(" "),
            };
        });
        summary = await r.step("pulumi preview", async () => {
            const s = summarize(await ws.preview(upOutput));
            return { value: s, detail: s };
        });
    } catch (e) {
        failure = (e as Error).message;
    } finally {
        try {
            await r.step("restore the config", async () => {
                await ws.setConfig(undo.set);
                await ws.removeConfig(undo.remove);
                return { value: undefined, detail: "stack file as before" };
            });
        } catch (e) {
            failure = `${failure ?? ""} restoring the config failed: ${(e as Error).message}`.trim();
        }
    }
    if (failure) return finish(EXIT.failed, `dry run: ${failure}`);
    const checks = [
        plan.preCheck && `check ${plan.preCheck} through the preview route`,
        plan.watchLive && "wait for the live route to converge, watch it",
        plan.postCheck && `check ${plan.postCheck} after the update`,
    ].filter(Boolean);
    return finish(EXIT.ok, `dry run of: ${plan.summary}; preview: ${summary}; a real run would also ${checks.join(", ") || "only up"}`);
}
