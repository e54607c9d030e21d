// The page's source for a real stack: the release state the stack file declares (weights, versions,
// floors from the capacity model). Live metrics come from the release CLI's metric providers
// (scripts/release/metrics, issue 13) once they exist; until then the page says they are missing
// rather than showing numbers it does not have.
import fs from "node:fs";
import path from "node:path";
import { sizingFor } from "../../components/capacity";
import { COLORS, parseConfig } from "../../components/config";
import { releaseState } from "../../components/releasePlan";
import { mergedConfig } from "../pulumiConfig";
import type { ColourView, DashboardSource, Snapshot } from "./source";

export class StackFileSource implements DashboardSource {
    constructor(private readonly root: string, private readonly stack: string) {}

    async snapshot(): Promise<Snapshot> {
        const read = (f: string) => fs.readFileSync(path.join(this.root, f), "utf8");
        const cfg = parseConfig(mergedConfig(read("Pulumi.yaml"), read(`Pulumi.${this.stack}.yaml`), {}), this.stack);
        const state = releaseState(cfg, sizingFor(cfg));
        const colours: Snapshot["colours"] = {};
        for (const t of state.tracks) {
            if (!(COLORS as readonly string[]).includes(t.track)) continue;
            const view: ColourView = { version: t.version, weight: t.weight, desiredPods: t.minReplicas };
            colours[t.track as (typeof COLORS)[number]] = view;
        }
        return {
            stack: this.stack,
            strategy: cfg.release.strategy,
            activeColor: cfg.release.activeColor,
            colours,
            notes: ["from the stack file; live ready pods and error rate/latency need the release metric providers (not available yet)"],
            at: new Date().toISOString(),
        };
    }
}
