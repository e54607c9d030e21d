// `release apply`: what a merge changed in Pulumi.<stack>.yaml, as the release command it amounts to.
// Both sides are read by the program's own parser and release maths (readState); each command's plan
// (planRelease) is applied to the file before the merge, and the one that yields the merged release
// state is the change. Pure: text in, plan out; no Pulumi, no git.
import { parseDocument } from "yaml";
import { mergedConfig, projectName } from "../pulumiConfig";
import type { ReleaseAction } from "./args";
import { planRelease, readState, RefusedError, RELEASE_KEYS, type ReleasePlan, type ReleaseState } from "./change";
import { editedStackFile } from "./propose";

/** The project files on one side of the merge. */
export interface ProjectFiles {
    pulumiYaml: string;
    stackYaml: string;
}

export type MergedChange = { kind: "release"; action: ReleaseAction; plan: ReleasePlan } | { kind: "none" };

/** What a release moves: two states that agree on it route the same versions the same way. */
const released = (s: ReleaseState) =>
    JSON.stringify([s.strategy, s.activeColor, s.canaryWeight, Object.entries(s.versions).sort(), Object.entries(s.weights).sort()]);

/** The release state of one side; a file the program would refuse is refused with the parser's message. */
export function sideState(files: ProjectFiles, stack: string): ReleaseState {
    return readState(mergedConfig(files.pulumiYaml, files.stackYaml), stack, projectName(files.pulumiYaml));
}

/** Where two release states differ, as a reader says it. */
export function releaseDifferences(from: ReleaseState, to: ReleaseState): string[] {
    const diffs: string[] = [];
    const show = (v: unknown) => (v === undefined ? "(unset)" : typeof v === "string" ? v : JSON.stringify(v));
    for (const k of ["strategy", "activeColor", "canaryWeight", "versions", "weights"] as const)
        if (JSON.stringify(from[k]) !== JSON.stringify(to[k])) diffs.push(`${k} ${show(from[k])} -> ${show(to[k])}`);
    return diffs;
}

/**
 * The candidates, in order of preference where several yield the same state: an activeColor flip is a
 * promote (a failure restores the colour that served before the merge) unless the merge says it is a
 * rollback (never undone: restoring would put traffic back on the colour being rolled back from); a
 * canary weight back to 0 is the canary's abort (a rollback), not a `canary 0` step.
 */
function candidates(before: ReleaseState, after: ReleaseState, rollbackIntent: boolean): ReleaseAction[] {
    const version = before.strategy === "rolling" ? after.versions.app : after.versions[before.inactiveColor];
    const deploy: ReleaseAction[] = version === undefined ? [] : [{ kind: "deploy", version }];
    const rollback: ReleaseAction = { kind: "rollback" };
    const rest: ReleaseAction[] = [{ kind: "promote" }, rollback, { kind: "canary", percents: [after.canaryWeight] }];
    return rollbackIntent ? [rollback, ...deploy, ...rest] : [...deploy, ...rest];
}

/**
 * The release command that takes the stack file before the merge to the merged one, with its plan
 * (from the state before), or `none` when the merge changes no release key (infrastructure only).
 * Refuses a release change no single command makes, e.g. a new version and its promotion in one merge:
 * traffic would go to a colour no check has seen.
 */
export function mergedChange(before: ProjectFiles, after: ProjectFiles, stack: string, rollbackIntent = false): MergedChange {
    const from = sideState(before, stack);
    const to = sideState(after, stack);
    if (released(from) === released(to)) return { kind: "none" };
    const project = projectName(after.pulumiYaml);
    // The plans are applied to the merged file with the release keys of before: only the release part differs.
    const base = withReleaseKeysOf(after.stackYaml, before.stackYaml, project);
    for (const action of candidates(from, to, rollbackIntent)) {
        let plan: ReleasePlan;
        try {
            plan = planRelease(from, action);
        } catch (e) {
            if (e instanceof RefusedError) continue;
            throw e;
        }
        const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as Record<string, string>;
        const result = sideState({ pulumiYaml: after.pulumiYaml, stackYaml: editedStackFile(base, project, edit) }, stack);
        if (released(result) === released(to)) return { kind: "release", action, plan };
    }
    throw new RefusedError(
        `the merge changes the release of stack ${stack} (${releaseDifferences(from, to).join("; ")}) in a way no single release command does; open one pull request per command (e.g. deploy, then promote), as release.yml does`,
    );
}

/**
 * `target` (a stack file's text) with the release keys of `source`: each one `source` sets is set to
 * its value, each one it leaves out is removed. Everything else (comments, secure values, other keys)
 * stays as in `target`.
 */
export function withReleaseKeysOf(target: string, source: string, project: string): string {
    const from = parseDocument(source);
    const doc = parseDocument(target);
    for (const key of RELEASE_KEYS) {
        const path = ["config", `${project}:${key}`];
        if (from.hasIn(path)) doc.setIn(path, from.getIn(path));
        else doc.deleteIn(path);
    }
    return doc.toString();
}
