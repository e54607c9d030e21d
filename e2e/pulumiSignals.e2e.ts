// The real Pulumi CLI and Ctrl-C: a terminal sends SIGINT to its whole foreground process group. Run
// the Automation API's own way, `pulumi up` is in the release CLI's group, gets the SIGINT and cancels
// its update; run by scripts/release/pulumiCommand.ts, it is in a group of its own and completes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PulumiProject, ROOT } from "./tools";

/** Starts e2e/signalChild.ts in a process group of its own (as a shell runs a job); resolves with its output once it exits. */
function upInGroup(mode: "own" | "sdk", project: PulumiProject) {
    const go = path.join(project.dir, `go-${mode}`);
    const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "e2e", "signalChild.ts"), mode, project.dir, go], {
        cwd: ROOT,
        env: project.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const seen: [RegExp, () => void][] = [];
    const grow = (d: string) => {
        out += d;
        for (const [re, resolve] of seen.splice(0))
            if (re.test(out)) resolve();
            else seen.push([re, resolve]);
    };
    child.stdout.setEncoding("utf8").on("data", grow);
    child.stderr.setEncoding("utf8").on("data", grow);
    const exited = new Promise<string>((resolve) => child.on("close", () => resolve(out)));
    const waitFor = (re: RegExp) => (re.test(out) ? Promise.resolve() : new Promise<void>((resolve) => seen.push([re, resolve])));
    return { child, go, exited, waitFor };
}

describe("the real Pulumi CLI and Ctrl-C on the release CLI's process group", function () {
    let project: PulumiProject;
    before(() => {
        project = new PulumiProject(["dev"]);
    });
    after(() => project?.remove());

    for (const [mode, expect] of [
        ["sdk", "the Automation API's own spawn: pulumi up gets the SIGINT and cancels its update"],
        ["own", "pulumiCommand.ts: pulumi up runs in a group of its own, gets nothing and completes"],
    ] as const)
        it(expect, async () => {
            const run = upInGroup(mode, project);
            await run.waitFor(/PROGRAM RUNNING/); // the update is under way
            process.kill(-run.child.pid!, "SIGINT");
            await run.waitFor(/CHILD GOT SIGINT/);
            fs.writeFileSync(run.go, ""); // the program may finish now
            const out = await run.exited;
            if (mode === "sdk") {
                assert.match(out, /\^C received; cancelling/, out);
                assert.match(out, /^UP FAILED .*errored/m, out);
            } else {
                assert.doesNotMatch(out, /\^C received/, out);
                assert.match(out, /^UP succeeded$/m, out);
            }
        });
});
