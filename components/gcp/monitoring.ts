// The gcp stack's Cloud Monitoring dashboard and alert policies (bodies in
// components/monitoring/cloudMonitoring.ts), notifying the emails and webhook in config.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { cloudMonitoringAlerts, cloudMonitoringDashboard } from "../monitoring/cloudMonitoring";
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
        specNames.forEach((s, i) => {
            const spec = input.apply((x) => cloudMonitoringAlerts(x)[i]);
            new gcp.monitoring.AlertPolicy(
                `${name}-${s.name}`,
                {
                    displayName: `${args.stackName} ${s.name}`,
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
                parent,
            );
        });
        this.registerOutputs({});
    }
}
