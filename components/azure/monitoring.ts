// The azure stack's workbook and alerts (bodies in components/monitoring/azureMonitor.ts): one action
// group (emails and webhook from config), Azure Monitor metric alerts on the Application Gateway for
// Containers, PostgreSQL and Azure Managed Redis, and their resource logs into the stack's workspace;
// a further app on the same AGC adds its own edge alerts (AzureAppMonitoring).
import * as crypto from "node:crypto";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import * as pulumi from "@pulumi/pulumi";
import { AZURE_NAMESPACES, azureAlerts, azureFrontendAlerts, azureWorkbook, type AzureAlertSpec, type AzureScope } from "../monitoring/azureMonitor";
import type { MonitoringConfig } from "../../model/monitoring/config";
import type { Thresholds } from "../../model/monitoring/thresholds";

export interface AzureMonitoringArgs {
    stackName: string;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    trafficControllerId: pulumi.Input<string>;
    databaseServerId: pulumi.Input<string>;
    redisClusterId: pulumi.Input<string>;
    /** The database class's memory: the connections alert is 80% of its default max_connections. */
    databaseMemoryGiB: number;
    /** Each colour's pod floor (the release's minReplicas per track), of every app behind the AGC. */
    colourFloors: number[];
    /** Requests the stack is sized for in 5 minutes: the edge 5xx alert's base. */
    requestsPerFiveMinutes: number;
    /** The stack's Log Analytics workspace: the resource logs of AGC (WAF included), PostgreSQL and Redis go there. */
    logWorkspaceId: pulumi.Input<string>;
    /** Azure Managed Redis publishes its logs on the database, not the cluster. */
    redisDatabaseId: pulumi.Input<string>;
    thresholds: Thresholds;
    notify: MonitoringConfig;
    tags: Record<string, string>;
}

/** Workbook resource names must be GUIDs: one derived from the stack name stays the same across runs. */
export function workbookName(stackName: string): string {
    const h = crypto.createHash("sha256").update(`zdp-workbook/${stackName}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export class AzureMonitoring extends pulumi.ComponentResource {
    /** The action group every alert of the stack notifies. */
    readonly actionGroupId: pulumi.Output<string>;

    constructor(name: string, args: AzureMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Monitoring", name, {}, opts);
        const parent = { parent: this };

        new applicationinsights.Workbook(
            `${name}-workbook`,
            {
                resourceName: workbookName(args.stackName),
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                kind: "shared",
                category: "workbook",
                displayName: `${args.stackName} golden signals`,
                version: "Notebook/1.0",
                // "Azure Monitor" lists it in Azure Monitor's workbook gallery rather than under one resource
                // (microsoft/Application-Insights-Workbooks Documentation/Programmatically.md).
                sourceId: "Azure Monitor",
                serializedData: pulumi
                    .all([args.trafficControllerId, args.databaseServerId, args.redisClusterId])
                    .apply(([trafficControllerId, databaseServerId, redisClusterId]) =>
                        JSON.stringify(azureWorkbook(args.stackName, { trafficControllerId, databaseServerId, redisClusterId })),
                    ),
                tags: args.tags,
            },
            parent,
        );

        const group = new monitor.ActionGroup(
            `${name}-alerts`,
            {
                resourceGroupName: args.resourceGroupName,
                location: "Global",
                enabled: true,
                groupShortName: args.stackName.replace(/[^A-Za-z0-9]/g, "").slice(0, 12),
                emailReceivers: args.notify.emails.map((emailAddress, i) => ({ name: `email-${i}`, emailAddress, useCommonAlertSchema: true })),
                // The URL usually carries its token: a secret in state and plan (config.ts SECRET_MONITORING_KEYS).
                webhookReceivers: args.notify.webhook ? [{ name: "webhook", serviceUri: pulumi.secret(args.notify.webhook), useCommonAlertSchema: true }] : [],
                tags: args.tags,
            },
            parent,
        );
        // Every resource log category (categoryGroup allLogs, which also takes categories added later) into
        // the stack's workspace: the AGC access log (AGCAccessLogs) and its WAF logs, PostgreSQL's server
        // logs, Redis's connection events. allLogs on these types: Azure Verified Modules deploy it by default
        // on trafficControllers (avm/res/service-networking/traffic-controller main.bicep) and on
        // redisEnterprise databases (avm/res/cache/redis-enterprise tests/e2e/max); log categories per type:
        // MicrosoftDocs/azure-reference-other azure-monitor-ref/supported-logs/includes/
        // (microsoft-servicenetworking-trafficcontrollers, microsoft-dbforpostgresql-flexibleservers,
        // microsoft-cache-redisenterprise-databases). PostgreSQL writes only to AzureDiagnostics; the
        // others to their own tables ("Dedicated").
        const resourceLogs: [string, pulumi.Input<string>, string | undefined][] = [
            ["agc", args.trafficControllerId, "Dedicated"],
            ["database", args.databaseServerId, undefined],
            ["redis", args.redisDatabaseId, "Dedicated"],
        ];
        for (const [key, resourceUri, destination] of resourceLogs)
            new monitor.DiagnosticSetting(
                `${name}-${key}-logs`,
                {
                    resourceUri,
                    workspaceId: args.logWorkspaceId,
                    ...(destination ? { logAnalyticsDestinationType: destination } : {}),
                    logs: [{ categoryGroup: "allLogs", enabled: true }],
                },
                parent,
            );

        const scopes = { trafficController: args.trafficControllerId, database: args.databaseServerId, redis: args.redisClusterId };
        const alerts = azureAlerts(args.thresholds, args.databaseMemoryGiB, Math.min(...args.colourFloors), args.requestsPerFiveMinutes);
        metricAlerts(name, alerts, { ...args, scopes, actionGroupId: group.id }, this);
        this.actionGroupId = group.id;
        this.registerOutputs({});
    }
}

export interface AzureAppMonitoringArgs {
    resourceGroupName: pulumi.Input<string>;
    trafficControllerId: pulumi.Input<string>;
    /** The stack's action group (AzureMonitoring.actionGroupId). */
    actionGroupId: pulumi.Input<string>;
    /** The app's AGC frontend. */
    frontend: string;
    /** Requests the app is sized for in 5 minutes. */
    requestsPerFiveMinutes: number;
    thresholds: Thresholds;
    tags: Record<string, string>;
}

/** A further app's alerts on the stack's shared AGC: the 5xx answered on its own frontend. */
export class AzureAppMonitoring extends pulumi.ComponentResource {
    constructor(name: string, args: AzureAppMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:AppMonitoring", name, {}, opts);
        const alerts = azureFrontendAlerts(args.thresholds, args.frontend, args.requestsPerFiveMinutes);
        metricAlerts(name, alerts, { ...args, scopes: { trafficController: args.trafficControllerId } }, this);
        this.registerOutputs({});
    }
}

interface AlertTarget {
    resourceGroupName: pulumi.Input<string>;
    scopes: Partial<Record<AzureScope, pulumi.Input<string>>>;
    actionGroupId: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The criterion's dimension filters; none when the alert takes every value together. */
function dimensions(a: AzureAlertSpec) {
    const filters = [
        // "*" evaluates every value (every backend service: every colour) on its own.
        ...(a.splitBy ? [{ name: a.splitBy, operator: "Include", values: ["*"] }] : []),
        ...(a.only ? [{ name: a.only.dimension, operator: "Include", values: a.only.values }] : []),
        ...(a.frontends ? [{ name: "Frontend", operator: "Include", values: a.frontends }] : []),
    ];
    return filters.length ? { dimensions: filters } : {};
}

/** One metric alert per rule of components/monitoring/azureMonitor.ts, each to the action group. */
function metricAlerts(name: string, alerts: AzureAlertSpec[], target: AlertTarget, parent: pulumi.Resource): void {
    for (const a of alerts) {
        const scope = target.scopes[a.scope];
        if (scope === undefined) throw new Error(`${name}: alert ${a.name} watches the ${a.scope}, which this component is not given`);
        new monitor.MetricAlert(
            `${name}-${a.name}`,
            {
                resourceGroupName: target.resourceGroupName,
                location: "global",
                description: a.description,
                enabled: true,
                severity: 2,
                scopes: [scope],
                evaluationFrequency: a.evaluationFrequency,
                windowSize: a.windowSize,
                autoMitigate: true,
                criteria: {
                    odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                    allOf: [
                        {
                            criterionType: "StaticThresholdCriterion",
                            name: a.name,
                            metricNamespace: AZURE_NAMESPACES[a.scope],
                            metricName: a.metric,
                            ...dimensions(a),
                            operator: a.operator,
                            threshold: a.threshold,
                            timeAggregation: a.timeAggregation,
                        },
                    ],
                },
                actions: [{ actionGroupId: target.actionGroupId }],
                tags: target.tags,
            },
            { parent },
        );
    }
}
