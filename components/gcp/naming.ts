// Labels and fixed names for GCP resources. Pure: no Pulumi import.
import { createHash } from "node:crypto";
import { DEFAULT_APP } from "../../model/stackConfig";
import type { StackConfig } from "../../model/config";

export type Labels = Record<string, string>;

// Label keys and values: lower-case letters, digits, '_' and '-', at most 63 characters.
// https://cloud.google.com/resource-manager/docs/labels-overview#requirements
const labelValue = (v: string) =>
    v
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, "-")
        .slice(0, 63);

/** Labels on every labelable resource (transforms do not run under mocks, so each resource sets them). */
export function gcpLabels(cfg: Pick<StackConfig, "project" | "stack">, component: string): Labels {
    return { project: labelValue(cfg.project), stack: labelValue(cfg.stack), component: labelValue(component), "managed-by": "pulumi" };
}

/**
 * A fixed resource name (RFC 1035: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters), unique per stack
 * within the project. Used where Kubernetes objects must name a GCP resource before it exists
 * (the Gateway's NamedAddress and certificate map annotation take plain strings).
 */
export function gcpName(cfg: Pick<StackConfig, "project" | "stack">, suffix: string): string {
    const base = `${cfg.project}-${cfg.stack}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    const name = `${base.slice(0, 62 - suffix.length)}-${suffix}`.replace(/-{2,}/g, "-");
    return /^[a-z]/.test(name) ? name : `z${name.slice(0, 62)}`;
}

/** Longest app name kept whole in an app's resource names: the stack's name keeps the rest of the 63. */
const APP_PART_MAX = 20;

/**
 * `gcpName` of one app's resource: the default app keeps the stack's names (`<project>-<stack>-<suffix>`);
 * another app adds its name (an app name over 20 characters is cut and made unique with a hash of it).
 */
export function gcpAppName(cfg: Pick<StackConfig, "project" | "stack">, app: string, suffix: string): string {
    if (app === DEFAULT_APP) return gcpName(cfg, suffix);
    const part = app.length <= APP_PART_MAX ? app : `${app.slice(0, APP_PART_MAX - 7)}-${createHash("sha256").update(app).digest("hex").slice(0, 6)}`;
    return gcpName(cfg, `${part}-${suffix}`);
}

/** A service account id (6–30 chars, [a-z][-a-z0-9]*[a-z0-9]) unique per stack within the project. */
export function serviceAccountId(stack: string, role: string): string {
    const base = `zdp-${stack}`
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, "-")
        .slice(0, 29 - role.length);
    return `${base}-${role}`.replace(/-{2,}/g, "-");
}
