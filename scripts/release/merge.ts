// `release apply`: what a merge changed in Pulumi.<stack>.yaml, as the release command it amounts to.
// Both sides are read by the program's own parser and release maths (readState); each command's plan
// (planRelease) is applied to the file before the merge, and the one that yields the merged release
// state is the change. Each app's release is its own: a merge may change the release keys of one app
// (the default app's top-level keys, or another's under `apps.<name>`), never of two, since each release
// is watched and rolled back on its own. Pure: text in, plan out; no Pulumi, no git.
import { parseDocument } from "yaml";
import { mergedConfig, projectName } from "../pulumiConfig";
import type { ReleaseAction } from "./args";
import { APPS_KEY } from "../../model/apps";
import { DEFAULT_APP } from "../../model/stackConfig";
import { appNames, parsedStack, planRelease, readState, RefusedError, RELEASE_KEYS, type ReleasePlan, type ReleaseState } from "./change";
import { editedStackFile } from "./propose";

/** The project files on one side of the merge. */
export interface ProjectFiles {
    pulumiYaml: string;
    stackYaml: string;
}

/** `app`: the app whose release keys changed (DEFAULT_APP: the top-level ones). */
export type MergedChange = { kind: "release"; app: string; action: ReleaseAction; plan: ReleasePlan } | { kind: "none" };

/** What a release moves: two states that agree on it route the same versions the same way. */
const released = (s: ReleaseState) =>
    JSON.stringify([s.strategy, s.activeColor, s.canaryWeight, Object.entries(s.versions).sort(), Object.entries(s.weights).sort()]);

/** The release state of one app (undefined: the default app) on one side; a file the program would refuse is refused with the parser's message. */
export function sideState(files: ProjectFiles, stack: string, app?: string): ReleaseState {
    return readState(mergedConfig(files.pulumiYaml, files.stackYaml), stack, projectName(files.pulumiYaml), app);
}

/** The apps of one side, the default app first. */
export function sideApps(files: ProjectFiles, stack: string): string[] {
    return appNames(parsedStack(mergedConfig(files.pulumiYaml, files.stackYaml), stack, projectName(files.pulumiYaml)));
}

/**
 * The apps on both sides whose release the merge changes. An app the merge adds (or removes) has no
 * release to move: its first deploy (or its removal) is the guarded up of an infrastructure change.
 */
export function changedApps(before: ProjectFiles, after: ProjectFiles, stack: string): string[] {
    const existing = new Set(sideApps(before, stack));
    return sideApps(after, stack).filter((app) => existing.has(app) && released(sideState(before, stack, app)) !== released(sideState(after, stack, app)));
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
 * The release command that takes the stack file before the merge to the merged one, with its app and
 * plan (from the state before), or `none` when the merge changes no release key (infrastructure only).
 * Refuses the release changes of two apps in one merge, and a release change no single command makes,
 * e.g. a new version and its promotion in one merge: traffic would go to a colour no check has seen.
 */
export function mergedChange(before: ProjectFiles, after: ProjectFiles, stack: string, rollbackIntent = false): MergedChange {
    const apps = changedApps(before, after, stack);
    if (apps.length === 0) return { kind: "none" };
    if (apps.length > 1)
        throw new RefusedError(
            `the merge changes the release keys of ${apps.length} apps of stack ${stack} (${apps.map((a) => `${a}: ${releaseDifferences(sideState(before, stack, a), sideState(after, stack, a)).join("; ")}`).join(" | ")}); one release per merge, since each is watched and rolled back on its own: open one pull request per app (npm run release -- <command> --stack ${stack} --app NAME --edit-only)`,
        );
    const app = apps[0];
    const from = sideState(before, stack, app);
    const to = sideState(after, stack, app);
    const project = projectName(after.pulumiYaml);
    // The plans are applied to the merged file with the app's release keys of before: only its release part differs.
    const base = withReleaseKeysOf(after.stackYaml, before.stackYaml, project, app);
    for (const action of candidates(from, to, rollbackIntent)) {
        let plan: ReleasePlan;
        try {
            plan = planRelease(from, action);
        } catch (e) {
            if (e instanceof RefusedError) continue;
            throw e;
        }
        const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as Record<string, string>;
        const result = sideState({ pulumiYaml: after.pulumiYaml, stackYaml: editedStackFile(base, project, edit) }, stack, app);
        if (released(result) === released(to)) return { kind: "release", app, action, plan };
    }
    throw new RefusedError(
        `the merge changes the release of ${app === DEFAULT_APP ? "" : `app ${app} of `}stack ${stack} (${releaseDifferences(from, to).join("; ")}) in a way no single release command does; open one pull request per command (e.g. deploy, then promote), as release.yml does`,
    );
}

/**
 * `target` (a stack file's text) with the release keys of `app` (the default app's top-level ones, or
 * another's under `apps.<name>`) of `source`: each one `source` sets is set to its value, each one it
 * leaves out is removed. Everything else (comments, secure values, other keys and apps) stays as in `target`.
 */
export function withReleaseKeysOf(target: string, source: string, project: string, app: string = DEFAULT_APP): string {
    const from = parseDocument(source);
    const doc = parseDocument(target);
    for (const key of RELEASE_KEYS) {
        const path = app === DEFAULT_APP ? ["config", `${project}:${key}`] : ["config", `${project}:${APPS_KEY}`, app, key];
        if (from.hasIn(path)) doc.setIn(path, from.getIn(path));
        else doc.deleteIn(path);
    }
    return doc.toString();
}
