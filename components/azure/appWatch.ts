// What the azure platform watches per app, and what it watches once for the whole stack: every app shares
// the AGC, PostgreSQL and Redis, so their resource logs, the action group, the data-store alerts and the
// AGC-wide alerts are declared once; a further app adds the alerts of its own frontend.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppSpec } from "../../model/appSpec";
import type { StackConfig } from "../../model/config";
import { trafficFor } from "../../model/cost/model";
import { thresholdsFor } from "../../model/monitoring/thresholds";
import type { AppPlacement, AppWatch } from "../platform";
import type { Release } from "../k8s/release";
import { type AzureLoadBalancer, agcAppPolicies } from "./loadBalancer";
import { AzureAppMonitoring, AzureMonitoring, type AzureMonitoringArgs } from "./monitoring";

type Config = Pick<StackConfig, "monitoring" | "usage">;

/** The platform's own spec of `app`: an app it was not built for has no frontend and no open port. */
export function knownApp(apps: AppSpec[], app: AppSpec): AppSpec {
    const known = apps.find((a) => a.name === app.name);
    if (!known || known.port !== app.port)
        throw new Error(
            `azure platform: app ${app.name} (port ${app.port}) is not one it was built for (${apps.map((a) => `${a.name}:${a.port}`).join(", ")}); pass every app to azurePlatform`,
        );
    return known;
}

/** Requests an app is sized for in 5 minutes: the base of its edge error alert. */
const requestsPerFiveMinutes = (app: AppSpec, cfg: Config) => trafficFor(app.sizing.targetUsers, cfg.usage).requestsPerSecond * 300;

type StackMonitoringArgs = Omit<AzureMonitoringArgs, "colourFloors" | "requestsPerFiveMinutes" | "thresholds" | "notify"> & { apps: AppSpec[]; cfg: Config };

/**
 * The stack's monitoring, made on first use. Its edge 5xx alert counts every backend of the AGC against
 * the first app's traffic; its ready-pods alert holds every app's colours to the lowest floor of them
 * all: the backend metrics split only by BackendService, whose values are not documented.
 */
export function azureStackMonitoring({ apps, cfg, ...args }: StackMonitoringArgs): () => AzureMonitoring {
    let made: AzureMonitoring | undefined;
    return () =>
        (made ??= new AzureMonitoring(`${args.stackName}-monitoring`, {
            ...args,
            colourFloors: apps.flatMap((a) => a.state.tracks.map((t) => t.minReplicas)),
            requestsPerFiveMinutes: requestsPerFiveMinutes(apps[0], cfg),
            thresholds: thresholdsFor(apps[0].sizing, cfg.monitoring, cfg.usage),
            notify: cfg.monitoring,
        }));
}

export interface AppWatchContext {
    stackName: string;
    resourceGroupName: pulumi.Input<string>;
    trafficControllerId: pulumi.Input<string>;
    tags: Record<string, string>;
    provider: k8s.Provider;
    /** The first app's name: the stack monitoring's edge alert is its. */
    first: string;
    monitoring: () => AzureMonitoring;
    cfg: Config;
}

/** The app's AGC policies (health probes, WAF), the stack's monitoring, a further app's own alerts, and its endpoint. */
export function azureAppWatch(lb: AzureLoadBalancer, app: AppPlacement & { release: Release }, ctx: AppWatchContext): AppWatch {
    const { spec } = app;
    agcAppPolicies(lb, app, ctx.provider);
    const stack = ctx.monitoring();
    if (spec.name !== ctx.first)
        new AzureAppMonitoring(`${ctx.stackName}-${spec.name}-monitoring`, {
            resourceGroupName: ctx.resourceGroupName,
            trafficControllerId: ctx.trafficControllerId,
            actionGroupId: stack.actionGroupId,
            frontend: spec.name,
            requestsPerFiveMinutes: requestsPerFiveMinutes(spec, ctx.cfg),
            thresholds: thresholdsFor(spec.sizing, ctx.cfg.monitoring, ctx.cfg.usage),
            tags: ctx.tags,
        });
    return { endpoint: lb.frontendOf(spec.name).fqdn };
}
