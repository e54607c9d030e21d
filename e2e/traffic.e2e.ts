// Zero failed requests, measured: the Release component through the real engine on real nodes (kubelet,
// containerd, runc), with Traefik carrying the Gateway API routes, under constant load from autocannon
// during every release step (e2e/trafficBench.ts: each step prints its `traffic <step>: ...` line).
// A deliberately broken release (no readiness probe, an app that listens 5 s after it starts) must
// show failed > 0: the measurement can fail.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXIT } from "../scripts/release/args";
import { e2eRelease, lightDeployments } from "./releaseProgram";
import type { StepFigures, Target } from "./load";
import { TRAEFIK_CLASS } from "./traefik";
import { until } from "./tools";
import { clean, type CliRun, GATEWAY_URL, IMAGE, STEP_LIMIT_S, TrafficBench } from "./trafficBench";

const NS = "zdp";
/** Versions the suite releases; one image, many tags. A `-errors` version answers 500 (e2e/images/app). */
const V = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"] as const;
const ERRORS = "1.0.9-errors";
const SLOW_START = "1.0.6-slowstart";

/** The broken variant: no readiness or startup probe, so a pod takes traffic before its app listens. */
let broken = false;

// e2e-only changes, each for a reason of this machine: the two nodes share 2 cores (lightDeployments),
// and a stuck rollout reports within a minute instead of five.
const program = async () => {
    lightDeployments((spec, container) => ({
        spec: {
            ...spec,
            progressDeadlineSeconds: 60,
            template: {
                ...spec.template,
                spec: { ...spec.template.spec, containers: [{ ...container, ...(broken ? { readinessProbe: undefined, startupProbe: undefined } : {}) }] },
            },
        },
        opts: { customTimeouts: { create: "4m", update: "4m" } },
    }));
    const release = e2eRelease(TRAEFIK_CLASS);
    return {
        endpoint: GATEWAY_URL,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        previewToken: release.previewToken,
        gatewayName: release.gatewayName,
        serviceNames: release.serviceNames,
    };
};

describe("e2e traffic: zero failed requests through every release step, on real nodes and a real data plane", function () {
    this.timeout(60 * 60_000);
    let bench: TrafficBench;
    const up = (config: Record<string, string>, remove: string[] = []) => bench.up(config, remove);
    const step = (name: string, target: Target, action: () => Promise<void>, before?: Target): Promise<StepFigures> =>
        bench.step(name, NS, target, action, before);
    const release = (command: string[]) => bench.release(command);
    const terminatingPods = () => bench.terminatingPods(NS);

    before(async () => {
        bench = await TrafficBench.start([...V, ERRORS, SLOW_START], program);
        await bench.setConfig({ appImage: IMAGE, blueVersion: V[0], greenVersion: V[0], gatewayClass: TRAEFIK_CLASS, protectStateful: "false" });
    });

    after(() => bench?.stop());

    it("pulumi up on real nodes; Traefik serves blue through the Gateway", async () => {
        await up({});
        await until(
            () => bench.cluster.kubectlOk(["-n", NS, "wait", "--for=condition=Programmed", "gateway/app", "--timeout=5s"]),
            120,
            "Traefik to program the Gateway",
        );
        const f = await step("steady", { [`blue/${V[0]}`]: 1 }, async () => {
            await new Promise((r) => setTimeout(r, 2000));
        });
        clean("steady", f);
        const nodes = JSON.parse(bench.cluster.kubectl(["-n", NS, "get", "pods", "-o", "json"])).items.map((p: any) => p.spec.nodeName);
        assert.ok(nodes.length >= 4 && nodes.every((n: string) => n === "node-a" || n === "node-b"), `pods run on the real nodes: ${nodes}`);
    });

    it("a version bump of the idle colour: live traffic stays on blue", async () => {
        clean("idle-version-bump", await step("idle-version-bump", { [`blue/${V[0]}`]: 1 }, () => up({ greenVersion: V[1] })));
    });

    it("blue/green promote: every answer from green within the step, none failed", async () => {
        clean("promote", await step("promote", { [`green/${V[1]}`]: 1 }, () => up({ activeColor: "green" })));
    });

    it("rollback: back to blue, none failed", async () => {
        clean("rollback", await step("rollback", { [`blue/${V[0]}`]: 1 }, () => up({ activeColor: "blue" })));
    });

    it("canary 10 → 50 → 100", async () => {
        const blue = `blue/${V[0]}`;
        const green = `green/${V[1]}`;
        clean("canary-10", await step("canary-10", { [blue]: 0.9, [green]: 0.1 }, () => up({ releaseStrategy: "canary", canaryWeight: "10" }), { [blue]: 1 }));
        clean("canary-50", await step("canary-50", { [blue]: 0.5, [green]: 0.5 }, () => up({ canaryWeight: "50" }), { [blue]: 0.9, [green]: 0.1 }));
        clean("canary-100", await step("canary-100", { [green]: 1 }, () => up({ canaryWeight: "100" })));
        await up({ releaseStrategy: "blueGreen", activeColor: "green" }, ["canaryWeight"]);
    });

    it("inactiveScale minimal: the idle colour scales down, live traffic unharmed", async () => {
        const f = await step("idle-scale-down", { [`green/${V[1]}`]: 1 }, async () => {
            await up({ inactiveScale: "minimal" });
            // The HPA would scale the idle colour to its new floor, but no metrics server runs here (the
            // HPA cannot read CPU); scale it to the floor Pulumi wrote on the HPA, as the HPA would.
            const floor = JSON.parse(bench.cluster.kubectl(["-n", NS, "get", "hpa", "app-blue", "-o", "json"])).spec.minReplicas as number;
            bench.cluster.kubectl(["-n", NS, "scale", "deployment/app-blue", `--replicas=${floor}`]);
            await until(
                () => Number(bench.cluster.kubectl(["-n", NS, "get", "deployment", "app-blue", "-o", "jsonpath={.status.replicas}"])) === floor,
                120,
                "blue at its floor",
            );
        });
        clean("idle-scale-down", f);
        await up({ inactiveScale: "full" });
    });

    it("a node drain evicts the live colour's pods through its PDB, none failed", async () => {
        const f = await step("node-drain", { [`green/${V[1]}`]: 1 }, async () => {
            bench.cluster.kubectl(["drain", "node-b", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=240s"]);
        });
        bench.cluster.kubectl(["uncordon", "node-b"]);
        clean("node-drain", f);
    });

    it("the release CLI: promote, rollback, canary and its abort, each with --watch", async () => {
        const [blue, green] = [`blue/${V[0]}`, `green/${V[1]}`];
        let run: CliRun = { exitCode: -1, outcome: "", steps: [], log: "" };
        const cli = async (name: string, command: string[], target: Target, before?: Target) => {
            const f = await step(name, target, async () => void (run = await release(command)), before);
            assert.equal(run.exitCode, EXIT.ok, `${name}: ${run.outcome}`);
            assert.doesNotMatch(run.log, /rolling back/, `${name}: a healthy release is never rolled back`);
            clean(name, f);
        };
        // --dry-run previews the promote on a copy of the stack file (--config-file): the file stays byte for byte.
        const stackFile = path.join(bench.project.dir, "Pulumi.dev.yaml");
        const unchanged = fs.readFileSync(stackFile, "utf8");
        const dry = await release(["promote", "--dry-run"]);
        assert.equal(dry.exitCode, EXIT.ok, dry.outcome);
        assert.match(dry.outcome, /preview: (.*, )?update [1-9]/, "the copy's promote shows as updates");
        assert.equal(fs.readFileSync(stackFile, "utf8"), unchanged);
        await cli("cli-promote", ["promote"], { [blue]: 1 });
        await cli("cli-rollback", ["rollback"], { [green]: 1 });
        await cli("cli-canary", ["canary", "10,50"], { [green]: 0.5, [blue]: 0.5 }, { [green]: 1 });
        await cli("cli-canary-abort", ["rollback"], { [green]: 1 });
    });

    it("the release CLI rolls back a promote whose colour fails its users, and says how many requests failed", async () => {
        await up({ blueVersion: ERRORS });
        // As a user would: promote once the deploy has finished, old pods gone (until then Traefik may still
        // send the preview route to them, and the CLI's preview check refuses the wrong version, failing closed).
        await until(() => terminatingPods() === 0, STEP_LIMIT_S, "blue's old pods to terminate");
        let run: CliRun = { exitCode: -1, outcome: "", steps: [], log: "" };
        const f = await step("broken-500-promote", { [`green/${V[1]}`]: 1 }, async () => void (run = await release(["promote"])));
        assert.equal(run.exitCode, EXIT.failed, run.outcome);
        assert.match(run.log, /rolling back/);
        assert.match(run.log, /\d+ failed/, "the CLI reports the failed requests it saw");
        assert.ok(f.failed > 0, `the users saw the failing colour: ${JSON.stringify(f.by)}`);
        await up({ releaseStrategy: "blueGreen", blueVersion: V[0], activeColor: "green" }, ["canaryWeight"]);
    });

    it("rolling: moving to one Deployment, then a version bump", async () => {
        clean(
            "to-rolling",
            await step("to-rolling", { [`app/${V[2]}`]: 1 }, () =>
                up({ releaseStrategy: "rolling", appVersion: V[2] }, ["blueVersion", "greenVersion", "inactiveScale", "promotedAt"]),
            ),
        );
        clean("rolling-version-bump", await step("rolling-version-bump", { [`app/${V[3]}`]: 1 }, () => up({ appVersion: V[3] })));
    });

    it("the measurement can fail: a rollout without a readiness probe sends requests to pods whose app does not listen yet", async () => {
        broken = true;
        const f = await step("broken-no-readiness", { [`app/${SLOW_START}`]: 1 }, () => up({ appVersion: SLOW_START }));
        broken = false;
        assert.ok(f.failed > 0, `a broken release must show failed requests: ${JSON.stringify(f.by)}`);
    });
});
