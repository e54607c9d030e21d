// A simulated canary for tests, demos and the docs' screenshots: green 6.9.2 is stepped 10 → 25 → 50 %
// behind blue 6.9.1, one tick per snapshot, and promoted when every check passes. Deterministic: the
// same tick, the same view. Marked `simulated`: the page says in its banner that no cluster was read.
import type { DashboardSource, ReleaseStep, Snapshot } from "./source";

const WEIGHTS = [0, 10, 10, 25, 25, 50, 50, 100];

export class SimulatedCanary implements DashboardSource {
    private tick = 0;
    constructor(
        private readonly stack = "simulated",
        private readonly floor = 8,
    ) {}

    snapshot(): Promise<Snapshot> {
        const t = Math.min(this.tick++, WEIGHTS.length - 1);
        const green = WEIGHTS[t];
        const promoted = green === 100;
        const names = ["deploy green 6.9.2", "canary 10%", "canary 25%", "canary 50%", "promote green"];
        const reached = [0, 1, 1, 2, 2, 3, 3, 4][t];
        const steps: ReleaseStep[] = names.map((name, i) => ({
            name,
            status: i < reached || (promoted && i === reached) ? "done" : i === reached ? "running" : "pending",
        }));
        const rps = 400;
        const at = new Date(Date.UTC(2026, 0, 1, 0, 0, t * 30)).toISOString();
        return Promise.resolve({
            stack: this.stack,
            strategy: "canary",
            activeColor: promoted ? "green" : "blue",
            colours: {
                blue: {
                    version: "6.9.1",
                    weight: 100 - green,
                    readyPods: this.floor,
                    desiredPods: this.floor,
                    requestsPerSecond: (rps * (100 - green)) / 100,
                    errorRate: 0.001,
                    p99Ms: 180,
                },
                green: {
                    version: "6.9.2",
                    weight: green,
                    readyPods: Math.min(this.floor, 2 + t * 2),
                    desiredPods: this.floor,
                    requestsPerSecond: (rps * green) / 100,
                    errorRate: green ? 0.002 : undefined,
                    p99Ms: green ? 165 : undefined,
                },
            },
            release: {
                action: "canary green 6.9.2",
                holder: "simulation",
                state: promoted ? "finished" : "running",
                steps,
                checks:
                    t === 0
                        ? []
                        : [
                              { name: "green 5xx rate", ok: true, detail: "0.2% ≤ 1%" },
                              { name: "green p99 latency", ok: true, detail: "165 ms ≤ 1000 ms" },
                          ],
                decision: promoted ? "promoted: green takes 100%" : t === 0 ? undefined : `holding at ${green}% while checks pass`,
            },
            simulated: true,
            sources: [{ value: "every value", from: "a simulation (scripts/dashboard/simulated.ts), no cluster", at }],
            notes: [],
            at,
        });
    }
}
