// Release maths: which colours run, at what size, with which route weights, and what each step serves.
// Pure (no Pulumi import): the Release component and the plan both read it.
import type { AppConfig, Color, ReleaseConfig } from "./stackConfig";
import { zoneSafeReplicas, type Sizing } from "./capacity";

/** A workload the release runs: `app` for rolling, a colour for blue/green and canary. */
export type Track = "app" | Color;

export interface TrackState {
    track: Track;
    version: string;
    role: "active" | "inactive";
    /** HPA floor and ceiling; the Deployment starts at `minReplicas`. */
    minReplicas: number;
    maxReplicas: number;
    /** Route weight (0..100). */
    weight: number;
    /** The idle colour held at full size by the rollback window, until then (model/rollbackWindow.ts). */
    heldUntil?: Date;
}

export interface RolloutStep {
    step: string;
    servingUsers: number;
}

export interface ReleaseState {
    strategy: ReleaseConfig["strategy"];
    activeColor?: Color;
    inactiveColor?: Color;
    tracks: TrackState[];
    weights: Partial<Record<Track, number>>;
    steps: RolloutStep[];
}

export const otherColor = (c: Color): Color => (c === "blue" ? "green" : "blue");

/** One app's release: a StackConfig is its default app's. */
export function releaseState(cfg: Pick<AppConfig, "release" | "targetUsers">, sizing: Sizing): ReleaseState {
    const r = cfg.release;
    const { replicas, hpaMax, maxSurge } = sizing.app;
    const upp = sizing.usersPerPod;

    if (r.strategy === "rolling") {
        const batches = Math.ceil(replicas / maxSurge);
        const steps: RolloutStep[] = [{ step: `steady: ${replicas} pods of ${r.appVersion}`, servingUsers: replicas * upp }];
        for (let b = 1; b <= batches; b++) {
            const n = Math.min(maxSurge, replicas - (b - 1) * maxSurge);
            // maxUnavailable 0: the old pods of a batch stop only once its new pods are ready.
            steps.push({ step: `batch ${b}/${batches}: +${n} new ready, then −${n} old`, servingUsers: (replicas - sizing.app.maxUnavailable) * upp });
        }
        return {
            strategy: r.strategy,
            tracks: [{ track: "app", version: r.appVersion!, role: "active", minReplicas: replicas, maxReplicas: hpaMax, weight: 100 }],
            weights: { app: 100 },
            steps,
        };
    }

    const active = r.activeColor;
    const inactive = otherColor(active);
    const inactiveWeight = r.strategy === "canary" ? r.canaryWeight : 0;
    const weights = { [active]: 100 - inactiveWeight, [inactive]: inactiveWeight } as Record<Color, number>;
    // A minimal inactive colour keeps one pod per zone, reachable by the preview route only; given canary
    // traffic, its floor is sized for its share like the full floor is for the target (zone loss included).
    // Inside the rollback window the colour that lost its traffic keeps its full floor, as under `full`.
    const held = r.inactiveScale === "minimal" && r.rollbackWindow.open;
    const inactiveFloor =
        r.inactiveScale === "full" || held
            ? replicas
            : Math.min(
                  replicas,
                  Math.max(sizing.zones, inactiveWeight > 0 ? zoneSafeReplicas((cfg.targetUsers * inactiveWeight) / 100, sizing.zones, upp) : 0),
              );
    const version = (c: Color) => (c === "blue" ? r.blueVersion! : r.greenVersion!);
    const tracks: TrackState[] = [
        { track: active, version: version(active), role: "active", minReplicas: replicas, maxReplicas: hpaMax, weight: weights[active] },
        {
            track: inactive,
            version: version(inactive),
            role: "inactive",
            minReplicas: inactiveFloor,
            // Not the floor: a just-demoted colour must shrink through the HPA's slow scale-down, after
            // the load balancer has converged on the new weights, not be clamped at once.
            maxReplicas: hpaMax,
            weight: weights[inactive],
            ...(held ? { heldUntil: r.rollbackWindow.until } : {}),
        },
    ];
    const share = (c: Color) => Math.round((cfg.targetUsers * weights[c]) / 100);
    const steps: RolloutStep[] = [
        { step: `${inactive} ${version(inactive)} rolled out at ${inactiveFloor} pods behind the preview route only`, servingUsers: replicas * upp },
        r.strategy === "blueGreen"
            ? { step: `route: ${active} 100% (${inactive} 0%); switch happens only once the receiving colour is ready`, servingUsers: replicas * upp }
            : {
                  step: `route: ${active} ${weights[active]}% (${share(active)} users), ${inactive} ${weights[inactive]}% (${share(inactive)} users)`,
                  // Each colour serves its share out of its own pods; the smaller headroom bounds the step.
                  servingUsers: Math.min(
                      weights[active] ? Math.floor((replicas * upp * 100) / weights[active]) : Infinity,
                      weights[inactive] ? Math.floor((inactiveFloor * upp * 100) / weights[inactive]) : Infinity,
                  ),
              },
    ];
    return { strategy: r.strategy, activeColor: active, inactiveColor: inactive, tracks, weights, steps };
}
