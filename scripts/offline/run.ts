// Runs the real program for a stack file (plus overrides) under Pulumi's mock runtime and records
// every resource registration: type, name, parent, inputs (secrets marked), options.
// Used by the specs and by scripts/plan.ts, preflight.ts and costComment.ts.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { StackConfig } from "../../model/config";
import { projectName, ROOT, stackConfig, unresolvedNote, type ConfigSource } from "../pulumiConfig";
import { deployTarget, preflight, readConfig } from "../../stacks";
import { cloudMocks, type ResourceMock } from "./mocks";

// The SDK records a stack trace on every promise it makes, only to list leaked promises when a program
// exits; under the mock runtime nobody reads that list, and recording it was two thirds of every run.
// Registration, outputs and secrets are untouched: the promise itself is returned as is.
(require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> }).debuggablePromise = (p) => p;

export { ROOT };
export const UNKNOWN = unknownValue;

export interface Recorded {
    type: string;
    name: string;
    urn: string;
    parent?: string;
    inputs: Record<string, any>;
    /** Dotted paths of inputs that were Pulumi secrets (e.g. `stringData.DATABASE_PASSWORD`). */
    secretPaths: string[];
    protect: boolean;
    /** URNs this resource depends on (explicit dependsOn and inputs from other resources). */
    dependsOn: string[];
    provider?: string;
    custom: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
}

export interface StackOutput {
    value: unknown;
    secret: boolean;
}

export interface StackRun {
    config: StackConfig;
    resources: Recorded[];
    outputs: Record<string, StackOutput>;
    /** Values the mocks generated as secrets (passwords, tokens, kubeconfigs): the secret scan looks for them. */
    generatedSecrets: string[];
    /** What a preview warns that `pulumi up` would refuse (stacks/index.ts preflight). */
    warnings: string[];
    /** The ESC environments the stack file imports, and why they were not opened if they were not. */
    configSource: ConfigSource;
}

export interface RunOptions {
    /** Preview (dry run) instead of update. */
    preview?: boolean;
    /**
     * Update runs refuse what `pulumi up` refuses (placeholders, plain HTTP, no alert target) only with
     * this set: the specs of the resources run the shipped stack files, documentation values and all.
     * Preview runs always collect the warnings.
     */
    refuseUnsafe?: boolean;
    /**
     * Outputs layered over the cloud mocks' (e.g. a cluster after a credential rotation), under a label
     * that keeps the run apart from others of the same stack and overrides.
     */
    overlay?: { label: string; mock: ResourceMock };
    /** The run's clock for the rollback window (default: now); a fixed one makes a run repeatable. */
    asOf?: Date;
    /** A program run instead of the stack's own (e.g. a platform with more apps), under a label that keeps the run apart. */
    program?: { label: string; deploy: (cfg: StackConfig) => Record<string, unknown> };
}

/** Unwrap RPC secret markers into plain values, collecting the paths that were secret. */
function unwrap(value: any, at: string, secrets: string[]): any {
    if (value && typeof value === "object") {
        if (value[specialSigKey] === specialSecretSig) {
            secrets.push(at);
            return unwrap(value.value, at, []);
        }
        if (Array.isArray(value)) return value.map((v, i) => unwrap(v, `${at}[${i}]`, secrets));
        const out: Record<string, any> = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrap(v, at ? `${at}.${k}` : k, secrets);
        return out;
    }
    return value;
}

let running: Promise<unknown> = Promise.resolve();
const runs = new Map<string, Promise<StackRun>>();

/**
 * Run the program for `stack` (a Pulumi.<stack>.yaml) under mocks. Runs are serialised (the runtime
 * is global) and remembered: the same stack, overrides and mode give the same (read-only) result.
 */
export function runStack(stack: string, overrides: Record<string, string> = {}, opts: RunOptions = {}): Promise<StackRun> {
    const key = JSON.stringify([
        stack,
        Object.entries(overrides).sort(),
        opts.preview ?? false,
        opts.refuseUnsafe ?? false,
        opts.overlay?.label,
        opts.asOf,
        opts.program?.label,
    ]);
    const known = runs.get(key);
    if (known) return known;
    const run = running.then(() =>
        runOnce(stack, overrides, opts.preview ?? false, opts.refuseUnsafe ?? false, opts.overlay?.mock, opts.asOf, opts.program?.deploy),
    );
    running = run.catch(() => undefined);
    runs.set(key, run);
    return run;
}

async function runOnce(
    stack: string,
    overrides: Record<string, string>,
    preview: boolean,
    refuseUnsafe: boolean,
    overlay?: ResourceMock,
    asOf?: Date,
    program: (cfg: StackConfig) => Record<string, unknown> = deployTarget,
): Promise<StackRun> {
    const resources: Recorded[] = [];
    const generatedSecrets: string[] = [];
    const secretOutputs = new Map<string, string[]>();
    const mocks: ResourceMock[] = overlay ? [...cloudMocks, overlay] : cloudMocks;

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                let state: Record<string, any> = { ...args.inputs };
                for (const m of mocks) {
                    const extra = m.newResource?.(args, { preview, generatedSecrets });
                    if (extra) state = { ...state, ...extra };
                }
                // The engine marks a provider's additionalSecretOutputs secret; the mock monitor does not.
                for (const key of secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
                    if (state[key] !== undefined) state[key] = pulumi.secret(state[key]);
                }
                const id = args.custom === false ? undefined : `${args.name}-id`;
                return { id: state.id ?? id, state };
            },
            call(args) {
                for (const m of mocks) {
                    const result = m.call?.(args, { preview, generatedSecrets });
                    if (result) return result;
                }
                throw new Error(`No mock for invoke ${args.token}; add one to scripts/offline/mocks/`);
            },
        },
        projectName(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")),
        stack,
        preview,
    );

    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        const secretPaths: string[] = [];
        const inputs = unwrap(pulumi.runtime.deserializeProperties(req.getObject()), "", secretPaths);
        secretOutputs.set(`${req.getType()}::${req.getName()}`, req.getAdditionalsecretoutputsList());
        const rec: Recorded = {
            type: req.getType(),
            name: req.getName(),
            urn: "",
            parent: req.getParent() || undefined,
            inputs,
            secretPaths,
            protect: req.getProtect() === true,
            dependsOn: req.getDependenciesList(),
            provider: req.getProvider() || undefined,
            custom: req.getCustom(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            replaceOnChanges: req.getReplaceonchangesList(),
        };
        resources.push(rec);
        return register(req, (err: any, resp: any) => {
            if (resp) rec.urn = resp.getUrn();
            callback(err, resp);
        });
    };

    const { raw: stackRaw, source: configSource } = stackConfig(stack, overrides);
    pulumi.runtime.setAllConfig(stackRaw);
    const config = withNote(() => readConfig(asOf), unresolvedNote(stack, configSource));
    const warnings: string[] = [];
    if (preview || refuseUnsafe) preflight(config, pulumi.runtime.allConfig(), preview, (m) => warnings.push(m));
    const raw = program(config);
    const outputs: Record<string, StackOutput> = {};
    for (const [key, value] of Object.entries(raw)) {
        const out = pulumi.output(value);
        // promise() yields undefined for values unknown during preview instead of waiting forever.
        outputs[key] = { value: await (out as any).promise(), secret: await pulumi.isSecret(out) };
    }
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();
    refuseDuplicateUrns(resources);
    return { config, resources, outputs, generatedSecrets, warnings, configSource };
}

/** The engine refuses a program that registers one URN twice; the mock monitor does not, so check here. */
function refuseDuplicateUrns(resources: Recorded[]): void {
    const seen = new Set<string>();
    for (const { urn } of resources) {
        // The engine's message (as the real CLI printed it in e2e/traffic.e2e.ts runs; see scripts/release/pulumiWorkspace.ts).
        if (seen.has(urn)) throw new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
        seen.add(urn);
    }
}

/** `read()`, its error (a config error naming missing keys, say) followed by `note` when there is one. */
function withNote<T>(read: () => T, note: string | undefined): T {
    try {
        return read();
    } catch (e) {
        if (note && e instanceof Error) e.message += `\n${note}`;
        throw e;
    }
}
