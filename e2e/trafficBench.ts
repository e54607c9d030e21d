// The bench the traffic suites measure releases on: real nodes (kubelet, containerd, runc), Traefik
// carrying the Gateway API routes, an Automation API stack running a suite's inline program, and
// constant load from e2e/load.ts during each step. Each step prints, per load, one line tooling reads:
//   traffic <step>: <N> requests, <M> failed, p99 <ms> ms, converged <ms> ms
// failed = non-2xx answers and connection errors; converged = from the step's start until the gateway
// answers only from the step's target (for a split: until the split has moved at least halfway).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { workspaceFromStack } from "../scripts/release/pulumiWorkspace";
import { parseReleaseArgs } from "../scripts/release/args";
import { runRelease, type ReleaseResult } from "../scripts/release/run";
import { Cluster } from "./cluster";
import { Load, trafficLine, type StepFigures, type Target } from "./load";
import { GATEWAY_PORT, Traefik } from "./traefik";
import { BIN, PulumiProject, tool, until } from "./tools";

export const IMAGE = "docker.io/zdp/e2e-app";
export const GATEWAY_URL = `http://127.0.0.1:${GATEWAY_PORT}/`;
/** A step ends this long after the gateway converged and the last old pod is gone (late failures show). */
const SETTLE_MS = 3000;
/** Upper bound of one step; a step that never settles fails the suite with what it saw. */
export const STEP_LIMIT_S = 300;

/** One load of a step: where it goes and what it should end up answering. */
export interface Stream {
    /** Suffix of the step's line (`traffic <step>/<label>: ...`); unset, the step's name alone. */
    label?: string;
    /** The app's namespace: the step waits until no pod of it is terminating. */
    namespace: string;
    /** The Host header: the app's domain (its routes match that host only). */
    host?: string;
    target: Target;
    /** The split before the step (see convergedAt). */
    before?: Target;
    /** Who may answer at all (`colour/version`): the first other answer ends the step with a failure. */
    only?: string[];
}

export type CliRun = ReleaseResult & { log: string };

/** Fails the step unless the load ran, nothing failed and the gateway converged. */
export function clean(name: string, f: StepFigures): void {
    assert.ok(f.requests > 100, `${name}: the load sent ${f.requests} requests`);
    assert.equal(f.failed, 0, `${name}: failed requests ${JSON.stringify(f.by)}`);
    assert.notEqual(f.convergedMs, undefined, `${name}: never converged`);
}

export class TrafficBench {
    readonly lines: string[] = [];
    /** The namespaces whose Lease each release CLI run asked for, in order. */
    readonly leaseNamespaces: string[] = [];

    private constructor(
        readonly cluster: Cluster,
        readonly traefik: Traefik,
        readonly project: PulumiProject,
        readonly stack: Stack,
    ) {}

    // Suites share one mocha process: what a bench sets for the CLI is put back when it stops.
    private static readonly envBefore = { KUBECONFIG: process.env.KUBECONFIG, PATH: process.env.PATH };

    /** Two real nodes with `tags` of the e2e app's image, Traefik, and the stack `dev` running `program`. */
    static async start(tags: string[], program: PulumiFn): Promise<TrafficBench> {
        const cluster = await Cluster.start({
            nodes: [
                { name: "node-a", zone: "zone-a", podSubnet: "10.88.1.0/24" },
                { name: "node-b", zone: "zone-b", podSubnet: "10.88.2.0/24" },
            ],
            images: [{ binary: tool("app"), tags: tags.map((v) => `${IMAGE}:${v}`) }],
        });
        const traefik = new Traefik(cluster);
        let project: PulumiProject | undefined;
        try {
            cluster.installGatewayApi();
            // The release CLI's Lease goes through kubectl on this cluster.
            process.env.KUBECONFIG = cluster.kubeconfig;
            process.env.PATH = `${BIN}:${process.env.PATH}`;
            traefik.start(path.dirname(cluster.kubeconfig));
            project = new PulumiProject(["dev"]);
            const pulumiCommand = await PulumiCommand.get({ root: path.dirname(BIN), skipVersionCheck: true });
            const stack = await LocalWorkspace.selectStack(
                { stackName: "dev", projectName: "zdp", program },
                { workDir: project.dir, pulumiCommand, envVars: { ...(project.env as Record<string, string>), KUBECONFIG: cluster.kubeconfig } },
            );
            return new TrafficBench(cluster, traefik, project, stack);
        } catch (e) {
            TrafficBench.teardown(cluster, traefik, project);
            throw e;
        }
    }

    /** Project keys; `path`: the keys are paths (`apps.api.activeColor`), as `pulumi config set --path`. */
    async setConfig(config: Record<string, string>, remove: string[] = [], path = false): Promise<void> {
        if (Object.keys(config).length)
            await this.stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [`zdp:${k}`, { value }])), path);
        if (remove.length) await this.stack.removeAllConfig(remove.map((k) => `zdp:${k}`));
    }

    async up(config: Record<string, string>, remove: string[] = []): Promise<void> {
        await this.setConfig(config, remove);
        await this.stack.up({ color: "never" });
    }

    terminatingPods(namespace: string): number {
        return (JSON.parse(this.cluster.kubectl(["-n", namespace, "get", "pods", "-o", "json"])).items as any[]).filter((p) => p.metadata.deletionTimestamp)
            .length;
    }

    /** One load through the gateway in `namespace`'s step (see measure). */
    async step(name: string, namespace: string, target: Target, action: () => Promise<void>, before?: Target): Promise<StepFigures> {
        const [f] = await this.measure(name, [{ namespace, target, before }], action);
        return f;
    }

    /**
     * Runs `action` under constant load, one Load per stream, and prints each stream's line. The step
     * ends once every stream's gateway answers have been its target for SETTLE_MS and no pod of its
     * namespace is still terminating, or at once when a stream was answered by someone not in its `only`.
     */
    async measure(name: string, streams: Stream[], action: () => Promise<void>): Promise<StepFigures[]> {
        const loads = streams.map(
            (s) =>
                new Load({
                    url: GATEWAY_URL,
                    headers: s.host ? { host: s.host } : undefined,
                    rate: 200 / streams.length,
                    connections: 8,
                    maxSeconds: STEP_LIMIT_S + 120,
                    timeoutSeconds: 10,
                }),
        );
        await new Promise((r) => setTimeout(r, 1000));
        const start = loads[0].now();
        const intruder = (s: Stream, load: Load) => {
            const other = s.only && load.answers.find((a) => !s.only!.includes(a.from));
            if (other) throw new Error(`step ${name}: ${s.label ?? "the load"} was answered by ${other.from}, not only by ${s.only!.join(" or ")}`);
        };
        const settled = (s: Stream, load: Load) => {
            const at = load.convergedAt(s.target, s.before);
            return at !== undefined && load.now() - at > SETTLE_MS && this.terminatingPods(s.namespace) === 0;
        };
        let failure: Error | undefined;
        try {
            await action();
            await until(
                () => {
                    streams.forEach((s, i) => intruder(s, loads[i]));
                    return streams.every((s, i) => settled(s, loads[i]));
                },
                STEP_LIMIT_S,
                `step ${name} to converge on ${streams.map((s) => JSON.stringify(s.target)).join(" and ")} with no pod terminating`,
            );
        } catch (e) {
            failure = e instanceof Error ? e : new Error(String(e));
        }
        const figures: StepFigures[] = [];
        for (const [i, s] of streams.entries()) {
            const f = await loads[i].stop(s.target, s.before, start);
            const line = trafficLine(s.label ? `${name}/${s.label}` : name, f);
            console.log(`      ${line}   ${JSON.stringify(f.by)}`);
            this.lines.push(line);
            figures.push(f);
        }
        if (failure) throw failure;
        return figures;
    }

    /**
     * The release CLI's own run (runRelease, as `npm run release` calls it) on this stack: the Workspace
     * is the Automation API stack of this suite (the CLI's openPulumiWorkspace needs the Node.js language
     * host, which cannot be built here). It probes `/` (the path users take) through --endpoint, the
     * gateway, and reads the Lease through kubectl on $KUBECONFIG.
     */
    async release(command: string[]): Promise<CliRun> {
        const args = parseReleaseArgs([
            ...command,
            ...["--stack", "dev", "--endpoint", `http://127.0.0.1:${GATEWAY_PORT}`, "--version-path", "/"],
            ...["--watch", "10", "--converge-timeout", "60", "--interval", "200", "--timeout", "2000", "--success", "3", "--max-failures", "0"],
        ]);
        const ws = workspaceFromStack("dev", this.stack, (file) => fs.readFileSync(path.join(this.project.dir, file), "utf8"));
        const lease = ws.lease.bind(ws);
        const out: string[] = [];
        const result = await runRelease(
            args,
            {
                ...ws,
                lease: (namespace) => {
                    this.leaseNamespaces.push(namespace);
                    return lease(namespace);
                },
            },
            (line) => out.push(line),
        );
        console.log(out.map((l) => `        | ${l}`).join("\n"));
        return { ...result, log: out.join("\n") };
    }

    stop(): void {
        if (this.lines.length) console.log(`\n      traffic summary:\n${this.lines.map((l) => `        ${l}`).join("\n")}`);
        TrafficBench.teardown(this.cluster, this.traefik, this.project);
    }

    private static teardown(cluster: Cluster, traefik: Traefik, project: PulumiProject | undefined): void {
        traefik.stop();
        cluster.stop();
        project?.remove();
        for (const [k, v] of Object.entries(TrafficBench.envBefore))
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
    }
}
