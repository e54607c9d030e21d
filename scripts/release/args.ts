// Command-line grammar of the release CLI, parsed with node's util.parseArgs. Pure: no I/O.
import { parseArgs } from "node:util";
import type { Cloud } from "../../model/config";

/** A release command: what it changes in the stack file (apply: the change a merge made, see apply.ts). */
export type ReleaseAction = { kind: "deploy"; version: string } | { kind: "promote" } | { kind: "rollback" } | { kind: "canary"; percents: number[] };

export type Action = { kind: "status" } | ReleaseAction | { kind: "apply"; from: string };

export interface CheckOptions {
    /** Per-request timeout. */
    timeoutMs: number;
    /** Pause between two requests of a check or a watch. */
    intervalMs: number;
    /** Consecutive successful requests that make the preview route healthy. */
    successThreshold: number;
    /** Requests a preview check may spend before it gives up (retries included). */
    maxAttempts: number;
    /** How long the live route is watched after each switch. */
    watchMs: number;
    /** Failed live requests tolerated during a watch (0: the first failure rolls back). */
    maxFailures: number;
    /** With --version-path: the JSON field naming the answering version. */
    versionField?: string;
}

export interface ReleaseArgs {
    action: Action;
    /** The app the command acts on (`--app`): undefined, the stack's default app (its top-level keys). */
    app?: string;
    /** The stack's name: Pulumi.<stack>.yaml, and the name the program's config parser checks. */
    stack: string;
    /** The name Pulumi selects the stack by: --stack as given, e.g. ORG/zdp/aws in CI (its stack file is still Pulumi.aws.yaml). */
    pulumiStack: string;
    dryRun: boolean;
    /** Write the change into Pulumi.<stack>.yaml and stop (release.yml opens a pull request with it). */
    editOnly: boolean;
    /** Remove the release lock a killed run left before taking it (lock.ts breakLock), after confirmation. */
    breakLock: boolean;
    /** The confirmation of --break-lock without a prompt (the only way without a terminal). */
    yes: boolean;
    /** Overrides the URL derived from the stack output `endpoint` (and `domain`). */
    endpoint?: string;
    /** Metrics source and thresholds (scripts/release/analysis.ts); steps then promote only on a passing analysis. */
    analysisFile?: string;
    /** Concurrent connections of the load step through the preview route before promote (0: none). */
    loadConcurrency: number;
    loadMs: number;
    /** Probe this path and read the answering version from its JSON `version` (apps without the x-zdp-* headers). */
    versionPath?: string;
    /** Bound of the wait for the live route to answer from the new state after an `up` (absent: CONVERGE_DEFAULT_MS of the stack's cloud). */
    convergeMs?: number;
    /** Policy packs (directories) and their config files every `up` runs, as `pulumi up --policy-pack`. */
    policyPacks: string[];
    policyPackConfigs: string[];
    /** apply: where the pull-request body of a revert goes when the run leaves main's stack file ahead of the deployed stack. */
    revertPr?: string;
    checks: CheckOptions;
}

/**
 * How long a route change may take to reach the data plane, per stack cloud (config key `cloud`).
 * Bounds, not typical times: the wait ends as soon as the route answers from the new state.
 */
export const CONVERGE_DEFAULT_MS: Record<Cloud, number> = {
    // Envoy Gateway (or the dev cluster's own controller) pushes a route over xDS in seconds, but pushes
    // taking 30-120 s under rollout churn are reported (envoyproxy/gateway#7366, and #9777: a full
    // translation takes tens of seconds in large clusters).
    local: 120_000,
    // The AWS Load Balancer Controller turns the HTTPRoute into ALB listener-rule weights; a 6 min 15 s
    // lag between building its model and calling the AWS API is reported (kubernetes-sigs/aws-load-balancer-controller#2070).
    aws: 600_000,
    // Application Gateway for Containers: "near real-time updates to add or move pods, routes, and probes"
    // (learn.microsoft.com/azure/application-gateway/for-containers/overview).
    azure: 120_000,
    // GKE Gateway writes a URL map that every Google front end must pick up; Google's own xDS interop
    // tests wait up to 600 s for a URL-map change to propagate (grpc/grpc#28004).
    gcp: 600_000,
};

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export const USAGE = `Usage: npm run release -- <command> --stack STACK [options]

Commands:
  status               versions, colours, weights and health of the live and preview routes
  deploy VERSION       put VERSION on the inactive colour (rolling: on the app), no traffic moves
  promote              verify the inactive colour, switch all traffic to it, watch, roll back on failure
  rollback             canary running: weight back to 0; otherwise switch back to the other colour
  canary P[,P...]      move P% of traffic to the inactive colour, one watched step per value
  apply --from REF     the change a merge made to Pulumi.<stack>.yaml since commit REF, run as the
                       command it amounts to (deploy, promote, rollback, canary; none: a guarded up)
                       with its checks and automatic rollback (deploy.yml runs it on every push)

Options:
  --stack S            Pulumi stack (dev, aws, azure, gcp, ...) or ORG/PROJECT/S   required
  --app NAME           the app of the stack's apps config to act on (its keys apps.NAME.*,
                       its namespace, Lease and outputs)        default: the default app
  --dry-run            pulumi preview of the change; nothing is applied
  --edit-only          only write the change into Pulumi.<stack>.yaml (for a pull request)
  --break-lock         a killed run's release lock blocks this command: show its holder, ask,
                       then remove it (only if unchanged since shown) and go on
  --yes                confirm --break-lock without asking (required without a terminal)
  --endpoint URL       base URL of the app instead of the stack output endpoint
                       (an app with a domain: every request sends Host <domain>)
  --analysis FILE      judge canary steps and promote on server-side metrics (docs/canary-analysis.md)
  --version-path PATH  probe PATH (e.g. podinfo's /version) and read "version" from its JSON
                       when the app does not send x-zdp-color/x-zdp-version
  --load N             before promote: N connections of load through the preview route   default 0
  --load-seconds S     length of that load (more with an analysis count > 1)             default 30
  --timeout MS         per-request timeout                              default 3000
  --interval MS        pause between requests                           default 1000
  --success N          consecutive healthy preview requests required    default 3
  --attempts N         preview requests allowed (retries included)      default 20
  --watch SECONDS      watch of the live route after each switch        default 60
  --max-failures N     failed live requests tolerated during a watch    default 0
  --policy-pack DIR    run this policy pack on every up (repeatable)
  --policy-pack-config FILE  its config (repeatable, in the same order)
  --revert-pr FILE     apply: when the run leaves main's stack file ahead of what is deployed,
                       write the revert into Pulumi.<stack>.yaml and its pull-request body into FILE
  --converge-timeout S after each up: how long the live route may keep answering from the
                       previous state before --success answers in a row come from the new one
                       (not converging in time is a failure: rolled back)
                       default per stack cloud: ${Object.entries(CONVERGE_DEFAULT_MS)
                           .map(([c, ms]) => `${c} ${ms / 1000}`)
                           .join(", ")}
`;

const DEFAULTS: CheckOptions = {
    timeoutMs: 3000,
    intervalMs: 1000,
    successThreshold: 3,
    maxAttempts: 20,
    watchMs: 60_000,
    maxFailures: 0,
};

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${raw}"`);
    return Number(raw);
}

function seconds(name: string, raw: string): number {
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`--${name} must be a number of seconds, got "${raw}"`);
    return Math.round(Number(raw) * 1000);
}

function percents(raw: string | undefined): number[] {
    if (raw === undefined) throw new UsageError("canary needs a percentage, e.g. `canary 10` or `canary 10,50,100`");
    const values = raw.split(",").map((p) => p.trim());
    const bad = values.find((p) => !/^\d+$/.test(p) || Number(p) > 100);
    if (bad !== undefined) throw new UsageError(`canary percentages must be whole numbers from 0 to 100, got "${bad}"`);
    return values.map(Number);
}

const OPTIONS = {
    stack: { type: "string" },
    app: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "edit-only": { type: "boolean", default: false },
    "break-lock": { type: "boolean", default: false },
    yes: { type: "boolean", default: false },
    endpoint: { type: "string" },
    analysis: { type: "string" },
    load: { type: "string" },
    "version-path": { type: "string" },
    "load-seconds": { type: "string" },
    timeout: { type: "string" },
    interval: { type: "string" },
    success: { type: "string" },
    attempts: { type: "string" },
    watch: { type: "string" },
    "max-failures": { type: "string" },
    "converge-timeout": { type: "string" },
    from: { type: "string" },
    "policy-pack": { type: "string", multiple: true },
    "policy-pack-config": { type: "string", multiple: true },
    "revert-pr": { type: "string" },
} as const;

/** The command and its operand (and apply's --from). */
function actionOf(command: string | undefined, operand: string | undefined, from: string | undefined): Action {
    switch (command) {
        case "status":
        case "promote":
        case "rollback":
            if (operand !== undefined) throw new UsageError(`${command} takes no argument, got "${operand}"`);
            return { kind: command };
        case "deploy":
            if (!operand) throw new UsageError("deploy needs a VERSION, e.g. `deploy 2.0.0`");
            return { kind: "deploy", version: operand };
        case "canary":
            return { kind: "canary", percents: percents(operand) };
        case "apply":
            if (operand !== undefined) throw new UsageError(`apply takes no argument, got "${operand}"`);
            if (!from) throw new UsageError("apply needs --from REF: the commit before the merge (deploy.yml passes github.event.before)");
            return { kind: "apply", from };
        case undefined:
            throw new UsageError("a command is required: status, deploy VERSION, promote, rollback, canary PERCENT or apply --from REF");
        default:
            throw new UsageError(`unknown command "${command}"; commands are status, deploy, promote, rollback, canary, apply`);
    }
}

export function parseReleaseArgs(argv: string[]): ReleaseArgs {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            strict: true,
            options: OPTIONS,
        });
    } catch (e) {
        throw new UsageError((e as Error).message);
    }
    const { values, positionals } = parsed;
    const [command, operand, ...extra] = positionals;

    const action = actionOf(command, operand, values.from);
    if (values.from !== undefined && action.kind !== "apply") throw new UsageError("--from goes with apply only");
    if (values["revert-pr"] !== undefined && action.kind !== "apply") throw new UsageError("--revert-pr goes with apply only");
    const policyPacks = values["policy-pack"] ?? [];
    const policyPackConfigs = values["policy-pack-config"] ?? [];
    if (policyPackConfigs.length > policyPacks.length)
        throw new UsageError(
            `--policy-pack-config: ${policyPackConfigs.length} given for ${policyPacks.length} --policy-pack; each config belongs to the pack in the same position`,
        );
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
    if (!values.stack) throw new UsageError("--stack is required");
    const parts = values.stack.split("/");
    if (parts.some((p) => p === "") || (parts.length !== 1 && parts.length !== 3))
        throw new UsageError(`--stack must be a stack name (aws) or ORGANIZATION/PROJECT/STACK, got "${values.stack}"`);
    const editOnly = values["edit-only"] ?? false;
    if (editOnly && (action.kind === "status" || action.kind === "apply" || values["dry-run"]))
        throw new UsageError("--edit-only writes a change: not with status, apply or --dry-run");
    if (action.kind === "apply" && values["dry-run"]) throw new UsageError("apply has no --dry-run: the merge's pull request got its pulumi preview");
    const breakLock = values["break-lock"] ?? false;
    // Only a command that takes the lock can break it: status, --dry-run and --edit-only take none.
    if (breakLock && (action.kind === "status" || values["dry-run"] || editOnly))
        throw new UsageError(
            "--break-lock goes with a command that takes the release lock: deploy, promote, rollback, canary or apply, without --dry-run or --edit-only",
        );
    if (values.yes && !breakLock) throw new UsageError("--yes confirms --break-lock and nothing else");

    const attempts = count("attempts", values.attempts, DEFAULTS.maxAttempts, 1);
    const successThreshold = count("success", values.success, DEFAULTS.successThreshold, 1);
    if (successThreshold > attempts) throw new UsageError(`--success ${successThreshold} can never be reached with --attempts ${attempts}`);
    if (values.app !== undefined && action.kind === "apply")
        throw new UsageError("--app does not go with apply: apply finds the app whose release keys the merge changed");
    if (values.app !== undefined && !/^[a-z][a-z0-9-]*$/.test(values.app))
        throw new UsageError(`--app must be an app's name (lower-case letters, digits and -, from a letter), got "${values.app}"`);
    return {
        action,
        app: values.app,
        stack: parts[parts.length - 1],
        pulumiStack: values.stack,
        dryRun: values["dry-run"] ?? false,
        editOnly,
        breakLock,
        yes: values.yes ?? false,
        endpoint: values.endpoint,
        analysisFile: values.analysis,
        versionPath: values["version-path"],
        convergeMs: values["converge-timeout"] === undefined ? undefined : seconds("converge-timeout", values["converge-timeout"]),
        policyPacks,
        policyPackConfigs,
        revertPr: values["revert-pr"],
        loadConcurrency: count("load", values.load, 0, 0),
        loadMs: values["load-seconds"] === undefined ? 30_000 : seconds("load-seconds", values["load-seconds"]),
        checks: {
            timeoutMs: count("timeout", values.timeout, DEFAULTS.timeoutMs, 1),
            intervalMs: count("interval", values.interval, DEFAULTS.intervalMs, 0),
            successThreshold,
            maxAttempts: attempts,
            watchMs: values.watch === undefined ? DEFAULTS.watchMs : seconds("watch", values.watch),
            maxFailures: count("max-failures", values["max-failures"], DEFAULTS.maxFailures, 0),
            versionField: values["version-path"] ? "version" : undefined,
        },
    };
}

/** The exit codes of `npm run release`. */
export const EXIT = {
    ok: 0,
    /** A check or an `up` failed; the previous config is back in place (or nothing was changed). */
    failed: 1,
    /** Refused before anything ran: bad config, meaningless command, no endpoint. */
    refused: 2,
    /** The automatic rollback failed too: a human must look now. */
    rollbackFailed: 3,
    /** Stopped by SIGINT/SIGTERM; the previous config is back in place (a rollback stays). */
    interrupted: 130,
} as const;
