// Cloud Monitoring dashboard and alert conditions for the gcp stack. Pure (no Pulumi); the component in
// components/gcp/monitoring.ts declares them. Metric types and resource labels:
//   LB     https://cloud.google.com/load-balancing/docs/metrics (https/backend_request_count with
//          response_code_class, https/backend_latencies; resource https_lb_rule, label backend_target_name)
//   SQL    https://cloud.google.com/sql/docs/postgres/admin-api/metrics (database/cpu/utilization,
//          database/postgresql/num_backends, database/disk/utilization; resource cloudsql_database, database_id)
//   Redis  https://cloud.google.com/memorystore/docs/redis/supported-monitoring-metrics (stats/memory/usage_ratio,
//          stats/evicted_keys, clients/connected; resource redis_instance, instance_id)
// Each colour is its own Service, so GKE Gateway gives it its own backend service: grouping the LB's
// metrics by backend_target_name shows one series per colour.
import type { Thresholds } from "../../model/monitoring/thresholds";

export interface GcpMonitoringInput {
    projectId: string;
    region: string;
    /** Cloud SQL instance name and Memorystore instance name. */
    sqlInstance: string;
    redisInstance: string;
    thresholds: Thresholds;
}

const LB = "loadbalancing.googleapis.com/https";
const lb = (metric: string, extra = "") => `metric.type="${LB}/${metric}" resource.type="https_lb_rule"${extra}`;
const FIVE_XX = ' metric.label.response_code_class="500"';

function chart(title: string, filter: string, aligner: string, reducer?: string, groupBy: string[] = []) {
    return {
        title,
        xyChart: {
            dataSets: [
                {
                    plotType: "LINE",
                    timeSeriesQuery: {
                        timeSeriesFilter: {
                            filter,
                            aggregation: {
                                alignmentPeriod: "60s",
                                perSeriesAligner: aligner,
                                ...(reducer ? { crossSeriesReducer: reducer, groupByFields: groupBy } : {}),
                            },
                        },
                    },
                },
            ],
        },
    };
}

/** The load balancer's traffic per backend service (colour); `only` narrows it to some backends. */
function routeCharts(only = "") {
    const byBackend = ["resource.label.backend_target_name"];
    return [
        chart("Requests/s by colour (backend service)", lb("backend_request_count", only), "ALIGN_RATE", "REDUCE_SUM", byBackend),
        chart("5xx/s by colour", lb("backend_request_count", FIVE_XX + only), "ALIGN_RATE", "REDUCE_SUM", byBackend),
        chart("p50 latency by colour (ms)", lb("backend_latencies", only), "ALIGN_DELTA", "REDUCE_PERCENTILE_50", byBackend),
        chart("p99 latency by colour (ms)", lb("backend_latencies", only), "ALIGN_DELTA", "REDUCE_PERCENTILE_99", byBackend),
    ];
}

/** Tiles two to a row. */
const mosaic = (widgets: ReturnType<typeof chart>[]) => ({
    columns: 48,
    tiles: widgets.map((widget, i) => ({ xPos: (i % 2) * 24, yPos: Math.floor(i / 2) * 16, width: 24, height: 16, widget })),
});

export function cloudMonitoringDashboard(input: GcpMonitoringInput, displayName: string) {
    const sql = (metric: string) =>
        `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${input.projectId}:${input.sqlInstance}"`;
    const redis = (metric: string) =>
        `metric.type="redis.googleapis.com/${metric}" resource.type="redis_instance" resource.label.instance_id="projects/${input.projectId}/locations/${input.region}/instances/${input.redisInstance}"`;
    const widgets = [
        ...routeCharts(),
        chart("Database CPU", sql("cpu/utilization"), "ALIGN_MEAN"),
        chart("Database connections", sql("postgresql/num_backends"), "ALIGN_MEAN"),
        chart("Database disk used", sql("disk/utilization"), "ALIGN_MEAN"),
        chart("Redis memory used", redis("stats/memory/usage_ratio"), "ALIGN_MAX"),
        chart("Redis evicted keys", redis("stats/evicted_keys"), "ALIGN_RATE"),
        chart("Redis connections", redis("clients/connected"), "ALIGN_MAX"),
    ];
    return {
        displayName,
        mosaicLayout: mosaic(widgets),
    };
}

export interface GcpAlertSpec {
    name: string;
    description: string;
    filter: string;
    aligner: string;
    threshold: number;
    comparison: "COMPARISON_GT" | "COMPARISON_LT";
    duration: string;
    /** Cross-series reduction, per backend service (colour) for the load balancer's alerts. */
    reducer?: { crossSeriesReducer: string; groupByFields: string[] };
    /** A ratio condition: filter over denominatorFilter, both aligned and reduced alike. */
    denominatorFilter?: string;
}

/** The 5xx share and p99 per backend service (colour); `only` narrows them to some backends. */
function routeAlerts(t: Thresholds, only = ""): GcpAlertSpec[] {
    const perBackend = (crossSeriesReducer: string) => ({ crossSeriesReducer, groupByFields: ["resource.label.backend_target_name"] });
    return [
        {
            name: "route-5xx",
            description: `More than ${t.errorRatePercent}% of a colour's requests answered 5xx for 5 minutes`,
            filter: lb("backend_request_count", FIVE_XX + only),
            denominatorFilter: lb("backend_request_count", only),
            aligner: "ALIGN_RATE",
            reducer: perBackend("REDUCE_SUM"),
            threshold: t.errorRatePercent / 100,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
        {
            name: "route-p99",
            description: `A colour's p99 latency above ${t.p99LatencyMs} ms for 5 minutes`,
            filter: lb("backend_latencies", only),
            aligner: "ALIGN_DELTA",
            reducer: perBackend("REDUCE_PERCENTILE_99"),
            threshold: t.p99LatencyMs,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
    ];
}

/**
 * The live route's 5xx share and p99 per backend service (colour), and capacity alerts on the database
 * and Redis. The load balancer's filters are the dashboard's: every https_lb_rule of the project, so a
 * project shared with other load balancers alerts on theirs too.
 */
export function cloudMonitoringAlerts(input: GcpMonitoringInput): GcpAlertSpec[] {
    const t = input.thresholds;
    const d = cloudMonitoringDashboard(input, "").mosaicLayout.tiles.map((x) => x.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter);
    const find = (metric: string) => d.find((f) => f.includes(metric))!;
    return [
        ...routeAlerts(t),
        {
            name: "db-cpu",
            description: `Database CPU above ${t.databaseCpuPercent}% for 15 minutes`,
            filter: find("cpu/utilization"),
            aligner: "ALIGN_MEAN",
            threshold: t.databaseCpuPercent / 100,
            comparison: "COMPARISON_GT",
            duration: "900s",
        },
        {
            name: "db-disk",
            description: "Database disk above 90% used",
            filter: find("disk/utilization"),
            aligner: "ALIGN_MAX",
            threshold: 0.9,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
        {
            name: "redis-memory",
            description: `Redis memory above ${t.redisMemoryPercent}%`,
            filter: find("usage_ratio"),
            aligner: "ALIGN_MAX",
            threshold: t.redisMemoryPercent / 100,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
        {
            name: "redis-evictions",
            description: "Redis evicting keys",
            filter: find("evicted_keys"),
            aligner: "ALIGN_RATE",
            threshold: 0,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
    ];
}

/**
 * A filter clause selecting the backend services GKE's Gateway controller makes for one app's Services.
 * It names each `gkegw1-<4 chars>-<namespace>-<service>-<port>-<12 chars>` (seen on running clusters,
 * e.g. gkegw1-qm6k-secure-app-secure-demo-8080-wqi4f7l2fh2l; Google documents no scheme) and shortens
 * namespace and Service only past 63 characters: a namespace of up to 22 characters stays whole with
 * any Service here (app-green) and port. https://cloud.google.com/monitoring/api/v3/filters#regex-match
 */
export function appBackendsFilter(namespace: string, services: string[], port: number): string {
    for (const name of [namespace, ...services])
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new Error(`appBackendsFilter: "${name}" is not a DNS label (namespace or Service name).`);
    return ` resource.label.backend_target_name=monitoring.regex.full_match("gkegw1-[a-z0-9]+-${namespace}-(${services.join("|")})-${port}-[a-z0-9]+")`;
}

/** One extra app's own dashboard: its load balancer's traffic per colour. */
export function appRouteDashboard(displayName: string, only: string) {
    return { displayName, mosaicLayout: mosaic(routeCharts(only)) };
}

/** One extra app's own alerts: the 5xx share and p99 of its backends, at its own thresholds. */
export const appRouteAlerts = (thresholds: Thresholds, only: string): GcpAlertSpec[] => routeAlerts(thresholds, only);
