// The real Workspace: the Pulumi Automation API on this project directory (LocalWorkspace, stack
// select). Needs the Pulumi CLI and a logged-in backend; tests use a fake instead.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalWorkspace, type PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { mergedConfig, projectName } from "../pulumiConfig";
import { kubectlLeaseApi } from "./lock";
import { appOutputs, flatApps } from "./appKeys";
import { editedStackFile } from "./propose";
import { urnName, type Workspace } from "./workspace";
import { APPS_KEY, PREVIEW_TOKENS_OUTPUT } from "../../model/apps";
import { DEFAULT_APP } from "../../model/stackConfig";

/** The Stack methods the release CLI uses (a fake in tests). */
export type StackApi = Pick<Stack, "getAllConfig" | "setAllConfig" | "removeAllConfig" | "up" | "preview" | "outputs" | "exportStack">;

const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const RELEASE = "zdp:k8s:Release";
/**
 * The route that carries the users' traffic: `${release}-route` in components/k8s/release.ts; the preview
 * routes carry none and move in the full `up` that follows. On the real engine (v3.274.1) this targeted
 * `up` failed in 4 of 5 rollbacks of the traffic suite (e2e/traffic.e2e.ts) with "Duplicate resource URN"
 * for an untargeted resource (the Gateway, or the preview-token route when it was targeted too): the
 * engine's open bug pulumi/pulumi#24303. The CLI then runs the full `up`, so a rollback still completes.
 */
const TRAFFIC_ROUTES = ["route"];

interface StateResource {
    urn: string;
    type: string;
    parent?: string;
}

/**
 * The URN of the live traffic route among a stack's exported resources, as the state spells them (no
 * URN is built by hand: a changed project, stack or parent would make a guess target nothing).
 */
export function trafficRouteUrns(resources: StateResource[]): string[] {
    const releases = new Map(resources.filter((r) => r.type === RELEASE).map((r) => [r.urn, urnName(r.urn)]));
    return resources
        .filter((r) => r.type === HTTP_ROUTE && r.parent !== undefined && releases.has(r.parent))
        .filter((r) => TRAFFIC_ROUTES.some((suffix) => urnName(r.urn) === `${releases.get(r.parent!)}-${suffix}`))
        .map((r) => r.urn);
}

/** Keys in calls of their own: the plain ones, then the paths (another app's keys). */
function byPath(keys: string[]): string[][] {
    return [keys.filter((k) => !k.includes(".")), keys.filter((k) => k.includes("."))].filter((g) => g.length > 0);
}

/** Policy packs every `up` runs (`--policy-pack`, `--policy-pack-config`), as deploy.yml's `pulumi up` did. */
export interface Policy {
    packs: string[];
    configs: string[];
}

/**
 * A Workspace over one Automation API stack: project keys get the `<project>:` prefix, never secret.
 * `readProjectFile` reads a file of the project directory (Pulumi.yaml, Pulumi.<stack>.yaml).
 */
export function workspaceFromStack(
    stackName: string,
    stack: StackApi,
    readProjectFile: (file: string) => string,
    policy: Policy = { packs: [], configs: [] },
): Workspace {
    const project = projectName(readProjectFile("Pulumi.yaml"));
    const prefix = `${project}:`;
    return {
        stackName,
        project,
        programConfig: async () => mergedConfig(readProjectFile("Pulumi.yaml"), readProjectFile(`Pulumi.${stackName}.yaml`)),
        async stackConfig() {
            const all = await stack.getAllConfig();
            const own: Record<string, string> = {};
            for (const [k, v] of Object.entries(all)) if (k.startsWith(prefix) && !v.secret) own[k.slice(prefix.length)] = v.value;
            return { ...own, ...flatApps(own[APPS_KEY]) };
        },
        async setConfig(values) {
            // Plain keys and paths in separate calls: with --path a key is read as a path (Automation API setAllConfig's `path`).
            for (const keys of byPath(Object.keys(values)))
                await stack.setAllConfig(Object.fromEntries(keys.map((k) => [prefix + k, { value: values[k], secret: false }])), keys[0].includes("."));
        },
        async removeConfig(keys) {
            for (const group of byPath(keys))
                await stack.removeAllConfig(
                    group.map((k) => prefix + k),
                    group[0].includes("."),
                );
        },
        async up(onOutput, opts) {
            // Exact URNs: `--target` also takes globs, which this never needs.
            const policies = policy.packs.length ? { policyPacks: policy.packs, policyPackConfigs: policy.configs } : {};
            const result = await stack.up({ onOutput, color: "never", ...policies, ...(opts?.targets ? { target: opts.targets } : {}) });
            return result.summary.resourceChanges ?? {};
        },
        async routeUrns() {
            const state = await stack.exportStack();
            return trafficRouteUrns((state.deployment as { resources?: StateResource[] } | undefined)?.resources ?? []);
        },
        async preview(onOutput, edit) {
            if (!edit || Object.keys(edit).length === 0) return (await stack.preview({ onOutput, color: "never", diff: true })).changeSummary;
            // `--config-file`: the CLI reads this copy instead of Pulumi.<stack>.yaml (its encryption salt included).
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-dry-run-"));
            const configFile = path.join(dir, `Pulumi.${stackName}.yaml`);
            try {
                fs.writeFileSync(configFile, editedStackFile(readProjectFile(`Pulumi.${stackName}.yaml`), project, edit), { mode: 0o600 });
                return (await stack.preview({ onOutput, color: "never", diff: true, configFile })).changeSummary;
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
        async outputs(app) {
            const out = await stack.outputs();
            const values = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
            if (app === undefined || app === DEFAULT_APP) return values;
            // The preview tokens are a secret output of their own: the app's shows masked.
            const own = appOutputs({ [APPS_KEY]: out[APPS_KEY]?.value as unknown }, app);
            const tokens = out[PREVIEW_TOKENS_OUTPUT]?.value as Record<string, unknown> | undefined;
            return tokens?.[app] === undefined ? own : { ...own, previewToken: "[secret]" };
        },
        async previewToken(app) {
            const out = await stack.outputs();
            const v: unknown = appOutputs(Object.fromEntries(Object.entries(out).map(([k, o]) => [k, o.value])), app).previewToken;
            return typeof v === "string" && v !== "" ? v : undefined;
        },
        async alertWebhook() {
            const v = (await stack.getAllConfig())[`${prefix}alertWebhook`]?.value;
            return v ? v : undefined;
        },
        async lease(namespace) {
            return kubectlLeaseApi(namespace, kubeconfigFile((await stack.outputs()).kubeconfig?.value));
        },
    };
}

/**
 * Cloud stacks export their cluster's kubeconfig (a secret): written to a file only this user can read,
 * removed when the process exits. Undefined for a stack without one (`dev`: the current kubeconfig).
 */
export function kubeconfigFile(kubeconfig: unknown): string | undefined {
    if (typeof kubeconfig !== "string") return undefined;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-release-"));
    const file = path.join(dir, "kubeconfig");
    fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    return file;
}

/** The kubeconfig file of a deployed stack (its `kubeconfig` output through the Automation API), or undefined when it exports none. */
export async function stackKubeconfig(stackName: string, workDir: string): Promise<string | undefined> {
    const stack = await LocalWorkspace.selectStack({ stackName, workDir });
    return kubeconfigFile((await stack.outputs()).kubeconfig?.value);
}

/** The stack through the Automation API; `pulumiCommand`: the CLI to run (pulumiCommand.ts runs it in a process group of its own). */
export async function openPulumiWorkspace(
    stackName: string,
    workDir: string,
    pulumiCommand: PulumiCommand,
    policy?: Policy,
    qualifiedName = stackName,
): Promise<Workspace> {
    // Pulumi names a stack's config file after the last part of a qualified name (ORG/PROJECT/STACK).
    const stack = await LocalWorkspace.selectStack({ stackName: qualifiedName, workDir }, { pulumiCommand });
    return workspaceFromStack(stackName, stack, (file) => fs.readFileSync(path.join(workDir, file), "utf8"), policy);
}
