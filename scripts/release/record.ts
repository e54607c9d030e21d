// The release's record in the cluster: each step's start and end, each check's verdict and the
// outcome, written as Kubernetes Events on the release Lease (scripts/release/lock.ts), where the live
// release page (scripts/dashboard) reads them. Any run path that holds the Lease (the CLI on a laptop,
// the same CLI in CI) records the same way through recordRelease().
//
// Events rather than annotations on the Lease: an annotation write changes the Lease's resourceVersion,
// so it would race the lock's renewal (a get, then a replace at that version) and could make the
// holder believe it lost its lock; the Lease is also deleted when the run ends, which would take the
// final verdict with it. Events are objects of their own: no write touches the Lease, the verdict
// outlives it, a killed run leaves what it wrote so far, and the API server deletes them after its
// --event-ttl (kube-apiserver reference: default 1h0m0s), so nothing piles up. Writes are best effort:
// a release never fails because its record could not be written (the page then shows a running
// release with no steps, and the CLI says why once). RBAC: `create` on `events` in the app namespace.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";

/** One line of a release's record. `seq` orders a run's entries; `run` names the run (its holder and start). */
export interface RecordEntry {
    run: string;
    holder: string;
    seq: number;
    /** `start`: the command and its plan; `step`: a step began or ended; `outcome`: the run's verdict. */
    kind: "start" | "step" | "outcome";
    name: string;
    status: "running" | "ok" | "failed" | "skipped";
    detail: string;
    at: string;
}

export interface RecordApi {
    write(entry: RecordEntry): Promise<void>;
    /** Every entry recorded on the Lease that the API server still holds, any run. */
    list(): Promise<RecordEntry[]>;
}

const A = "zdp.io/release-";
const STEP_REASON = { running: "StepStarted", ok: "StepSucceeded", failed: "StepFailed", skipped: "StepSkipped" } as const;
const reason = (e: RecordEntry) =>
    e.kind === "start" ? "ReleaseStarted" : e.kind === "outcome" ? (e.status === "ok" ? "ReleaseSucceeded" : "ReleaseFailed") : STEP_REASON[e.status];

/**
 * A core/v1 Event on the Lease. With `eventTime` set the API server requires reportingComponent (a
 * qualified name), reportingInstance (at most 128 bytes), action and reason (at most 128 each), and caps
 * message at 1024 bytes (k8s.io/kubernetes v1.35.4 pkg/apis/core/validation/events.go, legacyValidateEvent);
 * the whole entry also goes into an annotation, so nothing is lost to the cut.
 */
export function eventObject(lease: { namespace: string; name: string }, e: RecordEntry, suffix = randomBytes(5).toString("hex")): object {
    const { namespace, name } = lease;
    return {
        apiVersion: "v1",
        kind: "Event",
        metadata: {
            name: `${name}.${suffix}`,
            namespace,
            labels: { "app.kubernetes.io/managed-by": "zdp-release" },
            annotations: { [`${A}entry`]: JSON.stringify(e) },
        },
        involvedObject: { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name, namespace },
        reason: reason(e),
        message: cut(`${e.name}${e.detail ? `: ${e.detail}` : ""}`, 1024),
        type: e.status === "failed" ? "Warning" : "Normal",
        // MicroTime: RFC 3339 with microseconds.
        eventTime: e.at.replace(/\.(\d{3})Z$/, ".$1000Z"),
        reportingComponent: "zdp.io/release",
        reportingInstance: cut(e.holder, 128),
        action: "Release",
    };
}

/** `s` in at most `n` bytes of UTF-8 (the API server's limits count bytes), marked when cut. */
function cut(s: string, n: number): string {
    const bytes = Buffer.from(s);
    if (bytes.length <= n) return s;
    // A cut inside a character decodes to U+FFFD: drop it.
    return `${bytes
        .subarray(0, n - 3)
        .toString("utf8")
        .replace(/\uFFFD+$/, "")}...`;
}

/** The entries among an Event list (`kubectl get events -o json`); other events on the Lease are left out. */
export interface EventList {
    items?: { metadata?: { annotations?: Record<string, string> } }[];
}

export function entriesOf(list: EventList): RecordEntry[] {
    const out: RecordEntry[] = [];
    for (const item of list.items ?? []) {
        const raw = item.metadata?.annotations?.[`${A}entry`];
        if (!raw) continue;
        const e = JSON.parse(raw) as RecordEntry;
        if (typeof e.run === "string" && typeof e.seq === "number" && typeof e.name === "string") out.push(e);
    }
    return out;
}

/** The record on Lease `name` through kubectl, with the same kubeconfig as the Lease. */
export function kubectlRecordApi(namespace: string, name: string, kubeconfig?: string, bin = "kubectl"): RecordApi {
    const base = [...(kubeconfig ? ["--kubeconfig", kubeconfig] : []), "-n", namespace];
    const kubectl = (args: string[], stdin = "") =>
        new Promise<string>((resolve, reject) => {
            // In a process group of its own, as the CLI runs pulumi (pulumiCommand.ts): a terminal's Ctrl-C goes to
            // the foreground group, and would kill a write under way, losing the entry (seen in tests/release).
            const child = spawn(bin, [...base, ...args], { detached: process.platform !== "win32", stdio: ["pipe", "pipe", "pipe"] });
            let [stdout, stderr] = ["", ""];
            child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
            child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
            const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
            const fail = (why: string) => reject(new Error(`kubectl ${args[0]} events in ${namespace}: ${why}`));
            child.on("error", (e) => (clearTimeout(timer), fail(e.message)));
            child.on("close", (code, sig) => {
                clearTimeout(timer);
                if (code === 0) resolve(stdout);
                else fail(stderr.trim() || `exit ${code ?? sig}`);
            });
            child.stdin.end(stdin);
        });
    return {
        async write(e) {
            await kubectl(["create", "-f", "-"], JSON.stringify(eventObject({ namespace, name }, e)));
        },
        async list() {
            const selector = `involvedObject.kind=Lease,involvedObject.name=${name}`;
            return entriesOf(JSON.parse(await kubectl(["get", "events", "--field-selector", selector, "-o", "json"])) as EventList);
        },
    };
}

/** What a run path reports: a step's start and end (the Reporter's listener), and the run's verdict. */
export interface ReleaseRecord {
    step: (name: string, status: RecordEntry["status"], detail: string) => void;
    /** The verdict, then every write still queued: call before the lock is released. */
    end(ok: boolean, outcome: string): Promise<void>;
}

/**
 * Start a run's record: the `start` entry (the command and its plan), then whatever the run passes.
 * Writes go out in order, one at a time, without holding the release up; the first failure is passed
 * to `warn` and the record stops (a half record that skips steps would mislead more than none).
 */
export function recordRelease(
    api: RecordApi,
    holder: string,
    action: string,
    plan: string,
    warn: (why: string) => void,
    now = () => new Date(),
): ReleaseRecord {
    const run = `${holder} ${now().toISOString()}`;
    let seq = 0;
    let queue = Promise.resolve();
    let failed = false;
    const write = (kind: RecordEntry["kind"], name: string, status: RecordEntry["status"], detail: string) => {
        // Annotations may hold 256 KiB per object (apimachinery's TotalAnnotationSizeLimitB); a step's detail is one line.
        const entry: RecordEntry = { run, holder, seq: seq++, kind, name, status, detail: detail.slice(0, 16_384), at: now().toISOString() };
        queue = queue.then(async () => {
            if (failed) return;
            await api.write(entry).catch((e: unknown) => {
                failed = true;
                warn(`the release's steps are not recorded in the cluster from here on (the release page cannot show them): ${(e as Error).message}`);
            });
        });
    };
    write("start", action, "running", plan);
    return {
        step: (name, status, detail) => write("step", name, status, detail),
        async end(ok, outcome) {
            write("outcome", ok ? "succeeded" : "failed", ok ? "ok" : "failed", outcome);
            await queue;
        },
    };
}
