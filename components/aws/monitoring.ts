// The aws stack's CloudWatch dashboard and alarms (bodies built in components/monitoring/cloudwatch.ts),
// delivered through one SNS topic to the emails and webhook in config.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudwatchAlarms, cloudwatchDashboard, cloudwatchInsightsAlarms, type AwsMonitoringInput } from "../monitoring/cloudwatch";
import { DEFAULT_APP, type AppSpec } from "../../model/appSpec";
import type { MonitoringConfig } from "../../model/monitoring/config";
import type { Thresholds } from "../../model/monitoring/thresholds";
import { serviceNamesFor } from "../k8s/release";
import type { Database } from "./database";
import type { Redis } from "./redis";

/** RDS event categories of a DB instance that page: storage running out, and failures (autoscaling included). */
export const RDS_EVENT_CATEGORIES = ["low storage", "failure"] as const;

export interface MonitoringArgs extends Omit<AwsMonitoringInput, "dbInstanceIdentifier" | "cacheClusterIds"> {
    stackName: string;
    notify: MonitoringConfig;
    /** The database (RDS refuses an event subscription naming an instance that does not exist yet) and the cache. */
    database: Database;
    redis: Redis;
    /** The ACM certificate the stack issues, if any: alarmed before it expires. */
    certificateArn?: pulumi.Input<string>;
    tags: Record<string, string>;
}

type Args = MonitoringArgs & AwsMonitoringInput;
type Actions = { alarmActions: pulumi.Output<string>[]; okActions: pulumi.Output<string>[] };

export class Monitoring extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, monitoringArgs: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Monitoring", name, {}, opts);
        const { database, redis } = monitoringArgs;
        const args: Args = { ...monitoringArgs, dbInstanceIdentifier: database.identifier, cacheClusterIds: redis.memberClusterIds };
        const parent = { parent: this };
        const dashboard = new aws.cloudwatch.Dashboard(
            name,
            { dashboardName: `${args.stackName}-golden-signals`, dashboardBody: JSON.stringify(cloudwatchDashboard(args)) },
            parent,
        );

        // Not KMS-encrypted: CloudWatch can publish to an encrypted topic only through a key policy naming
        // cloudwatch.amazonaws.com, and the alerts carry no data beyond metric names and values.
        const topic = new aws.sns.Topic(`${name}-alerts`, { name: `${args.stackName}-alerts`, tags: args.tags }, parent);
        args.notify.emails.forEach(
            (email, i) => new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, parent),
        );
        if (args.notify.webhook)
            new aws.sns.TopicSubscription(
                `${name}-webhook`,
                { topic: topic.arn, protocol: "https", endpoint: pulumi.secret(args.notify.webhook), endpointAutoConfirms: false },
                parent,
            );

        const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
        this.alarms(name, args, actions);
        this.dbEvents(name, args, topic);
        if (args.certificateArn !== undefined)
            certificateExpiryAlarm(`${name}-certificate-expiry`, `${args.stackName}-certificate-expiry`, args.certificateArn, args, actions, this);
        this.dashboardName = dashboard.dashboardName;
        this.topicArn = topic.arn;
        this.registerOutputs({ dashboardName: this.dashboardName, topicArn: this.topicArn });
    }

    private alarms(name: string, args: Args, actions: Actions): void {
        const parent = { parent: this };
        for (const a of cloudwatchAlarms(args)) {
            new aws.cloudwatch.MetricAlarm(
                `${name}-${a.name}`,
                {
                    name: `${args.stackName}-${a.name}`,
                    alarmDescription: a.description,
                    namespace: a.namespace,
                    metricName: a.metricName,
                    dimensions: a.dimensions,
                    statistic: a.statistic,
                    threshold: a.threshold,
                    comparisonOperator: a.comparison,
                    period: a.periodSeconds,
                    evaluationPeriods: a.evaluationPeriods,
                    treatMissingData: "notBreaching",
                    tags: args.tags,
                    ...actions,
                },
                parent,
            );
        }
        for (const a of cloudwatchInsightsAlarms(args)) {
            new aws.cloudwatch.MetricAlarm(
                `${name}-${a.name}`,
                {
                    name: `${args.stackName}-${a.name}`,
                    alarmDescription: a.description,
                    metricQueries: [{ id: "q1", expression: a.expression, period: a.periodSeconds, returnData: true }],
                    threshold: a.threshold,
                    comparisonOperator: a.comparison,
                    evaluationPeriods: a.evaluationPeriods,
                    // No data is a target group that no longer exists (replaced by the controller), not a missing pod.
                    treatMissingData: "notBreaching",
                    tags: args.tags,
                    ...actions,
                },
                parent,
            );
        }
    }

    private dbEvents(name: string, args: Args, topic: aws.sns.Topic): void {
        // The database's own storage events, which say what the free-storage alarm cannot: "low storage"
        // (RDS-EVENT-0089 over 90 % of the allocation used, RDS-EVENT-0007 storage full) and "failure"
        // (RDS-EVENT-0223 autoscaling cannot scale, RDS-EVENT-0224 a step would reach the ceiling). The
        // topic's default policy lets RDS of the same account publish.
        // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
        new aws.rds.EventSubscription(
            `${name}-db-events`,
            {
                name: `${args.stackName}-db-events`,
                snsTopic: topic.arn,
                sourceType: "db-instance",
                sourceIds: [args.dbInstanceIdentifier],
                eventCategories: [...RDS_EVENT_CATEGORIES],
                tags: args.tags,
            },
            { parent: this, dependsOn: [args.database] },
        );
    }
}

type CertificateAlarmArgs = { thresholds: { certificateDays: number }; tags: Record<string, string> };

/** An issued certificate that ACM has not renewed in time. */
function certificateExpiryAlarm(
    name: string,
    alarmName: string,
    certificateArn: pulumi.Input<string>,
    args: CertificateAlarmArgs,
    actions: Actions,
    parent: pulumi.Resource,
): void {
    // ACM's DaysToExpiry (AWS/CertificateManager, CertificateArn), published daily:
    // https://docs.aws.amazon.com/acm/latest/userguide/cloudwatch-metrics.html
    new aws.cloudwatch.MetricAlarm(
        name,
        {
            name: alarmName,
            alarmDescription: `TLS certificate expires in under ${args.thresholds.certificateDays} days (ACM renewal has not happened)`,
            namespace: "AWS/CertificateManager",
            metricName: "DaysToExpiry",
            dimensions: { CertificateArn: certificateArn },
            statistic: "Minimum",
            threshold: args.thresholds.certificateDays,
            comparisonOperator: "LessThanThreshold",
            period: 86_400,
            evaluationPeriods: 1,
            treatMissingData: "breaching",
            tags: args.tags,
            ...actions,
        },
        { parent },
    );
}

export interface AppMonitoringArgs extends Omit<MonitoringArgs, "notify"> {
    /** The app (not the default one): its dashboard and alarm names carry it. */
    app: string;
    /** The stack's Monitoring: its topic carries the app's alerts. */
    stack: Monitoring;
}

/**
 * Another app's own view: a dashboard of its colours (its target groups, by name) beside the shared data
 * stores, and its certificate's expiry, alerting on the stack's topic. The data-store alarms and the
 * account-wide ALB alarms (Metrics Insights, every target group and ALB of the region) are the stack's
 * Monitoring's, once.
 */
export class AppMonitoring extends pulumi.ComponentResource {
    readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: AppMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:AppMonitoring", name, {}, opts);
        const input = { ...args, dbInstanceIdentifier: args.database.identifier, cacheClusterIds: args.redis.memberClusterIds };
        const dashboard = new aws.cloudwatch.Dashboard(
            name,
            { dashboardName: `${args.stackName}-${args.app}-golden-signals`, dashboardBody: JSON.stringify(cloudwatchDashboard(input)) },
            { parent: this },
        );
        const actions = { alarmActions: [args.stack.topicArn], okActions: [args.stack.topicArn] };
        if (args.certificateArn !== undefined)
            certificateExpiryAlarm(`${name}-certificate-expiry`, `${args.stackName}-${args.app}-certificate-expiry`, args.certificateArn, args, actions, this);
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({ dashboardName: this.dashboardName });
    }
}

export interface AwsMonitorsArgs extends Pick<AwsMonitoringInput, "stackName" | "region"> {
    database: Database;
    redis: Redis;
    notify: MonitoringConfig;
    /** An app's alert thresholds (from its own sizing). */
    thresholds: (spec: AppSpec) => Thresholds;
    /** Every app of the stack: the account-wide ready-pod alarm must hold for the lowest colour floor of all. */
    apps: AppSpec[];
    tags: Record<string, string>;
}

/**
 * What watches each app: the default app's Monitoring is the stack's (its topic, the data-store alarms
 * and the account-wide ALB alarms, named as a one-app stack has always had them); every other app gets
 * an AppMonitoring on that topic.
 */
export function awsMonitors(args: AwsMonitorsArgs): (spec: AppSpec, certificateArn?: pulumi.Input<string>) => { dashboardName: pulumi.Output<string> } {
    const { stackName, region, database, redis, tags } = args;
    let stack: Monitoring | undefined;
    const floorsOf = (spec: AppSpec) => spec.state.tracks.map((t) => t.minReplicas);
    return (spec, certificateArn) => {
        const own = { stackName, region, serviceNames: serviceNamesFor(spec), thresholds: args.thresholds(spec), database, redis, certificateArn, tags };
        if (spec.name === DEFAULT_APP) {
            stack = new Monitoring(`${stackName}-monitoring`, { ...own, colourFloors: args.apps.flatMap(floorsOf), notify: args.notify });
            return stack;
        }
        if (!stack) throw new Error(`App ${spec.name}: the default app (${DEFAULT_APP}) is watched first; its Monitoring holds the stack's alert topic.`);
        return new AppMonitoring(`${stackName}-${spec.name}-monitoring`, { ...own, app: spec.name, colourFloors: floorsOf(spec), stack });
    };
}
