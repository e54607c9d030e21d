import * as assert from "assert";
import { sizingFor } from "../model/capacity";
import { parseConfig } from "../model/config";
import { otherColor, releaseState } from "../model/releasePlan";
import { stackConfigMap } from "./harness";

const state = (overrides: Record<string, string>, stack = "aws") => {
    const cfg = parseConfig(stackConfigMap(stack, overrides), stack);
    const sizing = sizingFor(cfg);
    return { cfg, sizing, state: releaseState(cfg, sizing) };
};

describe("release maths", () => {
    it("blue/green with inactiveScale full: the active colour takes 100, the other 0, both at full size", () => {
        for (const active of ["blue", "green"] as const) {
            const { state: s, sizing } = state({ activeColor: active, inactiveScale: "full" });
            assert.deepStrictEqual(s.weights, { [active]: 100, [otherColor(active)]: 0 });
            assert.strictEqual(s.activeColor, active);
            assert.deepStrictEqual(
                s.tracks.map((t) => t.minReplicas),
                [sizing.app.replicas, sizing.app.replicas],
            );
            assert.ok(s.tracks.every((t) => t.maxReplicas === sizing.app.hpaMax));
        }
    });

    it("canary: canaryWeight goes to the inactive colour, the rest to the active one", () => {
        for (const w of [0, 10, 50, 100]) {
            const { state: s } = state({ releaseStrategy: "canary", canaryWeight: String(w), activeColor: "green" });
            assert.deepStrictEqual(s.weights, { green: 100 - w, blue: w });
            assert.strictEqual(
                s.tracks.reduce((sum, t) => sum + t.weight, 0),
                100,
            );
        }
    });

    it("canary steps report the users each step can carry, bounded by the colour with less headroom", () => {
        const { state: s, sizing } = state({ releaseStrategy: "canary", canaryWeight: "50", inactiveScale: "full" });
        const capacity = sizing.app.replicas * sizing.usersPerPod;
        assert.strictEqual(s.steps[1].servingUsers, capacity * 2);
        assert.ok(s.steps.every((step) => step.servingUsers >= sizing.targetUsers));
    });

    it("minimal inactive colour taking canary traffic: a floor sized for its share, zone loss included", () => {
        // 10,000 users: 10% is 1,000 users, 4 pods, 2 a zone so that two zones hold 4 → 6; 50% → 30; 100% → the full 60.
        const floors = [0, 10, 50, 100].map((w) => {
            const { state: s, sizing } = state({ releaseStrategy: "canary", canaryWeight: String(w), inactiveScale: "minimal" });
            assert.ok(
                s.steps.every((step) => step.servingUsers >= sizing.targetUsers),
                `canaryWeight ${w}`,
            );
            return s.tracks.find((t) => t.role === "inactive")!.minReplicas;
        });
        assert.deepStrictEqual(floors, [3, 6, 30, 60]);
    });

    it("minimal inactive colour: one pod per zone floor, still the HPA ceiling so a demoted colour drains slowly", () => {
        const { state: s, sizing } = state({ inactiveScale: "minimal" });
        const inactive = s.tracks.find((t) => t.role === "inactive")!;
        assert.strictEqual(inactive.minReplicas, sizing.zones);
        assert.strictEqual(inactive.maxReplicas, sizing.app.hpaMax);
        assert.strictEqual(sizing.colours, 1);
    });

    it("rolling: one track, surge batches that never serve below steady state", () => {
        const { state: s, sizing } = state({ releaseStrategy: "rolling", appVersion: "6.9.2", blueVersion: "", greenVersion: "", inactiveScale: "full" });
        assert.deepStrictEqual(s.weights, { app: 100 });
        assert.strictEqual(s.tracks.length, 1);
        assert.strictEqual(s.steps.length, 1 + Math.ceil(sizing.app.replicas / sizing.app.maxSurge));
        assert.ok(s.steps.every((step) => step.servingUsers >= sizing.targetUsers));
    });
});
