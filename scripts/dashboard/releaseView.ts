// A release as the page shows it, from what the cluster holds: the release Lease (held and renewed:
// running) and the record its run wrote (scripts/release/record.ts). The latest run's entries give its
// steps, checks and verdict; a run whose lease expired or vanished without a verdict was stopped (killed,
// its CI job cancelled, its lock broken), and the page says so rather than showing it as running.
import type { RecordEntry } from "../release/record";
import type { LeaseView } from "./cluster";
import type { ReleaseCheck, ReleaseStep, ReleaseView } from "./source";

/** The steps that judge the release (the CLI's names, scripts/release/run.ts): their verdicts are its checks. */
const CHECK = /^(check|watch|analyse|load|wait until) /;

/** The last step still running (of that name). */
function lastRunning(steps: ReleaseStep[], name?: string): ReleaseStep | undefined {
    for (let i = steps.length - 1; i >= 0; i--) if (steps[i].status === "running" && (name === undefined || steps[i].name === name)) return steps[i];
    return undefined;
}

/** A run's steps in order: a `running` entry opens a step, the next end of that name closes it (names repeat: two `pulumi up`s). */
function stepsOf(entries: RecordEntry[], stopped: boolean): ReleaseStep[] {
    const steps: ReleaseStep[] = [];
    for (const e of entries) {
        if (e.kind !== "step") continue;
        const status = e.status === "ok" ? "done" : e.status;
        const open = lastRunning(steps, e.name);
        if (e.status === "running") steps.push({ name: e.name, status: "running" });
        else if (open) Object.assign(open, { status, detail: e.detail });
        else steps.push({ name: e.name, status, detail: e.detail });
    }
    if (stopped) for (const s of steps) if (s.status === "running") s.status = "unknown";
    return steps;
}

const checksOf = (steps: ReleaseStep[]): ReleaseCheck[] =>
    steps
        .filter((s) => CHECK.test(s.name) && (s.status === "done" || s.status === "failed"))
        .map((s) => ({ name: s.name, ok: s.status === "done", detail: s.detail ?? "" }));

/** The latest run among the record's entries (by the time of its last entry), its entries in order. */
function latestRun(entries: RecordEntry[]): RecordEntry[] {
    let latest: RecordEntry | undefined;
    for (const e of entries) if (!latest || e.at > latest.at) latest = e;
    return latest ? entries.filter((e) => e.run === latest.run).sort((a, b) => a.seq - b.seq) : [];
}

/** undefined: no release holds the lock and none is on record (the API server keeps Events for its --event-ttl, 1 h by default). */
export function releaseView(lease: LeaseView | undefined, entries: RecordEntry[], now: number): ReleaseView | undefined {
    const run = latestRun(entries);
    const start = run.find((e) => e.kind === "start");
    const outcome = run.find((e) => e.kind === "outcome");
    const alive = lease && Date.parse(lease.renewTime) + lease.durationSeconds * 1000 >= now;
    // The lease's holder has recorded nothing yet (it just took the lock), or cannot (e.g. no RBAC to create Events).
    if (lease && (!start || start.holder !== lease.holder || outcome)) {
        const decision = alive
            ? "running; it has recorded no steps (it has just started, or cannot write Events in this namespace)"
            : `stopped: its lease was last renewed ${lease.renewTime} and has expired; it recorded no steps`;
        return { action: "release", holder: lease.holder, state: alive ? "running" : "stopped", steps: [], checks: [], decision };
    }
    if (!start) return undefined;
    const stopped = !outcome && !alive;
    const steps = stepsOf(run, stopped);
    const common = { action: `${start.name}: ${start.detail}`, holder: start.holder, steps, checks: checksOf(steps) };
    if (outcome) return { ...common, state: "finished", decision: `${outcome.status === "ok" ? "succeeded" : "FAILED"} at ${outcome.at}: ${outcome.detail}` };
    if (alive) {
        const current = lastRunning(steps);
        return { ...common, state: "running", decision: current ? `running: ${current.name}` : "running" };
    }
    const why = lease
        ? `its lease was last renewed ${lease.renewTime} and has expired (killed, or it lost the cluster)`
        : "its lease is gone without a verdict (killed, and its lock broken or taken over)";
    return { ...common, state: "stopped", decision: `stopped: ${why}; its last recorded entry is from ${run.at(-1)!.at}` };
}
