// Release CLI: `npm run release -- <status|deploy VERSION|promote|rollback|canary PERCENT> --stack S [--dry-run]`.
// See scripts/release/run.ts for the flow and docs/delivery.md for the rollback story.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { loadAnalysis } from "./release/analysis";
import { EXIT, USAGE, UsageError, parseReleaseArgs, type ReleaseArgs } from "./release/args";
import { RefusedError } from "./release/change";
import { proposeRelease } from "./release/propose";

const projectDir = path.resolve(__dirname, "..");

/** --edit-only: the change goes into the stack file; the summary (stdout) becomes the PR body. */
function editStackFile(args: ReleaseArgs): number {
    if (args.action.kind === "status") return EXIT.refused;
    const stackFile = path.join(projectDir, `Pulumi.${args.stack}.yaml`);
    try {
        const proposal = proposeRelease(
            args.action,
            fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
            fs.readFileSync(stackFile, "utf8"),
            args.stack,
        );
        fs.writeFileSync(stackFile, proposal.stackYaml);
        console.log(
            `${proposal.summary}\n\nPulumi.${args.stack}.yaml: ${Object.entries(proposal.edit)
                .map(([k, v]) => `${k}=${v}`)
                .join(", ")}`,
        );
        return EXIT.ok;
    } catch (e) {
        if (!(e instanceof RefusedError) && (e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        console.error(`refused: ${(e as Error).message}`);
        return EXIT.refused;
    }
}

/** y/N on the terminal; Ctrl-C or end of input at the prompt answers no. */
function askYesNo(question: string): Promise<boolean> {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    return new Promise((resolve) => {
        // On a terminal readline reads raw keys: Ctrl-C arrives here, not as a signal.
        rl.on("SIGINT", () => rl.close());
        rl.on("close", () => resolve(false));
        rl.question(`${question} [y/N] `, (answer) => {
            resolve(/^y(es)?$/i.test(answer.trim()));
            rl.close();
        });
    });
}

async function main(): Promise<number> {
    if (process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
        console.log(USAGE);
        return 0;
    }
    let args;
    try {
        args = parseReleaseArgs(process.argv.slice(2));
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`error: ${e.message}\n\n${USAGE}`);
        return EXIT.refused;
    }
    if (args.editOnly) return editStackFile(args);
    let analysis;
    try {
        analysis = args.analysisFile ? loadAnalysis(args.analysisFile) : undefined;
    } catch (e) {
        console.error(`refused: ${(e as Error).message}`);
        return EXIT.refused;
    }
    // The Automation API and the release flow load only now: --help and a wrong argument answer at once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openPulumiWorkspace } = require("./release/pulumiWorkspace") as typeof import("./release/pulumiWorkspace");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runRelease } = require("./release/run") as typeof import("./release/run");
    const workspace = await openPulumiWorkspace(args.stack, projectDir);
    // Ctrl-C or a CI cancel: finish the running step, restore, report, exit 130. A second Ctrl-C
    // (the listeners are gone by then) kills the process as usual.
    const stop = new AbortController();
    for (const sig of ["SIGINT", "SIGTERM"] as const)
        process.once(sig, () => {
            console.error(`\n${sig}: stopping after the current step (a running pulumi up finishes first), then restoring the previous config`);
            stop.abort(sig);
        });
    const confirm = process.stdin.isTTY ? askYesNo : undefined;
    const result = await runRelease(args, workspace, (line) => console.log(line), { signal: stop.signal, analysis, confirm });
    return result.exitCode;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        const message = e instanceof Error ? e.message : String(e);
        // The Automation API drives the Pulumi CLI; say so plainly instead of a spawn error.
        console.error(/ENOENT: pulumi/.test(message) ? "the Pulumi CLI is not installed (or not on PATH); only --edit-only works without it" : message);
        process.exitCode = EXIT.refused;
    },
);
