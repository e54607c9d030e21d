// The analysis's decisions, pure (scripts/release/analysisVerdict.ts): one measurement's figures to its
// phase, a run's phases to its outcome with Argo Rollouts' limits, and the windows and due times.
import assert from "node:assert/strict";
import { assessRun, dueAt, judge, measurementWindow, sentInto, type Limits, type MeasurementPhase, type Thresholds } from "../scripts/release/analysisVerdict";

describe("analysis: one measurement", () => {
    const t: Thresholds = { minRequests: 100, minSuccessRate: 0.99, maxP99Ms: 500, maxSuccessRateDrop: 0.005, maxP99Ratio: 1.5, minThroughputShare: 0.5 };
    const stable = { requests: 10_000, successRate: 0.999, p99Ms: 100 };

    it("is Successful for a candidate within the thresholds and close to stable", () => {
        assert.deepEqual(judge({ requests: 500, successRate: 0.998, p99Ms: 120 }, stable, t), { phase: "Successful", reasons: [] });
    });
    it("is Inconclusive on too few requests or no data: the window cannot decide", () => {
        assert.deepEqual(judge(undefined, stable, t), { phase: "Inconclusive", reasons: ["0 candidate requests in the window, need at least 100"] });
        assert.deepEqual(judge({ requests: 99, successRate: 0.5, p99Ms: 1 }, stable, t), {
            phase: "Inconclusive",
            reasons: ["99 candidate requests in the window, need at least 100"],
        });
    });
    it("is Failed on 2 % errors, 2 s latency, a drop against stable, or no p99", () => {
        const failed = (c: Parameters<typeof judge>[0]) => {
            const v = judge(c, stable, t);
            assert.equal(v.phase, "Failed", JSON.stringify(c));
            return v.reasons.join("; ");
        };
        assert.match(failed({ requests: 500, successRate: 0.98, p99Ms: 100 }), /success rate 98\.00% < 99\.00%/);
        assert.match(failed({ requests: 500, successRate: 1, p99Ms: 2000 }), /p99 2000 ms > 500 ms/);
        assert.match(failed({ requests: 500, successRate: 0.992, p99Ms: 160 }), /below stable's 99\.90%.*1\.60x stable's 100 ms/);
        assert.match(failed({ requests: 500, successRate: 1 }), /no candidate p99/);
    });
    it("is Failed on a figure that is not a finite number (NaN passes every comparison), the candidate's or the stable colour's", () => {
        for (const [c, st] of [
            [{ requests: NaN, successRate: 1, p99Ms: 100 }, stable],
            [{ requests: 500, successRate: NaN, p99Ms: 100 }, stable],
            [{ requests: 500, successRate: 1, p99Ms: Infinity }, stable],
            [{ requests: 500, successRate: 1, p99Ms: 100, lbErrors: NaN }, stable],
            [
                { requests: 500, successRate: 1, p99Ms: 100 },
                { ...stable, successRate: NaN },
            ],
        ] as const) {
            const v = judge(c, st, t);
            assert.equal(v.phase, "Failed", JSON.stringify([c, st]));
            assert.match(v.reasons.join(), /is (NaN|Infinity), not a number the analysis can judge/);
        }
    });
    it("with checkLatency false (a source without latency) judges requests and success rate only", () => {
        const noLatency = { ...t, checkLatency: false };
        assert.deepEqual(judge({ requests: 500, successRate: 0.998 }, { requests: 10_000, successRate: 0.999 }, noLatency), {
            phase: "Successful",
            reasons: [],
        });
        assert.deepEqual(
            judge({ requests: 500, successRate: 0.998, p99Ms: 5000 }, stable, noLatency),
            { phase: "Successful", reasons: [] },
            "p99 is not judged",
        );
        assert.match(judge({ requests: 500, successRate: 0.98 }, stable, noLatency).reasons.join(), /success rate 98\.00% < 99\.00%/);
    });
    it("counts the load balancer's unattributed 5xx against the candidate, not the stable colour", () => {
        const strict = { ...t, minSuccessRate: 0.999 };
        // 1000 requests without a target 5xx, and 5 ALB 5xx no colour explains: 1000 of 1005 succeeded.
        const v = judge({ requests: 1000, successRate: 1, p99Ms: 100, lbErrors: 5 }, { ...stable, lbErrors: 5 }, strict);
        assert.deepEqual(v, { phase: "Failed", reasons: ["success rate 99.50% < 99.90%"] });
        assert.equal(judge({ requests: 1000, successRate: 1, p99Ms: 100 }, stable, strict).phase, "Successful", "the same window without them passes");
    });
    it("throughput gate: fewer candidate requests than minThroughputShare of what the load sent is Inconclusive", () => {
        const c = { requests: 1000, successRate: 1, p99Ms: 100 };
        assert.deepEqual(judge(c, stable, t, 4000), {
            phase: "Inconclusive",
            reasons: [
                "the source shows 1000 candidate requests in the window, the load step alone sent about 4000 (need at least 50.00% of them): it does not (yet) show the candidate's traffic",
            ],
        });
        assert.equal(judge(c, stable, t, 2000).phase, "Successful", "exactly half is enough");
        assert.equal(judge(c, stable, { ...t, minThroughputShare: 0 }, 4000).phase, "Successful", "0 switches the gate off");
        assert.equal(judge(c, stable, t).phase, "Successful", "without a load there is nothing to compare");
    });
});

describe("analysis: a run's outcome, as Argo Rollouts assesses an AnalysisRun", () => {
    const limits: Limits = { count: 3, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 4 };
    const phase = (ps: MeasurementPhase[], l: Limits = limits) => assessRun(ps, l).phase;
    const S = "Successful",
        F = "Failed",
        I = "Inconclusive",
        E = "Error";

    it("succeeds only once count measurements were taken within the limits", () => {
        assert.equal(phase([]), "Running");
        assert.equal(phase([S, S]), "Running");
        assert.deepEqual(assessRun([S, F, S], limits), { phase: "Successful", message: "3 of 3 measurements taken within the limits" });
    });
    it("fails as soon as failures exceed failureLimit, without waiting for count", () => {
        assert.equal(phase([F]), "Running", "one failure is tolerated");
        assert.deepEqual(assessRun([F, F], limits), { phase: "Failed", message: "failed (2) > failureLimit (1)" });
        assert.equal(phase([F], { ...limits, failureLimit: 0 }), "Failed", "Argo's default failureLimit 0 tolerates none");
    });
    it("is Inconclusive as soon as inconclusives exceed inconclusiveLimit", () => {
        assert.deepEqual(assessRun([S, I], limits), { phase: "Inconclusive", message: "inconclusive (1) > inconclusiveLimit (0)" });
        assert.equal(phase([I, S, S], { ...limits, inconclusiveLimit: 1 }), "Successful");
    });
    it("errors do not count towards count; more in a row than consecutiveErrorLimit end the run in Error", () => {
        assert.equal(phase([S, E, E, S]), "Running", "two measurements taken, the errors were retried");
        assert.equal(phase([E, E, E, E]), "Running", "4 in a row are tolerated");
        assert.deepEqual(assessRun([E, E, E, E, E], limits), { phase: "Error", message: "consecutive errors (5) > consecutiveErrorLimit (4)" });
        assert.equal(phase([E, E, E, E, S, E, E, E, E, S, S]), "Successful", "a measurement in between resets the run of errors");
    });
    it("errors take precedence over inconclusives, inconclusives over failures (Argo's order)", () => {
        const l = { count: 5, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 0 };
        assert.equal(phase([F, I, E], l), "Error");
        assert.equal(phase([F, I], l), "Inconclusive");
    });
});

describe("analysis: windows and due times", () => {
    const watch = { start: 1_000_000, end: 1_300_000 };
    it("measurement n reads the base window moved on by n - 1 intervals, initialDelay after it ends", () => {
        assert.deepEqual(measurementWindow(watch, 1, 60_000), watch);
        assert.deepEqual(measurementWindow(watch, 3, 60_000), { start: 1_120_000, end: 1_420_000 });
        assert.equal(dueAt(watch, 1, 60_000, 180_000), 1_480_000);
        assert.equal(dueAt(watch, 3, 60_000, 180_000), 1_600_000);
    });
    it("the load's requests, spread evenly over its span, expected in a window by its overlap", () => {
        const load = { start: 0, end: 60_000, requests: 6000 };
        assert.equal(sentInto(load, { start: -300_000, end: 60_000 }), 6000, "the whole load");
        assert.equal(sentInto(load, { start: 30_000, end: 330_000 }), 3000, "its second half");
        assert.equal(sentInto(load, { start: 60_000, end: 360_000 }), 0, "a window after it");
        assert.equal(sentInto({ start: 5, end: 5, requests: 10 }, { start: 0, end: 10 }), 0, "a load of no length expects nothing");
    });
});
