// The slice of a Pulumi workspace the release CLI needs. The real one (pulumiWorkspace.ts) drives
// the Pulumi Automation API; tests inject a fake that routes real local HTTP servers.
import type { LeaseApi } from "./lock";

export interface ChangeSummary {
    [op: string]: number | undefined;
}

/** The name part of a Pulumi URN (after its last `::`), e.g. `app-route`. */
export const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export interface UpOptions {
    /** Update only these resources (URNs, `pulumi up --target`); the rest of the stack stays as deployed. */
    targets?: string[];
}

export interface Workspace {
    readonly stackName: string;
    /** The project name (Pulumi.yaml `name`): the namespace of its config keys. */
    readonly project: string;
    /**
     * The config the program receives (`<project>:key` and provider keys -> text): Pulumi.yaml's defaults
     * under the stack file, as scripts/pulumiConfig.ts mergedConfig reads them (secrets as `[secret]`).
     */
    programConfig(): Promise<Record<string, string>>;
    /**
     * Project keys set in the stack file (Pulumi.<stack>.yaml), keyed without the project prefix; each
     * field of another app's entry also as its path (`apps.api.activeColor`: appKeys.ts flatApps).
     */
    stackConfig(): Promise<Record<string, string>>;
    /** Sets project keys; a key with a dot (another app's, `apps.api.activeColor`) by path, as `pulumi config set --path`. */
    setConfig(values: Record<string, string>): Promise<void>;
    /** Removes project keys, a dotted one by path. */
    removeConfig(keys: string[]): Promise<void>;
    /** `pulumi up` with the current config; throws when the update fails. */
    up(onOutput: (line: string) => void, opts?: UpOptions): Promise<ChangeSummary>;
    /** URNs of the Release's live and preview HTTPRoutes in the stack's state (empty when it has none). */
    routeUrns(): Promise<string[]>;
    /**
     * `pulumi preview` with the current config, or with `edit` (project keys) applied to a copy of the
     * stack file: the shared file is never written, so a dry run cannot change what a running release deploys.
     */
    preview(onOutput: (line: string) => void, edit?: Record<string, string>): Promise<ChangeSummary>;
    /** Stack outputs (values only); with `app` (not the default app), that app's outputs `apps.<app>` (appKeys.ts appOutputs). */
    outputs(app?: string): Promise<Record<string, unknown>>;
    /** The secret stack output `previewToken` (another app's: `apps.<app>.previewToken`): the preview header's value (the dark canary). */
    previewToken(app?: string): Promise<string | undefined>;
    /** The stack's `alertWebhook`, decrypted (a secret: never print it), or undefined when unset. */
    alertWebhook(): Promise<string | undefined>;
    /** The release lock's Lease in the stack's cluster, in the app namespace. */
    lease(namespace: string): Promise<LeaseApi>;
}
