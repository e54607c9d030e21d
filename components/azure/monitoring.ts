// The azure stack's alerts: one action group (emails and webhook from config) and Azure Monitor metric
// alerts on the Application Gateway for Containers and PostgreSQL. Metric names and dimensions:
//   AGC  https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-servicenetworking-trafficcontrollers-metrics
//        (BackendHealthyTargets, Average, by BackendService: each colour's Service is its own backend)
//   PG   https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/microsoft-dbforpostgresql-flexibleservers-metrics (cpu_percent)
import * as monitor from "@pulumi/azure-native/monitor";
import type * as inputs from "@pulumi/azure-native/types/input";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringConfig } from "../monitoring/config";
import type { Thresholds } from "../monitoring/thresholds";

export interface AzureMonitoringArgs {
    stackName: string;
    resourceGroupName: pulumi.Input<string>;
    trafficControllerId: pulumi.Input<string>;
    databaseServerId: pulumi.Input<string>;
    thresholds: Thresholds;
    notify: MonitoringConfig;
    tags: Record<string, string>;
}

export const AZURE_ALERT_METRICS = {
    readyTargets: { namespace: "Microsoft.ServiceNetworking/trafficControllers", metric: "BackendHealthyTargets", dimension: "BackendService" },
    databaseCpu: { namespace: "Microsoft.DBforPostgreSQL/flexibleServers", metric: "cpu_percent" },
} as const;

export class AzureMonitoring extends pulumi.ComponentResource {
    constructor(name: string, args: AzureMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const group = new monitor.ActionGroup(
            `${name}-alerts`,
            {
                resourceGroupName: args.resourceGroupName,
                location: "Global",
                enabled: true,
                groupShortName: args.stackName.replace(/[^A-Za-z0-9]/g, "").slice(0, 12),
                emailReceivers: args.notify.emails.map((emailAddress, i) => ({ name: `email-${i}`, emailAddress, useCommonAlertSchema: true })),
                webhookReceivers: args.notify.webhook ? [{ name: "webhook", serviceUri: args.notify.webhook, useCommonAlertSchema: true }] : [],
                tags: args.tags,
            },
            parent,
        );
        const alert = (key: string, description: string, scope: pulumi.Input<string>, criterion: inputs.monitor.MetricCriteriaArgs) =>
            new monitor.MetricAlert(
                `${name}-${key}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    location: "global",
                    description,
                    enabled: true,
                    severity: 2,
                    scopes: [scope],
                    evaluationFrequency: "PT1M",
                    windowSize: "PT5M",
                    autoMitigate: true,
                    criteria: { odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria", allOf: [criterion] },
                    actions: [{ actionGroupId: group.id }],
                    tags: args.tags,
                },
                parent,
            );
        const t = args.thresholds;
        const m = AZURE_ALERT_METRICS;
        // "*" evaluates every backend service (colour) on its own.
        alert("ready-pods", `A colour has fewer than ${t.readyPodFloor} healthy targets (its pod floor)`, args.trafficControllerId, {
            criterionType: "StaticThresholdCriterion",
            name: "ready",
            metricNamespace: m.readyTargets.namespace,
            metricName: m.readyTargets.metric,
            dimensions: [{ name: m.readyTargets.dimension, operator: "Include", values: ["*"] }],
            operator: "LessThan",
            threshold: t.readyPodFloor,
            timeAggregation: "Average",
        });
        alert("db-cpu", `Database CPU above ${t.databaseCpuPercent}%`, args.databaseServerId, {
            criterionType: "StaticThresholdCriterion",
            name: "cpu",
            metricNamespace: m.databaseCpu.namespace,
            metricName: m.databaseCpu.metric,
            operator: "GreaterThan",
            threshold: t.databaseCpuPercent,
            timeAggregation: "Average",
        });
        this.registerOutputs({});
    }
}
