// What the live release page shows, and where it comes from. A source answers one snapshot at a time;
// the server polls it and pushes each snapshot to the page.

export interface ColourView {
    /** The version its live Deployment runs (container `app`'s ZDP_VERSION); undefined when it cannot be read. */
    version?: string;
    /** Percent of the live route's traffic; undefined when the route cannot be read. */
    weight?: number;
    /** What the stack file declares (the next `pulumi up`), shown beside the live values. */
    declared?: { version?: string; weight?: number };
    readyPods?: number;
    desiredPods?: number;
    /** Requests per second, 5xx share (0..1) and p99 latency; undefined when no metric source answers. */
    requestsPerSecond?: number;
    errorRate?: number;
    p99Ms?: number;
}

export interface ReleaseStep {
    name: string;
    /** `unknown`: its run stopped (killed, lock lost) before recording its end. */
    status: "done" | "running" | "pending" | "failed" | "skipped" | "unknown";
    detail?: string;
}

export interface ReleaseCheck {
    name: string;
    ok: boolean;
    detail: string;
}

export interface ReleaseView {
    /** The release command (e.g. `canary`) and its plan. */
    action: string;
    /** Who runs it: user@host pid N, or the CI run. */
    holder?: string;
    /**
     * running: its lock is held and renewed. finished: it recorded a verdict and released the lock.
     * stopped: it ended without a verdict (its lease expired or was broken). unreadable: the cluster did not answer.
     */
    state: "running" | "finished" | "stopped" | "unreadable";
    steps: ReleaseStep[];
    checks: ReleaseCheck[];
    decision?: string;
}

/** Where one group of values came from and when it was read; `error` when the read failed (its values are then absent). */
export interface Provenance {
    value: string;
    from: string;
    at: string;
    error?: string;
}

export interface Snapshot {
    stack: string;
    /** The app shown (`--app`), when it is not the stack's default app. */
    app?: string;
    strategy: string;
    /** The colour with the most live traffic; undefined when the route cannot be read or two colours tie. */
    activeColor?: string;
    colours: Record<string, ColourView>;
    release?: ReleaseView;
    sources: Provenance[];
    /** A simulation for demos and the docs' screenshots: nothing on the page was read from a cluster. */
    simulated?: boolean;
    /** Why some values are missing (e.g. no metric source for this stack yet). */
    notes: string[];
    at: string;
}

export interface DashboardSource {
    snapshot(): Promise<Snapshot>;
}
