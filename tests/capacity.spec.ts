import * as assert from "assert";
import { ASSUMPTIONS, REFERENCE, capacityFor, capacityRows, evaluateReference, usersAfterZoneLoss } from "../model/capacity";

const CLOUDS = ["aws", "azure", "gcp"] as const;
const USER_COUNTS = [1_000, 2_500, 5_000, 7_777, 10_000, 25_000, 50_000, 100_000];

describe("capacity: the published reference falls short", () => {
    const ref = evaluateReference();

    it("serves 10,000 users in steady state", () => assert.strictEqual(ref.steadyStateUsers, REFERENCE.targetUsers));

    it("drops to 8,000 users during a rolling update with maxUnavailable 1 on exactly 5 nodes", () => assert.strictEqual(ref.worstRolloutStepUsers, 8_000));

    it("drops to ~6,000 users after losing the zone with 2 of its 5 nodes", () => assert.strictEqual(ref.afterZoneLossUsers, 6_000));
});

describe("capacity: the model keeps the target served", () => {
    for (const cloud of CLOUDS)
        for (const layout of ["single", "warm", "minimal"] as const)
            for (const users of USER_COUNTS) {
                it(`${cloud}, ${users} users, ${layout} layout: steady, every rollout step, the switch and a zone loss serve the target`, () => {
                    const s = capacityFor(users, cloud, layout);
                    const colours = layout === "warm" ? 2 : 1;
                    const idle = layout === "minimal" ? s.zones : 0;
                    assert.ok(s.steadyStateUsers >= users, `steady ${s.steadyStateUsers}`);
                    assert.ok(s.worstRolloutStepUsers >= users, `rollout ${s.worstRolloutStepUsers}`);
                    assert.ok(s.blueGreenSwitchUsers >= users, `switch ${s.blueGreenSwitchUsers}`);
                    assert.ok(s.afterZoneLossUsers >= users, `zone loss ${s.afterZoneLossUsers}`);
                    // Recompute the zone loss from the replica count, not from the model's own claim.
                    assert.ok(usersAfterZoneLoss(s.app.replicas, s.zones, s.usersPerPod) >= users);
                    // Replicas spread evenly: a multiple of the zone count.
                    assert.strictEqual(s.app.replicas % s.zones, 0);
                    assert.strictEqual(s.app.maxUnavailable, 0);
                    assert.ok(s.app.maxSurge >= 1);
                    // The HPA floor is the zone-loss-safe replica count; it can grow for peaks.
                    assert.strictEqual(s.app.hpaMin, s.app.replicas);
                    assert.ok(s.app.hpaMax > s.app.hpaMin);
                    // The PDB allows a disruption but never below the target.
                    assert.ok(s.app.pdbMaxUnavailable >= 1);
                    assert.ok((s.app.replicas - s.app.pdbMaxUnavailable) * s.usersPerPod >= users || s.app.pdbMaxUnavailable === 1);
                    // The nodes hold every colour's floor and the autoscaler may reach the peaks.
                    assert.ok(s.nodes.min * s.nodes.podsPerNode >= colours * s.app.replicas + idle, "nodes hold the floors");
                    // A switch during a peak: the serving colour at its HPA max beside the receiving one at its floor.
                    assert.ok(
                        s.nodes.max * s.nodes.podsPerNode >= s.app.hpaMax + (layout === "single" ? 0 : s.app.replicas) + s.app.maxSurge,
                        "max holds a peak, a surge and, with two colours, the other colour at its floor",
                    );
                    // After a zone loss the remaining zones' max can take the lost pods back.
                    assert.ok((s.nodes.max / s.zones) * (s.zones - 1) * s.nodes.podsPerNode >= colours * s.app.replicas + idle);
                    assert.strictEqual(s.nodes.min % s.zones, 0);
                    assert.ok(s.nodes.max >= s.nodes.desired && s.nodes.desired >= s.nodes.min);
                });
            }

    it("10,000 users on AWS: 60 pods over 3 zones, 8 vCPU / 32 GiB database, an ~8 GiB Redis class", () => {
        const s = capacityFor(10_000, "aws");
        // 40 pods carry 10,000 users at 250 each; 20 per zone so that two zones still hold 40.
        assert.strictEqual(s.app.replicas, 60);
        assert.strictEqual(s.database.vcpu, 8);
        assert.strictEqual(s.database.memoryGiB, 32);
        assert.strictEqual(s.database.instanceClass, "db.m7g.2xlarge");
        assert.ok(s.redis.memoryGiB >= 8, `redis ${s.redis.memoryGiB}`);
        assert.strictEqual(s.nodes.vcpu, 4);
        assert.strictEqual(s.nodes.memoryGiB, 16);
    });

    it("sizes grow with users and never shrink", () => {
        for (const cloud of CLOUDS) {
            let prev = capacityFor(USER_COUNTS[0], cloud);
            for (const users of USER_COUNTS.slice(1)) {
                const s = capacityFor(users, cloud);
                assert.ok(s.app.replicas >= prev.app.replicas && s.nodes.min >= prev.nodes.min, `${cloud} ${users}`);
                assert.ok(s.database.vcpu >= prev.database.vcpu && s.redis.memoryGiB >= prev.redis.memoryGiB, `${cloud} ${users}`);
                prev = s;
            }
        }
    });

    it("a warm second colour doubles the node floor, not the pod floor; a minimal one adds a pod per zone", () => {
        const one = capacityFor(10_000, "gcp", "single");
        const two = capacityFor(10_000, "gcp", "warm");
        const minimal = capacityFor(10_000, "gcp", "minimal");
        assert.strictEqual(two.app.replicas, one.app.replicas);
        assert.ok(two.nodes.min > one.nodes.min);
        assert.strictEqual(minimal.idlePods, 3);
        // 60 + 3 pods over 3 zones, 6 pods a node: 4 nodes a zone, against 7 for two full colours.
        assert.deepStrictEqual([one.nodes.perZone, minimal.nodes.perZone, two.nodes.perZone], [4, 4, 7]);
        // The autoscaler's ceiling is the same: a switch during a peak needs both colours either way.
        assert.strictEqual(minimal.nodes.max, two.nodes.max);
    });

    it("a node fits whole pods after the system reservation", () => {
        const s = capacityFor(10_000, "azure");
        assert.strictEqual(s.nodes.podsPerNode, Math.floor((4000 - ASSUMPTIONS.nodeReservedCpuMillis) / ASSUMPTIONS.podCpuMillis));
    });

    it("the local stack runs at least two pods on one zone", () => {
        const s = capacityFor(200, "local");
        assert.strictEqual(s.zones, 1);
        assert.ok(s.app.replicas >= 2);
    });
});

describe("capacity: every sized component against the target", () => {
    for (const cloud of CLOUDS)
        it(`${cloud}: at 10,000 users every row, database and Redis included, serves the target`, () => {
            const rows = capacityRows(capacityFor(10_000, cloud, "warm"));
            assert.ok(rows.some((r) => r.what.startsWith("database")) && rows.some((r) => r.what.startsWith("redis")));
            assert.deepStrictEqual(
                rows.filter((r) => !r.ok),
                [],
            );
        });

    it("at 1,000,000 users the largest database class (64 vCPU) serves 80,000 and its row says ✗", () => {
        const rows = capacityRows(capacityFor(1_000_000, "aws", "warm"));
        const db = rows.find((r) => r.what.startsWith("database"))!;
        assert.strictEqual(db.servedUsers, 80_000);
        assert.strictEqual(db.ok, false);
        assert.ok(rows.find((r) => r.what.startsWith("redis"))!.ok === false, "the largest Redis class falls short too");
        assert.ok(rows.find((r) => r.what === "steady state")!.ok, "the app pods still scale");
    });
});
