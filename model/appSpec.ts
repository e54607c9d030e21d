// One app as a stack runs it: what its Deployments, probes, routes and release need, and nothing of
// the cloud it runs on. Pure (no Pulumi import). A stack runs its default app and any `apps.<name>`.
import { appSizings, type Sizing } from "./capacity";
import { allApps, type AppConfig, type ReleaseConfig, type StackConfig } from "./stackConfig";
import { releaseState, type ReleaseState } from "./releasePlan";

export { DEFAULT_APP } from "./stackConfig";

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

/** One app of the stack, from its config and its sizing (model/capacity.ts appSizings). */
export function appSpecOf(cfg: Pick<StackConfig, "project">, app: AppConfig, sizing: Sizing): AppSpec {
    return {
        name: app.name,
        namespace: app.app.namespace,
        partOf: cfg.project,
        image: app.app.image,
        port: app.app.port,
        healthPath: app.app.healthPath,
        domain: app.domain,
        sizing,
        release: app.release,
        state: releaseState(app, sizing),
    };
}

/** The stack's default app, from its config. */
export function appSpecFrom(cfg: StackConfig, sizing: Sizing): AppSpec {
    return appSpecOf(cfg, allApps(cfg)[0], sizing);
}

/** Every app of the stack, the default app first, each with its own sizing. */
export function appSpecsFrom(cfg: StackConfig): AppSpec[] {
    const sizings = appSizings(cfg);
    return allApps(cfg).map((app, i) => appSpecOf(cfg, app, sizings[i]));
}
