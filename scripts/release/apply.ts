// `release apply --from REF`: the pull-request path through the CLI's own machinery. deploy.yml runs
// it on every push to main with REF = the commit before the push. The merge's change to the stack file
// (merge.ts) runs as the command it amounts to: lock, comparison with the deployed stack, preview
// check, `up`, convergence wait, watch, analysis and, on a failure, the automatic rollback, which
// restores the release keys of REF in the checkout's stack file (never committed) and `up`s them.
// Main's file then says what the stack no longer runs; what keeps the next merge from shipping it
// again is the comparison with the deployed stack: a release change on top of a file that differs
// from what is deployed is refused. The revert that ends this (the stack file with the deployed
// release keys) is written for a pull request (--revert-pr), which deploy.yml opens.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../../model/config";
import { projectName } from "../pulumiConfig";
import { EXIT, type ReleaseArgs } from "./args";
import { DEFAULT_APP } from "../../model/stackConfig";
import { deployedDifferences, infrastructurePlan, RefusedError, revertToDeployed, type ReleaseState } from "./change";
import { mergedChange, releaseDifferences, sideApps, sideState, withReleaseKeysOf, type MergedChange, type ProjectFiles } from "./merge";
import { editedStackFile } from "./propose";
import { runRelease, type ReleaseResult, type RunOptions } from "./run";
import type { Workspace } from "./workspace";

export interface MergeInput {
    /** The commit before the merge (--from). */
    from: string;
    /** Pulumi.yaml and the stack file at `from`, and as merged (the checkout). */
    before: ProjectFiles;
    after: ProjectFiles;
    /** A commit of the merge says `release(<stack>): rollback` (release.yml's title for a rollback). */
    rollbackIntent: boolean;
    /** Writes the checkout's Pulumi.<stack>.yaml (what the release's `up`s and `pulumi config` read). */
    writeStackFile(text: string): void;
}

export interface ApplyResult extends ReleaseResult {
    /** Main's stack file with the release keys of what the stack runs, and why: for a pull request. */
    revert?: { stackYaml: string; body: string };
}

const NO_COMMIT = /^0+$/;

/** The merge as deploy.yml's checkout has it: the project files at `from` (git) and in the directory. */
export function readMerge(dir: string, stack: string, from: string): MergeInput {
    const file = `Pulumi.${stack}.yaml`;
    if (NO_COMMIT.test(from))
        throw new RefusedError(
            `--from ${from}: the push has no previous commit (a new branch or the first push), so there is no stack file before the merge to compare; deploy the stack by hand (pulumi up) once`,
        );
    const git = (...argv: string[]) => execFileSync("git", argv, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const at = (f: string) => {
        try {
            return git("show", `${from}:${f}`);
        } catch (e) {
            const why = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
            throw new RefusedError(
                `--from ${from}: cannot read ${f} at that commit (${why}); a shallow checkout needs fetch-depth 2 or more, and a new stack's first deploy is a pulumi up by hand`,
            );
        }
    };
    const before = { pulumiYaml: at("Pulumi.yaml"), stackYaml: at(file) };
    const after = { pulumiYaml: fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), stackYaml: fs.readFileSync(path.join(dir, file), "utf8") };
    const messages = git("log", "--format=%B", `${from}..HEAD`);
    const rollbackIntent = new RegExp(`release\\(${stack.replace(/[^\w-]/g, "\\$&")}\\): rollback\\b`).test(messages);
    return { from, before, after, rollbackIntent, writeStackFile: (text) => fs.writeFileSync(path.join(dir, file), text) };
}

/** A refusal before runRelease took over, reported the same way. */
function refuse(log: (line: string) => void, outcome: string, revert?: ApplyResult["revert"]): ApplyResult {
    log(`FAILED (exit ${EXIT.refused}): ${outcome}`);
    return { exitCode: EXIT.refused, outcome, steps: [], revert };
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * Runs the merge's change (see the file comment). The checkout's stack file ends as merged or, when
 * there is a revert and --revert-pr asks for it, as the revert (the pull request's content).
 */
export async function runApply(args: ReleaseArgs, ws: Workspace, log: (line: string) => void, opts: RunOptions, merge: MergeInput): Promise<ApplyResult> {
    try {
        const result = await applyMerge(args, ws, log, opts, merge);
        merge.writeStackFile(result.revert && args.revertPr ? result.revert.stackYaml : merge.after.stackYaml);
        return result;
    } catch (e) {
        merge.writeStackFile(merge.after.stackYaml);
        throw e;
    }
}

/** One app's release state on each side of the merge and its deployed outputs. */
interface AppSides {
    app: string;
    before: ReleaseState;
    after: ReleaseState;
    outputs: Record<string, unknown>;
    /** Where the merged file and the deployed app differ. */
    drift: string[];
}

/**
 * Each app on both sides of the merge, but one not deployed yet (as runRelease's comparison: the merge
 * adds it, or an earlier one did since the last up), unless the merge releases it (`released`).
 */
async function appSides(ws: Workspace, merge: MergeInput, stack: string, released?: string): Promise<AppSides[]> {
    const existing = new Set(sideApps(merge.before, stack));
    const sides: AppSides[] = [];
    for (const app of sideApps(merge.after, stack).filter((a) => existing.has(a))) {
        const after = sideState(merge.after, stack, app);
        const outputs = await ws.outputs(app);
        if (Object.keys(outputs).length === 0 && app !== DEFAULT_APP && app !== released) continue;
        sides.push({ app, before: sideState(merge.before, stack, app), after, outputs, drift: deployedDifferences(after, outputs) });
    }
    return sides;
}

const named = (s: AppSides, text: string) => (s.app === DEFAULT_APP ? text : `app ${s.app}: ${text}`);

async function applyMerge(args: ReleaseArgs, ws: Workspace, log: (line: string) => void, opts: RunOptions, merge: MergeInput): Promise<ApplyResult> {
    const stack = ws.stackName;
    const file = `Pulumi.${stack}.yaml`;
    let change: MergedChange;
    let sides: AppSides[];
    try {
        change = mergedChange(merge.before, merge.after, stack, merge.rollbackIntent);
        sides = await appSides(ws, merge, stack, change.kind === "release" ? change.app : undefined);
    } catch (e) {
        if (e instanceof RefusedError || e instanceof ConfigError) return refuse(log, `${file} since ${short(merge.from)}: ${e.message}`);
        throw e;
    }
    const project = projectName(merge.after.pulumiYaml);
    const revertBody = (why: string, keys: string) =>
        `${why}\n\nThis pull request puts the release keys of ${file} back to what the stack runs (${keys}), so that main says what is deployed. Until then deploy.yml refuses every release of stack ${stack}: a release on top of a file that differs from the deployed stack would check one thing and ship another.`;

    const off = sides.filter((s) => s.drift.length > 0);
    if (off.length === 0) {
        // The release keys as merged are what runs (no release change, or the revert of a rolled-back one): a guarded up.
        log(`${file} since ${short(merge.from)}: the merged release keys are what the stack runs; ${infrastructurePlan().summary}`);
        return runRelease(args, ws, log, { ...opts, plan: infrastructurePlan() });
    }
    const target = change.kind === "release" ? sides.find((s) => s.app === change.app) : undefined;
    // Another app off what runs, or the changed one off already before the merge: refused, with the revert.
    const stale = off.filter((s) => s !== target || deployedDifferences(s.before, s.outputs).length > 0);
    if (!target || stale.length > 0) {
        const edit = Object.assign({}, ...stale.map((s) => revertToDeployed(s.after, s.outputs))) as Record<string, string>;
        const keys = Object.entries(edit)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ");
        const why = `${file} differs from the deployed stack (${stale.map((s) => named(s, s.drift.join("; "))).join("; ")}), and did already at ${short(merge.from)}, before this merge: an earlier release was rolled back, failed, was skipped, or was made with the CLI without a pull request`;
        return refuse(
            log,
            `${why}. Nothing was changed. Merge the pull request that sets ${keys || "the release keys as deployed"} (deploy.yml opens it), then release again`,
            {
                stackYaml: editedStackFile(merge.after.stackYaml, project, edit),
                body: revertBody(
                    `deploy.yml refused ${file} of ${merge.after.stackYaml === merge.before.stackYaml ? "this push" : "this merge"}: ${why}.`,
                    keys,
                ),
            },
        );
    }
    return releaseMerge(args, ws, log, opts, merge, { ...target, change: change as Extract<MergedChange, { kind: "release" }>, revertBody });
}

/** The merge's one release: its app's keys of `from` back in the checkout's file, then the command, which sets the merged ones step by step. */
async function releaseMerge(
    args: ReleaseArgs,
    ws: Workspace,
    log: (line: string) => void,
    opts: RunOptions,
    merge: MergeInput,
    t: AppSides & { change: Extract<MergedChange, { kind: "release" }>; revertBody: (why: string, keys: string) => string },
): Promise<ApplyResult> {
    const file = `Pulumi.${ws.stackName}.yaml`;
    const { change } = t;
    log(
        `${file} since ${short(merge.from)}: ${change.action.kind}${merge.rollbackIntent && change.action.kind === "rollback" ? " (the merge says rollback)" : ""}: ${change.plan.summary}`,
    );
    const restored = withReleaseKeysOf(merge.after.stackYaml, merge.before.stackYaml, projectName(merge.after.pulumiYaml), t.app);
    merge.writeStackFile(restored);
    const app = t.app === DEFAULT_APP ? undefined : t.app;
    const result: ApplyResult = await runRelease({ ...args, app, action: change.action }, ws, log, opts);
    // Refused (the lock held by another run, say): nothing was changed, main's change still stands.
    if (result.exitCode === EXIT.ok || result.exitCode === EXIT.refused) return result;
    const keys = releaseDifferences(t.after, t.before).join("; ");
    result.revert = {
        stackYaml: restored,
        body: t.revertBody(`The release of ${file} merged in ${short(merge.from)}..HEAD (${change.plan.summary}) failed: ${result.outcome}`, named(t, keys)),
    };
    return result;
}
