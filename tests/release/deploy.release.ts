// The pull-request path with deploy.yml's own script, run locally: the `run` of its release step (and
// of the step that decides on a revert pull request), read from the workflow file and run by bash in a
// git checkout of the project, with stand-ins for Pulumi and kubectl (tests/fakeTools.ts) and for
// GitHub's commit statuses, the stack's alertWebhook and Prometheus (tests/fakeCi.ts). The app answers
// as the shipped image does: no x-zdp-* headers, its version in GET /version.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse, parseDocument } from "yaml";
import { EXIT } from "../../scripts/release/args";
import { changed, commitAll, FakeCi } from "../fakeCi";
import { FakeTools, type Cli } from "../fakeTools";
import { HANG_MS } from "../hang";

interface Step {
    id?: string;
    run?: string;
}
const workflow = parse(fs.readFileSync(path.join(__dirname, "..", "..", ".github", "workflows", "deploy.yml"), "utf8")) as {
    jobs: { up: { steps: Step[] } };
};
const step = (id: string) => workflow.jobs.up.steps.find((s) => s.id === id)!.run!;

const report = (cli: Cli) => `${cli.out}\n${cli.err}`;

describe("deploy.yml's release step, run locally: the merge runs through the release CLI", function () {
    let tools: FakeTools;
    let ci: FakeCi;

    before(async () => {
        [tools, ci] = await Promise.all([FakeTools.start(), FakeCi.start()]);
    });
    beforeEach(() => {
        tools.reset();
        ci.reset();
        tools.podinfo = true;
        fs.rmSync(path.join(tools.dir, ".github"), { recursive: true, force: true });
        fs.rmSync(revertBody(), { force: true });
    });
    afterEach(() => assert.deepEqual(tools.unanswered, [], "every pulumi and kubectl call had an answer"));
    after(() => {
        tools?.stop();
        ci?.stop();
    });

    const revertBody = () => path.join(ci.dir, "revert.md");

    /** Sets project keys of the checkout's stack file. */
    function edit(keys: Record<string, string>): void {
        const doc = parseDocument(fs.readFileSync(tools.stackFile, "utf8"));
        for (const [k, v] of Object.entries(keys)) doc.setIn(["config", `zdp:${k}`], v);
        fs.writeFileSync(tools.stackFile, doc.toString());
    }

    /** main before the merge, deployed: blue 6.9.1 live, green 6.9.2 ready; the stack's webhook set. */
    function deployedMain(): string {
        edit({ greenVersion: "6.9.2", alertWebhook: ci.webhookUrl });
        tools.deployed = tools.fileState();
        return commitAll(tools.dir, "main, deployed");
    }

    /** The release step as the runner runs it after `from..HEAD` was pushed. */
    function releaseStep(from: string, sha: string): Cli {
        fs.writeFileSync(path.join(ci.dir, "policy.json"), "{}");
        return tools.script(step("apply"), {
            STACK: "acme/zdp/dev",
            FROM: from,
            ANALYSIS: ".github/analysis/dev.yaml",
            // The repository variable's check options: the app answers at once, so counts decide, not time.
            RELEASE_OPTIONS: `--timeout ${HANG_MS} --interval 5 --success 3 --attempts 6 --watch 0.1 --converge-timeout ${HANG_MS / 1000}`,
            RUNNER_TEMP: ci.dir,
            GITHUB_TOKEN: "ghs_job-token",
            GITHUB_SHA: sha,
            GITHUB_REPOSITORY: "acme/zdp",
            GITHUB_API_URL: ci.githubApi,
            GITHUB_SERVER_URL: "https://github.example",
            GITHUB_RUN_ID: "4711",
            NODE_EXTRA_CA_CERTS: ci.caFile,
        });
    }

    /** The revert step's answer (its GITHUB_OUTPUT). */
    async function revertNeeded(): Promise<string> {
        const out = path.join(ci.dir, "github-output");
        fs.writeFileSync(out, "");
        assert.equal(await tools.script(step("revert"), { CLOUD: "dev", GITHUB_OUTPUT: out }).exited, 0);
        return fs.readFileSync(out, "utf8").trim();
    }

    const states = () => ci.statuses.map((s) => s.body.state);
    const events = () => ci.hooks.map((h) => h.body.event);

    it("a merged promote: checked, switched and watched under the release lock; the commit marked success, the webhook told; main's file untouched", async () => {
        const before = deployedMain();
        edit({ activeColor: "green" });
        const merge = commitAll(tools.dir, "release(dev): promote");
        const cli = releaseStep(before, merge);
        assert.equal(await cli.exited, EXIT.ok, report(cli));

        assert.match(cli.out, /Pulumi\.dev\.yaml since \w{12}: promote: promote green \(6\.9\.2\)/);
        assert.match(cli.out, /take the release lock \(Lease zdp-release in namespace zdp\): OK .* held by /);
        assert.match(cli.out, /check green through the preview route before switching: OK .* 3\/3 healthy/);
        assert.match(cli.out, /watch the live route for .*: OK/);
        assert.equal(tools.deployed.activeColor, "green");
        assert.equal(tools.ups, 1);
        const up = tools.calls.find((c) => c.tool === "pulumi" && c.argv[0] === "up")!;
        assert.ok(up.argv.includes("--policy-pack") && up.argv.includes("policy"), `the up runs the policy pack: ${up.argv.join(" ")}`);
        assert.equal(tools.leases.lease, undefined, "the lock is released");
        assert.equal(changed(tools.dir, "Pulumi.dev.yaml"), false, "the checkout's stack file ends as merged");

        assert.deepEqual(states(), ["pending", "success"]);
        assert.equal(ci.statuses[0].url, `/repos/acme/zdp/statuses/${merge}`);
        assert.equal(ci.statuses[0].authorization, "Bearer ghs_job-token");
        assert.equal(ci.statuses[1].body.context, "zdp release (dev)");
        assert.equal(ci.statuses[1].body.target_url, "https://github.example/acme/zdp/actions/runs/4711");
        assert.deepEqual(events(), ["started", "succeeded"]);
        assert.equal(ci.hooks[1].body.command, `apply --from ${before}`);
        assert.doesNotMatch(report(cli), /release-token-in-path|ghs_job-token/, "neither the webhook URL nor the token is printed");
        assert.equal(await revertNeeded(), "needed=false");
    });

    it("a merged canary whose analysis fails: rolled back, the commit marked failed, a revert of main's file written; the next merge is refused", async () => {
        const before = deployedMain();
        fs.mkdirSync(path.join(tools.dir, ".github", "analysis"), { recursive: true });
        fs.writeFileSync(
            path.join(tools.dir, ".github", "analysis", "dev.yaml"),
            `windowSeconds: 60\ninitialDelaySeconds: 0\nsource:\n  kind: prometheus\n  url: ${ci.prometheusUrl}\n  queries: { requests: "requests:{{color}}", errors: "errors:{{color}}", p99Ms: "p99:{{color}}" }\n`,
        );
        // The canary answers half its requests with a 5xx; the stable colour none.
        ci.metrics = { "requests:green": 1000, "errors:green": 500, "p99:green": 20, "requests:blue": 9000, "errors:blue": 0, "p99:blue": 20 };
        edit({ releaseStrategy: "canary", canaryWeight: "10" });
        const merge = commitAll(tools.dir, "release(dev): canary 10");
        const cli = releaseStep(before, merge);
        assert.equal(await cli.exited, EXIT.failed, report(cli));

        assert.match(cli.out, /analyse green over the watch of canaryWeight=10 releaseStrategy=canary: FAILED .*success rate/);
        assert.match(cli.out, /rolled back to the previous config/);
        assert.equal(tools.ups, 2, "the canary's up, then the rollback's");
        assert.deepEqual(tools.deployed.weights, { blue: 100, green: 0 }, "traffic is back on blue alone");
        assert.equal(tools.deployed.strategy, "blueGreen");
        assert.deepEqual(states(), ["pending", "failure"]);
        assert.match(String(ci.statuses[1].body.description), /^failed: /);
        assert.ok(String(ci.statuses[1].body.description).length <= 140);
        assert.deepEqual(events(), ["started", "failed"]);

        // The revert pull request's content: main's file with the release keys that run.
        assert.equal(await revertNeeded(), "needed=true");
        const reverted = parseDocument(fs.readFileSync(tools.stackFile, "utf8")).toJS() as { config: Record<string, string> };
        assert.equal(reverted.config["zdp:releaseStrategy"], "blueGreen");
        assert.equal(reverted.config["zdp:canaryWeight"], undefined);
        assert.equal(reverted.config["zdp:greenVersion"], "6.9.2");
        assert.match(fs.readFileSync(revertBody(), "utf8"), /failed: .*analyse green/);

        // Main still says canary 10. The next merge (no release change) must not ship it again.
        execFileSync("git", ["checkout", "-q", "--", "Pulumi.dev.yaml"], { cwd: tools.dir }); // the next job's fresh checkout
        edit({ alertErrorRatePercent: "2" });
        const next = commitAll(tools.dir, "alert threshold");
        ci.reset();
        const refused = releaseStep(merge, next);
        assert.equal(await refused.exited, EXIT.refused, report(refused));
        assert.match(refused.err + refused.out, /differs from the deployed stack .*Nothing was changed/);
        assert.equal(tools.ups, 2, "no up");
        assert.deepEqual(states(), ["pending", "error"]);
        assert.equal(await revertNeeded(), "needed=true");
    });

    it("the release lock held by a CLI run mid-watch: refused, naming the holder; nothing deployed, no revert", async () => {
        const before = deployedMain();
        const now = new Date().toISOString();
        await tools.leases.create({ holderIdentity: "ops@laptop pid 4242", acquireTime: now, renewTime: now, leaseDurationSeconds: 120 });
        edit({ activeColor: "green" });
        const merge = commitAll(tools.dir, "release(dev): promote");
        const cli = releaseStep(before, merge);
        assert.equal(await cli.exited, EXIT.refused, report(cli));

        assert.match(cli.out, /another release holds this stack's lock: ops@laptop pid 4242/);
        assert.equal(tools.ups, 0);
        assert.equal(tools.deployed.activeColor, "blue");
        assert.equal(tools.leases.lease?.holderIdentity, "ops@laptop pid 4242", "the other run's lease stays");
        assert.deepEqual(states(), ["pending", "error"]);
        assert.match(String(ci.statuses[1].body.description), /another release holds this stack's lock/);
        assert.equal(await revertNeeded(), "needed=false", "main's change still stands: re-run the job once the other release is done");
    });

    it("release status with --version-path /version: the shipped app is attributed by its version; without it every answer fails", async () => {
        deployedMain();
        const ok = tools.release(["status", "--stack", "dev", "--version-path", "/version"]);
        assert.equal(await ok.exited, EXIT.ok, report(ok));
        assert.match(ok.out, /live route .*: 1\/1 healthy/);
        const bare = tools.release(["status", "--stack", "dev"]);
        assert.equal(await bare.exited, EXIT.failed, report(bare));
        assert.match(bare.out, /no x-zdp-color\/x-zdp-version header/);
    });
});
