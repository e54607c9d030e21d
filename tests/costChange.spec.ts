// The pull request's cost comment and the plan's --diff in dollars: base vs head compared line by line,
// resources attributed to lines, and the warn/fail thresholds.
import * as assert from "assert";
import { attribute, costChange, signedUsd, verdict } from "../model/cost/change";
import { LINE_TYPES } from "../model/cost/model";
import { compare, MARKER, renderComment, type PlanDoc } from "../scripts/costComment";
import { buildPlan, renderPlan } from "../scripts/planReport";

const doc = (lines: Record<string, number>, resources: PlanDoc["resources"], costPolicy = { warnIncreaseUsd: 100, failIncreaseUsd: 1000 }): PlanDoc => ({
    cloud: "aws",
    resources,
    cost: {
        stack: {
            total: { desired: Object.values(lines).reduce((a, b) => a + b, 0) },
            lines: Object.entries(lines).map(([component, desired]) => ({ component, usd: { desired } })),
        },
    },
    costPolicy,
});
const priced = (d: PlanDoc) => ("stack" in d.cost ? d.cost.stack : assert.fail(d.cost.unavailable));
const redis = (n: number) => ({ type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "valkey", parent: null, inputs: { numCacheClusters: n } });
const alarm = (name: string) => ({ type: "aws:cloudwatch/metricAlarm:MetricAlarm", name, parent: null, inputs: {} });
const bucket = { type: "aws:s3/bucket:Bucket", name: "logs", parent: null, inputs: {} };

describe("cost change: base vs head", () => {
    it("changes per line, new and removed lines included, unchanged lines left out", () => {
        const c = costChange(priced(doc({ nodes: 2000, redis: 284, WAF: 954 }, [])), priced(doc({ nodes: 2000, redis: 426, NAT: 50 }, [])));
        assert.deepStrictEqual(
            c.lines.map((l) => [l.component, l.base, l.head, l.delta]),
            [
                ["redis", 284, 426, 142],
                ["NAT", 0, 50, 50],
                ["WAF", 954, 0, -954],
            ],
        );
        assert.strictEqual(c.delta, 2476 - 3238);
    });

    it("the thresholds: a decrease passes, above warn warns, above fail fails (bounds exclusive)", () => {
        const policy = { warnIncreaseUsd: 500, failIncreaseUsd: 2000 };
        assert.strictEqual(verdict(-5000, policy), "ok");
        assert.strictEqual(verdict(500, policy), "ok");
        assert.strictEqual(verdict(500.01, policy), "warn");
        assert.strictEqual(verdict(2000, policy), "warn");
        assert.strictEqual(verdict(2000.5, policy), "fail");
    });

    it("signed dollars: whole above a dollar, cents below, never −$0", () => {
        assert.deepStrictEqual(
            [signedUsd(142.4), signedUsd(-1007.6), signedUsd(0.3), signedUsd(0), signedUsd(-0.004)],
            ["+$142", "−$1,008", "+$0.30", "±$0", "±$0"],
        );
    });

    it("each changed resource is attributed to the line its type is priced in, or to none", () => {
        const rows = attribute({ added: [alarm("a")], removed: [bucket], changed: [{ type: redis(2).type, name: "valkey" }] }, LINE_TYPES.aws);
        assert.deepStrictEqual(
            rows.map((r) => [r.change, r.name, r.line]),
            [
                ["+", "a", "monitoring"],
                ["-", "logs", undefined],
                ["~", "valkey", "redis"],
            ],
        );
    });
});

describe("cost comment: the Markdown a pull request gets", () => {
    const base = doc({ nodes: 2021, redis: 284, monitoring: 5 }, [redis(2), alarm("a")]);
    const head = doc({ nodes: 2021, redis: 426, monitoring: 5.3 }, [redis(3), alarm("a"), alarm("b")]);

    it("renders the totals, the per-line change and the per-resource attribution, behind the marker the workflow finds", () => {
        const md = renderComment([compare("aws", base, head), compare("azure", base, undefined)]);
        const lines = md.split("\n");
        assert.strictEqual(lines[0], MARKER);
        assert.ok(lines.includes("| aws | $2,310 | $2,452 | +$142 | ⚠️ above warn $100 |"), md);
        assert.ok(lines.includes("| azure | - | - | - | not priced: the head plan failed (see the job log) |"), md);
        assert.ok(lines.includes("| redis | $284 | $426 | +$142 |"), md);
        assert.ok(lines.includes("| monitoring | $5 | $5 | +$0.30 |"), md);
        assert.ok(!lines.some((l) => l.startsWith("| nodes |")), "an unchanged line is left out");
        assert.ok(lines.includes("| `aws:elasticache/replicationGroup:ReplicationGroup` valkey | ~ | redis |"), md);
        assert.ok(lines.includes("| `aws:cloudwatch/metricAlarm:MetricAlarm` b | + | monitoring |"), md);
        assert.ok(!lines.some((l) => l.includes("MetricAlarm` a |")), "an unchanged resource is left out");
    });

    it("the head's thresholds decide: the same change fails under a lower fail threshold", () => {
        const strict = doc({ nodes: 2021, redis: 426, monitoring: 5.3 }, [redis(3)], { warnIncreaseUsd: 10, failIncreaseUsd: 100 });
        const c = compare("aws", base, strict);
        assert.strictEqual(c.verdict, "fail");
        assert.match(renderComment([c]), /\| aws \| \$2,310 \| \$2,452 \| \+\$142 \| ❌ above fail \$100 \|/);
        assert.strictEqual(compare("aws", base, base).verdict, "ok");
    });

    it("an unpriced side is said, not compared", () => {
        const unpriced: PlanDoc = { ...base, cost: { unavailable: "no price table for aws region ap-south-1" } };
        assert.match(renderComment([compare("aws", base, unpriced)]), /not priced: head: no price table for aws region ap-south-1/);
    });
});

describe("plan --diff: the monthly change in dollars", function () {
    this.timeout(120_000);
    it("aws.cacheNodes=3 adds one Valkey node's month to the redis line and says so", async () => {
        const plan = await buildPlan("aws", { "aws.cacheNodes": "3" }, true);
        if (typeof plan.cost === "string" || typeof plan.costBase !== "object") assert.fail("aws is priced");
        const redisLine = (p: typeof plan.cost) => p.stack.lines.find((l) => l.component === "redis")!.usd.desired;
        const delta = redisLine(plan.cost) - redisLine(plan.costBase);
        assert.ok(Math.abs(delta - redisLine(plan.costBase) / 2) < 1e-6, "one more node of two");
        const text = renderPlan(plan);
        assert.match(
            text,
            new RegExp(
                `Monthly cost: \\$[\\d,]+ → \\$[\\d,]+ \\(\\+\\$${Math.round(plan.cost.stack.total.desired - plan.costBase.stack.total.desired)} a month\\)`,
            ),
        );
        assert.match(text, /redis: \$[\d,]+ → \$[\d,]+ \(\+\$\d+\)/);
        assert.match(text, /~ aws:elasticache\/replicationGroup:ReplicationGroup {2}zdp-aws-valkey {2}\[cost: redis\]/);
    });
});
