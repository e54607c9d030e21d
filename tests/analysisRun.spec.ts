// The analysis file's keys and defaults, and an analysis run (scripts/release/analysis.ts) against a
// scripted source on a clock that moves only by the run's own waits: when each measurement is read,
// which window it reads, when the run stops, and that Ctrl-C ends a wait. No network.
import assert from "node:assert/strict";
import { ERROR_RETRY_MS, INGESTION_LAG_SECONDS, parseAnalysis, runAnalysis, type Analysis, type AnalysisRunSpec } from "../scripts/release/analysis";
import { realClock, type Clock } from "../scripts/release/health";
import { NoDataError, type ColorMetrics, type MetricsSource } from "../scripts/release/metrics";

const prometheus = `source: {kind: prometheus, url: "http://127.0.0.1:9", queries: {requests: r, errors: e, p99Ms: p}}`;

describe("analysis file: Argo-like keys and their defaults", () => {
    it("a file without the measurement keys takes one measurement, tolerates nothing, and waits the source's ingestion lag", () => {
        const a = parseAnalysis(prometheus);
        assert.deepEqual(a.limits, { count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 });
        assert.equal(a.initialDelayMs, 60_000);
        assert.equal(a.thresholds.minThroughputShare, 0.5);
        const kinds: [string, number][] = [
            ["source: {kind: cloudwatch, region: eu-west-1, loadBalancer: app/x/1, targetGroups: {green: targetgroup/g/2}}", 180],
            ["source: {kind: cloudMonitoring, projectId: p, backendServices: {green: g}}", 270],
            [
                "source: {kind: azureMonitor, endpoint: 'https://westeurope.metrics.monitor.azure.com', resourceId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.ServiceNetworking/trafficControllers/agc, backendServices: {green: g}}\nthresholds: {checkLatency: false}",
                120,
            ],
        ];
        for (const [file, seconds] of kinds) assert.equal(parseAnalysis(file).initialDelayMs, seconds * 1000, file);
        assert.deepEqual(INGESTION_LAG_SECONDS, { prometheus: 60, cloudwatch: 180, azureMonitor: 120, cloudMonitoring: 270 });
    });
    it("takes the keys as given", () => {
        const a = parseAnalysis(
            `${prometheus}\ninitialDelaySeconds: 0\nintervalSeconds: 30\ncount: 5\nfailureLimit: 1\ninconclusiveLimit: 2\nconsecutiveErrorLimit: 0\nthresholds: {minThroughputShare: 0}`,
        );
        assert.deepEqual(
            [a.initialDelayMs, a.intervalMs, a.limits, a.thresholds.minThroughputShare],
            [0, 30_000, { count: 5, failureLimit: 1, inconclusiveLimit: 2, consecutiveErrorLimit: 0 }, 0],
        );
    });
    it("refuses a count without an interval, limits that would pass without a successful measurement, and bad values, naming the key", () => {
        assert.throws(() => parseAnalysis(`${prometheus}\ncount: 3`), /^Error: analysis file: intervalSeconds: required with count 3/);
        assert.throws(
            () => parseAnalysis(`${prometheus}\ncount: 3\nintervalSeconds: 60\nfailureLimit: 2\ninconclusiveLimit: 1`),
            /failureLimit 2 \+ inconclusiveLimit 1 must be below count 3, or an analysis without one successful measurement would pass/,
        );
        assert.throws(() => parseAnalysis(`${prometheus}\ncount: 0`), /analysis file: count: Too small/);
        assert.throws(() => parseAnalysis(`${prometheus}\ninitialDelaySeconds: -1`), /analysis file: initialDelaySeconds: Too small/);
        assert.throws(() => parseAnalysis(`${prometheus}\nthresholds: {minThroughputShare: 1.5}`), /thresholds\.minThroughputShare: Too big/);
    });
});

/** Time that passes only by the run's waits; every read is recorded with the time it happened. */
class StepClock implements Clock {
    t = 0;
    now = () => this.t;
    sleep = (ms: number) => {
        this.t += ms;
        return Promise.resolve();
    };
}

/** A source answering each read from the script in turn: figures, or an error to throw. */
function scripted(script: (Record<string, ColorMetrics> | Error)[], clock: Clock) {
    const reads: { at: number; start: number; end: number }[] = [];
    const source: MetricsSource = {
        name: "scripted",
        read: (_colors, w) => {
            reads.push({ at: clock.now(), start: w.start.getTime(), end: w.end.getTime() });
            const next = script[Math.min(reads.length, script.length) - 1];
            return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
        },
    };
    return { source, reads };
}

const good = { green: { requests: 1000, successRate: 1, p99Ms: 100 }, blue: { requests: 9000, successRate: 1, p99Ms: 90 } };
const bad = { green: { requests: 1000, successRate: 0.9, p99Ms: 100 }, blue: good.blue };

describe("analysis run", () => {
    const file = `${prometheus}\ninitialDelaySeconds: 180\nintervalSeconds: 60\ncount: 3\nthresholds: {minRequests: 100, minSuccessRate: 0.99, maxP99Ms: 500}`;
    const run = (a: Analysis, clock: Clock, extra: Partial<AnalysisRunSpec> = {}) => {
        const lines: string[] = [];
        const spec: AnalysisRunSpec = {
            candidate: "green",
            stable: "blue",
            base: { start: 0, end: 300_000 },
            clock,
            at: (t) => new Date(Date.UTC(2026, 11, 7, 10) + t),
            log: (l) => lines.push(l),
            ...extra,
        };
        return runAnalysis(a, spec).then((r) => ({ ...r, lines }));
    };

    it("reads count windows an interval apart, each initialDelay after it ends, and prints each measurement as it is taken", async () => {
        const clock = new StepClock();
        const { source, reads } = scripted([good], clock);
        const r = await run({ ...parseAnalysis(file), source }, clock);
        assert.equal(r.ok, true, r.detail);
        const t0 = Date.UTC(2026, 11, 7, 10);
        assert.deepEqual(reads, [
            { at: 480_000, start: t0, end: t0 + 300_000 },
            { at: 540_000, start: t0 + 60_000, end: t0 + 360_000 },
            { at: 600_000, start: t0 + 120_000, end: t0 + 420_000 },
        ]);
        assert.deepEqual(
            r.lines.map((l) => l.trim().split(" - ")[0]),
            [
                "measurement 1/3 of 10:00:00-10:05:00 UTC: Successful",
                "measurement 2/3 of 10:01:00-10:06:00 UTC: Successful",
                "measurement 3/3 of 10:02:00-10:07:00 UTC: Successful",
            ],
        );
        assert.match(r.lines[0], /scripted: green 1000 req, 100\.00% ok, p99 100 ms; blue 9000 req, 100\.00% ok, p99 90 ms$/);
        assert.match(
            r.detail,
            /^Successful - 3 successful, 0 failed \(tolerated 0\), 0 inconclusive \(tolerated 0\), 0 errors; last: scripted: green 1000 req/,
        );
    });

    it("stops at the first measurement past failureLimit", async () => {
        const clock = new StepClock();
        const { source, reads } = scripted([good, bad], clock);
        const r = await run({ ...parseAnalysis(file), source }, clock);
        assert.equal(r.ok, false);
        assert.equal(reads.length, 2, "the third measurement is never taken");
        assert.deepEqual(
            r.measurements.map((m) => m.phase),
            ["Successful", "Failed"],
        );
        assert.match(r.detail, /^Failed: failed \(1\) > failureLimit \(0\) - 1 successful, 1 failed.*success rate 90\.00% < 99\.00%;/);

        const tolerant = scripted([bad, good], clock);
        const t = await run({ ...parseAnalysis(`${file}\nfailureLimit: 1`), source: tolerant.source }, new StepClock());
        assert.equal(t.ok, true, t.detail);
    });

    it("retries a source error on the same window after 10 s, counts it apart, and ends in Error past consecutiveErrorLimit", async () => {
        const clock = new StepClock();
        const flaky = scripted([new Error("throttled"), new Error("throttled"), good], clock);
        const r = await run({ ...parseAnalysis(file), source: flaky.source }, clock);
        assert.equal(r.ok, true, r.detail);
        assert.deepEqual(
            flaky.reads.slice(0, 3).map((x) => [x.at, x.start]),
            [
                [480_000, flaky.reads[0].start],
                [480_000 + ERROR_RETRY_MS, flaky.reads[0].start],
                [480_000 + 2 * ERROR_RETRY_MS, flaky.reads[0].start],
            ],
        );
        assert.equal(flaky.reads.length, 5, "2 errors, then the 3 measurements");
        assert.match(r.lines[0], /measurement 1\/3 .*: Error \(retried in 10\.0 s\) - scripted could not be read: throttled$/);

        const down = new StepClock();
        const dead = scripted([new Error("connect ECONNREFUSED")], down);
        const d = await run({ ...parseAnalysis(file), source: dead.source }, down);
        assert.equal(d.ok, false);
        assert.equal(dead.reads.length, 5, "the first try and 4 retries");
        assert.match(d.detail, /^Error: consecutive errors \(5\) > consecutiveErrorLimit \(4\) - .*last: scripted could not be read: connect ECONNREFUSED$/);
    });

    it("an answer without data points is Inconclusive, and an Inconclusive run fails closed where Argo would pause", async () => {
        const clock = new StepClock();
        const { source } = scripted([new NoDataError("no series for green in the window")], clock);
        const r = await run({ ...parseAnalysis(file), source }, clock);
        assert.equal(r.ok, false);
        assert.equal(r.phase, "Inconclusive");
        assert.match(
            r.detail,
            /^Inconclusive: inconclusive \(1\) > inconclusiveLimit \(0\) - .*Argo Rollouts would pause here for a human, this CLI fails closed/,
        );
    });

    it("the throughput gate compares each window with what the load sent into it", async () => {
        const clock = new StepClock();
        const { source } = scripted([good], clock);
        // 6000 requests over the base window: the source's 1000 are too few; a window past the load expects none.
        const sent = (w: { start: number; end: number }) => (w.end <= 300_000 ? 6000 : 0);
        const r = await run({ ...parseAnalysis(file), source }, clock, { sent });
        assert.equal(r.phase, "Inconclusive");
        assert.match(r.lines[0], /Inconclusive - .*the load step alone sent about 6000/);
    });

    it("Ctrl-C ends a wait at once: the run stops without another read and fails", async () => {
        const stop = new AbortController();
        // A clock whose waits end only when the signal aborts: the test cannot pass by time running out.
        const clock: Clock = { now: () => 0, sleep: (_ms, signal) => new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve())) };
        const { source, reads } = scripted([good], clock);
        const pending = run({ ...parseAnalysis(file), source }, clock, { signal: stop.signal });
        setImmediate(() => stop.abort("SIGINT"));
        const r = await pending;
        assert.deepEqual([r.ok, r.phase, reads.length], [false, "Interrupted", 0]);
        assert.match(r.detail, /^interrupted after 0\/3 measurements/);
    });

    it("the real clock's wait ends at the abort and leaves no timer behind", async () => {
        const stop = new AbortController();
        const waiting = realClock.sleep(3_600_000, stop.signal);
        setImmediate(() => stop.abort());
        await waiting; // an hour's wait that returned: the abort ended it
        await realClock.sleep(3_600_000, stop.signal); // already aborted: returns at once
    });
});
