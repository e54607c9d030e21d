// Zero failed requests, measured: the Release component through the real engine on real nodes (kubelet,
// containerd, runc), with Traefik carrying the Gateway API routes, under constant load from autocannon
// during every release step. Each step prints one line tooling reads:
//   traffic <step>: <N> requests, <M> failed, p99 <ms> ms, converged <ms> ms
// failed = non-2xx answers and connection errors; converged = from the step's start until the gateway
// answers only from the step's target (for a split: until the split has moved at least halfway).
// A deliberately broken release (no readiness probe, an app that listens 5 s after it starts) must
// show failed > 0: the measurement can fail.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { workspaceFromStack } from "../scripts/release/pulumiWorkspace";
import { EXIT, parseReleaseArgs } from "../scripts/release/args";
import { runRelease, type ReleaseResult } from "../scripts/release/run";
import { Cluster } from "./cluster";
import { e2eRelease, lightDeployments } from "./releaseProgram";
import { Load, trafficLine, type StepFigures, type Target } from "./load";
import { GATEWAY_PORT, Traefik, TRAEFIK_CLASS } from "./traefik";
import { BIN, PulumiProject, tool, until } from "./tools";

const NS = "zdp";
const IMAGE = "docker.io/zdp/e2e-app";
/** Versions the suite releases; one image, many tags. A `-errors` version answers 500 (e2e/images/app). */
const V = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"] as const;
const ERRORS = "1.0.9-errors";
const SLOW_START = "1.0.6-slowstart";
const URL = `http://127.0.0.1:${GATEWAY_PORT}/`;
/** A step ends this long after the gateway converged and the last old pod is gone (late failures show). */
const SETTLE_MS = 3000;
/** Upper bound of one step; a step that never settles fails the suite with what it saw. */
const STEP_LIMIT_S = 300;

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
        endpoint: URL,
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
    let cluster: Cluster;
    let traefik: Traefik;
    let project: PulumiProject;
    let stack: Stack;
    const lines: string[] = [];

    async function setConfig(config: Record<string, string>, remove: string[] = []): Promise<void> {
        if (Object.keys(config).length) await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [`zdp:${k}`, { value }])));
        if (remove.length) await stack.removeAllConfig(remove.map((k) => `zdp:${k}`));
    }

    async function up(config: Record<string, string>, remove: string[] = []): Promise<void> {
        await setConfig(config, remove);
        await stack.up({ color: "never" });
    }

    const terminatingPods = () =>
        (JSON.parse(cluster.kubectl(["-n", NS, "get", "pods", "-o", "json"])).items as any[]).filter((p) => p.metadata.deletionTimestamp).length;

    /**
     * Runs `action` under constant load and prints the step's line. The step ends once the gateway has
     * answered as `target` for SETTLE_MS and no pod of the app is still terminating.
     */
    async function step(name: string, target: Target, action: () => Promise<void>, before?: Target): Promise<StepFigures> {
        const load = new Load({ url: URL, rate: 200, connections: 8, maxSeconds: STEP_LIMIT_S + 120, timeoutSeconds: 10 });
        await new Promise((r) => setTimeout(r, 1000));
        const start = load.now();
        let failure: Error | undefined;
        try {
            await action();
            await until(
                () => {
                    const at = load.convergedAt(target, before);
                    return at !== undefined && load.now() - at > SETTLE_MS && terminatingPods() === 0;
                },
                STEP_LIMIT_S,
                `step ${name} to converge on ${JSON.stringify(target)} with no pod terminating`,
            );
        } catch (e) {
            failure = e instanceof Error ? e : new Error(String(e));
        }
        const f = await load.stop(target, before, start);
        const line = trafficLine(name, f);
        console.log(`      ${line}   ${JSON.stringify(f.by)}`);
        lines.push(line);
        if (failure) throw failure;
        return f;
    }

    /**
     * The release CLI's own run (runRelease, as `npm run release` calls it) on this stack: the Workspace
     * is the Automation API stack of this suite (the CLI's openPulumiWorkspace needs the Node.js language
     * host, which cannot be built here). It probes `/` (the path users take) and reads the Lease through
     * kubectl on $KUBECONFIG.
     */
    async function release(command: string[]): Promise<ReleaseResult & { log: string }> {
        const args = parseReleaseArgs([
            ...command,
            ...["--stack", "dev", "--endpoint", `http://127.0.0.1:${GATEWAY_PORT}`, "--version-path", "/"],
            ...["--watch", "10", "--converge-timeout", "60", "--interval", "200", "--timeout", "2000", "--success", "3", "--max-failures", "0"],
        ]);
        const ws = workspaceFromStack("dev", stack, (file) => fs.readFileSync(path.join(project.dir, file), "utf8"));
        const out: string[] = [];
        const result = await runRelease(args, ws, (line) => out.push(line));
        console.log(out.map((l) => `        | ${l}`).join("\n"));
        return { ...result, log: out.join("\n") };
    }

    const clean = (name: string, f: StepFigures) => {
        assert.ok(f.requests > 100, `${name}: the load sent ${f.requests} requests`);
        assert.equal(f.failed, 0, `${name}: failed requests ${JSON.stringify(f.by)}`);
        assert.notEqual(f.convergedMs, undefined, `${name}: never converged`);
    };

    // Suites share one mocha process: what this one sets for the CLI is put back in after().
    const envBefore = { KUBECONFIG: process.env.KUBECONFIG, PATH: process.env.PATH };

    before(async () => {
        cluster = await Cluster.start({
            nodes: [
                { name: "node-a", zone: "zone-a", podSubnet: "10.88.1.0/24" },
                { name: "node-b", zone: "zone-b", podSubnet: "10.88.2.0/24" },
            ],
            images: [{ binary: tool("app"), tags: [...V, ERRORS, SLOW_START].map((v) => `${IMAGE}:${v}`) }],
        });
        cluster.installGatewayApi();
        // The release CLI's Lease goes through kubectl on this cluster.
        process.env.KUBECONFIG = cluster.kubeconfig;
        process.env.PATH = `${BIN}:${process.env.PATH}`;
        traefik = new Traefik(cluster);
        traefik.start(path.dirname(cluster.kubeconfig));
        project = new PulumiProject(["dev"]);
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(BIN), skipVersionCheck: true });
        stack = await LocalWorkspace.selectStack(
            { stackName: "dev", projectName: "zdp", program },
            { workDir: project.dir, pulumiCommand, envVars: { ...(project.env as Record<string, string>), KUBECONFIG: cluster.kubeconfig } },
        );
        await setConfig({ appImage: IMAGE, blueVersion: V[0], greenVersion: V[0], gatewayClass: TRAEFIK_CLASS, protectStateful: "false" });
    });

    after(() => {
        if (lines.length) console.log(`\n      traffic summary:\n${lines.map((l) => `        ${l}`).join("\n")}`);
        traefik?.stop();
        cluster?.stop();
        project?.remove();
        for (const [k, v] of Object.entries(envBefore))
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
    });

    it("pulumi up on real nodes; Traefik serves blue through the Gateway", async () => {
        await up({});
        await until(
            () => cluster.kubectlOk(["-n", NS, "wait", "--for=condition=Programmed", "gateway/app", "--timeout=5s"]),
            120,
            "Traefik to program the Gateway",
        );
        const f = await step("steady", { [`blue/${V[0]}`]: 1 }, async () => {
            await new Promise((r) => setTimeout(r, 2000));
        });
        clean("steady", f);
        const nodes = JSON.parse(cluster.kubectl(["-n", NS, "get", "pods", "-o", "json"])).items.map((p: any) => p.spec.nodeName);
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
            const floor = JSON.parse(cluster.kubectl(["-n", NS, "get", "hpa", "app-blue", "-o", "json"])).spec.minReplicas as number;
            cluster.kubectl(["-n", NS, "scale", "deployment/app-blue", `--replicas=${floor}`]);
            await until(
                () => Number(cluster.kubectl(["-n", NS, "get", "deployment", "app-blue", "-o", "jsonpath={.status.replicas}"])) === floor,
                120,
                "blue at its floor",
            );
        });
        clean("idle-scale-down", f);
        await up({ inactiveScale: "full" });
    });

    it("a node drain evicts the live colour's pods through its PDB, none failed", async () => {
        const f = await step("node-drain", { [`green/${V[1]}`]: 1 }, async () => {
            cluster.kubectl(["drain", "node-b", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=240s"]);
        });
        cluster.kubectl(["uncordon", "node-b"]);
        clean("node-drain", f);
    });

    it("the release CLI: promote, rollback, canary and its abort, each with --watch", async () => {
        const [blue, green] = [`blue/${V[0]}`, `green/${V[1]}`];
        let run: ReleaseResult & { log: string } = { exitCode: -1, outcome: "", steps: [], log: "" };
        const cli = async (name: string, command: string[], target: Target, before?: Target) => {
            const f = await step(name, target, async () => void (run = await release(command)), before);
            assert.equal(run.exitCode, EXIT.ok, `${name}: ${run.outcome}`);
            assert.doesNotMatch(run.log, /rolling back/, `${name}: a healthy release is never rolled back`);
            clean(name, f);
        };
        // --dry-run previews the promote on a copy of the stack file (--config-file): the file stays byte for byte.
        const stackFile = path.join(project.dir, "Pulumi.dev.yaml");
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
        let run: ReleaseResult & { log: string } = { exitCode: -1, outcome: "", steps: [], log: "" };
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
