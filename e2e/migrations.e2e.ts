// A failing migration stops the release, with the real Pulumi CLI and engine, the real pulumi-kubernetes
// provider and a real node (kubelet, containerd, runc) that runs the Job's containers: the `up` that
// deploys green with a failing expand migration and promotes it fails, the Job ends in
// BackoffLimitExceeded, green's Deployment keeps its old version and the live route keeps sending
// everything to blue. With the migration fixed, the next `up` runs it and only then moves the route.
// The migration image is e2e/migrate: it exits with the status its argument gives.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { failureDetail } from "../scripts/release/report";
import { Cluster } from "./cluster";
import { e2eRelease, lightDeployments } from "./releaseProgram";
import { BIN, PulumiProject, tool } from "./tools";

const NS = "zdp";
const IMAGE = "docker.io/zdp/e2e-app";
const MIGRATE = "docker.io/zdp/e2e-migrate";

const program = async () => {
    lightDeployments();
    const release = e2eRelease("e2e");
    return { weights: release.weights, versions: release.versions };
};

describe("e2e migrations: a failing migration Job stops pulumi up before the route moves (real CLI, real node)", function () {
    this.timeout(30 * 60_000);
    let cluster: Cluster;
    let project: PulumiProject;
    let stack: Stack;

    let scratch: string;
    const migration = (exitCode: number) =>
        JSON.stringify({ "1.0.1": { phase: "expand", image: `${MIGRATE}:1.0.1`, command: ["/entrypoint", String(exitCode)] } });
    const setConfig = (config: Record<string, string>) =>
        stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [`zdp:${k}`, { value }])));
    const get = (kind: string, name: string) => JSON.parse(cluster.kubectl(["-n", NS, "get", kind, name, "-o", "json"]));
    const weights = () => Object.fromEntries(get("httproute", "app").spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]));
    const greenImage = () => get("deployment", "app-green").spec.template.spec.containers[0].image;

    before(async () => {
        // A static binary of the standard library only: seconds to build, and the shared tool cache stays untouched.
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-migrate-"));
        execFileSync("go", ["build", "-trimpath", "-o", path.join(scratch, "migrate"), "main.go"], {
            cwd: path.join(__dirname, "migrate"),
            env: { ...process.env, CGO_ENABLED: "0" },
            stdio: "inherit",
        });
        cluster = await Cluster.start({
            // Names and a subnet of this suite's own: other suites' real nodes may run beside it.
            nodes: [{ name: "node-mig", zone: "zone-a", podSubnet: "10.88.9.0/24" }],
            images: [
                { binary: tool("app"), tags: [`${IMAGE}:1.0.0`, `${IMAGE}:1.0.1`] },
                { binary: path.join(scratch, "migrate"), tags: [`${MIGRATE}:1.0.1`] },
            ],
        });
        cluster.installGatewayApi();
        project = new PulumiProject(["dev"]);
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(BIN), skipVersionCheck: true });
        stack = await LocalWorkspace.selectStack(
            { stackName: "dev", projectName: "zdp", program },
            { workDir: project.dir, pulumiCommand, envVars: { ...(project.env as Record<string, string>), KUBECONFIG: cluster.kubeconfig } },
        );
        await setConfig({ appImage: IMAGE, blueVersion: "1.0.0", greenVersion: "1.0.0", activeColor: "blue", protectStateful: "false" });
        await stack.up({ color: "never" });
    });

    after(() => {
        cluster?.stop();
        project?.remove();
        if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it("the failing migration fails the up: BackoffLimitExceeded, green keeps 1.0.0, the route stays on blue", async () => {
        assert.deepEqual(weights(), { "app-blue": 100, "app-green": 0 });
        await setConfig({ greenVersion: "1.0.1", activeColor: "green", migrations: migration(3) });
        let error: Error | undefined;
        try {
            await stack.up({ color: "never" });
        } catch (e) {
            error = e as Error;
        }
        assert.ok(error, "pulumi up succeeded with a failing migration");
        console.log(`      the release CLI's pulumi up step would report: ${failureDetail(error.message)}`);
        // What the release CLI's `pulumi up` step reports (scripts/release/report.ts): the Job, each run's exit code, the reason.
        const detail = failureDetail(error.message);
        assert.match(detail, /kubernetes:batch\/v1:Job \(app-migrate-expand-1\.0\.1\)/);
        assert.match(detail, /Container "migrate" completed with exit code 3/);
        assert.match(detail, /\[BackoffLimitExceeded\] Job has reached the specified backoff limit/);
        const job = get("job", "migrate-expand-1.0.1");
        const failed = job.status.conditions.find((c: any) => c.type === "Failed");
        assert.equal(failed?.reason, "BackoffLimitExceeded", JSON.stringify(job.status));
        assert.equal(job.status.failed, 3, "the first run and two retries (backoffLimit 2)");
        assert.deepEqual(weights(), { "app-blue": 100, "app-green": 0 }, "the route never moved");
        assert.equal(greenImage(), `${IMAGE}:1.0.0`, "green was never updated");
    });

    it("the same config again: the failed Job is replaced and fails again; nothing else moves", async () => {
        const uid = get("job", "migrate-expand-1.0.1").metadata.uid;
        await assert.rejects(stack.up({ color: "never" }), /migrate-expand-1\.0\.1/);
        assert.notEqual(get("job", "migrate-expand-1.0.1").metadata.uid, uid, "pulumi.com/replaceUnready made a new run");
        assert.deepEqual(weights(), { "app-blue": 100, "app-green": 0 });
    });

    it("fixed: the migration completes, then green rolls out and the route moves to it", async () => {
        await setConfig({ migrations: migration(0) });
        const result = await stack.up({ color: "never" });
        const job = get("job", "migrate-expand-1.0.1");
        assert.equal(job.status.succeeded, 1);
        const completed = Date.parse(job.status.completionTime);
        assert.equal(greenImage(), `${IMAGE}:1.0.1`);
        assert.deepEqual(weights(), { "app-blue": 0, "app-green": 100 });
        // The Job completed before green's new pods were created.
        const pods = JSON.parse(cluster.kubectl(["-n", NS, "get", "pods", "-l", "app.kubernetes.io/instance=app-green", "-o", "json"])).items;
        const created = pods.filter((p: any) => p.spec.containers[0].image.endsWith(":1.0.1")).map((p: any) => Date.parse(p.metadata.creationTimestamp));
        assert.ok(created.length > 0 && created.every((t: number) => t >= completed), `green pods ${created} vs Job completion ${completed}`);
        assert.deepEqual(result.outputs.versions.value, { blue: "1.0.0", green: "1.0.1" });
    });
});
