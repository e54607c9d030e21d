// The gcp stack's Cloud Monitoring dashboard and alert policies (bodies in
// components/monitoring/cloudMonitoring.ts), notifying the emails and webhook in config.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { appRouteAlerts, appRouteDashboard, cloudMonitoringAlerts, cloudMonitoringDashboard, type GcpAlertSpec } from "../monitoring/cloudMonitoring";
import type { MonitoringConfig } from "../../model/monitoring/config";
import type { Thresholds } from "../../model/monitoring/thresholds";

export interface GcpMonitoringArgs {
    stackName: string;
    projectId: string;
    region: string;
    sqlInstance: pulumi.Input<string>;
    redisInstance: pulumi.Input<string>;
    thresholds: Thresholds;
    notify: MonitoringConfig;
}

export class GcpMonitoring extends pulumi.ComponentResource {
    /** Where the stack's alerts go; an extra app's alerts go there too. */
    public readonly channels: gcp.monitoring.NotificationChannel[];

    constructor(name: string, args: GcpMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Monitoring", name, {}, opts);
        // The component's dependsOn (the project's APIs) is not inherited by children: passed on here.
        const parent = { parent: this, dependsOn: opts?.dependsOn };
        const input = pulumi.all([args.sqlInstance, args.redisInstance]).apply(([sqlInstance, redisInstance]) => ({
            projectId: args.projectId,
            region: args.region,
            sqlInstance,
            redisInstance,
            thresholds: args.thresholds,
        }));
        new gcp.monitoring.Dashboard(
            name,
            { dashboardJson: input.apply((i) => JSON.stringify(cloudMonitoringDashboard(i, `${args.stackName} golden signals`))) },
            parent,
        );

        const channels = [
            ...args.notify.emails.map(
                (email, i) =>
                    new gcp.monitoring.NotificationChannel(
                        `${name}-email-${i}`,
                        { displayName: `${args.stackName} ${email}`, type: "email", labels: { email_address: email } },
                        parent,
                    ),
            ),
            ...(args.notify.webhook
                ? [
                      new gcp.monitoring.NotificationChannel(
                          `${name}-webhook`,
                          { displayName: `${args.stackName} webhook`, type: "webhook_tokenauth", labels: { url: pulumi.secret(args.notify.webhook) } },
                          parent,
                      ),
                  ]
                : []),
        ];
        // Specs need only names known at plan time for their own names; filters wait for the instances.
        const specNames = cloudMonitoringAlerts({ projectId: "", region: "", sqlInstance: "", redisInstance: "", thresholds: args.thresholds });
        specNames.forEach((s, i) =>
            alertPolicy(
                `${name}-${s.name}`,
                args.stackName,
                s,
                input.apply((x) => cloudMonitoringAlerts(x)[i]),
                channels,
                parent,
            ),
        );
        this.channels = channels;
        this.registerOutputs({});
    }
}

/** An alert policy from its spec; `filters` may wait for instance names. */
function alertPolicy(
    name: string,
    stackName: string,
    s: GcpAlertSpec,
    filters: pulumi.Input<Pick<GcpAlertSpec, "filter" | "denominatorFilter">>,
    channels: gcp.monitoring.NotificationChannel[],
    opts: pulumi.CustomResourceOptions,
): gcp.monitoring.AlertPolicy {
    const spec = pulumi.output(filters);
    return new gcp.monitoring.AlertPolicy(
        name,
        {
            displayName: `${stackName} ${s.name}`,
            combiner: "OR",
            documentation: { content: s.description, mimeType: "text/markdown" },
            notificationChannels: channels.map((c) => c.id),
            conditions: [
                {
                    displayName: s.description,
                    conditionThreshold: {
                        filter: spec.filter,
                        comparison: s.comparison,
                        thresholdValue: s.threshold,
                        duration: s.duration,
                        aggregations: [{ alignmentPeriod: "60s", perSeriesAligner: s.aligner, ...s.reducer }],
                        ...(s.denominatorFilter
                            ? {
                                  denominatorFilter: s.denominatorFilter,
                                  denominatorAggregations: [{ alignmentPeriod: "60s", perSeriesAligner: s.aligner, ...s.reducer }],
                              }
                            : {}),
                    },
                },
            ],
        },
        opts,
    );
}

export interface GcpAppMonitoringArgs {
    /** `<project>-<stack> <app>`: the dashboard's and the alerts' display names start with it. */
    displayName: string;
    /** Filter clause selecting the app's backend services (cloudMonitoring.ts appBackendsFilter). */
    backends: string;
    /** The app's own thresholds (from its sizing). */
    thresholds: Thresholds;
    /** The stack's notification channels. */
    channels: gcp.monitoring.NotificationChannel[];
}

/** An extra app's own dashboard and route alerts: its load balancer, its colours, its thresholds. */
export class GcpAppMonitoring extends pulumi.ComponentResource {
    constructor(name: string, args: GcpAppMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:AppMonitoring", name, {}, opts);
        const parent = { parent: this, dependsOn: opts?.dependsOn };
        new gcp.monitoring.Dashboard(name, { dashboardJson: JSON.stringify(appRouteDashboard(`${args.displayName} golden signals`, args.backends)) }, parent);
        for (const s of appRouteAlerts(args.thresholds, args.backends)) alertPolicy(`${name}-${s.name}`, args.displayName, s, s, args.channels, parent);
        this.registerOutputs({});
    }
}
