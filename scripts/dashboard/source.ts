// What the live release page shows, and where it comes from. A source answers one snapshot at a time;
// the server polls it and pushes each snapshot to the page.
import type { Color } from "../../model/config";

export interface ColourView {
    version: string;
    /** Percent of the live route's traffic. */
    weight: number;
    readyPods?: number;
    desiredPods?: number;
    /** Requests per second, 5xx share (0..1) and p99 latency; undefined when no metric source answers. */
    requestsPerSecond?: number;
    errorRate?: number;
    p99Ms?: number;
}

export interface ReleaseStep {
    name: string;
    status: "done" | "running" | "pending" | "failed";
}

export interface ReleaseCheck {
    name: string;
    ok: boolean;
    detail: string;
}

export interface Snapshot {
    stack: string;
    strategy: string;
    activeColor: Color;
    colours: Partial<Record<Color, ColourView>>;
    release?: { action: string; steps: ReleaseStep[]; checks: ReleaseCheck[]; decision?: string };
    /** Why some values are missing (e.g. no metric source for this stack yet). */
    notes: string[];
    at: string;
}

export interface DashboardSource {
    snapshot(): Promise<Snapshot>;
}
