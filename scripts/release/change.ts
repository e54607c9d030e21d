// What a release command changes in the stack config, and what must be checked around it. Pure:
// the state comes from the program's own config parser and release maths (model/config.ts,
// model/releasePlan.ts); edits are plain `key -> string` maps of the project's keys (no `zdp:`
// prefix). No Pulumi import.
import { appSizings } from "../../model/capacity";
import { ConfigError, parseConfig, type Cloud, type Color, type StackConfig, type Strategy } from "../../model/config";
import { allApps, DEFAULT_APP } from "../../model/stackConfig";
import { otherColor, releaseState, type Track } from "../../model/releasePlan";
import { promotedAtText } from "../../model/rollbackWindow";
import type { ReleaseAction } from "./args";
import { scopedEdit } from "./appKeys";

/** The config keys the release CLI may write (contract: project `zdp`). */
export const RELEASE_KEYS = ["activeColor", "blueVersion", "greenVersion", "appVersion", "canaryWeight", "releaseStrategy", "promotedAt"] as const;
export type ReleaseKey = (typeof RELEASE_KEYS)[number];
export type ConfigEdit = Partial<Record<ReleaseKey, string>>;
/** An edit as the stack file keys it: ConfigEdit's keys for the default app, `apps.<name>.<key>` paths for another (appKeys.ts). */
export type StackEdit = Record<string, string>;

export interface ReleaseState {
    /** The app (DEFAULT_APP: the stack's top-level keys; another: its `apps.<name>` entry). */
    app: string;
    strategy: Strategy;
    activeColor: Color;
    inactiveColor: Color;
    /** The version each workload runs (blue and green, or the rolling app). */
    versions: Partial<Record<Track, string>>;
    /** Route weight of each workload (0..100), as the program's live route sets it. */
    weights: Partial<Record<Track, number>>;
    /** Share of traffic on the inactive colour (canary only). */
    canaryWeight: number;
    previewHeader: string;
    healthPath: string;
    domain?: string;
    /** The app namespace (where the release lock's Lease lives). */
    namespace: string;
    /** The stack's cloud: picks the default bound of the convergence wait. */
    cloud: Cloud;
    /** full | minimal: whether the colour without traffic keeps its full size (see fastRollbackBlocker). */
    inactiveScale: StackConfig["release"]["inactiveScale"];
    /** The rollback window holds the colour without traffic at full size (model/rollbackWindow.ts), as of the read. */
    rollbackWindowOpen: boolean;
}

/** A precondition that makes the command meaningless or unsafe; nothing was changed. */
export class RefusedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RefusedError";
    }
}

/** The stack's config as the program parses it; a config the program would refuse is refused with its message. */
export function parsedStack(config: Record<string, string>, stack: string, project: string): StackConfig {
    try {
        return parseConfig(config, stack, project);
    } catch (e) {
        if (e instanceof ConfigError) throw new RefusedError(e.message);
        throw e;
    }
}

/** The names of a stack's apps, the default app first. */
export const appNames = (cfg: StackConfig): string[] => allApps(cfg).map((a) => a.name);

/** The position of `--app` (undefined: the default app) among the stack's apps (allApps, appSizings); an unknown one is refused naming them. */
export function appIndex(cfg: StackConfig, stack: string, app?: string): number {
    const names = appNames(cfg);
    const i = names.indexOf(app ?? DEFAULT_APP);
    if (i < 0)
        throw new RefusedError(
            `--app ${app}: stack ${stack} has no app ${app}; its apps are ${names.join(", ")} (${DEFAULT_APP}: the default app, its keys the top-level ones; another app is an entry of the config key apps)`,
        );
    return i;
}

/**
 * The release state of one app (`app`: `--app`; undefined, the default app) of a stack's config as the
 * program reads it (`<project>:key` / `provider:key` -> text, Pulumi.yaml's defaults applied:
 * scripts/pulumiConfig.ts mergedConfig), parsed by the program's parser, before anything is edited.
 */
export function readState(config: Record<string, string>, stack: string, project: string, app?: string): ReleaseState {
    const cfg = parsedStack(config, stack, project);
    const i = appIndex(cfg, stack, app);
    const a = allApps(cfg)[i];
    const r = a.release;
    const routed = releaseState(a, appSizings(cfg)[i]);
    return {
        app: a.name,
        strategy: r.strategy,
        activeColor: r.activeColor,
        inactiveColor: otherColor(r.activeColor),
        versions: Object.fromEntries(routed.tracks.map((t) => [t.track, t.version])),
        weights: routed.weights,
        canaryWeight: r.canaryWeight,
        previewHeader: r.previewHeader,
        healthPath: a.app.healthPath,
        domain: a.domain,
        namespace: a.app.namespace,
        cloud: cfg.cloud,
        inactiveScale: r.inactiveScale,
        rollbackWindowOpen: r.rollbackWindow.open,
    };
}

/**
 * Why a rollback from `from` to `to` must not start with an `up` of the routes alone, or undefined
 * when it may. Only the routes move then: the Deployments stay as deployed, so it is safe only when
 * versions stay and every colour that gains traffic is at full size. With inactiveScale minimal the
 * colour that lost its traffic shrinks to one pod per zone (docs/releasing.md); the full `up` scales it
 * back and waits before the route moves (components/k8s/releaseGate.ts).
 */
export function fastRollbackBlocker(from: ReleaseState, to: ReleaseState): string | undefined {
    if (to.strategy === "rolling") return "rolling: no colours to switch";
    const before = from.weights;
    const after = to.weights;
    const gaining = (Object.keys(after) as Track[]).filter((c) => after[c]! > (before[c] ?? 0));
    if (gaining.length === 0) return "the rollback moves no traffic";
    if ((["blue", "green", "app"] as const).some((t) => from.versions[t] !== to.versions[t])) return "versions change: the Deployments roll first";
    // Inside the rollback window the colour without traffic was held at its full floor: only the route moves.
    const shrunk = gaining.filter((c) => c !== from.activeColor);
    if (to.inactiveScale !== "full" && shrunk.length > 0 && !from.rollbackWindowOpen)
        return `inactiveScale ${to.inactiveScale}: ${shrunk.join(", ")} may run one pod per zone; the full up scales it up before the route moves`;
    return undefined;
}

export interface ConfigStep {
    label: string;
    edit: StackEdit;
    /**
     * The step leaves part of the live traffic on the inactive (canary) colour: the watch then also
     * probes that colour through the preview route, so a 10 % canary gets half the probes, not a tenth.
     */
    watchCanary?: boolean;
}

export interface ReleasePlan {
    summary: string;
    /** Colour verified through the preview route BEFORE any config changes (abort if unhealthy). */
    preCheck?: Color;
    /** One `up` per step; the live route is watched after each step when `watchLive`. */
    steps: ConfigStep[];
    watchLive: boolean;
    /** Colour verified through the preview route AFTER the steps (deploy: the new version). */
    postCheck?: Color;
    /**
     * A rollback: once its `up` has started it is never undone by the tool, whatever a later check
     * sees (going back would put traffic on the colour being rolled back from).
     */
    keepOnFailure?: boolean;
}

/**
 * `release apply` of a merge that changes no release key: one `up` of the merged file, then the live
 * route is checked and watched. Nothing of the release to restore on a failure: the change is the
 * program or its other config, which a revert of the merge undoes.
 */
export function infrastructurePlan(): ReleasePlan {
    return {
        summary: "no release key changed: pulumi up of the merged stack file, then the live route checked and watched",
        steps: [{ label: "no release key (the merged stack file as it is)", edit: {} }],
        watchLive: true,
    };
}

function requireColours(state: ReleaseState, command: string, hint: string): void {
    if (state.strategy === "rolling") throw new RefusedError(`${command} needs two colours, but releaseStrategy is rolling; ${hint}`);
}

/**
 * The config edits, checks and watches that carry out one release command on the state's app: its
 * keys alone are edited (another app's under `apps.<name>`). A promote records `now` as promotedAt,
 * where the rollback window starts (model/rollbackWindow.ts); a rollback leaves it, so the colour it
 * leaves is held only for what is left of that window.
 */
export function planRelease(state: ReleaseState, action: ReleaseAction, now: Date = new Date()): ReleasePlan {
    const plan = commandPlan(state, action, now);
    if (state.app === DEFAULT_APP) return plan;
    return { ...plan, summary: `${state.app}: ${plan.summary}`, steps: plan.steps.map((s) => ({ ...s, edit: scopedEdit(state.app, s.edit) })) };
}

function commandPlan(state: ReleaseState, action: ReleaseAction, now: Date): ReleasePlan {
    const { activeColor: active, inactiveColor: inactive } = state;
    switch (action.kind) {
        case "deploy": {
            if (state.strategy === "rolling") {
                if (state.versions.app === action.version) throw new RefusedError(`appVersion is already ${action.version}`);
                return {
                    summary: `rolling update of the app from ${state.versions.app ?? "(unset)"} to ${action.version}`,
                    steps: [{ label: `appVersion=${action.version}`, edit: { appVersion: action.version } }],
                    watchLive: true,
                };
            }
            if (state.canaryWeight > 0)
                throw new RefusedError(`a canary sends ${state.canaryWeight}% to ${inactive}; promote or rollback before deploying a new version to it`);
            if (state.versions[inactive] === action.version) throw new RefusedError(`${inactive} already runs ${action.version}`);
            return {
                summary: `deploy ${action.version} to the inactive colour ${inactive} (was ${state.versions[inactive] ?? "unset"}); live traffic stays on ${active}`,
                steps: [{ label: `${inactive}Version=${action.version}`, edit: { [`${inactive}Version`]: action.version } }],
                watchLive: false,
                postCheck: inactive,
            };
        }
        case "promote": {
            requireColours(state, "promote", "use `deploy VERSION` for a rolling update");
            const edit: ConfigEdit = { activeColor: inactive };
            if (state.strategy === "canary") edit.canaryWeight = "0";
            edit.promotedAt = promotedAtText(now);
            return {
                summary: `promote ${inactive} (${state.versions[inactive]}): all traffic from ${active} to ${inactive}`,
                preCheck: inactive,
                steps: [
                    {
                        label: Object.entries(edit)
                            .map(([k, v]) => `${k}=${v}`)
                            .join(" "),
                        edit,
                    },
                ],
                watchLive: true,
            };
        }
        case "rollback": {
            requireColours(state, "rollback", "roll back with `deploy PREVIOUS_VERSION`");
            if (state.canaryWeight > 0)
                return {
                    summary: `abort the canary: ${state.canaryWeight}% on ${inactive} back to 0, all traffic on ${active}`,
                    steps: [{ label: "canaryWeight=0", edit: { canaryWeight: "0" } }],
                    watchLive: true,
                    keepOnFailure: true,
                };
            return {
                summary: `roll back: all traffic from ${active} to ${inactive} (${state.versions[inactive]})`,
                preCheck: inactive,
                steps: [{ label: `activeColor=${inactive}`, edit: { activeColor: inactive } }],
                watchLive: true,
                keepOnFailure: true,
            };
        }
        case "canary": {
            requireColours(state, "canary", "set releaseStrategy to canary or blueGreen first");
            const steps: ConfigStep[] = action.percents.map((p, i) => {
                const edit: ConfigEdit = { canaryWeight: String(p) };
                if (i === 0 && state.strategy !== "canary") edit.releaseStrategy = "canary";
                return {
                    label: Object.entries(edit)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(" "),
                    edit,
                    watchCanary: p > 0,
                };
            });
            const raises = action.percents.some((p) => p > state.canaryWeight);
            return {
                summary: `canary of ${inactive} (${state.versions[inactive]}): ${[state.canaryWeight, ...action.percents].join("% -> ")}%`,
                preCheck: raises ? inactive : undefined,
                steps,
                watchLive: true,
            };
        }
    }
}

/**
 * The edit that puts the given keys back as they were: values that were set in the stack file are
 * set again; keys the stack file did not have are removed (their default applies again).
 */
export function restoreEdit(before: Record<string, string>, keys: Iterable<string>): { set: Record<string, string>; remove: string[] } {
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const key of new Set(keys)) {
        if (key in before) set[key] = before[key];
        else remove.push(key);
    }
    return { set, remove };
}

/** Another app's keys are paths into the object `apps`. */
const path = (key: string) => (key.includes(".") ? "--path " : "");

/** The `pulumi config` commands that make an edit of a stack file by hand (the recovery hints name them). */
export function configCommands(stack: string, edit: { set: Record<string, string>; remove?: string[] }): string[] {
    return [
        ...Object.entries(edit.set).map(([k, v]) => `pulumi config set --stack ${stack} ${path(k)}${k} ${v}`),
        ...(edit.remove ?? []).map((k) => `pulumi config rm --stack ${stack} ${path(k)}${k}`),
    ];
}

/**
 * Where the stack file and the deployed stack (its `activeColor`, `weights` and `versions` outputs)
 * differ in what a release moves. A release on top of a difference would verify one thing and ship
 * another, so the CLI refuses until `pulumi up` (or a revert of the file) makes them agree.
 */
export function deployedDifferences(state: ReleaseState, outputs: Record<string, unknown>): string[] {
    const weights = outputs.weights as Record<string, number> | undefined;
    const versions = outputs.versions as Record<string, string> | undefined;
    if (!weights || !versions) return ["the stack has no weights/versions outputs: it was never deployed by this version of the program"];
    const diffs: string[] = [];
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (state.strategy !== "rolling" && outputs.activeColor !== state.activeColor)
        diffs.push(`activeColor: file ${state.activeColor}, deployed ${String(outputs.activeColor)}`);
    const fileWeights = state.weights;
    if (!same(Object.entries(fileWeights).sort(), Object.entries(weights).sort()))
        diffs.push(`weights: file ${JSON.stringify(fileWeights)}, deployed ${JSON.stringify(weights)}`);
    const tracks = state.strategy === "rolling" ? (["app"] as const) : (["blue", "green"] as const);
    for (const t of tracks)
        if (state.versions[t] !== versions[t])
            diffs.push(`${t === "app" ? "appVersion" : `${t}Version`}: file ${state.versions[t] ?? "(unset)"}, deployed ${versions[t] ?? "(none)"}`);
    return diffs;
}

/**
 * The `pulumi config set` values (keyed as the stack file holds the state's app's keys) that put the
 * stack file back to the deployed release: after an interrupted release the safe recovery reverts the
 * file; a bare `pulumi up` would ship the file's values without the release's checks. `outputs`: the app's own.
 */
export function revertToDeployed(state: ReleaseState, outputs: Record<string, unknown>): StackEdit {
    const weights = outputs.weights as Record<string, number> | undefined;
    const versions = outputs.versions as Record<string, string> | undefined;
    if (!weights || !versions) return {};
    const edit: Record<string, string> = {};
    const active = outputs.activeColor;
    if (state.strategy !== "rolling" && (active === "blue" || active === "green")) {
        if (active !== state.activeColor) edit.activeColor = active;
        if (state.strategy === "canary" && weights[otherColor(active)] !== state.weights[otherColor(active)])
            edit.canaryWeight = String(weights[otherColor(active)] ?? 0);
    }
    const tracks = state.strategy === "rolling" ? (["app"] as const) : (["blue", "green"] as const);
    for (const t of tracks) if (versions[t] !== undefined && versions[t] !== state.versions[t]) edit[t === "app" ? "appVersion" : `${t}Version`] = versions[t];
    return scopedEdit(state.app, edit);
}
