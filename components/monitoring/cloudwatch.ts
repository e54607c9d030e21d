// CloudWatch dashboard body and alarm specs for the aws stack. Pure (no Pulumi): the component in
// components/aws/monitoring.ts declares them. Metric names, namespaces and dimensions:
//   ALB   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
//         (RequestCount, HTTPCode_Target_5XX_Count, TargetResponseTime, HealthyHostCount by LoadBalancer+TargetGroup)
//   RDS   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html (CPUUtilization,
//         DatabaseConnections, FreeStorageSpace by DBInstanceIdentifier)
//   Valkey https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html
//         (DatabaseMemoryUsagePercentage, Evictions, CurrConnections per node, CacheClusterId)
// Dashboard body structure: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
import { DEFAULT_APP } from "../../model/appSpec";
import type { Thresholds } from "../../model/monitoring/thresholds";

export const ALB_NS = "AWS/ApplicationELB";
export const RDS_NS = "AWS/RDS";
export const CACHE_NS = "AWS/ElastiCache";

export interface AwsMonitoringInput {
    region: string;
    /** The stack's resource-name prefix: target group names start with it. */
    stackName: string;
    /** The app whose colours the dashboard shows (target group names carry an extra app's name). */
    app?: string;
    /** Services behind the route, one per colour (app-blue, app-green) or `app` for rolling. */
    serviceNames: string[];
    dbInstanceIdentifier: string;
    /** Each colour's pod floor (the release's minReplicas per track): the ready-pod alarm uses the lowest. */
    colourFloors: number[];
    /** ElastiCache member clusters: the replication group's id with -001, -002, … */
    cacheClusterIds: string[];
    thresholds: Thresholds;
}

type Widget = { type: "metric" | "text"; x: number; y: number; width: number; height: number; properties: Record<string, unknown> };

/** Characters of the stack's name every target group name keeps (stacks of one account stay apart). */
const MIN_STACK_CHARS = 8;

/**
 * The target group the controller creates for a colour's Service, named by its TargetGroupConfiguration:
 * unnamed, the Gateway controller names it after the *route* (k8s-<ns>-<route>-<hash>, the same for
 * both colours; aws-load-balancer-controller pkg/gateway/model/model_build_target_group.go
 * buildTargetGroupName). One alphanumeric token (ALB names: at most 32 alphanumerics or hyphens,
 * unique per account and region: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html),
 * so a SEARCH term matches exactly one colour's target group.
 */
export function targetGroupName(stackName: string, service: string, app: string = DEFAULT_APP): string {
    const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, "");
    // Every app's Services are named alike (app-blue in its own namespace), and target group names are
    // unique per account and region (CreateTargetGroup): an extra app's names carry the app's name.
    const own = (app === DEFAULT_APP ? "" : alnum(app)) + alnum(service);
    if (own.length > 32 - MIN_STACK_CHARS)
        throw new Error(
            `App ${app}: target group name part "${own}" is ${own.length} characters; at most ${32 - MIN_STACK_CHARS} leave ${MIN_STACK_CHARS} of the 32 for the stack's name (use a shorter app name).`,
        );
    return alnum(stackName).slice(0, 32 - own.length) + own;
}

const search = (term: string, metric: string, stat: string) =>
    `SEARCH('{${ALB_NS},LoadBalancer,TargetGroup} MetricName="${metric}" TargetGroup=${term}', '${stat}', 60)`;

/** The dashboard: golden signals per colour from the ALB, then pods (healthy targets), database and Valkey. */
export function cloudwatchDashboard(input: AwsMonitoringInput): { widgets: Widget[] } {
    const { region } = input;
    const widgets: Widget[] = [];
    const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => {
        const i = widgets.length;
        widgets.push({
            type: "metric",
            x: (i % 2) * 12,
            y: Math.floor(i / 2) * 6,
            width: 12,
            height: 6,
            properties: { title, region, view: "timeSeries", period: 60, metrics, ...extra },
        });
    };
    const perColour = (metric: string, stat: string, idPrefix: string) =>
        input.serviceNames.map((svc, i) => [
            { expression: search(targetGroupName(input.stackName, svc, input.app), metric, stat), id: `${idPrefix}${i}`, label: svc },
        ]);

    graph("Requests per minute by colour", perColour("RequestCount", "Sum", "req"));
    graph("5xx (target) per minute by colour", perColour("HTTPCode_Target_5XX_Count", "Sum", "err"));
    graph("p50 latency by colour (s)", perColour("TargetResponseTime", "p50", "pf"));
    graph("p99 latency by colour (s)", perColour("TargetResponseTime", "p99", "pn"), {
        annotations: { horizontal: [{ label: "alert", value: input.thresholds.p99LatencyMs / 1000 }] },
    });
    graph("Ready pods (healthy targets) by colour", perColour("HealthyHostCount", "Minimum", "up"), {
        annotations: { horizontal: [{ label: "floor", value: input.thresholds.readyPodFloor }] },
    });
    const db = (metric: string) => [RDS_NS, metric, "DBInstanceIdentifier", input.dbInstanceIdentifier];
    graph("Database CPU (%)", [db("CPUUtilization")]);
    graph("Database connections", [db("DatabaseConnections")], {
        annotations: { horizontal: [{ label: "alert", value: input.thresholds.databaseConnections }] },
    });
    graph("Database free storage (bytes)", [db("FreeStorageSpace")]);
    const cache = (metric: string, stat: string) => input.cacheClusterIds.map((id) => [CACHE_NS, metric, "CacheClusterId", id, { stat }]);
    graph("Valkey memory used (%)", cache("DatabaseMemoryUsagePercentage", "Maximum"));
    graph("Valkey evictions", cache("Evictions", "Sum"));
    graph("Valkey connections", cache("CurrConnections", "Maximum"));
    return { widgets };
}

export interface AlarmSpec {
    /** Short name, unique per stack. */
    name: string;
    description: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: "Sum" | "Average" | "Maximum" | "Minimum";
    threshold: number;
    comparison: "GreaterThanThreshold" | "LessThanThreshold";
    periodSeconds: number;
    evaluationPeriods: number;
}

/**
 * Alarms on resources whose CloudWatch dimensions the program knows (the database and each Valkey node).
 * The ALB's and target groups' dimensions are generated by the controller after `pulumi up`, and
 * alarms cannot use SEARCH: the ready-pod and edge-error alarms are Metrics Insights queries
 * (cloudwatchInsightsAlarms); 5xx-rate and p99 alarms are not declared (see docs/observability.md).
 */
export function cloudwatchAlarms(input: AwsMonitoringInput): AlarmSpec[] {
    const t = input.thresholds;
    const db = { DBInstanceIdentifier: input.dbInstanceIdentifier };
    const fiveMin = { periodSeconds: 300, evaluationPeriods: 1 };
    const alarms: AlarmSpec[] = [
        {
            name: "db-cpu",
            description: `Database CPU above ${t.databaseCpuPercent}% for 15 minutes`,
            namespace: RDS_NS,
            metricName: "CPUUtilization",
            dimensions: db,
            statistic: "Average",
            threshold: t.databaseCpuPercent,
            comparison: "GreaterThanThreshold",
            periodSeconds: 300,
            evaluationPeriods: 3,
        },
        {
            name: "db-connections",
            description: `Database connections above ${t.databaseConnections} (80% of the class's default max_connections)`,
            namespace: RDS_NS,
            metricName: "DatabaseConnections",
            dimensions: db,
            statistic: "Maximum",
            threshold: t.databaseConnections,
            comparison: "GreaterThanThreshold",
            ...fiveMin,
        },
        {
            name: "db-storage",
            description: `Database free storage below ${t.databaseFreeStorageGiB} GiB (half of what storage autoscaling keeps free): autoscaling is at its ceiling, cooling down or outrun`,
            namespace: RDS_NS,
            metricName: "FreeStorageSpace",
            dimensions: db,
            statistic: "Minimum",
            threshold: t.databaseFreeStorageGiB * 2 ** 30,
            comparison: "LessThanThreshold",
            ...fiveMin,
        },
    ];
    for (const id of input.cacheClusterIds) {
        const node = { CacheClusterId: id };
        const n = `valkey-${id.slice(id.lastIndexOf("-") + 1)}`;
        alarms.push(
            {
                name: `${n}-memory`,
                description: `Valkey node ${id} memory above ${t.redisMemoryPercent}%`,
                namespace: CACHE_NS,
                metricName: "DatabaseMemoryUsagePercentage",
                dimensions: node,
                statistic: "Maximum",
                threshold: t.redisMemoryPercent,
                comparison: "GreaterThanThreshold",
                ...fiveMin,
            },
            {
                name: `${n}-evictions`,
                description: `Valkey node ${id} evicting keys`,
                namespace: CACHE_NS,
                metricName: "Evictions",
                dimensions: node,
                statistic: "Sum",
                threshold: 0,
                comparison: "GreaterThanThreshold",
                ...fiveMin,
            },
            {
                name: `${n}-connections`,
                description: `Valkey node ${id} connections above ${t.redisConnections}`,
                namespace: CACHE_NS,
                metricName: "CurrConnections",
                dimensions: node,
                statistic: "Maximum",
                threshold: t.redisConnections,
                comparison: "GreaterThanThreshold",
                ...fiveMin,
            },
        );
    }
    return alarms;
}

export interface InsightsAlarmSpec {
    name: string;
    description: string;
    /** One Metrics Insights query; GROUP BY makes each series its own contributor to the alarm. */
    expression: string;
    threshold: number;
    comparison: "LessThanThreshold" | "GreaterThanThreshold";
    periodSeconds: number;
    evaluationPeriods: number;
}

/** Metrics Insights' aggregation functions: there is no percentile, so no p99 alarm can be built this way. */
export const INSIGHTS_FUNCTIONS = ["AVG", "COUNT", "MAX", "MIN", "SUM"] as const;

/**
 * A target group with fewer healthy targets than the lowest colour's pod floor, as a Metrics Insights
 * alarm grouped by target group: alarms on Metrics Insights queries may return many series, each a
 * contributor (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html).
 * The TargetGroup dimension's value is targetgroup/<name>/<id>, and the id exists only once the
 * controller has made the target group; Metrics Insights' WHERE compares whole values (=, !=;
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html),
 * so the query cannot be narrowed to this stack's target groups by name: it covers every ALB target
 * group of the account and region. One threshold for all, hence the lowest floor (the idle colour under
 * inactiveScale minimal must not alarm all the time).
 */
export function cloudwatchInsightsAlarms(input: AwsMonitoringInput): InsightsAlarmSpec[] {
    const floor = Math.min(...input.colourFloors);
    const budget = input.thresholds.edgeErrorsPer5Min;
    // Errors at the edge, per load balancer or target group (the same account-wide reach as above). A rate
    // needs two metrics and a Metrics Insights alarm takes one query, so each is a count against the
    // errorRatePercent share of the traffic the capacity model assumes. ELB 5xx are the ALB's own (no
    // healthy target, a target that reset or timed out); target connection errors are requests the ALB
    // could not even hand to a pod. Dimensions as documented in load-balancer-cloudwatch-metrics.html.
    const edge = (name: string, what: string, metric: string, schema: string, group: string): InsightsAlarmSpec => ({
        name,
        description: `More than ${budget} ${what} in 5 minutes (alertErrorRatePercent of the assumed traffic)`,
        expression: `SELECT SUM(${metric}) FROM SCHEMA("${ALB_NS}", ${schema}) GROUP BY ${group}`,
        threshold: budget,
        comparison: "GreaterThanThreshold",
        periodSeconds: 300,
        evaluationPeriods: 1,
    });
    return [
        {
            name: "route-ready-pods",
            description: `An ALB target group (a colour) has fewer than ${floor} healthy targets (the lowest colour's pod floor) for 5 minutes`,
            expression: `SELECT MIN(HealthyHostCount) FROM SCHEMA("${ALB_NS}", LoadBalancer, TargetGroup) GROUP BY TargetGroup`,
            threshold: floor,
            comparison: "LessThanThreshold",
            periodSeconds: 60,
            evaluationPeriods: 5,
        },
        edge("edge-elb-5xx", "5xx generated by an ALB itself", "HTTPCode_ELB_5XX_Count", "LoadBalancer", "LoadBalancer"),
        edge("edge-target-5xx", "5xx returned by an ALB's targets", "HTTPCode_Target_5XX_Count", "LoadBalancer", "LoadBalancer"),
        edge(
            "edge-target-connection-errors",
            "failed connections from an ALB to a target group's pods",
            "TargetConnectionErrorCount",
            "LoadBalancer, TargetGroup",
            "TargetGroup",
        ),
    ];
}
