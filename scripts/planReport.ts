// What `npm run plan` shows for a stack: the program run under Pulumi's mock runtime, its resources,
// capacity, release state, cost, monitoring and policy, as tables or JSON (scripts/plan.ts is the command).
import Table from "cli-table3";
import { RunError } from "@pulumi/pulumi";
import { ConfigError, type StackConfig } from "../model/config";
import { addressRows } from "../model/addressSpace";
import { appSizings, capacityRows, capacityShortfalls, evaluateReference, REFERENCE, type Sizing } from "../model/capacity";
import { allApps, type AppConfig } from "../model/stackConfig";
import { releaseState, type ReleaseState } from "../model/releasePlan";
import { MIGRATIONS_KEY, migrationWhen, plannedMigrations, type PlannedMigration } from "../model/migrations";
import { describeWindow } from "../model/rollbackWindow";
import { runStack, UNKNOWN, type Recorded, type StackRun } from "./offline/run";
import { diffResources, type StackDiff } from "./offline/diff";
import { unresolvedNote } from "./pulumiConfig";
import { runPolicies, summarize } from "../policy/offline";
import { monitoringLines } from "./planMonitoring";
import { costLines, priceStack, usd } from "./planCost";
import { costChange, lineOf, signedUsd, verdict } from "../model/cost/change";
import type { CostPicture } from "../model/cost/choices";
import { LINE_TYPES } from "../model/cost/model";
import { SECRET_MONITORING_KEYS } from "../model/monitoring/config";
import { needsFor, vcpuNeed } from "./preflight/needs";

const SECRET = "[secret]";

// Plain tables: the plan is read in terminals, CI logs and PR comments alike.
const table = (head: string[]) => new Table({ head, style: { head: [], border: [] } });

/** Inputs with secret values replaced by a marker: the plan never prints a secret. */
function redact(r: Recorded): Record<string, unknown> {
    const inputs = structuredClone(r.inputs);
    for (const p of r.secretPaths) {
        const parts = p.split(/\.|\[(\d+)\]/).filter(Boolean);
        let node: any = inputs;
        for (const part of parts.slice(0, -1)) node = node?.[part];
        if (node && parts.length) node[parts[parts.length - 1]] = SECRET;
        else if (!parts.length) return { value: SECRET };
    }
    return inputs;
}

function capacityJson(s: Sizing) {
    return {
        targetUsers: s.targetUsers,
        steadyStateUsers: s.steadyStateUsers,
        worstRolloutStepUsers: s.worstRolloutStepUsers,
        blueGreenSwitchUsers: s.blueGreenSwitchUsers,
        afterZoneLossUsers: s.afterZoneLossUsers,
        sizing: { zones: s.zones, colours: s.colours, usersPerPod: s.usersPerPod, app: s.app, nodes: s.nodes, database: s.database, redis: s.redis },
        reference: { ...REFERENCE, ...evaluateReference() },
    };
}

function printTree(out: string[], resources: Recorded[]): void {
    const children = new Map<string | undefined, Recorded[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
        const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const walk = (parent: string | undefined, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const flags = [r.protect ? "protected" : "", r.secretPaths.length ? `secret: ${r.secretPaths.join(", ")}` : ""].filter(Boolean);
            out.push(`${prefix}${last ? "└─ " : "├─ "}${r.type}  ${r.name}${flags.length ? `  (${flags.join("; ")})` : ""}`);
            walk(r.urn, prefix + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
}

function printCapacity(out: string[], cfg: StackConfig, s: Sizing): void {
    const n = (v: number) => v.toLocaleString("en-US");
    const capacity = table(["capacity", "users served", "against target"]);
    for (const r of capacityRows(s))
        capacity.push([
            r.what,
            r.servedUsers === undefined ? "n/a" : n(r.servedUsers),
            r.servedUsers === undefined ? "-" : `${r.ok ? "✓ ≥" : "✗ <"} ${n(s.targetUsers)}`,
        ]);
    // The config refuses a range that falls short, so these print ✓; they show the headroom left.
    for (const r of addressRows(cfg, s))
        capacity.push([`addresses: ${r.what}`, `${n(r.nodesHeld)} nodes`, `${r.ok ? "✓ ≥" : "✗ <"} ${n(r.nodesNeeded)} nodes`]);
    out.push(capacity.toString());
    const sizing = table(["sizing", "chosen"]);
    sizing.push(
        [
            "app pods (per colour)",
            `${s.app.replicas} (HPA ${s.app.hpaMin}..${s.app.hpaMax}), ${s.usersPerPod} users/pod, ${s.app.cpuRequest} CPU / ${s.app.memoryRequest} each`,
        ],
        ["rolling update", `maxSurge ${s.app.maxSurge}, maxUnavailable ${s.app.maxUnavailable}; PDB maxUnavailable ${s.app.pdbMaxUnavailable}`],
        [
            "nodes",
            `${s.cloud === "local" ? "your cluster's nodes, assumed" : s.nodes.machineType} (${s.nodes.vcpu} vCPU / ${s.nodes.memoryGiB} GiB, ${s.nodes.podsPerNode} app pods each): ${s.nodes.perZone}/zone × ${s.zones} = ${s.nodes.desired}, autoscaler ${s.nodes.min}..${s.nodes.max}; ${s.colours} colour(s) at full size`,
        ],
        ...(s.cloud === "local"
            ? [["database, redis", "in-cluster StatefulSets, laptop-sized (stacks/local.ts); the clouds size managed services"]]
            : [
                  [
                      "database",
                      `${s.database.instanceClass} (${s.database.vcpu} vCPU / ${s.database.memoryGiB} GiB), ${s.database.storageGiB} GiB growing to ${s.database.maxStorageGiB}`,
                  ],
                  ["redis", `${s.redis.nodeClass} (${s.redis.memoryGiB} GiB)`],
              ]),
    );
    out.push(sizing.toString());
    const ref = evaluateReference();
    out.push(
        `Reference sizing (${REFERENCE.nodes} nodes × ${n(REFERENCE.usersPerNode)} users): steady ${n(ref.steadyStateUsers)}, ` +
            `rolling with maxUnavailable ${REFERENCE.maxUnavailableNodes} ${n(ref.worstRolloutStepUsers)}, after a zone loss ${n(ref.afterZoneLossUsers)} — ` +
            `short of ${n(REFERENCE.targetUsers)} in both; ${capacityRows(s).every((r) => r.ok) ? "this model keeps the target in every row above" : "rows marked ✗ above fall short of this stack's target"}.`,
    );
}

function printRelease(out: string[], r: ReleaseState, cfg: Pick<AppConfig, "release">, s: Sizing): void {
    const tracks = table(["track", "version", "role", "replicas (HPA)", "weight"]);
    for (const t of r.tracks) tracks.push([t.track, t.version, t.role, `${t.minReplicas}..${t.maxReplicas}`, `${t.weight}%`]);
    out.push(`Release: strategy ${r.strategy}${r.activeColor ? `, active colour ${r.activeColor}` : ""}`);
    out.push(tracks.toString());
    if (r.inactiveColor && cfg.release.inactiveScale === "minimal")
        out.push(describeWindow(cfg.release.rollbackWindow, r.inactiveColor, s.app.replicas, s.zones));
    const steps = table(["rollout step", "users served"]);
    for (const s of r.steps) steps.push([s.step, Number.isFinite(s.servingUsers) ? s.servingUsers.toLocaleString("en-US") : "-"]);
    out.push(steps.toString());
}

/** Another app: its pods on the shared nodes, its release and its migrations (the data stores are the stack's, above). */
function printApp(out: string[], { app, sizing: s, release, migrations }: AppPlan): void {
    const n = (v: number) => v.toLocaleString("en-US");
    out.push(
        "",
        `App ${app.name} (apps.${app.name}): ${app.app.image} in namespace ${app.app.namespace}${app.domain ? ` at ${app.domain}` : ""}, ${n(s.targetUsers)} users, port ${app.app.port}, health ${app.app.healthPath}`,
    );
    const capacity = table(["capacity", "users served", "against target"]);
    for (const r of capacityRows(s).filter((r) => !/^(database|redis)/.test(r.what)))
        capacity.push([
            r.what,
            r.servedUsers === undefined ? "n/a" : n(r.servedUsers),
            r.servedUsers === undefined ? "-" : `${r.ok ? "✓ ≥" : "✗ <"} ${n(s.targetUsers)}`,
        ]);
    out.push(capacity.toString());
    out.push(
        `pods per colour: ${s.app.replicas} (HPA ${s.app.hpaMin}..${s.app.hpaMax}), ${s.usersPerPod} users/pod, ${s.app.cpuRequest} CPU / ${s.app.memoryRequest} each; the nodes above hold every app`,
    );
    printRelease(out, release, app, s);
    printMigrations(out, migrations);
}

/** The migration Jobs the release runs (env values may be secrets: names only). */
function printMigrations(out: string[], migrations: PlannedMigration[]): void {
    if (migrations.length === 0) {
        out.push("Migrations: none for the deployed versions");
        return;
    }
    const rows = table(["migration", "Job", "image and command", "runs"]);
    for (const m of migrations)
        rows.push([
            `${m.version} ${m.phase}`,
            m.jobName,
            `${m.imageRef}\n${m.command.join(" ")}${Object.keys(m.env).length ? `\nenv (secret): ${Object.keys(m.env).sort().join(", ")}` : ""}`,
            migrationWhen(m),
        ]);
    out.push(`Migrations: ${migrations.length}`, rows.toString());
}

function printDiff(out: string[], d: StackDiff, base: CostPicture | string | undefined, head: CostPicture | string, cfg: StackConfig): void {
    const total = d.added.length + d.removed.length + d.changed.length;
    out.push(`Diff against the stack file: ${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed`);
    if (base && typeof base !== "string" && typeof head !== "string") {
        const c = costChange(base.stack, head.stack);
        const v = verdict(c.delta, cfg.costPolicy);
        out.push(
            `  Monthly cost: ${usd(c.base)} → ${usd(c.head)} (${signedUsd(c.delta)} a month)` +
                (v === "ok"
                    ? ""
                    : ` — above cost.${v === "fail" ? "failIncreaseUsd" : "warnIncreaseUsd"} (${usd(v === "fail" ? cfg.costPolicy.failIncreaseUsd : cfg.costPolicy.warnIncreaseUsd)})`),
        );
        for (const l of c.lines) out.push(`    ${l.component}: ${usd(l.base)} → ${usd(l.head)} (${signedUsd(l.delta)})`);
    } else out.push(`  Monthly cost: not priced (${typeof head === "string" ? head : typeof base === "string" ? base : "no base plan"})`);
    // Each resource with the cost line its type is priced in.
    const lineTypes = cfg.cloud === "local" ? {} : LINE_TYPES[cfg.cloud];
    const priced = (type: string) => {
        const line = lineOf(type, lineTypes);
        return line ? `  [cost: ${line}]` : "";
    };
    for (const a of d.added) out.push(`  + ${a.type}  ${a.name}${priced(a.type)}`);
    for (const r of d.removed) out.push(`  - ${r.type}  ${r.name}${priced(r.type)}`);
    for (const c of d.changed) out.push(`  ~ ${c.type}  ${c.name}${c.replaces ? "  REPLACE" : ""}${priced(c.type)}\n      ${c.paths.join("\n      ")}`);
    if (total === 0) out.push("  (no change)");
}

/** One of the stack's other apps (`apps.<name>`): its own sizing, release and migrations. */
export interface AppPlan {
    app: AppConfig;
    sizing: Sizing;
    release: ReleaseState;
    migrations: PlannedMigration[];
}

export interface Plan {
    run: StackRun;
    sizing: Sizing;
    release: ReleaseState;
    /** The migration Jobs of the deployed versions (model/migrations.ts). */
    migrations: PlannedMigration[];
    /** The other apps, each as the default app's sizing, release and migrations are shown. */
    apps: AppPlan[];
    policy: ReturnType<typeof runPolicies>;
    /** The priced picture, or why the stack has none (dev, a region without a price table). */
    cost: CostPicture | string;
    diff?: StackDiff;
    /** With --diff: the stack file's own cost, to show what the overrides change in dollars. */
    costBase?: CostPicture | string;
}

/** Run the stack (and, for a diff, the stack file as is) and compute everything the plan shows. */
export async function buildPlan(stack: string, overrides: Record<string, string>, withDiff: boolean, asOf?: Date): Promise<Plan> {
    const base = withDiff ? await runStack(stack, {}, { preview: true, asOf }) : undefined;
    const run = await runStack(stack, overrides, { preview: true, asOf });
    const sizings = appSizings(run.config);
    const [own, ...others] = allApps(run.config).map((app, i): AppPlan => {
        const sizing = sizings[i];
        const release = releaseState(app, sizing);
        return { app, sizing, release, migrations: plannedMigrations(app.release.migrations, release, app.app.image) };
    });
    const { sizing, release, migrations } = own;
    return {
        run,
        sizing,
        migrations,
        apps: others,
        cost: priceStack(run.config, sizing, run.resources),
        costBase: base ? priceStack(base.config, appSizings(base.config)[0], base.resources) : undefined,
        release,
        policy: runPolicies(run.resources, run.config),
        diff: base ? diffResources(base.resources, run.resources) : undefined,
    };
}

/** Why the plan fails: capacity rows below the target and mandatory policy violations (the plan exits 1). */
export function shortfalls({ sizing, policy, apps }: Plan): string[] {
    return [
        ...capacityShortfalls(sizing).map((s) => `capacity: ${s}`),
        ...apps.flatMap(({ app, sizing: s }) => capacityShortfalls(s).map((x) => `capacity of app ${app.name}: ${x}`)),
        ...policy.violations.filter((v) => v.level === "mandatory").map((v) => `policy: [${v.rule}] ${v.resource}`),
    ];
}

/** The `--json` document: exactly what the text plan shows, secrets redacted. */
export function planJson(plan: Plan, overrides: Record<string, string>): string {
    const { run, diff } = plan;
    const cfg: StackConfig = run.config;
    const doc = {
        stack: cfg.stack,
        cloud: cfg.cloud,
        region: cfg.region ?? null,
        // A secret set on the command line stays out of the document too.
        // Migrations carry env values, which may be secrets.
        overrides: Object.fromEntries(
            Object.entries(overrides).map(([k, v]) => [
                k,
                (SECRET_MONITORING_KEYS as readonly string[]).includes(k) || k.startsWith(MIGRATIONS_KEY) ? SECRET : v,
            ]),
        ),
        resources: run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, protect: r.protect, inputs: redact(r) })),
        outputs: Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, o.secret ? SECRET : (o.value ?? null)])),
        capacity: capacityJson(plan.sizing),
        shortfalls: shortfalls(plan),
        refusedByPulumiUp: run.warnings,
        configSource: run.configSource,
        release: plan.release,
        migrations: plan.migrations.map((m) => ({ ...m, env: Object.keys(m.env).sort() })),
        // Only a stack with other apps has the key: a single-app plan stays as it was.
        ...(plan.apps.length > 0
            ? {
                  apps: plan.apps.map(({ app, sizing, release, migrations }) => ({
                      name: app.name,
                      namespace: app.app.namespace,
                      capacity: capacityJson(sizing),
                      release,
                      migrations: migrations.map((m) => ({ ...m, env: Object.keys(m.env).sort() })),
                  })),
              }
            : {}),
        policy: plan.policy,
        cost: typeof plan.cost === "string" ? { unavailable: plan.cost } : plan.cost,
        costPolicy: cfg.costPolicy,
        ...(diff ? { diff } : {}),
        ...(diff && typeof plan.costBase === "object" && typeof plan.cost === "object" ? { costChange: costChange(plan.costBase.stack, plan.cost.stack) } : {}),
    };
    return JSON.stringify(doc, (_k, v) => (v === UNKNOWN ? "(known after apply)" : v), 2);
}

/** The text plan. */
export function renderPlan(plan: Plan): string {
    const { run, sizing, release, migrations, policy, cost, diff, costBase } = plan;
    const out: string[] = [];
    const cfg = run.config;
    out.push(
        `Plan for stack ${cfg.stack} (cloud ${cfg.cloud}${cfg.region ? `, ${cfg.region}` : ""}), ${cfg.targetUsers.toLocaleString("en-US")} target users — offline, under Pulumi's mock runtime\n`,
    );
    const esc = unresolvedNote(cfg.stack, run.configSource);
    if (esc) out.push(`! ${esc}\n`);
    else if (run.configSource.environments.length > 0)
        out.push(`Config resolved by the Pulumi CLI, ESC environment(s) ${run.configSource.environments.join(", ")} included.\n`);
    if (run.warnings.length > 0) {
        out.push(`Before \`pulumi up\` (it refuses this stack until each is set; a preview only warns):`);
        for (const w of run.warnings) out.push(`  ! ${w}`);
        out.push("");
    }
    if (cfg.cloud !== "local") printCloudChecks(out, cfg, run, sizing);
    out.push(`Resources (${run.resources.length}):`);
    printTree(out, run.resources);
    out.push("");
    printCapacity(out, run.config, sizing);
    out.push("");
    printRelease(out, release, cfg, sizing);
    printMigrations(out, migrations);
    for (const app of plan.apps) printApp(out, app);
    out.push("", ...costLines(cost, cfg));
    out.push("", ...monitoringLines(run.resources));
    out.push(`\nPolicy (policy/, CrossGuard, run offline): ${summarize(policy)}`);
    for (const v of policy.violations) out.push(`  ${v.level === "mandatory" ? "✗" : "!"} [${v.rule}] ${v.resource}: ${v.message}`);
    if (policy.notJudged.length > 0) {
        // `pulumi preview --policy-pack` shows these as advisory "can't run policy" lines: say which, and what they would enforce.
        out.push("  Not judged in this preview (they read a value known only after apply; the CLI's analyzer judges them during `pulumi up`):");
        for (const n of policy.notJudged) out.push(`  ? [${n.rule}] (${n.level}) ${n.resource}: ${n.reason}`);
    }
    out.push("\nOutputs:");
    for (const [k, o] of Object.entries(run.outputs)) out.push(`  ${k}: ${o.secret ? SECRET : JSON.stringify(o.value ?? "(known after apply)")}`);
    if (diff) {
        out.push("");
        printDiff(out, diff, costBase, cost, cfg);
    }
    return out.join("\n");
}

/** What this offline plan cannot know, which the account decides at `pulumi up`: preflight asks the cloud. */
function printCloudChecks(out: string[], cfg: StackConfig, run: StackRun, sizing: Sizing): void {
    const n = needsFor(cfg, run.resources, sizing.nodes.vcpu);
    const sizes = [...new Set(n.pools.map((p) => p.size))].join(", ");
    out.push(`Only the cloud can check (npm run preflight -- --stack ${cfg.stack}, with the deployer's credentials):`);
    const addresses = `${n.publicAddresses} public address${n.publicAddresses === 1 ? "" : "es"}`;
    const sum = (f: (p: (typeof n.pools)[number]) => number) => n.pools.reduce((a, p) => a + f(p), 0);
    const nodes = `${sum((p) => p.max)} ${sizes} at the autoscaler maximum + ${sum((p) => p.surge)} surging in an upgrade`;
    out.push(`  - quota for ${vcpuNeed(n.pools)} vCPUs (${nodes}), ${addresses}`);
    // Offline the region is checked against the cloud's published list (aws: its vendored RDS roots; azure and
    // gcp: model/*/regions.ts): the account says whether it may use it, and which zones offer the sizes.
    out.push(`  - region ${n.region} open to the account with ${n.zoneCount} zones, ${sizes} offered in each`);
    // The version the cluster runs today (scripts/preflight/deployedVersion.ts): none on a first deployment.
    const c = n.cluster;
    out.push(
        c.ownedBy
            ? `  - the running cluster's version, which ${c.ownedBy} moves (the stack sets none after creation)`
            : `  - the running cluster's version: ${c.key} ${c.version} must be its minor or the next one, node pools within the cloud's skew`,
    );
    const k8s = n.kubernetes.version ? `Kubernetes ${n.kubernetes.version}` : `the ${n.kubernetes.channel} channel's Kubernetes`;
    const db = /^\d/.test(n.database.version) ? `PostgreSQL ${n.database.version}` : n.database.version;
    const cache = [n.cache.engine, n.cache.version].filter(Boolean).join(" ");
    out.push(`  - ${k8s}, ${db} on ${n.database.size} (${n.database.ha}) and ${cache} on ${n.cache.size} orderable there`);
    out.push(`  - the deployer's permissions for ${n.actions.length} actions${n.allowList ? `, and its egress address inside ${n.allowList.key}` : ""}`);
    out.push("");
}

/** What a failed plan prints: config errors and unbuilt stacks are the user's to fix, so their message is the whole story. */
export function failureText(e: unknown): string | undefined {
    return RunError.isInstance(e) || e instanceof ConfigError ? e.message : (e as Error).stack;
}
