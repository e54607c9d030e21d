// The release CLI against a fake workspace whose `up` re-routes a real local HTTP router between
// real local colour servers (healthy, failing, flapping, hanging). No Pulumi CLI, no network
// beyond 127.0.0.1; every loop is bounded by small attempt counts and windows. Watches and load steps
// run on a test clock (see TestClock) and Ctrl-C comes at a request, so no outcome depends on how
// fast the machine is.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseConfig } from "../model/config";
import { EXIT, parseReleaseArgs, UsageError, type ReleaseAction, type ReleaseArgs } from "../scripts/release/args";
import { fastRollbackBlocker, planRelease, readState, restoreEdit, RefusedError } from "../scripts/release/change";
import { awaitConvergence, classify, describeConvergence, type AnswerKind, type ConvergeSpec } from "../scripts/release/converge";
import { checkHealthy, COLOR_HEADER, probe, VERSION_HEADER, type ProbeResult } from "../scripts/release/health";
import { proposeRelease } from "../scripts/release/propose";
import { mergedConfig } from "../scripts/pulumiConfig";
import { trafficRouteUrns, workspaceFromStack, type StackApi } from "../scripts/release/pulumiWorkspace";
import { runRelease, type ReleaseResult } from "../scripts/release/run";
import { urnName, type ChangeSummary, type UpOptions, type Workspace } from "../scripts/release/workspace";
import { runStack } from "./harness";
import { parseAnalysis, runAnalysis, type Analysis } from "../scripts/release/analysis";
import { acquireLock, LEASE_NAME } from "../scripts/release/lock";
import { MemoryLeases } from "./memoryLeases";
import { failureDetail } from "../scripts/release/report";
import { previewTokenTransportProblem } from "../scripts/release/tokenTransport";
import { HANG_MS } from "./hang";
import { TestClock } from "./testClock";
import { promotedAtText } from "../model/rollbackWindow";

type Mode = "healthy" | "failing" | "flapping" | "hanging" | "trickling";

interface Colour {
    mode: Mode;
    /** What its /version answers (podinfo-style JSON). */
    version?: string;
    hits: number;
    /** Answers 503 once it has served this many requests. */
    healthyFor?: number;
    /** Called on each request it serves, after counting it and before answering (a test may change `mode` there). */
    onHit?: () => void;
    url: string;
    server: http.Server;
}

// Time passes only by the pauses and by the requests the colours serve (SERVICE_MS each): see TestClock.
const clock = new TestClock();
const SERVICE_MS = 10;

const servers: http.Server[] = [];

function listen(server: http.Server): Promise<string> {
    servers.push(server);
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

async function colour(mode: Mode): Promise<Colour> {
    const c = { mode, hits: 0 } as Colour;
    c.server = http.createServer((req, res) => {
        c.hits++;
        clock.advance(SERVICE_MS);
        if (c.hits > (c.healthyFor ?? Infinity)) c.mode = "failing";
        c.onHit?.();
        req.resume();
        if (c.mode === "hanging") return; // never answers: the probe's timeout must end it
        if (c.mode === "trickling") {
            // Answers 200 at once, then a byte every 20 ms for 5 s: never idle, never complete in time.
            res.writeHead(200, { "content-type": "text/plain" });
            const t = setInterval(() => res.write("."), 20);
            setTimeout(() => (clearInterval(t), res.end()), 5000);
            res.on("close", () => clearInterval(t));
            return;
        }
        const ok = c.mode === "healthy" || (c.mode === "flapping" && c.hits % 2 === 1);
        if (ok && req.url === "/version")
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hostname: "app-1", version: c.version }));
        else res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" }).end(ok ? "ok" : "unavailable");
    });
    c.url = await listen(c.server);
    return c;
}

const DEFAULTS = {
    releaseStrategy: "blueGreen",
    activeColor: "blue",
    canaryWeight: "0",
    inactiveScale: "full",
    previewHeader: "x-zdp-preview",
    healthPath: "/healthz",
    appPort: "8080",
    namespace: "zdp",
};

const PULUMI_YAML = fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");

/** What the program reads for a fake stack file that sets DEFAULTS and `stack`: the real Pulumi.yaml's defaults under them. */
const fakeProgramConfig = (stack: Record<string, string>) => mergedConfig(PULUMI_YAML, "", { ...DEFAULTS, ...stack });

/** The CLI's release state of such a stack file. */
const stateOf = (stack: Record<string, string>) => readState(fakeProgramConfig(stack), "dev", "zdp");

/**
 * Pulumi stand-in: the stack file is a map, `up` "deploys" it by handing it to a real HTTP router
 * that sends preview-header requests to the inactive colour and splits live traffic by weight.
 */
class FakeWorkspace implements Workspace {
    readonly stackName = "dev";
    readonly project = "zdp";
    deployed: Record<string, string>;
    /** Full ups (targeted ones are only in upTargets). */
    ups = 0;
    previews = 0;
    /** Full ups (by number) that fail; 0: every targeted up fails. */
    failUps = new Set<number>();
    onUp?: (n: number) => void;
    endpoint = "";
    /** A proxy in front that strips the preview header: every "preview" request lands on the live colour. */
    dropPreviewHeader = false;
    /** The per-backend response headers the HTTPRoute sets (off: a gateway that cannot set them). */
    attribute = true;
    leases = new MemoryLeases();
    /** The stack's generated preview token (the route matches only this value). */
    token = "Tk3nA9zq-generated-preview-token";
    /** Each `up`'s targets (undefined: the whole stack). */
    upTargets: (string[] | undefined)[] = [];
    /** A proxy that applies a route late: after each up it answers this many requests from the previous deployment (Infinity: never moves). */
    lag = 0;
    private lagLeft = 0;
    private previous: Record<string, string>;
    private liveRequests = 0;

    constructor(
        public stack: Record<string, string>,
        private readonly colours: Record<"blue" | "green", Colour>,
    ) {
        this.deployed = this.effective();
        this.previous = this.deployed;
    }

    private effective(): Record<string, string> {
        return { ...DEFAULTS, ...this.stack };
    }

    async start(): Promise<this> {
        const router = http.createServer((req, res) => {
            const d = this.lagLeft > 0 ? (this.lagLeft--, this.previous) : this.deployed;
            const active = d.activeColor as "blue" | "green";
            const inactive = active === "blue" ? "green" : "blue";
            const weight = d.releaseStrategy === "canary" ? Number(d.canaryWeight) : 0;
            const preview = !this.dropPreviewHeader && req.headers[d.previewHeader] === this.token;
            const target = preview ? inactive : this.liveRequests++ % 100 >= 100 - weight ? inactive : active;
            const upstream = http.request(`http://${this.colours[target].url}${req.url}`, { method: req.method, agent: false }, (up) => {
                const version = target === "blue" ? d.blueVersion : d.greenVersion;
                const attribution = this.attribute ? { [COLOR_HEADER]: target, [VERSION_HEADER]: version } : {};
                res.writeHead(up.statusCode!, { ...up.headers, ...attribution });
                up.pipe(res);
            });
            upstream.on("error", () => res.writeHead(502).end());
            req.pipe(upstream);
        });
        this.endpoint = await listen(router);
        return this;
    }

    programConfig = async () => fakeProgramConfig(this.stack);
    stackConfig = async () => ({ ...this.stack });
    /** setConfig and removeConfig calls: writes of the shared stack file. */
    configWrites = 0;
    async setConfig(values: Record<string, string>) {
        this.configWrites++;
        Object.assign(this.stack, values);
    }
    async removeConfig(keys: string[]) {
        this.configWrites++;
        for (const k of keys) delete this.stack[k];
    }
    async up(onOutput: (line: string) => void, opts?: UpOptions): Promise<ChangeSummary> {
        this.upTargets.push(opts?.targets);
        // The fake deploys the whole config either way: a targeted up of the routes moves the same traffic.
        const n = opts?.targets ? 0 : ++this.ups;
        onOutput(`Updating (${this.stackName})`);
        if (this.failUps.has(n)) throw new Error("error: update failed\n  kubernetes:apps/v1:Deployment app-green: timed out waiting to be Ready");
        const changed = JSON.stringify(this.effective()) !== JSON.stringify(this.deployed);
        if (changed) [this.previous, this.lagLeft] = [this.deployed, this.lag];
        this.deployed = this.effective();
        this.onUp?.(n);
        return { update: changed ? 1 : 0, same: 24 };
    }
    async previewToken() {
        return this.token || undefined;
    }
    async routeUrns() {
        return ROUTE_URNS;
    }
    /** The stack's alertWebhook (a secret in a real stack). */
    webhook?: string;
    async alertWebhook() {
        return this.webhook;
    }
    async lease(namespace: string) {
        assert.equal(namespace, "zdp");
        return this.leases;
    }
    /** The edit each preview applied to its copy of the stack file. */
    previewEdits: Record<string, string>[] = [];
    async preview(_onOutput: (line: string) => void, edit: Record<string, string> = {}): Promise<ChangeSummary> {
        this.previews++;
        this.previewEdits.push(edit);
        const planned: Record<string, string> = { ...this.effective(), ...edit };
        const changed = Object.keys({ ...planned, ...this.deployed }).some((k) => planned[k] !== this.deployed[k]);
        return { update: changed ? 1 : 0, same: 24 };
    }
    /** What the program exports after an `up` of `deployed` (the Release component's outputs). */
    async outputs() {
        const d = stateOf(this.deployed);
        return { endpoint: this.endpoint, activeColor: d.activeColor, weights: d.weights, versions: d.versions };
    }
}

/** What pulumiWorkspace's routeUrns() reads from the state of a dev stack: the live route alone. */
const ROUTE_URNS = ["urn:pulumi:dev::zdp::zdp:k8s:Release$kubernetes:gateway.networking.k8s.io/v1:HTTPRoute::app-route"];

// The request timeout only catches a hang: a busy machine must not turn a healthy answer into a failure.
// The convergence bound is on the test clock: the tests' routes move within a few requests, or never.
const FAST = ["--timeout", String(HANG_MS), "--interval", "5", "--success", "3", "--attempts", "6", "--watch", "0.15", "--converge-timeout", "2"];

async function setup(green: Mode, stack: Record<string, string> = { blueVersion: "1.0.0", greenVersion: "2.0.0" }) {
    const colours = { blue: await colour("healthy"), green: await colour(green) };
    colours.blue.version = stack.blueVersion;
    colours.green.version = stack.greenVersion;
    const ws = await new FakeWorkspace({ ...stack }, colours).start();
    return { ws, colours, initial: { ...stack } };
}

async function run(
    ws: Workspace,
    argv: string[],
    signal?: AbortSignal,
    confirm?: (q: string) => Promise<boolean>,
): Promise<ReleaseResult & { lines: string[] }> {
    const lines: string[] = [];
    const args: ReleaseArgs = parseReleaseArgs([...argv, "--stack", "dev", ...FAST]);
    const result = await runRelease(args, ws, (l) => lines.push(l), { signal, clock, confirm });
    return { ...result, lines };
}

const stepNames = (r: ReleaseResult) => r.steps.map((s) => `${s.name}: ${s.status}`);

/**
 * Whether `work` settles before a `ms` timer set in the same tick: timers started together fire in the
 * order of their delays, so this checks a deadline against a longer one, not against the machine's speed.
 */
async function beforeTimer<T>(ms: number, work: () => Promise<T>): Promise<{ value: T; inTime: boolean }> {
    let late = false;
    const timer = setTimeout(() => (late = true), ms);
    const value = await work();
    clearTimeout(timer);
    return { value, inTime: !late };
}

// Every server this spec started, closed once at the end so mocha can exit.
after(() => {
    for (const s of servers) {
        s.closeAllConnections();
        s.close();
    }
});

describe("release CLI", () => {
    describe("promote", () => {
        it("verifies green through the preview route, switches, watches the live route and reports each step", async () => {
            const { ws, colours } = await setup("healthy");
            const before = Date.now();
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.stack.activeColor, "green");
            assert.equal(ws.deployed.activeColor, "green");
            assert.equal(ws.ups, 1);
            // The rollback window starts at the promote: promotedAt is the time the command planned it, to the second.
            const promotedAt = ws.stack.promotedAt;
            assert.match(promotedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
            assert.ok(Date.parse(promotedAt) >= before - 1000 && Date.parse(promotedAt) <= Date.now(), promotedAt);
            assert.deepEqual(stepNames(r), [
                "read config of stack dev: ok",
                "plan the change: ok",
                `take the release lock (Lease ${LEASE_NAME} in namespace zdp): ok`,
                "compare the stack file with the deployed stack: ok",
                "resolve the app endpoint: ok",
                "check green through the preview route before switching: ok",
                `set activeColor=green promotedAt=${promotedAt}: ok`,
                "pulumi up: ok",
                "wait until the live route answers only from green 2.0.0 (up to 2.0 s): ok",
                "watch the live route for 150 ms: ok",
            ]);
            assert.ok(colours.green.hits > 3, "live traffic reached green during the watch");
            assert.ok(r.steps.every((s) => Number.isFinite(s.ms)));
            assert.match(r.lines.join("\n"), /\[6\] check green through the preview route before switching: OK in (\d+ ms|\d+\.\d s) - 3\/3 healthy/);
        });

        it("refuses when the stack file's release keys differ from the deployed stack: it would check one version and ship another", async () => {
            const { ws, colours } = await setup("healthy");
            ws.stack.greenVersion = "2.1.0"; // edited in the file, never `up`-ed: green still runs 2.0.0
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.refused, r.lines.join("\n"));
            assert.equal(ws.ups, 0);
            assert.equal(colours.green.hits, 0, "no check ran against what is deployed");
            assert.match(
                r.outcome,
                /Pulumi\.dev\.yaml and the deployed stack differ: greenVersion: file 2\.1\.0, deployed 2\.0\.0\. To go back to what is deployed .*: pulumi config set --stack dev greenVersion 2\.0\.0; then run this command again\. A bare `pulumi up` would ship/,
            );
        });

        it("after an interrupted promote, the recovery it names reverts the file to the deployed release (never finishes the promote unchecked)", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "blue" });
            ws.stack.activeColor = "green"; // a killed promote left the file switched; the stack still routes to blue
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.refused, r.lines.join("\n"));
            const named = /: (pulumi config set [^;]+(?:; pulumi config set [^;]+)*); then run/.exec(r.outcome);
            assert.ok(named, r.outcome);
            for (const cmd of named[1].split("; ")) {
                const [, key, value] = /^pulumi config set --stack dev (\S+) (\S+)$/.exec(cmd)!;
                ws.stack[key] = value;
            }
            assert.equal(ws.stack.activeColor, "blue", "the file is back on the deployed colour");
            const again = await run(ws, ["promote"]);
            assert.equal(again.exitCode, EXIT.ok, `the promote now runs with its checks: ${again.outcome}`);
        });

        it("aborts before switching when the preview check of green fails: no config change, no up", async () => {
            const { ws, initial, colours } = await setup("failing");
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed);
            assert.equal(ws.ups, 0);
            assert.deepEqual(ws.stack, initial);
            assert.equal(colours.green.hits, 4, "the check stops once 3 in a row is out of reach of 6 attempts");
            assert.equal(r.steps.at(-1)!.status, "failed");
            assert.match(r.outcome, /aborted before any change/);
            assert.match(r.steps.at(-1)!.detail, /0\/4 healthy, 4 failed; last: HTTP 503/);
        });

        it("fails closed when a proxy drops the preview header: blue's 200s never count as green's", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.dropPreviewHeader = true;
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(ws.ups, 0);
            assert.deepEqual(ws.stack, initial);
            assert.equal(colours.green.hits, 0, "green was never reached");
            assert.ok(colours.blue.hits >= 1, "blue answered the 'preview' requests");
            assert.match(r.steps.at(-1)!.detail, /0\/\d healthy, \d failed; last: answered by blue 1\.0\.0, expected green 2\.0\.0/);
        });

        it("reaches green only with the stack's secret preview token (a dark canary), and refuses without one", async () => {
            const { ws, colours } = await setup("healthy");
            const guess = await probe(`http://${ws.endpoint}/healthz`, { "x-zdp-preview": "true" }, HANG_MS, { green: "2.0.0" });
            assert.equal(guess.color, "blue", "the old guessable value reaches only the live colour");
            assert.equal(colours.green.hits, 0);
            ws.token = "";
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.refused);
            assert.match(r.outcome, /the stack exports no previewToken/);
            assert.equal(ws.ups, 0);
        });

        it("never sends the preview token over plain HTTP except to this machine: a remote http:// endpoint is refused before any request", async () => {
            const { ws, colours } = await setup("healthy");
            ws.endpoint = "lb.zdp-demo.net:8080";
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.refused);
            assert.match(r.outcome, /refusing to send the preview token over plain HTTP to lb\.zdp-demo\.net:8080/);
            assert.equal(ws.ups, 0);
            assert.equal(colours.blue.hits + colours.green.hits, 0);
        });

        it("fails closed when the answers name no colour: it cannot tell green answered", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.attribute = false;
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(ws.ups, 0);
            assert.deepEqual(ws.stack, initial);
            assert.ok(colours.green.hits >= 1);
            assert.match(r.steps.at(-1)!.detail, /cannot tell which colour answered \(expected green 2\.0\.0\)/);
        });

        it("--version-path: an app without the headers is attributed by its version endpoint, still failing closed", async () => {
            const { ws, colours } = await setup("healthy");
            ws.attribute = false; // e.g. podinfo: no x-zdp-* headers, but GET /version answers {"version": ...}
            const r = await run(ws, ["promote", "--version-path", "/version"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.match(r.steps.find((s) => s.name.startsWith("check green"))!.detail, /3\/3 healthy, 0 failed; last: HTTP 200 from green 2\.0\.0/);

            const dropped = await setup("healthy");
            dropped.ws.attribute = false;
            dropped.ws.dropPreviewHeader = true;
            const d = await run(dropped.ws, ["promote", "--version-path", "/version"]);
            assert.equal(d.exitCode, EXIT.failed);
            assert.equal(dropped.ws.ups, 0);
            assert.match(d.steps.at(-1)!.detail, /cannot tell which colour answered \(expected green 2\.0\.0\)/);
            assert.ok(colours.green.hits > 0);
        });

        it("a route that never moves within --converge-timeout fails closed: rolled back, naming the flag", async () => {
            const { ws, initial } = await setup("healthy");
            // The up "succeeds" but the route never moves (e.g. the Gateway rejected the new route).
            ws.onUp = (n) => {
                if (n === 1) ws.deployed = { ...ws.deployed, activeColor: "blue" };
            };
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.ups, 2, "switch, then rollback");
            const wait = r.steps.find((s) => s.name === "wait until the live route answers only from green 2.0.0 (up to 2.0 s)")!;
            assert.equal(wait.status, "failed");
            assert.match(
                wait.detail,
                /^did not converge within 2\.0 s \(--converge-timeout\): [1-9]\d* answers from blue 1\.0\.0, never 3 in a row from green 2\.0\.0; 0 failed \(tolerate 0\); last: answered by blue 1\.0\.0/,
            );
            assert.ok(!r.steps.some((s) => s.name.startsWith("watch")), "no watch of a route that never moved");
            assert.match(r.outcome, /--converge-timeout/);
        });

        it("a proxy that applies the route late is waited for: blue's answers after the up are no failure, and no rollback", async () => {
            const { ws, colours } = await setup("healthy");
            ws.lag = 8; // the next 8 requests after the up still go by the old route
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.ups, 1, "no rollback");
            assert.equal(ws.deployed.activeColor, "green");
            const wait = r.steps.find((s) => s.name.startsWith("wait until the live route"))!;
            assert.match(wait.detail, /^converged in \d+ ms: 3 in a row from green 2\.0\.0 after 8 answers from blue 1\.0\.0, 0 failed \(tolerate 0\)$/);
            assert.equal(r.steps.at(-1)!.name, "watch the live route for 150 ms");
            assert.ok(colours.green.hits > 3);
        });

        it("--version-path: the convergence wait tells the old colour by the version its answers name", async () => {
            const { ws } = await setup("healthy");
            ws.attribute = false; // no x-zdp-* headers: blue's answers say only {"version": "1.0.0"}
            ws.lag = 5;
            const r = await run(ws, ["promote", "--version-path", "/version"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.match(
                r.steps.find((s) => s.name.startsWith("wait until"))!.detail,
                /3 in a row from green 2\.0\.0 after 5 answers from blue 1\.0\.0, 0 failed/,
            );
        });

        it("a promote to a colour that answers 500 fails while converging, counted against --max-failures, and traffic is back on blue", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.onUp = (n) => {
                if (n === 1) colours.green.mode = "failing"; // healthy through the preview route, broken once live
            };
            const r = await run(ws, ["promote", "--max-failures", "2"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            const wait = r.steps.find((s) => s.name === "wait until the live route answers only from green 2.0.0 (up to 2.0 s)")!;
            assert.equal(wait.status, "failed");
            assert.match(
                wait.detail,
                /^unhealthy while converging to green 2\.0\.0: 3 failed \(tolerate 2\), 0 answers from blue 1\.0\.0; last: HTTP 503 from green 2\.0\.0$/,
            );
            assert.deepEqual(ws.stack, initial);
            assert.deepEqual([ws.ups, ws.deployed.activeColor], [2, "blue"]);
            const back = await probe(`http://${ws.endpoint}/healthz`, {}, 1000, { blue: "1.0.0" });
            assert.equal(back.ok, true, "the live route answers from blue again");
            assert.match(r.outcome, /rolled back to the previous config/);
        });

        it("aborts when green flaps: successes never reach the threshold in a row", async () => {
            const { ws, initial, colours } = await setup("flapping");
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed);
            assert.equal(ws.ups, 0);
            assert.deepEqual(ws.stack, initial);
            assert.ok(colours.green.hits >= 3 && colours.green.hits <= 6);
            assert.match(r.steps.at(-1)!.detail, /healthy, \d failed/);
        });

        it("rolls back automatically when the live watch fails after switching", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.onUp = (n) => {
                // green converges (3 healthy answers in a row), then breaks under live traffic
                let healthy = 3;
                if (n === 1) colours.green.onHit = () => void (--healthy < 0 && (colours.green.mode = "failing"));
            };
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(ws.ups, 2, "one up to switch, one up to roll back");
            assert.deepEqual(ws.stack, initial, "activeColor removed again: the stack file is as before");
            assert.equal(ws.deployed.activeColor, "blue");
            assert.deepEqual(stepNames(r).slice(-8), [
                "pulumi up: ok",
                "wait until the live route answers only from green 2.0.0 (up to 2.0 s): ok",
                "watch the live route for 150 ms: failed",
                "restore the previous config: ok",
                "pulumi up --target the live route: ok",
                "wait until the live route answers only from blue 1.0.0 (up to 2.0 s): ok",
                "pulumi up (rollback): ok",
                "check the live route after rollback: ok",
            ]);
            assert.deepEqual(ws.upTargets, [undefined, ROUTE_URNS, undefined], "the routes alone first, then the whole stack");
            assert.match(r.steps.at(-3)!.detail, /^converged in \d+ ms: .*; \d+ ms after the rollback started$/);
            assert.match(r.steps.find((s) => s.name === "restore the previous config")!.detail, /unset activeColor/);
            assert.match(r.outcome, /rolled back to the previous config/);
            assert.match(r.lines.join("\n"), /FAILED \(exit 1/);
        });

        it("restores the config and ups again when the switching up itself fails", async () => {
            const { ws, initial } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "blue" });
            ws.failUps.add(1);
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.failed);
            assert.equal(ws.ups, 2);
            assert.deepEqual(ws.stack, initial, "activeColor=blue put back as it was set");
            assert.match(r.steps.find((s) => s.name === "pulumi up")!.detail, /timed out waiting to be Ready/);
            assert.match(r.steps.find((s) => s.name === "restore the previous config")!.detail, /activeColor=blue/);
        });

        it("exits 3 when the rollback fails too, naming the up that deploys the restored previous config (never one that finishes the promote)", async () => {
            const { ws, initial } = await setup("healthy");
            ws.failUps.add(1).add(2);
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.rollbackFailed);
            assert.deepEqual(ws.stack, initial, "the previous config is back in the file");
            assert.match(
                r.outcome,
                /ROLLBACK FAILED: .*The stack file holds the previous config again, but the deployed stack may hold part of the change\. To put the previous release back: pulumi up --stack dev \(it deploys the previous config: nothing unverified\), then npm run release -- status --stack dev$/,
            );
        });

        it("when even the config could not be restored, exit 3 names the exact config commands that revert the file, before any up", async () => {
            const { ws, initial, colours } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", releaseStrategy: "blueGreen" });
            ws.onUp = (n) => {
                if (n !== 2) return;
                colours.green.mode = "failing"; // broken at 50 %
                ws.setConfig = async () => {
                    throw new Error("error: could not write Pulumi.dev.yaml: read-only file system");
                };
            };
            const r = await run(ws, ["canary", "10,50"]);
            assert.equal(r.exitCode, EXIT.rollbackFailed, r.lines.join("\n"));
            const named =
                /The stack file still holds the change\. To put the previous release back: (.+); then pulumi up --stack dev \(it deploys the previous config: nothing unverified\), then npm run release -- status --stack dev\. A pulumi up before those would ship the unverified change$/.exec(
                    r.outcome,
                );
            assert.ok(named, r.outcome);
            assert.deepEqual(ws.stack.canaryWeight, "50", "the file still says 50 %");
            assert.deepEqual(named[1].split("; "), ["pulumi config set --stack dev releaseStrategy blueGreen", "pulumi config rm --stack dev canaryWeight"]);
            for (const cmd of named[1].split("; ")) {
                const [, verb, key, value] = /^pulumi config (set|rm) --stack dev (\S+)(?: (\S+))?$/.exec(cmd)!;
                if (verb === "set") ws.stack[key] = value;
                else delete ws.stack[key];
            }
            assert.deepEqual(ws.stack, initial, "the named commands put the file back as it was");
        });
    });

    describe("canary", () => {
        it("moves traffic step by step, watching the live route after each step", async () => {
            const { ws, colours } = await setup("healthy");
            const r = await run(ws, ["canary", "10,50"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.ups, 2);
            assert.deepEqual(ws.stack, { blueVersion: "1.0.0", greenVersion: "2.0.0", releaseStrategy: "canary", canaryWeight: "50" });
            assert.deepEqual(
                r.steps.filter((s) => s.name.startsWith("set")).map((s) => s.name),
                ["set canaryWeight=10 releaseStrategy=canary", "set canaryWeight=50"],
            );
            assert.equal(r.steps.filter((s) => s.name.startsWith("watch")).length, 2);
            assert.ok(colours.green.hits > 3);
        });

        it("rolls every step back to the config before the command when a later step fails", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.onUp = (n) => {
                if (n === 2) colours.green.mode = "failing"; // fine at 10 %, broken at 50 %
            };
            const r = await run(ws, ["canary", "10,50", "--max-failures", "0"]);
            assert.equal(r.exitCode, EXIT.failed);
            assert.equal(ws.ups, 3);
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.deployed.releaseStrategy, "blueGreen");
            assert.match(
                r.steps.find((s) => s.name === "restore the previous config")!.detail,
                /unset canaryWeight unset releaseStrategy|unset releaseStrategy unset canaryWeight/,
            );
        });

        it("watches the canary colour itself during a step: a broken 1 % canary is caught though no live probe reached it", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.onUp = (n) => {
                if (n === 1) colours.green.mode = "failing";
            };
            const r = await run(ws, ["canary", "1"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            const watch = r.steps.find((s) => s.name === "watch the live route and green for 150 ms")!;
            assert.equal(watch.status, "failed");
            assert.match(watch.detail, /^1\/2 healthy, 1 failed; last: HTTP 503/, "live probe ok, then the preview probe of green fails");
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.deployed.releaseStrategy, "blueGreen");
        });

        it("Ctrl-C during the watch stops it, restores the previous config, reports and exits 130", async () => {
            const { ws, initial, colours } = await setup("healthy");
            const stop = new AbortController();
            ws.onUp = (n) => {
                // Once the watch runs: green's 3 answers of the convergence wait, then the watch's first.
                let seen = 0;
                if (n === 1) colours.green.onHit = () => void (++seen === 4 && stop.abort("SIGINT"));
            };
            const lines: string[] = [];
            const args = parseReleaseArgs(["promote", "--stack", "dev", ...FAST.filter((a) => a !== "--watch" && a !== "0.15"), "--watch", "30"]);
            const r = { ...(await runRelease(args, ws, (l) => lines.push(l), { signal: stop.signal, clock })), lines };
            assert.equal(r.exitCode, EXIT.interrupted, r.lines.join("\n"));
            assert.equal(
                colours.green.hits,
                3 + 3 + 1,
                "the 30 s watch ended at the signal: after the 3 preview checks and the 3 answers of the convergence wait, only the request it came in",
            );
            assert.deepEqual(ws.stack, initial, "the stack file is as before");
            assert.deepEqual([ws.ups, ws.deployed.activeColor], [2, "blue"], "an up put the previous config back");
            assert.deepEqual(stepNames(r).slice(-6), [
                "watch the live route for 30.0 s: failed",
                "restore the previous config: ok",
                "pulumi up --target the live route: ok",
                "wait until the live route answers only from blue 1.0.0 (up to 2.0 s): ok",
                "pulumi up (rollback): ok",
                "check the live route after rollback: ok",
            ]);
            assert.match(r.lines.join("\n"), /interrupted by SIGINT/);
            assert.match(r.lines.at(-1)!, /^FAILED \(exit 130/);
        });

        it("a rollback is never undone: a failing watch after it leaves traffic on the colour rolled back to", async () => {
            const { ws, colours } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            ws.onUp = () => {
                colours.blue.mode = "failing"; // a transient error on the rollback target during the watch
            };
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(ws.ups, 1, "no second up back to green");
            assert.deepEqual([ws.stack.activeColor, ws.deployed.activeColor], ["blue", "blue"]);
            assert.deepEqual(ws.upTargets, [ROUTE_URNS, undefined], "the failed wait still lets the full up complete the rollback");
            assert.deepEqual(stepNames(r).slice(-2), ["wait until the live route answers only from blue 1.0.0 (up to 2.0 s): failed", "pulumi up: ok"]);
            assert.match(r.outcome, /the rollback stays in place/);
        });

        it("rollback during a canary only sets the weight back to 0", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", releaseStrategy: "canary", canaryWeight: "25" });
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.stack.canaryWeight, "0");
            assert.equal(ws.stack.activeColor, undefined);
        });
    });

    describe("analysis on server-side metrics (--analysis)", () => {
        type Figures = Record<string, { req: number; err: number; p99: number }>;
        /**
         * A Prometheus stand-in answering the documented vector shape from per-colour numbers; `data`
         * may give them per measurement (from 1, counted by the candidate's request queries).
         */
        async function prometheus(data: Figures | ((measurement: number) => Figures), extra = "", minRequests = 100) {
            const asked: string[] = [];
            const server = http.createServer((req, res) => {
                const q = new URL(req.url!, "http://x").searchParams.get("query")!;
                asked.push(q);
                const [, kind, color] = /^(req|err|p99):(\w+)$/.exec(q)!;
                const measurement = asked.filter((a) => a === "req:green").length;
                const v = (typeof data === "function" ? data(measurement) : data)[color][kind as "req" | "err" | "p99"];
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(v)] }] } }));
            });
            const url = `http://${await listen(server)}`;
            const analysis = parseAnalysis(
                `source: {kind: prometheus, url: "${url}", queries: {requests: "req:{{color}}", errors: "err:{{color}}", p99Ms: "p99:{{color}}"}}\nthresholds: {minRequests: ${minRequests}, minSuccessRate: 0.99, maxP99Ms: 500}\n${extra}`,
            );
            return { analysis, asked, data };
        }
        const runWith = async (ws: Workspace, argv: string[], analysis: Analysis) => {
            const lines: string[] = [];
            return {
                ...(await runRelease(parseReleaseArgs([...argv, "--stack", "dev", ...FAST]), ws, (l) => lines.push(l), { analysis, clock })),
                lines,
            };
        };

        it("a canary step goes on only when its analysis passes", async () => {
            const { ws } = await setup("healthy");
            const { analysis, asked } = await prometheus({ blue: { req: 9000, err: 3, p99: 90 }, green: { req: 1000, err: 1, p99: 110 } });
            const r = await runWith(ws, ["canary", "10,50"], analysis);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            const analyses = r.steps.filter((s) => s.name.startsWith("analyse"));
            assert.deepEqual(
                analyses.map((s) => `${s.name}: ${s.status}`),
                ["analyse green over the watch of canaryWeight=10 releaseStrategy=canary: ok", "analyse green over the watch of canaryWeight=50: ok"],
            );
            assert.match(analyses[0].detail, /prometheus: green 1000 req, 99\.90% ok, p99 110 ms; blue 9000 req/);
            assert.ok(asked.includes("err:green") && asked.includes("p99:blue"));
        });

        it("2 % errors on the canary fail its analysis and roll back, though every probe passed", async () => {
            const { ws, initial } = await setup("healthy");
            const { analysis } = await prometheus({ blue: { req: 9000, err: 3, p99: 90 }, green: { req: 1000, err: 20, p99: 110 } });
            const r = await runWith(ws, ["canary", "10,50"], analysis);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.ups, 2, "step 10 %, then the rollback; never 50 %");
            assert.match(r.steps.find((s) => s.name.startsWith("analyse"))!.detail, /success rate 98\.00% < 99\.00%/);
        });

        it("promote is refused before switching when the candidate's p99 is 2 s, or the metrics cannot be read", async () => {
            const slow = await setup("healthy");
            const { analysis } = await prometheus({ blue: { req: 9000, err: 0, p99: 90 }, green: { req: 1000, err: 0, p99: 2000 } });
            const r = await runWith(slow.ws, ["promote"], analysis);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(slow.ws.ups, 0);
            assert.match(r.steps.at(-1)!.detail, /p99 2000 ms > 500 ms/);

            const down = await setup("healthy");
            const unreachable = parseAnalysis(`source: {kind: prometheus, url: "http://127.0.0.1:1", queries: {requests: r, errors: e, p99Ms: p}}`);
            const d = await runWith(down.ws, ["promote"], unreachable);
            assert.equal(d.exitCode, EXIT.failed);
            assert.equal(down.ws.ups, 0);
            assert.match(d.steps.at(-1)!.detail, /prometheus could not be read/);
        });

        it("a canary step takes count measurements, prints each, and a failed second one rolls back", async () => {
            const { ws, initial } = await setup("healthy");
            const healthy = { blue: { req: 9000, err: 3, p99: 90 }, green: { req: 1000, err: 1, p99: 110 } };
            const { analysis, asked } = await prometheus(
                (n) => (n === 2 ? { ...healthy, green: { req: 1000, err: 30, p99: 110 } } : healthy),
                "count: 3\nintervalSeconds: 60\n",
            );
            const r = await runWith(ws, ["canary", "10,50"], analysis);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.ups, 2, "step 10 %, then the rollback; never 50 %");
            assert.equal(asked.filter((q) => q === "req:green").length, 2, "the third measurement is never taken");
            const printed = r.lines.filter((l) => /^ +measurement \d\/3 /.test(l));
            assert.deepEqual(
                printed.map((l) => /measurement (\d\/3) .*UTC: (\w+)/.exec(l)!.slice(1).join(" ")),
                ["1/3 Successful", "2/3 Failed"],
            );
            assert.match(printed[1], /green 1000 req, 97\.00% ok, p99 110 ms; blue 9000 req, .* - success rate 97\.00% < 99\.00%/);
            const step = r.steps.find((s) => s.name.startsWith("analyse"))!;
            assert.equal(step.status, "failed");
            assert.match(step.detail, /^Failed: failed \(1\) > failureLimit \(0\) - 1 successful, 1 failed/);
        });

        it("promote after --load: the metrics must show at least minThroughputShare of the requests the load sent", async () => {
            // minRequests 10: only the throughput gate can refuse 12 requests. The load sends about 30 (see the load step's test).
            const few = await setup("healthy");
            const blind = await prometheus({ blue: { req: 9000, err: 0, p99: 90 }, green: { req: 12, err: 0, p99: 100 } }, "", 10);
            const r = await runWith(few.ws, ["promote", "--load", "4", "--load-seconds", "0.3"], blind.analysis);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(few.ws.ups, 0, "refused before switching");
            assert.match(r.steps.at(-1)!.detail, /^Inconclusive: .*the source shows 12 candidate requests in the window, the load step alone sent about \d+/);

            const seen = await setup("healthy");
            const sees = await prometheus({ blue: { req: 9000, err: 0, p99: 90 }, green: { req: 40, err: 0, p99: 100 } }, "", 10);
            const ok = await runWith(seen.ws, ["promote", "--load", "4", "--load-seconds", "0.3"], sees.analysis);
            assert.equal(ok.exitCode, EXIT.ok, ok.lines.join("\n"));
        });

        it("promote with count 3: the load runs two intervals longer, so every measurement's window ends inside it", async () => {
            const { ws } = await setup("healthy");
            const { analysis, asked } = await prometheus(
                { blue: { req: 9000, err: 0, p99: 90 }, green: { req: 1000, err: 0, p99: 100 } },
                "count: 3\nintervalSeconds: 1\n",
                10,
            );
            const r = await runWith(ws, ["promote", "--load", "4", "--load-seconds", "0.3"], analysis);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            const step = r.steps.find((s) => s.name.startsWith("load green"))!;
            assert.equal(step.name, "load green through the preview route for 2.3 s (300 ms, and 2.0 s more for the analysis's later windows)");
            const n = Number(/^(\d+)/.exec(step.detail)![1]);
            assert.ok(n >= 230 && n <= 233, `SERVICE_MS each over 2.3 s: ${n} requests`);
            assert.equal(asked.filter((q) => q === "req:green").length, 3);
            assert.equal(r.lines.filter((l) => /^ +measurement \d\/3 .*: Successful - /.test(l)).length, 3);
        });

        it("an analysis file with a wrong key or value is refused naming it", () => {
            assert.throws(
                () => parseAnalysis("source: {kind: prometheus, url: x, queries: {requests: a, errors: b, p99Ms: c}}\nthreshold: {}"),
                /analysis file: source\.url: Invalid URL; \(root\): Unrecognized key: "threshold"$/,
            );
            assert.throws(
                () => parseAnalysis("source: {kind: datadog}"),
                /source\.kind: Invalid discriminator value\. Expected 'prometheus' \| 'cloudwatch' \| 'azureMonitor' \| 'cloudMonitoring'/,
            );
        });

        it("the cloud sources: azureMonitor must switch the latency checks off, and says so in its verdict", async () => {
            const agc = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceNetworking/trafficControllers/agc";
            const azure = `source: {kind: azureMonitor, endpoint: "https://westeurope.metrics.monitor.azure.com", resourceId: "${agc}", backendServices: {blue: zdp/app-blue/80, green: zdp/app-green/80}}`;
            assert.throws(
                () => parseAnalysis(azure),
                /analysis file: thresholds\.checkLatency: Application Gateway for Containers publishes no per-backend latency.*set it to false/,
            );
            assert.throws(
                () => parseAnalysis(azure.replace("https://west", "http://west") + "\nthresholds: {checkLatency: false}"),
                /source\.endpoint: Invalid URL/,
            );
            assert.throws(
                () => parseAnalysis(azure.replace(agc, "/subscriptions/s/resourceGroups/rg") + "\nthresholds: {checkLatency: false}"),
                /source\.resourceId: expected the trafficControllers resource ID/,
            );
            const a = parseAnalysis(`${azure}\nthresholds: {checkLatency: false, minRequests: 10}`);
            assert.equal(a.source.name, "azure-monitor");
            const fixed = {
                ...a,
                source: {
                    name: "azure-monitor",
                    read: () => Promise.resolve({ green: { requests: 100, successRate: 1 }, blue: { requests: 900, successRate: 1 } }),
                },
            };
            const lines: string[] = [];
            const r = await runAnalysis(fixed, {
                candidate: "green",
                stable: "blue",
                base: { start: 0, end: 300_000 },
                clock,
                at: (t) => new Date(t),
                log: (l) => lines.push(l),
            });
            assert.equal(r.ok, true, r.detail);
            assert.equal(lines.length, 1);
            assert.match(
                lines[0],
                /Successful - azure-monitor: green 100 req, 100\.00% ok, p99 -; blue 900 req, 100\.00% ok, p99 - \(p99 not checked: thresholds\.checkLatency is false\)$/,
            );

            assert.equal(
                parseAnalysis("source: {kind: cloudMonitoring, projectId: zdp-prod, backendServices: {blue: b, green: g}}").source.name,
                "cloud-monitoring",
            );
            assert.throws(
                () => parseAnalysis("source: {kind: cloudMonitoring, projectId: zdp-prod, backendServices: {blue: ''}}"),
                /source\.backendServices\.blue: Too small/,
            );
        });
    });

    describe("load step (--load)", () => {
        it("puts bounded load on green through the preview route before promote and reports its numbers", async () => {
            const { ws, colours } = await setup("healthy");
            const r = await run(ws, ["promote", "--load", "4", "--load-seconds", "0.3"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            const step = r.steps.find((s) => s.name.startsWith("load green"))!;
            assert.equal(step.name, "load green through the preview route for 300 ms");
            assert.match(step.detail, /^(\d+) requests \(\d+\/s, 4 connections\), 0 failed, p50 \d+ ms, p99 \d+ ms/);
            const n = Number(/^(\d+)/.exec(step.detail)![1]);
            assert.ok(colours.green.hits >= n, `${n} requests, all on green`);
            // SERVICE_MS each: 300 ms hold 30; the 3 other connections may each finish one begun before the end.
            assert.ok(n >= 30, `the load lasted its 300 ms: ${n} requests`);
            assert.ok(n <= 30 + 3, `bounded: no request begins after its 300 ms, ${n} requests`);
        });

        it("errors under load stop the promote before switching", async () => {
            const { ws, initial, colours } = await setup("healthy");
            colours.green.healthyFor = 3; // healthy for the check's 3 requests, broken under load
            const r = await run(ws, ["promote", "--load", "2", "--load-seconds", "0.4"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.equal(ws.ups, 0);
            assert.deepEqual(ws.stack, initial);
            assert.match(r.steps.at(-1)!.detail, /[1-9]\d* failed.*last error: HTTP 503/);
        });
    });

    describe("one release per stack at a time (the Lease lock)", () => {
        it("a second run while one is under way is refused before any change and says who holds the lock since when", async () => {
            const { ws } = await setup("healthy");
            const second: ReleaseResult[] = [];
            ws.onUp = () => {
                // The first run is between its up and its watch: another operator tries a rollback.
                void run(ws, ["rollback"]).then((r) => second.push(r));
            };
            const first = await run(ws, ["promote"]);
            assert.equal(first.exitCode, EXIT.ok, first.lines.join("\n"));
            assert.equal(second.length, 1);
            assert.equal(second[0].exitCode, EXIT.refused);
            assert.match(second[0].outcome, new RegExp(`another release holds this stack's lock: \\S+@\\S+ pid ${process.pid} since \\d{4}-\\d\\d-\\d\\dT`));
            assert.equal(ws.ups, 1, "the second run changed nothing");
            assert.equal(ws.deployed.activeColor, "green");
            assert.equal(ws.leases.lease, undefined, "the first run released the lock at its end");
        });

        it("a lock lost mid-release (another run took the lease over) stops before the next change and restores the config", async () => {
            const { ws, initial } = await setup("healthy");
            ws.onUp = (n) => {
                // After canary 10 %: the run stalled past the lease's expiry and an operator's run took it over.
                if (n === 1) ws.leases.lease = { ...ws.leases.lease!, holderIdentity: "ops@laptop pid 42" };
            };
            const r = await run(ws, ["canary", "10,50"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            assert.match(r.outcome, /the release lock was lost to ops@laptop pid 42: another release may be changing this stack; rolled back/);
            assert.ok(!r.steps.some((s) => s.name === "set canaryWeight=50" && s.status === "ok"), "no further change after the loss");
            assert.deepEqual(ws.stack, initial, "the config before the command is back");
            assert.equal(ws.leases.lease?.holderIdentity, "ops@laptop pid 42", "the other run's lease is left alone");
        });

        it("the lock is released after a failed release and after Ctrl-C", async () => {
            const failed = await setup("failing");
            assert.equal((await run(failed.ws, ["promote"])).exitCode, EXIT.failed);
            assert.equal(failed.ws.leases.lease, undefined);
            const { ws, colours } = await setup("healthy");
            const stop = new AbortController();
            ws.onUp = () => (colours.green.onHit = () => stop.abort("SIGTERM")); // during the watch
            const args = parseReleaseArgs(["promote", "--stack", "dev", ...FAST.filter((a) => a !== "--watch" && a !== "0.15"), "--watch", "20"]);
            const r = await runRelease(args, ws, () => {}, { signal: stop.signal, clock });
            assert.equal(r.exitCode, EXIT.interrupted);
            assert.equal(ws.leases.lease, undefined);
        });

        it("a lease left by a killed run is taken over only once it has expired", async () => {
            const { ws } = await setup("healthy");
            const old = new Date(Date.now() - 10 * 60_000).toISOString();
            await ws.leases.create({ holderIdentity: "ci run 41", acquireTime: old, renewTime: old, leaseDurationSeconds: 120 });
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.match(r.steps[2].detail, /took over the expired lease of ci run 41/);

            const fresh = await setup("healthy");
            const now = new Date().toISOString();
            await fresh.ws.leases.create({ holderIdentity: "ci run 42", acquireTime: now, renewTime: now, leaseDurationSeconds: 120 });
            const refused = await run(fresh.ws, ["promote"]);
            assert.equal(refused.exitCode, EXIT.refused);
            assert.match(refused.outcome, new RegExp(`holds this stack's lock: ci run 42 since ${now.replace(/\./g, "\\.")}`));
            assert.equal(fresh.ws.ups, 0);
        });

        it("--break-lock shows the live lease's holder, asks, removes it and goes on; declined or unasked, nothing changes", async () => {
            const renewed = new Date(Date.now() - 30_000).toISOString();
            const killedRun = { holderIdentity: "ops@laptop pid 4242", acquireTime: "2026-12-01T10:00:00.000Z", renewTime: renewed, leaseDurationSeconds: 120 };
            const asked: string[] = [];

            const declined = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            await declined.ws.leases.create(killedRun);
            const no = await run(declined.ws, ["rollback", "--break-lock"], undefined, async (q) => (asked.push(q), false));
            assert.equal(no.exitCode, EXIT.refused, no.lines.join("\n"));
            assert.match(no.outcome, /not broken \(not confirmed\): the lease of ops@laptop pid 4242/);
            assert.equal(declined.ws.leases.lease?.holderIdentity, "ops@laptop pid 4242");
            assert.equal(declined.ws.ups, 0);

            const unasked = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            await unasked.ws.leases.create(killedRun);
            const none = await run(unasked.ws, ["rollback", "--break-lock"]); // no terminal: no confirm
            assert.equal(none.exitCode, EXIT.refused);
            assert.match(none.outcome, /stdin is not one; add --yes .* The lease: ops@laptop pid 4242, holding it since 2026-12-01T10:00:00\.000Z/);
            assert.equal(unasked.ws.leases.lease?.holderIdentity, "ops@laptop pid 4242");

            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            await ws.leases.create(killedRun);
            const r = await run(ws, ["rollback", "--break-lock"], undefined, async (q) => (asked.push(q), true));
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(asked.length, 2, "asked once per run that could break it");
            assert.match(
                asked[1],
                new RegExp(
                    `^Break the release lock held by ops@laptop pid 4242, holding it since 2026-12-01T10:00:00\\.000Z, last renewed ${renewed.replace(/\./g, "\\.")} \\(\\d+ s ago\\), expires in \\d+ s\\? A live run renews it every 40 s`,
                ),
            );
            assert.deepEqual(stepNames(r).slice(2, 4), [
                `break the release lock (Lease ${LEASE_NAME} in namespace zdp): ok`,
                `take the release lock (Lease ${LEASE_NAME} in namespace zdp): ok`,
            ]);
            assert.match(r.steps[2].detail, /^broke the lease of ops@laptop pid 4242/);
            assert.equal(ws.deployed.activeColor, "blue", "the rollback ran");
            assert.equal(ws.leases.lease, undefined, "and released its own lock");
        });

        it("--break-lock never removes a lease its holder renewed after it was shown: that run is alive", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            const now = new Date().toISOString();
            await ws.leases.create({ holderIdentity: "ci run 41", acquireTime: now, renewTime: now, leaseDurationSeconds: 120 });
            const later = new Date(Date.now() + 1000).toISOString();
            const r = await run(ws, ["rollback", "--break-lock"], undefined, async () => {
                ws.leases.renew(later); // while the operator read the prompt, the holder renewed
                return true;
            });
            assert.equal(r.exitCode, EXIT.refused, r.lines.join("\n"));
            assert.match(
                r.outcome,
                new RegExp(
                    `not broken: the lease changed after it was shown, so its holder is alive .*now ci run 41, .*last renewed ${later.replace(/\./g, "\\.")}`,
                ),
            );
            assert.deepEqual([ws.leases.lease?.holderIdentity, ws.leases.lease?.renewTime], ["ci run 41", later], "the live run's lease stays");
            assert.equal(ws.ups, 0);
        });

        it("--break-lock --yes breaks without asking; an expired lease is taken over without asking either", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            const now = new Date().toISOString();
            await ws.leases.create({ holderIdentity: "ci run 41", acquireTime: now, renewTime: now, leaseDurationSeconds: 120 });
            const r = await run(ws, ["rollback", "--break-lock", "--yes"], undefined, assert.fail);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.match(r.steps[2].detail, /^broke the lease of ci run 41, holding it since /);

            const stale = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            const old = new Date(Date.now() - 600_000).toISOString();
            await stale.ws.leases.create({ holderIdentity: "ci run 40", acquireTime: old, renewTime: old, leaseDurationSeconds: 120 });
            const taken = await run(stale.ws, ["rollback", "--break-lock"], undefined, assert.fail);
            assert.equal(taken.exitCode, EXIT.ok, taken.lines.join("\n"));
            assert.match(taken.steps[2].detail, /^nothing to break: the lease of ci run 40, .*expires \d+ s ago; it is taken over below$/);
            assert.match(taken.steps[3].detail, /took over the expired lease of ci run 40/);
        });

        it("the holder renews its lease while the release runs, and a lost lease is reported", async () => {
            const leases = new MemoryLeases();
            const lost: string[] = [];
            const held = await acquireLock(leases, "me", 0.06, (why) => lost.push(why));
            const first = leases.lease!.renewTime;
            await new Promise((r) => setTimeout(r, 70));
            assert.ok(leases.lease!.renewTime > first, "renewed");
            leases.lease = { ...leases.lease!, holderIdentity: "someone else" };
            await new Promise((r) => setTimeout(r, 40));
            assert.match(lost[0] ?? "", /lost to someone else/);
            await held.release();
            assert.equal(leases.lease?.holderIdentity, "someone else", "never deletes another holder's lease");
        });

        it("records every step as it starts and ends, and the verdict, on the Lease's record while the lock is held", async () => {
            const { ws, colours } = await setup("healthy");
            ws.onUp = (n) => {
                if (n === 2) colours.green.mode = "failing"; // fine at 10 %, broken at 50 %
            };
            const r = await run(ws, ["canary", "10,50", "--max-failures", "0"]);
            assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
            const e = ws.leases.entries;
            assert.deepEqual(
                e.map((x) => x.seq),
                e.map((_, i) => i),
                "written in order",
            );
            assert.ok(e.length > 0 && ws.leases.heldAtWrite.every(Boolean), "every entry written while the lease was held");
            assert.equal(new Set(e.map((x) => x.run)).size, 1);
            assert.deepEqual([e[0].kind, e[0].name], ["start", "canary"]);
            assert.match(e[0].detail, /canary/);
            // Every step the report holds, in its order, each ended as the report says.
            const ended = e.filter((x) => x.kind === "step" && x.status !== "running");
            assert.deepEqual(
                ended.map((x) => [x.name, x.status, x.detail]),
                r.steps.map((s) => [s.name, s.status, s.detail]),
            );
            // Each step after the lock was recorded as running before it ended.
            const watch = e.findIndex((x) => x.name.startsWith("watch") && x.status === "running");
            assert.ok(watch > 0 && e[watch + 1].name === e[watch].name && e[watch + 1].status !== "running");
            assert.deepEqual([e.at(-1)!.kind, e.at(-1)!.status, e.at(-1)!.detail], ["outcome", "failed", r.outcome]);
            assert.equal(ws.leases.lease, undefined, "the lock is released after the verdict");
        });

        it("a record the cluster refuses is named once and never fails the release", async () => {
            const { ws } = await setup("healthy");
            ws.leases.recordFailure = 'events is forbidden: User "ci" cannot create resource "events" in API group "" in the namespace "zdp"';
            const r = await run(ws, ["canary", "10"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            const warnings = r.lines.filter((l) => l.includes("not recorded in the cluster"));
            assert.equal(warnings.length, 1, warnings.join("\n"));
            assert.match(warnings[0], /events is forbidden/);
        });
    });

    describe("deploy, rollback, status, dry run", () => {
        it("deploy puts the version on the inactive colour and verifies it through the preview route", async () => {
            const { ws } = await setup("healthy");
            const r = await run(ws, ["deploy", "2.1.0"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.stack.greenVersion, "2.1.0");
            assert.equal(ws.stack.blueVersion, "1.0.0");
            assert.equal(r.steps.at(-1)!.name, "check green through the preview route after the update");
        });

        it("deploy restores the previous version when the new one fails its preview check", async () => {
            const { ws, initial, colours } = await setup("healthy");
            ws.onUp = (n) => {
                if (n === 1) colours.green.mode = "failing";
            };
            const r = await run(ws, ["deploy", "2.1.0"]);
            assert.equal(r.exitCode, EXIT.failed);
            assert.deepEqual(ws.stack, initial);
            assert.equal(ws.deployed.greenVersion, "2.0.0");
        });

        it("rollback switches back to the other colour after checking it", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.stack.activeColor, "blue");
            assert.ok(r.steps.some((s) => s.name === "check blue through the preview route before switching"));
        });

        it("rollback ups exactly the live route first, waits until blue answers, then ups the whole stack", async () => {
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", activeColor: "green" });
            ws.lag = 4; // the proxy applies the route 4 requests late
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.deepEqual(ws.upTargets, [ROUTE_URNS, undefined]);
            assert.deepEqual(stepNames(r).slice(-4), [
                "pulumi up --target the live route: ok",
                "wait until the live route answers only from blue 1.0.0 (up to 2.0 s): ok",
                "pulumi up: ok",
                "watch the live route for 150 ms: ok",
            ]);
            assert.equal(r.steps.at(-4)!.detail, "app-route: update 1, same 24");
            const [, took, since] =
                /^converged in (\d+) ms: 3 in a row from blue 1\.0\.0 after 4 answers not from it yet, 0 failed \(tolerate 0\); (\d+) ms after the rollback started$/.exec(
                    r.steps.at(-3)!.detail,
                )!;
            assert.ok(Number(since) >= Number(took), "the rollback started before its wait");
        });

        it("with inactiveScale minimal a rollback ups the whole stack first (the old colour may be scaled down); a canary abort still goes fast", async () => {
            const minimal = { blueVersion: "1.0.0", greenVersion: "2.0.0", inactiveScale: "minimal" };
            const { ws } = await setup("healthy", { ...minimal, activeColor: "green" });
            const r = await run(ws, ["rollback"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.deepEqual(ws.upTargets, [undefined]);
            const skipped = r.steps.find((s) => s.name === "pulumi up --target the live route")!;
            assert.equal(skipped.status, "skipped");
            assert.match(skipped.detail, /^inactiveScale minimal: blue may run one pod per zone/);
            assert.equal(ws.deployed.activeColor, "blue");

            const canary = await setup("healthy", { ...minimal, releaseStrategy: "canary", canaryWeight: "25" });
            assert.equal((await run(canary.ws, ["rollback"])).exitCode, EXIT.ok);
            assert.deepEqual(canary.ws.upTargets, [ROUTE_URNS, undefined], "the traffic goes back to the active colour, which is full size");
        });

        it("the convergence bound defaults per stack cloud; --converge-timeout overrides it", async () => {
            // A gcp stack as the program accepts it: with its region, project and control-plane networks.
            const gcp = { cloud: "gcp", "gcp:region": "europe-west1", "gcp:project": "zdp-test", "gcp.masterAuthorizedNetworks": "203.0.113.0/24" };
            const { ws } = await setup("healthy", { blueVersion: "1.0.0", greenVersion: "2.0.0", ...gcp });
            const noBound = FAST.slice(0, FAST.indexOf("--converge-timeout"));
            const r = await runRelease(parseReleaseArgs(["promote", "--stack", "dev", ...noBound]), ws, () => {});
            assert.equal(r.exitCode, EXIT.ok);
            assert.ok(r.steps.some((s) => s.name === "wait until the live route answers only from green 2.0.0 (up to 600.0 s)"));
            assert.equal(parseReleaseArgs(["promote", "--stack", "x", "--converge-timeout", "90"]).convergeMs, 90_000);
            assert.equal(parseReleaseArgs(["promote", "--stack", "x"]).convergeMs, undefined);
            assert.throws(() => parseReleaseArgs(["promote", "--stack", "x", "--converge-timeout", "soon"]), /--converge-timeout must be a number of seconds/);
        });

        it("status prints versions, colours, weights and health of both routes", async () => {
            const { ws } = await setup("failing");
            const r = await run(ws, ["status"]);
            assert.equal(r.exitCode, EXIT.ok);
            const text = r.lines.join("\n");
            assert.match(text, /blueGreen, active blue \(deployed: blue\)/);
            assert.match(text, /blue +version 1\.0\.0 +weight 100% \(deployed 100%\)/);
            assert.match(text, /green +version 2\.0\.0 +weight 0%/);
            assert.match(text, /live route +http:\/\/127\.0\.0\.1:\d+\/healthz: 1\/1 healthy/);
            assert.match(text, /preview route x-zdp-preview: true -> green: 0\/1 healthy, 1 failed; last: HTTP 503/);
            assert.equal(ws.ups, 0);
        });

        it("--dry-run previews the change and leaves the stack file and the deployment untouched", async () => {
            const { ws, initial, colours } = await setup("healthy");
            const r = await run(ws, ["promote", "--dry-run"]);
            assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
            assert.equal(ws.previews, 1);
            assert.deepEqual(
                ws.previewEdits.map(({ promotedAt, ...rest }) => ({ ...rest, promotedAt: typeof promotedAt })),
                [{ activeColor: "green", promotedAt: "string" }],
                "the preview ran on a copy with the promote applied",
            );
            assert.equal(ws.ups, 0);
            assert.equal(ws.configWrites, 0, "the shared stack file is never written, not even for a moment");
            assert.deepEqual(ws.stack, initial);
            assert.equal(colours.green.hits, 0, "no HTTP checks in a dry run");
            assert.match(r.outcome, /preview: update 1, same 24/);
        });

        it("refuses commands that make no sense for the stack, before touching anything", async () => {
            const { ws, initial } = await setup("healthy", { releaseStrategy: "rolling", appVersion: "1.0.0" });
            const r = await run(ws, ["promote"]);
            assert.equal(r.exitCode, EXIT.refused);
            assert.match(r.outcome, /releaseStrategy is rolling/);
            assert.deepEqual(ws.stack, initial);
        });
    });
});

describe("release CLI building blocks", () => {
    it("a failed step names the Pulumi CLI's error, not the end of its output", () => {
        // The shape of @pulumi/automation's CommandError for a failed `up` (errors.ts createCommandError).
        const message = [
            "code: 255",
            " stdout: Updating (dev):",
            "     pulumi:pulumi:Stack zdp-dev running ",
            "Diagnostics:",
            "  pulumi:pulumi:Stack (zdp-dev):",
            "    error: Duplicate resource URN 'urn:pulumi:dev::zdp::x'; try giving it a unique name",
            "",
            "Resources:",
            "    16 unchanged",
            "",
            "Duration: 2s",
            "",
            " stderr: ",
        ].join("\n");
        assert.equal(
            failureDetail(message),
            "pulumi:pulumi:Stack (zdp-dev): error: Duplicate resource URN 'urn:pulumi:dev::zdp::x'; try giving it a unique name",
        );
        assert.equal(failureDetail("connect ECONNREFUSED\nretried 3 times\nlast at 12:00\ngave up"), "retried 3 times last at 12:00 gave up");
    });

    it("parses commands and options with node's parseArgs", () => {
        const a = parseReleaseArgs(["canary", "10,50,100", "--stack", "aws", "--watch", "30", "--dry-run"]);
        assert.deepEqual(a.action, { kind: "canary", percents: [10, 50, 100] });
        assert.equal(a.stack, "aws");
        assert.equal(a.dryRun, true);
        assert.equal(a.checks.watchMs, 30_000);
        for (const [argv, message] of [
            [["promote"], /--stack is required/],
            [["canary", "150", "--stack", "x"], /0 to 100/],
            [["deploy", "--stack", "x"], /needs a VERSION/],
            [["launch", "--stack", "x"], /unknown command "launch"/],
            [["promote", "--stack", "x", "--success", "5", "--attempts", "3"], /can never be reached/],
            [["promote", "--stack", "x", "--bogus"], /bogus/],
            [["status", "--stack", "x", "--break-lock"], /--break-lock goes with a command that takes the release lock/],
            [["promote", "--stack", "x", "--break-lock", "--dry-run"], /--break-lock goes with a command that takes the release lock/],
            [["promote", "--stack", "x", "--yes"], /--yes confirms --break-lock and nothing else/],
        ] as const)
            assert.throws(
                () => parseReleaseArgs([...argv]),
                (e: Error) => e instanceof UsageError && message.test(e.message),
            );
    });

    it("refuses to edit plain keys a `release.*` alias would override", () => {
        assert.throws(() => stateOf({ "release.activeColor": "green" }), RefusedError);
    });

    it("refuses deploying onto a colour that takes canary traffic; a minimal colour may take a canary (its floor follows its share)", () => {
        const canary = stateOf({ releaseStrategy: "canary", canaryWeight: "20", blueVersion: "1", greenVersion: "2" });
        assert.throws(() => planRelease(canary, { kind: "deploy", version: "3" }), /promote or rollback before deploying/);
        const minimal = stateOf({ inactiveScale: "minimal", blueVersion: "1", greenVersion: "2" });
        assert.deepStrictEqual(
            planRelease(minimal, { kind: "canary", percents: [10] }).steps.map((s) => s.edit),
            [{ canaryWeight: "10", releaseStrategy: "canary" }],
        );
    });

    it("restores set keys and removes keys the stack file did not have", () => {
        assert.deepEqual(restoreEdit({ activeColor: "blue" }, ["activeColor", "canaryWeight"]), { set: { activeColor: "blue" }, remove: ["canaryWeight"] });
    });

    it("reads project defaults from Pulumi.yaml in both spellings", () => {
        const yaml =
            "name: zdp\nconfig:\n  activeColor:\n    type: string\n    default: blue\n  zdp:canaryWeight:\n    default: 0\n  aws:region: us-east-1\n  previewHeader: x-zdp-preview\n";
        assert.deepEqual(mergedConfig(yaml, ""), {
            "zdp:activeColor": "blue",
            "zdp:canaryWeight": "0",
            "aws:region": "us-east-1",
            "zdp:previewHeader": "x-zdp-preview",
        });
    });

    it("--edit-only changes exactly the release keys in the stack file and keeps everything else", () => {
        const pulumiYaml = PULUMI_YAML;
        const stackYaml =
            '# AWS stack\nconfig:\n  aws:region: eu-west-1\n  zdp:cloud: aws\n  zdp:aws:\n    apiPublicAccessCidrs: 203.0.113.0/24\n  zdp:blueVersion: 1.0.0 # live\n  zdp:greenVersion: 2.0.0\n  zdp:targetUsers: "10000"\n';
        const p = proposeRelease({ kind: "canary", percents: [10] }, pulumiYaml, stackYaml, "aws");
        assert.deepEqual(p.edit, { canaryWeight: "10", releaseStrategy: "canary" });
        const before = stackYaml.split("\n");
        const after = p.stackYaml.split("\n");
        assert.deepEqual(
            after.filter((l) => !before.includes(l)),
            ['  zdp:canaryWeight: "10"', "  zdp:releaseStrategy: canary"],
        );
        assert.deepEqual(
            before.filter((l) => !after.includes(l)),
            [],
            "comments and other keys kept",
        );
        assert.throws(() => proposeRelease({ kind: "canary", percents: [10, 50] }, pulumiYaml, stackYaml, "aws"), /one canary step/);
        assert.match(proposeRelease({ kind: "promote" }, pulumiYaml, stackYaml, "aws").stackYaml, /zdp:activeColor: green/);
    });

    it("every release edit of the real stack files is a config the program accepts", () => {
        const root = path.join(__dirname, "..");
        const pulumiYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
        const rawConfig = (stackYaml: string) => mergedConfig(pulumiYaml, stackYaml);
        // A realistic sequence: new version on the inactive colour, canary, promote, roll back.
        const sequence: ReleaseAction[] = [{ kind: "deploy", version: "7.0.0" }, { kind: "canary", percents: [10] }, { kind: "promote" }, { kind: "rollback" }];
        for (const stack of ["dev", "aws", "azure", "gcp"]) {
            let stackYaml = fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8");
            for (const action of sequence) {
                stackYaml = proposeRelease(action, pulumiYaml, stackYaml, stack).stackYaml;
                assert.doesNotThrow(() => parseConfig(rawConfig(stackYaml), stack), `${stack} after ${action.kind}`);
            }
            const release = parseConfig(rawConfig(stackYaml), stack).release;
            assert.equal(release.activeColor, "blue", `${stack}: promote then rollback ends on blue`);
            assert.equal(release.greenVersion, "7.0.0");
            assert.equal(release.strategy, "canary");
        }
    });

    it("the Automation API adapter prefixes project keys, skips secrets and other namespaces, hides secret outputs", async () => {
        const calls: string[] = [];
        const config: Record<string, { value: string; secret?: boolean }> = {
            "zdp:activeColor": { value: "blue" },
            "zdp:dbPassword": { value: "hunter2", secret: true },
            "aws:region": { value: "eu-west-1" },
        };
        const stack = {
            getAllConfig: async () => config,
            setAllConfig: async (c: typeof config) => void calls.push(`set ${JSON.stringify(c)}`),
            removeAllConfig: async (keys: string[]) => void calls.push(`remove ${keys.join(",")}`),
            up: async (o: { color?: string }) => (calls.push(`up color=${o.color}`), { summary: { resourceChanges: { update: 1 } } }),
            preview: async () => ({ changeSummary: { same: 3 } }),
            outputs: async () => ({ endpoint: { value: "lb.example.com", secret: false }, kubeconfig: { value: "apiVersion: v1", secret: true } }),
        } as unknown as StackApi;
        const files: Record<string, string> = {
            "Pulumi.yaml": "name: zdp\nconfig:\n  previewHeader:\n    default: x-zdp-preview\n  activeColor:\n    default: blue\n",
            "Pulumi.aws.yaml": "config:\n  zdp:activeColor: green\n  zdp:alertWebhook:\n    secure: v1:abc\n",
        };
        const ws = workspaceFromStack("aws", stack, (file) => files[file]);
        assert.deepEqual(await ws.stackConfig(), { activeColor: "blue" });
        assert.deepEqual(
            await ws.programConfig(),
            { "zdp:activeColor": "green", "zdp:alertWebhook": "[secret]", "zdp:previewHeader": "x-zdp-preview" },
            "the program's config: the stack file over Pulumi.yaml's defaults, secrets unread",
        );
        await ws.setConfig({ activeColor: "green" });
        await ws.setConfig({});
        await ws.removeConfig(["canaryWeight"]);
        await ws.removeConfig([]);
        assert.deepEqual(await ws.up(() => {}), { update: 1 });
        assert.deepEqual(await ws.outputs(), { endpoint: "lb.example.com", kubeconfig: "[secret]" });
        assert.deepEqual(calls, ['set {"zdp:activeColor":{"value":"green","secret":false}}', "remove zdp:canaryWeight", "up color=never"]);
    });

    it("the Automation API adapter ups exactly the Release's traffic routes, as the exported state names them", async () => {
        const release = "urn:pulumi:aws::zdp::zdp:k8s:Release::app";
        const httpRoute = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
        const route = (name: string, parent = release, parentType = "zdp:k8s:Release") => ({
            urn: `urn:pulumi:aws::zdp::${parentType}$${httpRoute}::${name}`,
            type: httpRoute,
            parent,
        });
        const resources = [
            { urn: "urn:pulumi:aws::zdp::pulumi:pulumi:Stack::zdp-aws", type: "pulumi:pulumi:Stack" },
            { urn: release, type: "zdp:k8s:Release", parent: "urn:pulumi:aws::zdp::pulumi:pulumi:Stack::zdp-aws" },
            route("app-route"),
            route("app-preview-token-route"),
            route("app-preview-route"),
            route("app-redirect-route"), // moves no traffic
            { urn: `urn:pulumi:aws::zdp::zdp:k8s:Release$kubernetes:apps/v1:Deployment::app-blue`, type: "kubernetes:apps/v1:Deployment", parent: release },
            route("app-route", "urn:pulumi:aws::zdp::other:Thing::app", "other:Thing"), // another component's route
        ];
        const targets: unknown[] = [];
        const stack = {
            exportStack: async () => ({ version: 3, deployment: { resources } }),
            up: async (o: { target?: string[] }) => (targets.push(o.target), { summary: { resourceChanges: { update: 1 } } }),
        } as unknown as StackApi;
        const projectFiles = (file: string) => (file === "Pulumi.yaml" ? "name: zdp\n" : "");
        const ws = workspaceFromStack("aws", stack, projectFiles);
        const urns = await ws.routeUrns();
        assert.deepEqual(urns, [route("app-route").urn], "the live route only; the preview routes follow in the full up");
        await ws.up(() => {}, { targets: urns });
        await ws.up(() => {});
        assert.deepEqual(targets, [urns, undefined]);
        const empty = workspaceFromStack("aws", { exportStack: async () => ({ version: 3, deployment: {} }) } as unknown as StackApi, projectFiles);
        assert.deepEqual(await empty.routeUrns(), []);
    });

    it("the live route is found among the URNs the real program registers (not the preview or redirect routes)", async function () {
        this.timeout(60_000);
        const run = await runStack("gcp", { domain: "app.example.com", previewHost: "preview.app.example.com" }); // with HTTPS: a redirect route too
        const urns = trafficRouteUrns(run.resources);
        assert.deepEqual(urns.map(urnName), ["app-route"]);
        assert.ok(
            run.resources.some((r) => urnName(r.urn) === "app-redirect-route"),
            "the program has a redirect route, left out",
        );
    });

    it("a rollback ups the routes alone only when versions stay and every colour gaining traffic is at full size", () => {
        const s = (stack: Record<string, string>) => stateOf({ blueVersion: "1.0.0", greenVersion: "2.0.0", ...stack });
        assert.equal(fastRollbackBlocker(s({ activeColor: "green" }), s({})), undefined);
        assert.match(
            fastRollbackBlocker(s({ activeColor: "green", inactiveScale: "minimal" }), s({ inactiveScale: "minimal" })) ?? "",
            /^inactiveScale minimal: blue may run one pod per zone; the full up scales it up before the route moves$/,
        );
        // Inside the rollback window blue was held at its full floor: the routes alone move it back.
        const tenMinutesAgo = promotedAtText(new Date(Date.now() - 10 * 60_000));
        const windowOpen = { inactiveScale: "minimal", promotedAt: tenMinutesAgo };
        assert.equal(fastRollbackBlocker(s({ ...windowOpen, activeColor: "green" }), s(windowOpen)), undefined);
        const windowOver = { inactiveScale: "minimal", promotedAt: tenMinutesAgo, rollbackWindowMinutes: "5" };
        assert.match(fastRollbackBlocker(s({ ...windowOver, activeColor: "green" }), s(windowOver)) ?? "", /blue may run one pod per zone/);
        // A rollback keeps the promote's promotedAt: the colour it leaves is held only for what is left of the window.
        assert.deepEqual(
            planRelease(s({ ...windowOpen, activeColor: "green" }), { kind: "rollback" }).steps.map((x) => x.edit),
            [{ activeColor: "blue" }],
        );
        const at = new Date("2026-12-07T18:42:07.250Z");
        assert.deepEqual(
            planRelease(s(windowOpen), { kind: "promote" }, at).steps.map((x) => x.edit),
            [{ activeColor: "green", promotedAt: "2026-12-07T18:42:07Z" }],
        );
        const canary = { releaseStrategy: "canary", inactiveScale: "minimal" };
        assert.equal(fastRollbackBlocker(s({ ...canary, canaryWeight: "50" }), s({ ...canary, canaryWeight: "0" })), undefined, "back to the active colour");
        assert.equal(fastRollbackBlocker(s({ greenVersion: "2.1.0" }), s({})), "the rollback moves no traffic");
        assert.equal(fastRollbackBlocker(s({ activeColor: "green", greenVersion: "2.1.0" }), s({})), "versions change: the Deployments roll first");
        const rolling = stateOf({ releaseStrategy: "rolling", appVersion: "1.0.0" });
        assert.equal(fastRollbackBlocker(rolling, rolling), "rolling: no colours to switch");
    });

    it("while converging, a release waits only on healthy answers of the previous state; a rollback on anything but the target", () => {
        const previous = { blue: "1.0.0" };
        const target = { green: "2.0.0" };
        const cases: [Partial<ProbeResult>, AnswerKind, AnswerKind][] = [
            [{ ok: true, status: 200, color: "green", version: "2.0.0" }, "target", "target"],
            [{ status: 200, color: "blue", version: "1.0.0", error: "answered by blue 1.0.0, expected green 2.0.0" }, "waiting", "waiting"],
            [{ status: 503, color: "blue", version: "1.0.0" }, "failure", "waiting"],
            [{ status: 503, color: "green", version: "2.0.0" }, "failure", "failure"],
            [{ error: "no complete answer within 1000 ms" }, "failure", "waiting"],
            [{ status: 200, color: "blue", version: "0.9.0", error: "answered by blue 0.9.0, expected green 2.0.0" }, "failure", "waiting"],
            [{ status: 200, version: "1.0.0", error: "the answer has no x-zdp-color/x-zdp-version header" }, "waiting", "waiting"], // --version-path
            [{ status: 200, version: "0.9.0", error: "the answer has no x-zdp-color/x-zdp-version header" }, "failure", "waiting"],
        ];
        for (const [answer, forward, rollback] of cases) {
            const p: ProbeResult = { ok: false, ms: 1, ...answer };
            assert.deepEqual(
                [classify(p, previous, target, "forward"), classify(p, previous, target, "rollback")],
                [forward, rollback],
                JSON.stringify(answer),
            );
        }
    });

    it("the convergence wait ends at its bound by the injected clock, not by the machine's speed", async () => {
        const { ws } = await setup("healthy"); // the live route answers from blue 1.0.0, never from green
        let now = 0;
        const spec: ConvergeSpec = {
            url: `http://${ws.endpoint}/healthz`,
            target: { green: "2.0.0" },
            previous: { blue: "1.0.0" },
            mode: "forward",
            timeoutMs: 1000,
            intervalMs: 60_000, // never slept: the injected sleep returns at once
            successThreshold: 3,
            maxFailures: 0,
            boundMs: 5000,
            clock: () => (now += 1000), // every reading is one second later
            sleep: async () => {},
        };
        const res = await awaitConvergence(spec);
        assert.deepEqual([res.ok, res.converged, res.attempts, res.waiting, res.failures], [false, false, 5, 5, 0]);
        assert.match(
            describeConvergence(res, spec),
            /^did not converge within 5\.0 s \(--converge-timeout\): 5 answers from blue 1\.0\.0, never 3 in a row from green 2\.0\.0/,
        );
    });

    it("a probe's timeout is a deadline: a 200 that trickles its body never passes and ends on time", async () => {
        const slow = await colour("trickling");
        const { value: p, inTime } = await beforeTimer(600, () => probe(`http://${slow.url}/`, {}, 150));
        assert.deepEqual([p.ok, p.error], [false, "no complete answer within 150 ms"]);
        assert.ok(inTime, "ended before a 600 ms timer started with it");
    });

    it("a probe of a server that never answers ends at its timeout", async () => {
        const hang = await colour("hanging");
        const { value: p, inTime } = await beforeTimer(1000, () => probe(`http://${hang.url}/`, {}, 100));
        assert.equal(p.ok, false);
        assert.match(p.error!, /no complete answer within 100 ms/);
        assert.ok(inTime, "ended before a 1 s timer started with it");
        const c = await checkHealthy({
            url: `http://${hang.url}/`,
            headers: {},
            timeoutMs: 50,
            intervalMs: 0,
            successThreshold: 2,
            maxAttempts: 3,
            expect: {},
        });
        assert.equal(c.ok, false);
        assert.equal(c.attempts, 2, "stops once the threshold is out of reach");
    });
});

describe("release CLI: where the preview token may travel", () => {
    it("HTTPS anywhere, plain HTTP only to loopback", () => {
        for (const ok of [
            "https://shop.acme-corp.io/readyz",
            "http://127.0.0.1:8080/readyz",
            "http://127.3.2.1/",
            "http://localhost:9898/",
            "http://[::1]:8080/",
        ])
            assert.equal(previewTokenTransportProblem(ok), undefined, ok);
        for (const bad of ["http://20.1.2.3/readyz", "http://lb.zdp-demo.net/", "http://128.0.0.1/", "http://localhost.acme-corp.io/", "http://[2001:db8::1]/"])
            assert.match(previewTokenTransportProblem(bad)!, /refusing to send the preview token over plain HTTP/, bad);
    });
});
