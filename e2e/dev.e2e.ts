// The dev stack's whole life through the real engine (Pulumi CLI + the kubernetes provider) against a
// real API server: up, promote, roll back, canary steps, a version bump, rolling, and a promote to a
// colour that never becomes Ready. Asserts on the engine's own summaries and on the live objects.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { parseConfig } from "../model/config";
import { exceptionConfig } from "../policy/exceptions";
import { stackConfigMap } from "../scripts/pulumiConfig";
import { PACK_NAME } from "../policy/policies";
import { deployTarget, readConfig } from "../stacks";
import { Cluster } from "./cluster";
import { devStack } from "./devStack";
import { type PulumiProject, ROOT } from "./tools";

const NS = "zdp";
const UNREADY = "0.0.0-unready"; // e2e/kwok-stages.yaml never makes pods of this tag Ready

// The language host (pulumi-language-nodejs) cannot be built on this machine (its Go module is not
// served), so the program runs as an Automation API inline program: the same code and config, with
// the SDK's own language server in this process. One e2e-only change: a stuck rollout reports after
// 30 s instead of the Deployment's 300 s and Pulumi gives up on it after 90 s instead of 15 minutes
// (pulumi-kubernetes waits for its timeout, then reports the ProgressDeadlineExceeded reason), so the
// failing-promote step takes about a minute.
const program = async () => {
    pulumi.runtime.registerResourceTransform((args) => {
        if (args.type !== "kubernetes:apps/v1:Deployment") return undefined;
        const spec = args.props.spec as Record<string, unknown>;
        if (typeof spec?.progressDeadlineSeconds !== "number") throw new Error(`e2e: Deployment ${args.name} has no progressDeadlineSeconds to shorten`);
        return {
            props: { ...args.props, spec: { ...spec, progressDeadlineSeconds: 30 } },
            opts: { ...args.opts, customTimeouts: { create: "90s", update: "90s" } },
        };
    });
    return deployTarget(readConfig());
};

type Changes = Record<string, number>;

describe("e2e: the dev stack's life on the real engine and a real API server", function () {
    this.timeout(20 * 60_000);
    let cluster: Cluster;
    let project: PulumiProject;
    let stack: Stack;
    const timings: string[] = [];

    const route = () => JSON.parse(cluster.kubectl(["-n", NS, "get", "httproute", "app", "-o", "json"]));
    /** Weight per Service of the live HTTPRoute's user traffic (the rule without the preview header match; zero weights omitted). */
    const liveWeights = () => {
        const rules = (route().spec.rules as any[]).filter((r) => (r.matches ?? []).every((m: any) => !m.headers));
        assert.equal(rules.length, 1, `one rule carries user traffic: ${JSON.stringify(route().spec.rules)}`);
        const out: Record<string, number> = {};
        for (const b of rules[0].backendRefs ?? []) if ((b.weight ?? 1) > 0) out[b.name] = b.weight ?? 1;
        return out;
    };

    const expectWeights = (expected: Record<string, number>, why?: string) =>
        assert.deepEqual(liveWeights(), expected, `${why ?? "live weights"}; the route's rules: ${JSON.stringify(route().spec.rules)}`);

    async function up(label: string, config: Record<string, string>, remove: string[] = []): Promise<Changes> {
        if (Object.keys(config).length) await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [`zdp:${k}`, { value }])));
        if (remove.length) await stack.removeAllConfig(remove.map((k) => `zdp:${k}`));
        const t0 = Date.now();
        const result = await stack.up({ color: "never" });
        timings.push(`${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s ${JSON.stringify(result.summary.resourceChanges)}`);
        return result.summary.resourceChanges as Changes;
    }

    /**
     * The engine's preview and update both report exactly `updates` updates (the live route, plus the
     * preview route when the colours swap) and nothing replaced, created or deleted; the preview's diff
     * shows the live route's weights in the clear, as a reviewer of the release PR reads them.
     */
    async function routeUpdate(label: string, updates: 1 | 2, config: Record<string, string>, remove: string[] = []) {
        if (Object.keys(config).length) await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [`zdp:${k}`, { value }])));
        if (remove.length) await stack.removeAllConfig(remove.map((k) => `zdp:${k}`));
        const result = await stack.preview({ color: "never", diff: true });
        const preview = result.changeSummary as Changes;
        assert.deepEqual(
            Object.keys(preview)
                .filter((k) => k !== "same")
                .sort(),
            ["update"],
            `${label}: preview ${JSON.stringify(preview)}`,
        );
        assert.equal(preview.update, updates, `${label}: preview ${JSON.stringify(preview)}`);
        assert.match(result.stdout, /weight\s*:\s*\d+\s*=>\s*\d+/, `${label}: the preview shows the weights changing:\n${result.stdout}`);
        const changes = await up(label, {});
        assert.deepEqual(
            Object.keys(changes)
                .filter((k) => k !== "same")
                .sort(),
            ["update"],
            `${label}: up ${JSON.stringify(changes)}`,
        );
        assert.equal(changes.update, updates);
    }

    before(async () => {
        cluster = await Cluster.start();
        ({ project, stack } = await devStack(cluster, program));
    });

    after(() => {
        if (timings.length) console.log(`      engine runs:\n${timings.map((t) => `        ${t}`).join("\n")}`);
        cluster?.stop();
        project?.remove();
    });

    it("pulumi up creates the stack; the route sends everything to blue", async () => {
        const changes = await up("up", {});
        assert.ok(changes.create > 20, JSON.stringify(changes));
        expectWeights({ "app-blue": 100 });
        const stash = (await stack.outputs()).databaseHost;
        assert.equal(stash.value, "postgres.zdp.svc.cluster.local");
    });

    it("a second up changes nothing (generated passwords stay, nothing drifts)", async () => {
        const changes = await up("no-op up", {});
        assert.deepEqual(Object.keys(changes), ["same"], JSON.stringify(changes));
        // The backend's own state file, as stored (exportStack would decrypt secrets for us).
        const state = fs.readFileSync(path.join(project.dir, "state", ".pulumi", "stacks", "zdp", "dev.json"), "utf8");
        for (const secret of ["POSTGRES_PASSWORD", "REDIS_PASSWORD"]) {
            const live = JSON.parse(
                cluster.kubectl(["-n", NS, "get", "secret", secret === "POSTGRES_PASSWORD" ? "postgres-auth" : "redis-auth", "-o", "json"]),
            );
            const value = Buffer.from(live.data[secret], "base64").toString();
            assert.ok(value.length >= 32);
            assert.ok(!state.includes(value), `${secret} is in the state in plaintext`);
        }
    });

    it("the policy pack, loaded by the CLI, reports the dev stack's waived rules as advisory and blocks nothing", async () => {
        // A directory pack is started through the language host's RunPlugin, which is missing here;
        // the CLI also runs an executable as the analyzer, so this shim does what RunPlugin would: run
        // the SDK's own run-policy-pack on policy/ with the engine address the CLI passes last.
        const shim = path.join(project.dir, "policy-analyzer");
        const runPolicyPack = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        fs.writeFileSync(
            shim,
            `#!/bin/sh
for a; do engine="$a"; done
cd '${ROOT}/policy' && exec '${process.execPath}' '${runPolicyPack}' "$engine" .
`,
            { mode: 0o755 },
        );
        const config = path.join(project.dir, "policy.json");
        // As the workflows build it: `pulumi config get --path policy.exceptions` → policy/exceptions.ts.
        // What the CLI reads is what the offline parser reads from Pulumi.dev.yaml (each waived rule fires on dev).
        const waived = (await stack.getConfig("policy.exceptions", true)).value.split(",");
        assert.deepEqual(waived, parseConfig(stackConfigMap("dev"), "dev").policyExceptions);
        assert.ok(waived.includes("datastore-tls-verified"), "dev waives at least its plain-TCP data stores");
        fs.writeFileSync(config, JSON.stringify(exceptionConfig(waived)));
        const preview = await stack.preview({ color: "never", policyPacks: [shim], policyPackConfigs: [config] });
        assert.match(preview.stdout, new RegExp(PACK_NAME));
        for (const rule of waived) assert.match(preview.stdout, new RegExp(`\\[advisory\\][^\\n]*${rule}`), `${rule} reported as advisory`);
        assert.doesNotMatch(preview.stdout, /\[mandatory\]/);
    });

    it("promote (activeColor green) updates the live route and the preview route, nothing replaced", async () => {
        await routeUpdate("promote", 2, { activeColor: "green" });
        expectWeights({ "app-green": 100 });
    });

    it("roll back (activeColor blue) is the same two updates, back", async () => {
        await routeUpdate("rollback", 2, { activeColor: "blue" });
        expectWeights({ "app-blue": 100 });
    });

    it("canary 10 → 50 → 100: each step one route update", async () => {
        await up("canary strategy", { releaseStrategy: "canary", canaryWeight: "10" });
        expectWeights({ "app-blue": 90, "app-green": 10 });
        await routeUpdate("canary 50", 1, { canaryWeight: "50" });
        expectWeights({ "app-blue": 50, "app-green": 50 });
        await routeUpdate("canary 100", 1, { canaryWeight: "100" });
        expectWeights({ "app-green": 100 });
        await up("canary done", { releaseStrategy: "blueGreen", activeColor: "green" }, ["canaryWeight"]);
        expectWeights({ "app-green": 100 });
    });

    it("a new version on the idle colour updates that Deployment only; the route stays", async () => {
        const changes = await up("blue 6.9.2", { blueVersion: "6.9.2" });
        assert.equal(changes.replace ?? 0, 0);
        assert.equal(changes.create ?? 0, 0);
        const blue = JSON.parse(cluster.kubectl(["-n", NS, "get", "deployment", "app-blue", "-o", "json"]));
        assert.match(blue.spec.template.spec.containers[0].image, /:6\.9\.2$/);
        assert.equal(blue.status.readyReplicas, blue.spec.replicas);
        expectWeights({ "app-green": 100 });
    });

    it("a promote to a colour that never becomes Ready fails pulumi up and leaves traffic where it was", async () => {
        await stack.setAllConfig({ "zdp:blueVersion": { value: UNREADY }, "zdp:activeColor": { value: "blue" } });
        await assert.rejects(stack.up({ color: "never" }), /app-blue|Deployment|rollout|progress/i);
        expectWeights({ "app-green": 100 }, "the route never points at the unready colour");
        // Fixing the version and promoting again works.
        await up("fixed promote", { blueVersion: "6.9.2" });
        expectWeights({ "app-blue": 100 });
    });

    it("rolling with a new appVersion replaces the colours by one Deployment and rolls it", async () => {
        await up("to rolling", { releaseStrategy: "rolling", appVersion: "6.9.1" }, ["blueVersion", "greenVersion"]);
        expectWeights({ app: 100 });
        const changes = await up("rolling 6.9.2", { appVersion: "6.9.2" });
        assert.equal(changes.replace ?? 0, 0);
        const app = JSON.parse(cluster.kubectl(["-n", NS, "get", "deployment", "app", "-o", "json"]));
        assert.match(app.spec.template.spec.containers[0].image, /:6\.9\.2$/);
    });
});
