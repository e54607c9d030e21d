// The release page's server, readers and sources without a browser (in Chromium: tests/browser/dashboard.browser.ts
// on a simulation and faked reads, e2e/dashboard.e2e.ts on a real API server).
import * as assert from "assert";
import { serveDashboard } from "../scripts/dashboard/server";
import { SimulatedCanary } from "../scripts/dashboard/simulated";
import { deploymentView, kubectlCluster, routePercents, type ClusterReader, type LeaseView } from "../scripts/dashboard/cluster";
import { ClusterSource } from "../scripts/dashboard/clusterSource";
import { releaseView } from "../scripts/dashboard/releaseView";
import { entriesOf, eventObject, recordRelease, type RecordEntry } from "../scripts/release/record";
import { stackConfigMap } from "./harness";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A run's record as recordRelease writes it: start, then each step's start and end, then (if given) the verdict. */
function record(holder: string, startS: number, steps: [string, RecordEntry["status"]][], outcome?: "ok" | "failed"): RecordEntry[] {
    const run = `${holder} ${iso(startS)}`;
    const out: RecordEntry[] = [
        { run, holder, seq: 0, kind: "start", name: "canary", status: "running", detail: "canary green 2.0.0: 10 %, then 50 %", at: iso(startS) },
    ];
    const add = (kind: RecordEntry["kind"], name: string, status: RecordEntry["status"], detail: string) =>
        out.push({ run, holder, seq: out.length, kind, name, status, detail, at: iso(startS + out.length) });
    for (const [name, status] of steps) {
        add("step", name, "running", "");
        if (status !== "running") add("step", name, status, `${name} -> ${status}`);
    }
    if (outcome) add("outcome", outcome === "ok" ? "succeeded" : "failed", outcome, outcome === "ok" ? "canary at 50 %" : "watch failed; rolled back");
    return out;
}

const lease = (holder: string, renewedS: number): LeaseView => ({ holder, renewTime: iso(renewedS), durationSeconds: 120 });

describe("release dashboard: server and sources", () => {
    it("serves the page, a snapshot and an event stream of snapshots", async () => {
        const server = await serveDashboard(new SimulatedCanary("aws"), { intervalMs: 50 });
        try {
            const page = await fetch(server.url);
            assert.match(await page.text(), /<title>zdp release<\/title>/);
            const snap = (await (await fetch(`${server.url}snapshot`)).json()) as { stack: string };
            assert.strictEqual(snap.stack, "aws");
            const events = await fetch(`${server.url}events`);
            assert.strictEqual(events.headers.get("content-type"), "text/event-stream");
            const reader = events.body!.getReader();
            const decoder = new TextDecoder();
            let text = "";
            // Two whole events (each ends in a blank line), however the stream happens to be cut into reads.
            while ((text.match(/\n\n/g) ?? []).length < 2) text += decoder.decode((await reader.read()).value, { stream: true });
            await reader.cancel();
            const weights = text
                .split("\n\n")
                .slice(0, 2)
                .map((e) => JSON.parse(e.replace(/^data: /, "")).colours.green.weight);
            assert.ok(weights.length >= 2 && weights[1] >= weights[0], JSON.stringify(weights));
            assert.strictEqual((await fetch(`${server.url}nope`)).status, 404);
        } finally {
            await server.close();
        }
    });

    it("a stream never starts a read while one runs (a slow cluster cannot pile up kubectl calls); a failed read is sent as a failure", async () => {
        let inFlight = 0;
        let most = 0;
        let reads = 0;
        const sim = new SimulatedCanary();
        const slow = {
            async snapshot() {
                most = Math.max(most, ++inFlight);
                await new Promise((r) => setTimeout(r, 30)); // longer than the interval below
                inFlight--;
                if (++reads === 3) throw new Error("config unreadable");
                return sim.snapshot();
            },
        };
        const server = await serveDashboard(slow, { intervalMs: 1 });
        try {
            const reader = (await fetch(`${server.url}events`)).body!.getReader();
            const decoder = new TextDecoder();
            let text = "";
            while ((text.match(/\n\n/g) ?? []).length < 4) text += decoder.decode((await reader.read()).value, { stream: true });
            await reader.cancel();
            assert.strictEqual(most, 1);
            assert.match(text.split("\n\n")[2], /^event: failure\ndata: "config unreadable"$/);
        } finally {
            await server.close();
        }
    });

    it("the simulated canary steps the weights up, always summing to 100, ends promoted, and says it is a simulation", async () => {
        const sim = new SimulatedCanary();
        const seen: number[] = [];
        let last;
        for (let i = 0; i < 10; i++) {
            last = await sim.snapshot();
            assert.strictEqual(last.colours.blue.weight! + last.colours.green.weight!, 100);
            assert.strictEqual(last.simulated, true);
            seen.push(last.colours.green.weight!);
        }
        assert.deepStrictEqual([...new Set(seen)], [0, 10, 25, 50, 100]);
        assert.strictEqual(last?.activeColor, "green");
        assert.match(last.sources[0].from, /simulation/);
    });
});

describe("release dashboard: reading the cluster", () => {
    it("a route's weights are proportions of their sum; an unset weight is 1 (Gateway API); no weight at all is no traffic", () => {
        const refs = (...w: (number | undefined)[]) => ({ spec: { rules: [{ backendRefs: w.map((weight, i) => ({ name: `s${i}`, weight })) }] } });
        assert.deepStrictEqual(routePercents(refs(90, 10)), { s0: 90, s1: 10 });
        assert.deepStrictEqual(routePercents(refs(3, 1)), { s0: 75, s1: 25 });
        assert.deepStrictEqual(routePercents(refs(undefined, 1)), { s0: 50, s1: 50 });
        assert.deepStrictEqual(routePercents(refs(1, 2)), { s0: 33.3, s1: 66.7 });
        assert.deepStrictEqual(routePercents(refs(0, 0)), { s0: 0, s1: 0 });
        assert.deepStrictEqual(routePercents({}), {});
    });

    it("a Deployment's version is its app container's ZDP_VERSION (digest and all), else its label; no readyReplicas is 0 ready", () => {
        const d = deploymentView({
            metadata: { name: "app-green", labels: { "app.kubernetes.io/version": "2.0.0" } },
            spec: {
                replicas: 6,
                template: {
                    spec: {
                        containers: [
                            { name: "sidecar", env: [{ name: "ZDP_VERSION", value: "wrong" }] },
                            { name: "app", image: "ghcr.io/x/app:2.0.0@sha256:ab", env: [{ name: "ZDP_VERSION", value: "2.0.0@sha256:ab" }] },
                        ],
                    },
                },
            },
            status: {},
        });
        assert.deepStrictEqual(d, { version: "2.0.0@sha256:ab", image: "ghcr.io/x/app:2.0.0@sha256:ab", ready: 0, replicas: 6 });
        assert.strictEqual(deploymentView({ metadata: { labels: { "app.kubernetes.io/version": "1.0.0" } } }).version, "1.0.0");
    });

    it("kubectl reads the route, the Deployments and the Lease with its Events, in the namespace, with the given kubeconfig and context", async () => {
        const calls: string[][] = [];
        const answers: Record<string, string> = {
            httproutes: JSON.stringify({
                metadata: { resourceVersion: "42" },
                spec: {
                    rules: [
                        {
                            backendRefs: [
                                { name: "app-blue", weight: 75 },
                                { name: "app-green", weight: 25 },
                            ],
                        },
                    ],
                },
            }),
            deployments: JSON.stringify({ kind: "List", items: [{ metadata: { name: "app-blue" }, status: { readyReplicas: 7 } }] }),
            leases: "", // --ignore-not-found: no Lease
            events: JSON.stringify({
                items: record("ci", 0, [["pulumi up", "ok"]], "ok").map((e) => eventObject({ namespace: "zdp", name: "zdp-release" }, e)),
            }),
        };
        const reader = kubectlCluster({ kubeconfig: "/tmp/kc", context: "c" }, async (args) => {
            calls.push(args);
            return answers[args[args.indexOf("get") + 1].split(".")[0]];
        });
        assert.deepStrictEqual(await reader.route("zdp"), { percents: { "app-blue": 75, "app-green": 25 }, resourceVersion: "42" });
        assert.deepStrictEqual(calls[0], [
            "--kubeconfig",
            "/tmp/kc",
            "--context",
            "c",
            "--namespace",
            "zdp",
            "get",
            "httproutes.gateway.networking.k8s.io",
            "app",
            "--output",
            "json",
        ]);
        // A Deployment missing from the answer is a failed read, not 0 ready.
        await assert.rejects(reader.deployments("zdp", ["app-blue", "app-green"]), /no Deployment app-green in namespace zdp/);
        const rel = await reader.release("zdp");
        assert.strictEqual(rel.lease, undefined);
        assert.deepStrictEqual(
            rel.entries.map((e) => [e.kind, e.name, e.status]),
            [
                ["start", "canary", "running"],
                ["step", "pulumi up", "running"],
                ["step", "pulumi up", "ok"],
                ["outcome", "succeeded", "ok"],
            ],
        );
        assert.ok(calls.some((c) => c.includes("involvedObject.kind=Lease,involvedObject.name=zdp-release")));
    });

    it("a release record Event fits the API server's limits: message 1024 bytes, reportingInstance 128; the annotation keeps the whole entry", () => {
        const long: RecordEntry = { ...record("h".repeat(200), 0, [])[0], detail: "≤".repeat(2000) };
        const ev = eventObject({ namespace: "zdp", name: "zdp-release" }, long, "abc") as Record<string, string> & { metadata: { name: string } };
        assert.ok(Buffer.byteLength(ev.message) <= 1024 && ev.message.endsWith("..."), `${Buffer.byteLength(ev.message)}`);
        assert.ok(!ev.message.includes("\uFFFD"));
        assert.strictEqual(Buffer.byteLength(ev.reportingInstance), 128);
        assert.strictEqual(ev.eventTime, "2026-12-01T10:00:00.000000Z");
        assert.strictEqual(ev.metadata.name, "zdp-release.abc");
        assert.deepStrictEqual(entriesOf({ items: [ev as object, { metadata: {} }] }), [long]);
    });

    it("the recorder writes in order, one at a time, and stops at the first refused write, naming it once", async () => {
        const written: RecordEntry[] = [];
        const warnings: string[] = [];
        let refuse = false;
        let inFlight = 0;
        const api = {
            write: async (e: RecordEntry) => {
                assert.strictEqual(inFlight++, 0, "one write at a time");
                await new Promise((r) => setImmediate(r));
                inFlight--;
                if (refuse) throw new Error("forbidden");
                written.push(e);
            },
            list: async () => written,
        };
        const rec = recordRelease(api, "me", "promote", "switch to green", (w) => warnings.push(w));
        rec.step("pulumi up", "running", "");
        rec.step("pulumi up", "ok", "update 1");
        await rec.end(true, "promoted");
        assert.deepStrictEqual(
            written.map((e) => [e.seq, e.kind, e.name, e.status]),
            [
                [0, "start", "promote", "running"],
                [1, "step", "pulumi up", "running"],
                [2, "step", "pulumi up", "ok"],
                [3, "outcome", "succeeded", "ok"],
            ],
        );
        refuse = true;
        const failing = recordRelease(api, "me", "promote", "", (w) => warnings.push(w));
        failing.step("a", "running", "");
        await failing.end(false, "x");
        assert.strictEqual(warnings.length, 1);
        assert.match(warnings[0], /not recorded in the cluster.*forbidden/);
    });
});

describe("release dashboard: a release from its Lease and record", () => {
    const steps: [string, RecordEntry["status"]][] = [
        ["set canaryWeight=10", "ok"],
        ["pulumi up", "ok"],
        ["watch the live route and green for 1 min", "ok"],
        ["set canaryWeight=50", "ok"],
        ["pulumi up", "running"],
    ];

    it("a held, renewed lease whose holder recorded steps: running, each step as recorded, the watch's verdict a check", () => {
        const v = releaseView(lease("ci run 7", 30), record("ci run 7", 0, steps), T0 + 60_000)!;
        assert.strictEqual(v.state, "running");
        assert.strictEqual(v.holder, "ci run 7");
        assert.deepStrictEqual(
            v.steps.map((s) => [s.name, s.status]),
            steps.map(([n, s]) => [n, s === "ok" ? "done" : s]),
            "the second pulumi up is its own step",
        );
        assert.deepStrictEqual(v.checks, [
            { name: "watch the live route and green for 1 min", ok: true, detail: "watch the live route and green for 1 min -> ok" },
        ]);
        assert.strictEqual(v.decision, "running: pulumi up");
        assert.match(v.action, /^canary: canary green 2\.0\.0/);
    });

    it("a lease not renewed within its duration: stopped, and the step it was in is unknown, not running", () => {
        const v = releaseView(lease("ci run 7", 30), record("ci run 7", 0, steps), T0 + 30_000 + 121_000)!;
        assert.strictEqual(v.state, "stopped");
        assert.strictEqual(v.steps.at(-1)!.status, "unknown");
        assert.ok(!v.steps.some((s) => s.status === "running"));
        assert.match(v.decision!, /last renewed 2026-12-01T10:00:30\.000Z and has expired/);
    });

    it("no lease: the last run's verdict when it recorded one, else stopped without a verdict; nothing recorded: no release", () => {
        const done = releaseView(undefined, [...record("old", 0, [["pulumi up", "ok"]], "ok"), ...record("alice", 100, steps.slice(0, 3), "failed")], T0)!;
        assert.strictEqual(done.state, "finished");
        assert.strictEqual(done.holder, "alice", "the latest run");
        assert.match(done.decision!, /^FAILED at 2026-12-01T10:01:4\d\.000Z: watch failed; rolled back$/);
        const killed = releaseView(undefined, record("bob", 0, steps), T0 + 10_000)!;
        assert.strictEqual(killed.state, "stopped");
        assert.match(killed.decision!, /lease is gone without a verdict/);
        assert.strictEqual(releaseView(undefined, [], T0), undefined);
    });

    it("a held lease whose holder recorded nothing (just started, or no right to write Events): running with no steps, not the last run's", () => {
        const v = releaseView(lease("bob pid 9", 200), record("alice", 0, steps.slice(0, 2), "ok"), T0 + 201_000)!;
        assert.strictEqual(v.state, "running");
        assert.strictEqual(v.holder, "bob pid 9");
        assert.deepStrictEqual(v.steps, []);
        assert.match(v.decision!, /recorded no steps/);
    });
});

describe("release dashboard: the cluster source", () => {
    /** A stand-in cluster: the route, the Deployments and the release as the API server would answer, or a failure. */
    const fake = (over: Partial<ClusterReader> = {}): ClusterReader => ({
        route: async () => ({ percents: { "app-blue": 75, "app-green": 25 }, resourceVersion: "7" }),
        deployments: async () => ({
            "app-blue": { version: "6.9.1", ready: 5, replicas: 6 },
            "app-green": { version: "6.9.2@sha256:ab", ready: 2, replicas: 2 },
        }),
        release: async () => ({ lease: lease("ci run 7", 30), entries: record("ci run 7", 0, steps()) }),
        ...over,
    });
    const steps = (): [string, RecordEntry["status"]][] => [["pulumi up", "running"]];
    const source = (cluster: ClusterReader, metrics?: ConstructorParameters<typeof ClusterSource>[1]["metrics"]) =>
        new ClusterSource("aws", {
            config: stackConfigMap("aws"),
            cluster,
            clusterName: "https://api.example:6443",
            metrics,
            now: () => new Date(T0 + 60_000),
        });

    it("weights from the live route and versions and pods from the Deployments, not the stack file, which is shown beside them", async () => {
        const snap = await source(fake()).snapshot();
        // The aws stack file declares blue 6.9.1 at 100 % and green 6.9.1 at 0 %.
        assert.deepStrictEqual(snap.colours.blue, { declared: { version: "6.9.1", weight: 100 }, weight: 75, version: "6.9.1", readyPods: 5, desiredPods: 6 });
        assert.deepStrictEqual(
            [snap.colours.green.weight, snap.colours.green.version, snap.colours.green.declared],
            [25, "6.9.2@sha256:ab", { version: "6.9.1", weight: 0 }],
        );
        assert.strictEqual(snap.activeColor, "blue");
        assert.strictEqual(snap.release?.state, "running");
        assert.strictEqual(snap.simulated, undefined);
        const from = Object.fromEntries(snap.sources.map((s) => [s.value, s]));
        assert.match(from.weights.from, /^HTTPRoute zdp\/app on https:\/\/api\.example:6443 \(resourceVersion 7\)$/);
        assert.match(from["versions and ready pods"].from, /Deployments zdp\/app-blue, zdp\/app-green/);
        assert.match(from["release steps and verdicts"].from, /Lease zdp\/zdp-release and its Events/);
        assert.ok(snap.sources.every((s) => s.at === new Date(T0 + 60_000).toISOString() && !s.error));
    });

    it("an unreadable cluster leaves every live value empty with the reason, never the stack file's values or 'no release'", async () => {
        const down = async () => {
            throw new Error("Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused");
        };
        const snap = await source({ route: down, deployments: down, release: down }).snapshot();
        for (const c of Object.values(snap.colours)) assert.deepStrictEqual([c.weight, c.version, c.readyPods], [undefined, undefined, undefined]);
        assert.strictEqual(snap.activeColor, undefined);
        assert.strictEqual(snap.release?.state, "unreadable");
        const failed = snap.sources.filter((s) => s.error);
        assert.deepStrictEqual(
            failed.map((s) => s.value),
            ["weights", "versions and ready pods", "release steps and verdicts"],
        );
        assert.ok(failed.every((s) => /connection refused/.test(s.error!)));
        // Only the route down: the rest still shows.
        const routeDown = await source(fake({ route: down })).snapshot();
        assert.strictEqual(routeDown.colours.blue.weight, undefined);
        assert.strictEqual(routeDown.colours.blue.version, "6.9.1");
    });

    it("--app api: api's namespace for the route, the Deployments and the Lease, and api's declared versions; an unknown app is refused naming the stack's apps", async () => {
        const config = stackConfigMap("aws", {
            "apps.api.appImage": "ghcr.io/org/api",
            "apps.api.namespace": "api",
            "apps.api.blueVersion": "1.0.0",
            "apps.api.greenVersion": "2.0.0",
            "apps.api.activeColor": "green",
        });
        const asked: string[] = [];
        const cluster = fake({
            route: async (ns) => (asked.push(`route ${ns}`), { percents: { "app-green": 100 } }),
            deployments: async (ns) => (asked.push(`deployments ${ns}`), {}),
            release: async (ns) => (asked.push(`release ${ns}`), { entries: [] }),
        });
        const page = (app?: string) => new ClusterSource("aws", { config, app, cluster, clusterName: "https://api.example:6443" }).snapshot();
        const snap = await page("api");
        assert.deepStrictEqual(asked.sort(), ["deployments api", "release api", "route api"]);
        assert.deepStrictEqual(
            [snap.app, snap.colours.blue.declared, snap.colours.green.declared, snap.activeColor],
            ["api", { version: "1.0.0", weight: 0 }, { version: "2.0.0", weight: 100 }, "green"],
        );
        asked.length = 0;
        const main = await page();
        assert.deepStrictEqual(
            [main.app, main.colours.blue.declared?.version, asked.sort()],
            [undefined, "6.9.1", ["deployments zdp", "release zdp", "route zdp"]],
        );
        await assert.rejects(page("web"), /--app web: stack aws has no app web; its apps are app, api/);
    });

    it("with the release analysis's metric source, each colour gets its rate, error share and p99; a failing source is named, not hidden", async () => {
        const asked: string[][] = [];
        const metrics = {
            name: "fake",
            read: async (colors: string[]) => (asked.push(colors), { blue: { requests: 6000, successRate: 0.999, p99Ms: 120 }, green: { requests: 0 } }),
        };
        const snap = await source(fake(), metrics).snapshot();
        assert.deepStrictEqual(asked, [["blue", "green"]]);
        assert.strictEqual(snap.colours.blue.requestsPerSecond, 100);
        assert.ok(Math.abs(snap.colours.blue.errorRate! - 0.001) < 1e-9);
        assert.strictEqual(snap.colours.blue.p99Ms, 120);
        assert.strictEqual(snap.colours.green.errorRate, undefined, "no requests must not read as 0% errors");
        const broken = await source(fake(), {
            name: "cloudwatch",
            read: async () => {
                throw new Error("AccessDenied");
            },
        }).snapshot();
        const m = broken.sources.find((s) => s.value === "requests, error rate, p99")!;
        assert.match(m.from, /^cloudwatch over the 60 s before 2026-12-01T10:01:00\.000Z$/);
        assert.strictEqual(m.error, "AccessDenied");
        assert.strictEqual(broken.colours.blue.p99Ms, undefined);
        assert.match((await source(fake()).snapshot()).notes.join(), /no metric source/);
    });
});
