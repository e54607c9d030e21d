import * as assert from "assert";
import { spawnSync } from "child_process";
import { buildPlan, planJson, renderPlan, shortfalls } from "../scripts/planReport";
import { nodeVcpuQuota, peakPools, type PeakPool } from "../model/upgradeSurge";
import { HANG_MS } from "./hang";
import { ROOT } from "./harness";

describe("plan: the first command a new user runs", () => {
    it("--json is one JSON document with the stack, resources, capacity numbers and release state", async () => {
        const doc = JSON.parse(planJson(await buildPlan("dev", {}, false), {}));
        assert.strictEqual(doc.stack, "dev");
        assert.ok(doc.resources.length > 10);
        for (const r of doc.resources) assert.ok(typeof r.type === "string" && typeof r.name === "string" && "parent" in r && typeof r.inputs === "object");
        for (const k of ["targetUsers", "steadyStateUsers", "worstRolloutStepUsers", "afterZoneLossUsers"])
            assert.strictEqual(typeof doc.capacity[k], "number", k);
        assert.strictEqual(doc.capacity.sizing.app.replicas >= 2, true);
        assert.deepStrictEqual(doc.release.weights, { blue: 100, green: 0 });
        assert.strictEqual(typeof doc.policy.rulesRun, "number");
        // Secret inputs are redacted.
        const secret = doc.resources.find((r: any) => r.type === "kubernetes:core/v1:Secret" && r.name === "app");
        assert.strictEqual(secret.inputs.stringData, "[secret]");
    });

    it("--diff --config activeColor=green lists exactly the live route's weights and the preview route", async () => {
        const { diff } = await buildPlan("dev", { activeColor: "green" }, true);
        assert.deepStrictEqual(diff!.added, []);
        assert.deepStrictEqual(diff!.removed, []);
        assert.deepStrictEqual(diff!.changed.map((c) => c.name).sort(), ["app-preview-token-route", "app-route"]);
        assert.ok(diff!.changed.find((c) => c.name === "app-route")!.paths.every((p) => p.endsWith(".weight")));
        assert.ok(diff!.changed.every((c) => !c.replaces));
    });

    it("a target a component cannot serve makes the plan fail, naming the component (and a fitting one passes)", async () => {
        assert.deepStrictEqual(shortfalls(await buildPlan("aws", {}, false)), []);
        const big = shortfalls(await buildPlan("aws", { targetUsers: "100000" }, false));
        assert.deepStrictEqual(big, ["capacity: database (db.m7g.16xlarge) serves 80,000 of 100,000 users"]);
    });

    it("says what only the cloud can check, sized from the plan (vCPU quota at the autoscaler maximum plus the upgrade surge), and names preflight", async () => {
        const plan = await buildPlan("aws", {}, false);
        const text = renderPlan(plan);
        const pools = peakPools(plan.sizing);
        const sum = (f: (p: PeakPool) => number) => pools.reduce((a, p) => a + f(p), 0);
        assert.match(text, new RegExp(`^Only the cloud can check \\(npm run preflight -- --stack aws, `, "m"));
        assert.match(
            text,
            new RegExp(
                `^  - quota for ${nodeVcpuQuota(plan.sizing)} vCPUs \\(${sum((p) => p.max)} ${plan.sizing.nodes.machineType} at the autoscaler maximum \\+ ${sum((p) => p.surge)} surging in an upgrade\\)`,
                "m",
            ),
        );
        assert.match(text, /^ {2}- Kubernetes 1\.35, PostgreSQL 18 on db\.m7g\.\S+ \(Multi-AZ\) and valkey 8\.2 /m);
        assert.match(text, /^ {2}- the running cluster's version: aws\.kubernetesVersion 1\.35 must be its minor or the next one/m);
        assert.doesNotMatch(renderPlan(await buildPlan("dev", {}, false)), /Only the cloud can check/, "the dev stack asks no cloud");
    });

    it("invalid config exits non-zero and names the key, with nothing printed on stdout", () => {
        const out = spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/plan.ts", "--config", "targetUsers=-5"], {
            cwd: ROOT,
            encoding: "utf8",
            timeout: HANG_MS,
        });
        assert.notStrictEqual(out.status, 0);
        assert.match(out.stderr, /targetUsers = "-5": must be/);
        assert.strictEqual(out.stdout, "");
    });
});
