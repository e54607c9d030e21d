// The page's source for a real stack: the release state the stack file declares (weights, versions,
// floors from the capacity model), each colour's ready pods from the cluster (readyPods.ts) and,
// given one, the release analysis's metric source (scripts/release/metrics: per-colour requests,
// success rate, p99 over a window). Without one, or when it cannot answer, the page says so rather
// than showing numbers it does not have.
import fs from "node:fs";
import path from "node:path";
import { sizingFor } from "../../model/capacity";
import { COLORS, parseConfig } from "../../model/config";
import { objectName } from "../../components/k8s/release";
import { releaseState, type Track } from "../../model/releasePlan";
import { mergedConfig, projectName } from "../pulumiConfig";
import type { MetricsSource } from "../release/metrics";
import type { ReadyPodsReader } from "./readyPods";
import type { ColourView, DashboardSource, Snapshot } from "./source";

export interface StackSourceOptions {
    /** The release analysis's metric source: per-colour requests, success rate and p99. */
    metrics?: MetricsSource;
    /** Reads each colour's ready pods from the cluster; without it the page shows none. */
    pods?: ReadyPodsReader;
    windowMs?: number;
}

export class StackFileSource implements DashboardSource {
    private readonly metrics?: MetricsSource;
    private readonly pods?: ReadyPodsReader;
    private readonly windowMs: number;

    constructor(
        private readonly root: string,
        private readonly stack: string,
        opts: StackSourceOptions = {},
    ) {
        this.metrics = opts.metrics;
        this.pods = opts.pods;
        this.windowMs = opts.windowMs ?? 60_000;
    }

    async snapshot(): Promise<Snapshot> {
        const read = (f: string) => fs.readFileSync(path.join(this.root, f), "utf8");
        const cfg = parseConfig(mergedConfig(read("Pulumi.yaml"), read(`Pulumi.${this.stack}.yaml`), {}), this.stack, projectName(read("Pulumi.yaml")));
        const state = releaseState(cfg, sizingFor(cfg));
        const colours: Snapshot["colours"] = {};
        for (const t of state.tracks) {
            if (!(COLORS as readonly string[]).includes(t.track)) continue;
            const view: ColourView = { version: t.version, weight: t.weight, desiredPods: t.minReplicas };
            colours[t.track as (typeof COLORS)[number]] = view;
        }
        const notes = ["weights, versions and pod floors from the stack file"];
        if (!this.pods) notes.push("ready pods not read: no cluster access configured");
        else {
            const names = Object.keys(colours).map((c) => objectName(c as Track));
            try {
                const ready = await this.pods.read(cfg.app.namespace, names);
                for (const [c, view] of Object.entries(colours)) view.readyPods = ready[objectName(c as Track)];
                notes.push(`ready pods from the cluster (${this.pods.name}), shown against each colour's floor`);
            } catch (e) {
                notes.push(`ready pods could not be read (${this.pods.name}): ${(e as Error).message}`);
            }
        }
        if (!this.metrics) notes.push("no metric source: pass --analysis FILE (the release CLI's analysis file) for live error rate and latency");
        else {
            const end = new Date();
            try {
                const m = await this.metrics.read(Object.keys(colours), { start: new Date(end.getTime() - this.windowMs), end });
                for (const [c, view] of Object.entries(colours)) {
                    const x = m[c];
                    if (!x) continue;
                    view.requestsPerSecond = x.requests / (this.windowMs / 1000);
                    view.errorRate = x.successRate === undefined ? undefined : 1 - x.successRate;
                    view.p99Ms = x.p99Ms;
                }
                notes.push(`metrics from ${this.metrics.name} over the last ${this.windowMs / 1000} s`);
            } catch (e) {
                notes.push(`${this.metrics.name} could not be read: ${(e as Error).message}`);
            }
        }
        return { stack: this.stack, strategy: cfg.release.strategy, activeColor: cfg.release.activeColor, colours, notes, at: new Date().toISOString() };
    }
}
