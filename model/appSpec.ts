// One app as a stack runs it: what its Deployments, probes, routes and release need, and nothing of
// the cloud it runs on. Pure (no Pulumi import). A stack has one today, read from its config.
import type { Sizing } from "./capacity";
import type { ReleaseConfig, StackConfig } from "./stackConfig";
import { releaseState, type ReleaseState } from "./releasePlan";

/** The stack's first app, configured by the top-level keys; `apps.<name>` adds others. */
export const DEFAULT_APP = "app";

export interface AppSpec {
    /** Pulumi name of the app's objects (its Release, Secret, traffic policy, database role). */
    name: string;
    /** The app's own namespace. */
    namespace: string;
    /** The project the app's objects are labelled part of. */
    partOf: string;
    /** Image repository; the release's versions carry the tags. */
    image: string;
    port: number;
    healthPath: string;
    /** Host the app's routes serve; unset, any host. */
    domain?: string;
    /** Pods, their resources, autoscaling and zones (model/capacity.ts). */
    sizing: Sizing;
    release: ReleaseConfig;
    /** Tracks, weights and replica floors the release declares (model/releasePlan.ts). */
    state: ReleaseState;
}

/** The stack's app, from its config. */
export function appSpecFrom(cfg: StackConfig, sizing: Sizing): AppSpec {
    return {
        name: DEFAULT_APP,
        namespace: cfg.app.namespace,
        partOf: cfg.project,
        image: cfg.app.image,
        port: cfg.app.port,
        healthPath: cfg.app.healthPath,
        domain: cfg.domain,
        sizing,
        release: cfg.release,
        state: releaseState(cfg, sizing),
    };
}

/** Every app of the stack, the default app first. */
export function appSpecsFrom(cfg: StackConfig, sizing: Sizing): AppSpec[] {
    return [appSpecFrom(cfg, sizing)];
}
