// The traffic suite's figures (e2e/load.ts): what counts as failed and when a step has converged. The
// suite's own lines are only as good as this maths.
import * as assert from "assert";
import { convergedAt, figures, trafficLine, type Answer } from "../e2e/load";

/** `n` answers from `from`, one per 10 ms, starting at `at`. */
const run = (from: string, n: number, at: number, status = 200): Answer[] => Array.from({ length: n }, (_, i) => ({ at: at + i * 10, status, from }));

describe("traffic figures", () => {
    it("converged on one destination: the first answer after the last one from elsewhere", () => {
        const answers = [...run("blue/1", 50, 0), ...run("green/2", 3, 500), ...run("blue/1", 1, 530), ...run("green/2", 40, 540)];
        assert.equal(convergedAt(answers, { "green/2": 1 }), 540);
    });

    it("a failed answer from the target is not convergence", () => {
        const answers = [...run("green/2", 10, 0), ...run("green/2", 1, 100, 500), ...run("green/2", 10, 110)];
        assert.equal(convergedAt(answers, { "green/2": 1 }), 110);
    });

    it("never converged when the last answer is from elsewhere, or nothing answered", () => {
        assert.equal(convergedAt([...run("green/2", 10, 0), ...run("blue/1", 1, 100)], { "green/2": 1 }), undefined);
        assert.equal(convergedAt([], { "green/2": 1 }), undefined);
    });

    it("a split converges once every share has moved halfway, in either direction", () => {
        // 90/10 before, 50/50 after: blue must fall to 70 % or less and green rise to 30 % or more.
        const before = [...Array(200).keys()].map((i) => ({ at: i * 10, status: 200, from: i % 10 === 0 ? "green/2" : "blue/1" }));
        const after = [...Array(400).keys()].map((i) => ({ at: 2000 + i * 10, status: 200, from: i % 2 === 0 ? "green/2" : "blue/1" }));
        const at = convergedAt([...before, ...after], { "blue/1": 0.5, "green/2": 0.5 }, { "blue/1": 0.9, "green/2": 0.1 });
        assert.ok(at !== undefined && at > 2000 && at < 4000, `converged at ${at}`);
        assert.equal(convergedAt(before, { "blue/1": 0.5, "green/2": 0.5 }, { "blue/1": 0.9, "green/2": 0.1 }), undefined);
    });

    it("failed counts non-2xx answers and errors without an answer; the line has the form tooling reads", () => {
        const answers = [...run("blue/1", 98, 0), ...run("gateway", 2, 980, 502)];
        const f = figures(answers, 3, 12.4, { "blue/1": 1 });
        assert.equal(f.requests, 103);
        assert.equal(f.failed, 5);
        assert.deepEqual(f.by, { "blue/1": { ok: 98, failed: 0 }, gateway: { ok: 0, failed: 2 } });
        assert.equal(trafficLine("promote", f), "traffic promote: 103 requests, 5 failed, p99 12 ms, converged never");
        assert.match(
            trafficLine("promote", figures(run("blue/1", 10, 0), 0, 3, { "blue/1": 1 })),
            /^traffic promote: 10 requests, 0 failed, p99 3 ms, converged 0 ms$/,
        );
    });
});
