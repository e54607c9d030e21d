// The page's source for a real stack: everything live from its cluster (cluster.ts) — each colour's
// weight from the live HTTPRoute, its version and ready pods from its Deployment, a running (or the
// last) release from the release Lease and its record — and, given one, the release analysis's metric
// source (scripts/release/metrics). The stack file gives only the namespace and the colours, and what it
// declares is shown beside the live values, labelled as such. Every group of values says where it came
// from and when; a read that fails leaves its values empty and names the reason, never a stale value.
import { appSizings } from "../../model/capacity";
import { parseConfig } from "../../model/config";
import { allApps } from "../../model/stackConfig";
import { objectName } from "../../components/k8s/release";
import { releaseState } from "../../model/releasePlan";
import { appIndex } from "../release/change";
import { LEASE_NAME } from "../release/lock";
import type { MetricsSource } from "../release/metrics";
import type { ClusterReader } from "./cluster";
import { releaseView } from "./releaseView";
import type { ColourView, DashboardSource, Provenance, Snapshot } from "./source";

export interface ClusterSourceOptions {
    /** The stack's merged config (Pulumi.yaml under Pulumi.<stack>.yaml, scripts/pulumiConfig.ts). */
    config: Record<string, string>;
    project?: string;
    /** The app whose page this is (`--app`); undefined: the stack's default app. */
    app?: string;
    cluster: ClusterReader;
    /** Which cluster the reads go to, for the page (e.g. the API server's URL). */
    clusterName: string;
    metrics?: MetricsSource;
    windowMs?: number;
    now?: () => Date;
}

/** One read, recorded with where from and when its answer came (the page shows both); undefined when it failed, with the reason recorded. */
async function timedRead<T>(sources: Provenance[], now: () => Date, value: string, from: string, fn: () => Promise<T>): Promise<T | undefined> {
    // In the order the reads start (the page's table keeps its rows in place), timed when each answers.
    const entry: Provenance = { value, from, at: "" };
    sources.push(entry);
    try {
        return await fn();
    } catch (e) {
        entry.error = (e as Error).message;
        return undefined;
    } finally {
        entry.at = now().toISOString();
    }
}

export class ClusterSource implements DashboardSource {
    constructor(
        private readonly stack: string,
        private readonly opts: ClusterSourceOptions,
    ) {}

    async snapshot(): Promise<Snapshot> {
        const { cluster, clusterName: on } = this.opts;
        const now = this.opts.now ?? (() => new Date());
        const cfg = parseConfig(this.opts.config, this.stack, this.opts.project);
        // Each app's objects carry the same names in its own namespace (components/k8s/app.ts).
        const i = appIndex(cfg, this.stack, this.opts.app);
        const app = allApps(cfg)[i];
        const ns = app.app.namespace;
        const state = releaseState(app, appSizings(cfg)[i]);
        const colours: Record<string, ColourView> = {};
        for (const t of state.tracks) colours[t.track] = { declared: { version: t.version, weight: t.weight } };
        const names = Object.keys(colours).map((c) => objectName(c as Parameters<typeof objectName>[0]));
        const sources: Provenance[] = [
            { value: "colours and declared values", from: `Pulumi.${this.stack}.yaml (what the next pulumi up deploys)`, at: now().toISOString() },
        ];
        const read = <T>(value: string, from: string, fn: () => Promise<T>) => timedRead(sources, now, value, from, fn);
        const [route, deployments, release] = await Promise.all([
            read("weights", `HTTPRoute ${ns}/app on ${on}`, () => cluster.route(ns)),
            read("versions and ready pods", `Deployments ${names.map((n) => `${ns}/${n}`).join(", ")} on ${on}`, () => cluster.deployments(ns, names)),
            read("release steps and verdicts", `Lease ${ns}/${LEASE_NAME} and its Events on ${on}`, () => cluster.release(ns)),
        ]);
        if (route?.resourceVersion) sources.find((s) => s.value === "weights")!.from += ` (resourceVersion ${route.resourceVersion})`;
        for (const [c, view] of Object.entries(colours)) {
            const name = objectName(c as Parameters<typeof objectName>[0]);
            if (route) view.weight = route.percents[name] ?? 0;
            const d = deployments?.[name];
            if (d) Object.assign(view, { version: d.version, readyPods: d.ready, desiredPods: d.replicas });
        }
        const notes: string[] = [];
        await this.readMetrics(colours, sources, notes, now);
        const ranked = route ? Object.entries(colours).sort((a, b) => b[1].weight! - a[1].weight!) : [];
        const activeColor = ranked.length && (ranked.length === 1 || ranked[0][1].weight! > ranked[1][1].weight!) ? ranked[0][0] : undefined;
        return {
            stack: this.stack,
            ...(this.opts.app === undefined ? {} : { app: app.name }),
            strategy: app.release.strategy,
            activeColor,
            colours,
            release: release
                ? releaseView(release.lease, release.entries, now().getTime())
                : { action: "release", state: "unreadable", steps: [], checks: [], decision: "the release Lease and its Events could not be read" },
            sources,
            notes,
            at: now().toISOString(),
        };
    }

    private async readMetrics(colours: Record<string, ColourView>, sources: Provenance[], notes: string[], now: () => Date): Promise<void> {
        const { metrics } = this.opts;
        const windowMs = this.opts.windowMs ?? 60_000;
        if (!metrics) {
            notes.push("no metric source: pass --analysis FILE (the release CLI's analysis file) for live error rate and latency");
            return;
        }
        const end = now();
        const from = `${metrics.name} over the ${windowMs / 1000} s before ${end.toISOString()}`;
        const m = await timedRead(sources, now, "requests, error rate, p99", from, () =>
            metrics.read(Object.keys(colours), { start: new Date(end.getTime() - windowMs), end }),
        );
        if (!m) return;
        for (const [c, view] of Object.entries(colours)) {
            const x = m[c];
            if (!x) continue;
            view.requestsPerSecond = x.requests / (windowMs / 1000);
            view.errorRate = x.successRate === undefined ? undefined : 1 - x.successRate;
            view.p99Ms = x.p99Ms;
        }
    }
}
