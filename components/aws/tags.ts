// AWS tags for every taggable resource. Set explicitly on each resource: transforms do not run under
// mocks and tags must be visible to the tests and to cost allocation.
import type { StackConfig } from "../../model/config";

export type Tags = Record<string, string>;

export function awsTags(cfg: Pick<StackConfig, "project" | "stack">, component: string, extra: Tags = {}): Tags {
    return { project: cfg.project, stack: cfg.stack, component, "managed-by": "pulumi", ...extra };
}

/** Cluster name shared by EKS, subnet tags and the controllers: derived, so it is known before the cluster exists. */
export function clusterName(cfg: Pick<StackConfig, "project" | "stack">): string {
    return `${cfg.project}-${cfg.stack}`;
}
