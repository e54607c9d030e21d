// `release apply`'s reading of a merge (scripts/release/merge.ts) on the repository's real stack files,
// and what it does where the file, the deployed stack and the file before the merge disagree
// (scripts/release/apply.ts), against a workspace stand-in. deploy.yml's own step runs end to end in
// tests/release/deploy.release.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { parseReleaseArgs } from "../scripts/release/args";
import { runApply, type MergeInput } from "../scripts/release/apply";
import { mergedChange, withReleaseKeysOf, type ProjectFiles } from "../scripts/release/merge";
import { statusDescription, STATUS_DESCRIPTION_MAX, webhookSender } from "../scripts/release/notify";
import { MemoryLeases } from "./memoryLeases";
import type { Workspace } from "../scripts/release/workspace";
import { readState } from "../scripts/release/change";
import { mergedConfig } from "../scripts/pulumiConfig";

const root = path.join(__dirname, "..");
const pulumiYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
const awsYaml = fs.readFileSync(path.join(root, "Pulumi.aws.yaml"), "utf8");

/** The aws stack file with project keys set (undefined: removed). */
function aws(keys: Record<string, string | undefined>, base = awsYaml): ProjectFiles {
    const doc = parseDocument(base);
    for (const [k, v] of Object.entries(keys)) {
        if (v === undefined) doc.deleteIn(["config", `zdp:${k}`]);
        else doc.setIn(["config", `zdp:${k}`], v);
    }
    return { pulumiYaml, stackYaml: doc.toString() };
}

const before = aws({ blueVersion: "6.9.1", greenVersion: "6.9.2", activeColor: "blue" });
const change = (after: Record<string, string | undefined>, intent = false) => mergedChange(before, aws(after, before.stackYaml), "aws", intent);

describe("release apply: a merge's change to the stack file, read as a release command", () => {
    it("a new version on the idle colour is a deploy; an activeColor flip a promote, or a rollback when the merge says so", () => {
        const deploy = change({ greenVersion: "7.0.0" });
        assert.deepEqual(deploy.kind === "release" && deploy.action, { kind: "deploy", version: "7.0.0" });
        const promote = change({ activeColor: "green" });
        assert.deepEqual(promote.kind === "release" && [promote.action, promote.plan.preCheck, promote.plan.keepOnFailure], [
            { kind: "promote" },
            "green",
            undefined,
        ]);
        const rollback = change({ activeColor: "green" }, true);
        assert.deepEqual(rollback.kind === "release" && [rollback.action, rollback.plan.keepOnFailure], [{ kind: "rollback" }, true]);
    });

    it("a canary weight is a canary step; the weight back to 0 is the canary's abort, never undone", () => {
        const step = change({ releaseStrategy: "canary", canaryWeight: "10" });
        assert.deepEqual(step.kind === "release" && step.action, { kind: "canary", percents: [10] });
        const canary = aws({ releaseStrategy: "canary", canaryWeight: "10" }, before.stackYaml);
        const abort = mergedChange(canary, aws({ canaryWeight: "0" }, canary.stackYaml), "aws");
        assert.deepEqual(abort.kind === "release" && [abort.action, abort.plan.keepOnFailure], [{ kind: "rollback" }, true]);
    });

    it("no release key changed (an alert threshold): none, a guarded up", () => {
        assert.deepEqual(change({ alertErrorRatePercent: "2" }), { kind: "none" });
    });

    it("refuses what no single command does: a new version promoted in the same merge would send traffic to an unchecked colour", () => {
        assert.throws(
            () => change({ greenVersion: "7.0.0", activeColor: "green" }),
            /changes the release of stack aws \(activeColor blue -> green; versions .*\) in a way no single release command does; open one pull request per command/,
        );
    });

    it("refuses a merged file the program refuses, with the parser's message", () => {
        assert.throws(() => change({ activeColor: "purple" }), /activeColor/);
    });

    it("withReleaseKeysOf: the release keys of the other file, set or removed; comments and every other key kept", () => {
        const merged = aws({ releaseStrategy: "canary", canaryWeight: "10", alertErrorRatePercent: "2" }, before.stackYaml).stackYaml;
        const out = withReleaseKeysOf(merged, before.stackYaml, "zdp");
        const config = (parseDocument(out).toJS() as { config: Record<string, unknown> }).config;
        assert.equal(config["zdp:releaseStrategy"], "blueGreen");
        assert.equal(config["zdp:canaryWeight"], undefined, "a key the file before did not set is removed");
        assert.equal(config["zdp:alertErrorRatePercent"], "2");
        assert.equal(config["zdp:greenVersion"], "6.9.2");
        assert.match(out, /# The idle colour runs one pod per zone/, "comments kept");
    });

    it("the commit status description fits GitHub's 140 characters; a webhook that is not https is never posted to", () => {
        const long = statusDescription({ event: "failed", stack: "aws", command: "apply", holder: "ci", outcome: "x".repeat(500) });
        assert.equal(long.length, STATUS_DESCRIPTION_MAX);
        assert.match(long, /^failed: x+…$/);
        assert.equal(webhookSender("http://hooks.example.com/t").send, undefined);
        assert.equal(webhookSender("[secret]").send, undefined);
        assert.equal(webhookSender(undefined).why, "alertWebhook is not set");
        assert.ok(webhookSender("https://hooks.example.com/t").send);
    });
});

/** A stack whose deployed release is `deployed`; every call recorded. `up` deploys what the stack file says. */
function stackStandIn(deployed: ProjectFiles) {
    let file = deployed.stackYaml;
    const state = () => readState(mergedConfig(pulumiYaml, file), "aws", "zdp");
    let live = state();
    const calls: string[] = [];
    const ws: Workspace = {
        stackName: "aws",
        project: "zdp",
        programConfig: async () => mergedConfig(pulumiYaml, file),
        stackConfig: async () => {
            const config = (parseDocument(file).toJS() as { config: Record<string, unknown> }).config;
            return Object.fromEntries(Object.entries(config).flatMap(([k, v]) => (k.startsWith("zdp:") && typeof v === "string" ? [[k.slice(4), v]] : [])));
        },
        setConfig: async (values) => void (file = aws(values, file).stackYaml),
        removeConfig: async (keys) => void (file = aws(Object.fromEntries(keys.map((k) => [k, undefined])), file).stackYaml),
        up: async () => {
            calls.push("up");
            live = state();
            return { update: 1 };
        },
        routeUrns: async () => [],
        preview: async () => ({}),
        outputs: async () => ({ endpoint: "http://127.0.0.1:1", activeColor: live.activeColor, weights: live.weights, versions: live.versions }),
        previewToken: async () => "token",
        alertWebhook: async () => undefined,
        lease: async () => new MemoryLeases(),
    };
    const merge = (from: ProjectFiles, to: ProjectFiles): MergeInput => ({
        from: "0123456789abcdef0123",
        before: from,
        after: to,
        rollbackIntent: false,
        writeStackFile: (text) => void (file = text),
    });
    return { ws, calls, merge, file: () => file };
}

describe("release apply: where main's file, the file before the merge and the deployed stack disagree", () => {
    const args = parseReleaseArgs(["apply", "--from", "0123456789abcdef0123", "--stack", "aws", "--revert-pr", "revert.md"]);

    it("after a rollback, main says green while blue runs: a merge on top is refused before the lock, and the revert names what runs", async () => {
        const failed = aws({ activeColor: "green" }, before.stackYaml); // the rolled-back promote, still on main
        const s = stackStandIn(before);
        const lines: string[] = [];
        const r = await runApply(args, s.ws, (l) => lines.push(l), {}, s.merge(failed, aws({ alertErrorRatePercent: "2" }, failed.stackYaml)));
        assert.equal(r.exitCode, 2, lines.join("\n"));
        assert.deepEqual(s.calls, [], "nothing was deployed");
        assert.match(
            r.outcome,
            /differs from the deployed stack \(activeColor: file green, deployed blue; weights: .*\), and did already at 0123456789ab, before this merge: .*Nothing was changed\. Merge the pull request that sets activeColor blue/,
        );
        assert.match(s.file(), /zdp:activeColor: blue/, "the checkout holds the revert (--revert-pr)");
        assert.match(s.file(), /zdp:alertErrorRatePercent: "2"/, "the merge's other change stays in the revert");
    });

    it("the revert's own merge (main back to what runs) is no release: a guarded up, not refused", async () => {
        const failed = aws({ activeColor: "green" }, before.stackYaml);
        const s = stackStandIn(before);
        const lines: string[] = [];
        // No app answers on 127.0.0.1:1, so the check after the up fails: what matters here is that the up ran, guarded.
        const r = await runApply(
            { ...args, checks: { ...args.checks, maxAttempts: 1, successThreshold: 1, timeoutMs: 200 } },
            s.ws,
            (l) => lines.push(l),
            {},
            s.merge(failed, before),
        );
        assert.deepEqual(s.calls, ["up"], lines.join("\n"));
        assert.match(lines.join("\n"), /the merged release keys are what the stack runs; no release key changed: pulumi up of the merged stack file/);
        assert.match(r.outcome, /no release key was changed, so there is nothing to roll back/);
        assert.equal(r.revert, undefined);
    });
});
