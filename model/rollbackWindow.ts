// The rollback window: after a promote, the colour that lost its traffic stays at full size for
// `rollbackWindowMinutes` (Argo Rollouts' scaleDownDelaySeconds), so a rollback inside it is one route
// flip; afterwards `inactiveScale: minimal` shrinks it to one pod per zone. Pure (no Pulumi import).
//
// Why a timestamp in the stack file and the clock of the run, not the HPA or an in-cluster timer:
// - HPA scale-down stabilisation keeps the highest *metric* recommendation of its window, recorded
//   before minReplicas is applied, in kube-controller-manager's memory
//   (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go: stabilizeRecommendationWithBehaviors
//   stores `DesiredReplicas` from computeReplicasForMetrics; the min/max clamp comes after, in
//   convertDesiredReplicasWithBehaviorRate; `recommendations` is a map on the controller). So it keeps a
//   demoted colour at what its CPU asked for, not at its floor, and the API caps the window at 3600 s
//   (pkg/apis/autoscaling/validation MaxStabilizationWindowSeconds).
// - A job in the cluster that lowers the HPA floor later writes a field Pulumi declares: with
//   Server-Side Apply the next `pulumi up` either conflicts or takes it back, and every preview in
//   between shows something the cluster does not run.
// - A timestamp makes the decision a function of (stack file, time of the run): a preview at time T
//   says exactly what an `up` at T does, and the file says when the window ends.

/** RFC 3339 UTC to the second, as the release CLI writes it (`2026-12-07T18:42:00Z`). */
export const PROMOTED_AT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** How far in the future a promotedAt may lie (clock skew between the machine that wrote it and the one that runs). */
export const CLOCK_SKEW_MS = 5 * 60_000;
export const MAX_WINDOW_MINUTES = 1440;

export interface RollbackWindow {
    /** rollbackWindowMinutes: 0 turns the window off. */
    minutes: number;
    /** When the last promote (or rollback) moved the traffic, as the stack file records it. */
    promotedAt?: Date;
    /** promotedAt + minutes; undefined without promotedAt. */
    until?: Date;
    /** The instant the config was read at (the run's start): the window is judged against it. */
    asOf: Date;
    /** The idle colour is held at full size in this run. */
    open: boolean;
}

/** The text promotedAt takes for an instant (what the release CLI writes). */
export const promotedAtText = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The window as of `asOf`: open while asOf < promotedAt + minutes. */
export function rollbackWindow(minutes: number, promotedAt: Date | undefined, asOf: Date): RollbackWindow {
    const until = promotedAt && new Date(promotedAt.getTime() + minutes * 60_000);
    return { minutes, promotedAt, until, asOf, open: until !== undefined && asOf.getTime() < until.getTime() };
}

/** Why a promotedAt value is refused, or undefined when it is a valid instant not later than asOf (+ skew). */
export function promotedAtProblem(text: string, asOf: Date): string | undefined {
    const t = Date.parse(text);
    if (!PROMOTED_AT_PATTERN.test(text) || Number.isNaN(t) || promotedAtText(new Date(t)) !== text)
        return "must be a UTC time to the second, e.g. 2026-12-07T18:42:00Z (the release CLI writes it on promote)";
    if (t > asOf.getTime() + CLOCK_SKEW_MS)
        return `is in the future (this run reads the config at ${promotedAtText(asOf)}): it would hold the idle colour at full size past the window; set it to the time of the promote`;
    return undefined;
}

/** One line for the plan: what the window does to the idle colour in this run and after. */
export function describeWindow(w: RollbackWindow, idle: string, full: number, minimal: number): string {
    const when = (d: Date) => promotedAtText(d);
    if (w.minutes === 0) return `rollback window off (rollbackWindowMinutes 0): ${idle} runs ${minimal} pods once it has no traffic`;
    if (!w.until) return `rollback window ${w.minutes} min: no promote recorded (promotedAt unset), ${idle} at minimal (${minimal} pods)`;
    if (w.open)
        return (
            `rollback window ${w.minutes} min: ${idle} at full size (${full} pods) until ${when(w.until)}, then minimal (${minimal} pods); ` +
            `the first \`pulumi up\` after that scales it down (as of ${when(w.asOf)})`
        );
    return `rollback window ${w.minutes} min closed at ${when(w.until)}: ${idle} at minimal (${minimal} pods) (as of ${when(w.asOf)})`;
}

/**
 * Nodes the held colour adds at full size: its pods above one per zone, spread over the zones as the
 * capacity model spreads the steady pods (the autoscaler's maximum already holds both colours at full).
 */
export function heldExtraNodes(s: {
    zones: number;
    layout: string;
    colours: number;
    app: { replicas: number };
    nodes: { podsPerNode: number; perZone: number };
}): number {
    if (s.layout !== "minimal") return 0;
    const heldPods = s.colours * s.app.replicas + s.app.replicas;
    return s.zones * Math.max(0, Math.ceil(heldPods / s.zones / s.nodes.podsPerNode) - s.nodes.perZone);
}

/**
 * Node-hours a month the window adds: per promote, the extra nodes for the window. At least the
 * window: nothing shrinks the colour before the first `pulumi up` after it ends.
 */
export function windowNodeHoursPerMonth(p: { minutes: number; releasesPerMonth: number; extraNodes: number }): number {
    return p.extraNodes * (p.minutes / 60) * p.releasesPerMonth;
}
