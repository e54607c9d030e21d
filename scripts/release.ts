// Release CLI: `npm run release -- <status|deploy VERSION|promote|rollback|canary PERCENT> --stack S [--dry-run]`.
// See scripts/release/run.ts for the flow and docs/delivery.md for the rollback story.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { loadAnalysis } from "./release/analysis";
import { EXIT, USAGE, UsageError, parseReleaseArgs, type ReleaseArgs } from "./release/args";
import type { MergeInput } from "./release/apply";
import { RefusedError } from "./release/change";
import { LOCK_SECONDS } from "./release/lock";
import { proposeRelease } from "./release/propose";

const projectDir = path.resolve(__dirname, "..");

/** --edit-only: the change goes into the stack file; the summary (stdout) becomes the PR body. */
function editStackFile(args: ReleaseArgs): number {
    if (args.action.kind === "status" || args.action.kind === "apply") return EXIT.refused;
    const stackFile = path.join(projectDir, `Pulumi.${args.stack}.yaml`);
    try {
        const proposal = proposeRelease(
            args.action,
            fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"),
            fs.readFileSync(stackFile, "utf8"),
            args.stack,
            args.app,
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

/** apply.ts, loaded when needed: its release flow loads the analysis sources. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const applyModule = () => require("./release/apply") as typeof import("./release/apply");

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

/**
 * Ctrl-C (the terminal sends SIGINT to this process only: pulumi runs in a process group of its own)
 * or a CI cancel. First: stop after the running step (a running pulumi command finishes), restore,
 * report, exit 130. Second: the running pulumi command gets SIGINT (it cancels its update) and no
 * update starts any more; the flow puts the stack file back and its report names what to run.
 * Third: SIGINT to pulumi again (it terminates at once) and exit as soon as it has ended.
 */
function onSignal(sig: NodeJS.Signals, n: number, stop: AbortController, pulumi: import("./release/pulumiCommand").OwnGroupPulumi): void {
    if (n === 1) {
        console.error(
            `\n${sig}: stopping after the current step (a running pulumi command finishes first: it runs in a process group of its own, so the signal did not reach it), then restoring the previous config. ${sig} again cancels the running pulumi command`,
        );
        stop.abort(sig);
        return;
    }
    const sent = pulumi.interrupt();
    const to = sent ? `SIGINT to the running pulumi command` : "no pulumi command is running";
    if (n === 2) {
        console.error(
            `\n${sig} again: ${to} (Pulumi cancels an update: the operations under way finish, no new one starts), and no pulumi update starts any more; the stack file is put back and the report names what to run. ${sig} again exits at once`,
        );
        return;
    }
    console.error(
        `\n${sig} a third time: ${to} (Pulumi then terminates at once, which may leave pending operations for \`pulumi refresh\`); exiting as soon as it has ended. The release lock stays until it expires (${LOCK_SECONDS} s) or --break-lock`,
    );
    void pulumi.whenIdle().then(() => process.exit(EXIT.interrupted));
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
    let merge: MergeInput | undefined;
    try {
        analysis = args.analysisFile ? loadAnalysis(args.analysisFile) : undefined;
    } catch (e) {
        console.error(`refused: ${(e as Error).message}`);
        return EXIT.refused;
    }
    try {
        if (args.action.kind === "apply") merge = applyModule().readMerge(projectDir, args.stack, args.action.from);
    } catch (e) {
        if (!(e instanceof RefusedError)) throw e;
        console.error(`refused: ${e.message}`);
        return EXIT.refused;
    }
    // The Automation API and the release flow load only now: --help and a wrong argument answer at once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openPulumiWorkspace } = require("./release/pulumiWorkspace") as typeof import("./release/pulumiWorkspace");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runRelease } = require("./release/run") as typeof import("./release/run");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ownGroupPulumi } = require("./release/pulumiCommand") as typeof import("./release/pulumiCommand");
    const pulumi = await ownGroupPulumi();
    const workspace = await openPulumiWorkspace(
        args.stack,
        projectDir,
        pulumi.command,
        { packs: args.policyPacks, configs: args.policyPackConfigs },
        args.pulumiStack,
    );
    const stop = new AbortController();
    let signals = 0;
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => onSignal(sig, ++signals, stop, pulumi));
    const confirm = process.stdin.isTTY ? askYesNo : undefined;
    const log = (line: string) => console.log(line);
    const opts = { signal: stop.signal, analysis, confirm };
    if (args.action.kind === "status" || args.dryRun) return (await runRelease(args, workspace, log, opts)).exitCode;
    return notified(args, workspace, async () => {
        if (!merge) return runRelease(args, workspace, log, opts);
        const result = await applyModule().runApply(args, workspace, log, opts, merge);
        if (result.revert && args.revertPr) {
            fs.writeFileSync(args.revertPr, result.revert.body);
            console.log(`\nThe revert of Pulumi.${args.stack}.yaml for a pull request is in the checkout; its description in ${args.revertPr}`);
        }
        return result;
    });
}

/** A changing command between its `started` and its outcome's notification (notify.ts): webhook and, in CI, the commit status. */
async function notified(args: ReleaseArgs, workspace: import("./release/workspace").Workspace, run: () => Promise<{ exitCode: number; outcome: string }>) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const n = require("./release/notify") as typeof import("./release/notify");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { holderIdentity } = require("./release/run") as typeof import("./release/run");
    const warn = (line: string) => console.error(line);
    const hook = n.webhookSender(await workspace.alertWebhook());
    if (hook.why) console.log(`notifications: no webhook (${hook.why})`);
    const github = args.action.kind === "apply" ? n.githubStatusSender(process.env) : undefined;
    const senders = { ...(hook.send ? { webhook: hook.send } : {}), ...(github ? { "GitHub commit status": github } : {}) };
    const a = args.action;
    const command =
        a.kind === "apply"
            ? `apply --from ${a.from}`
            : a.kind === "deploy"
              ? `deploy ${a.version}`
              : a.kind === "canary"
                ? `canary ${a.percents.join(",")}`
                : a.kind;
    const event = { stack: args.stack, command: args.app === undefined ? command : `${command} --app ${args.app}`, holder: holderIdentity() };
    await n.notify(senders, { ...event, event: "started" }, warn);
    const result = await run();
    await n.notify(senders, { ...event, event: n.finishedEvent(result.exitCode), outcome: result.outcome, exitCode: result.exitCode }, warn);
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
