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

export function cloudMonitoringDashboard(input: GcpMonitoringInput, displayName: string) {
    const sql = (metric: string) =>
        `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${input.projectId}:${input.sqlInstance}"`;
    const redis = (metric: string) =>
        `metric.type="redis.googleapis.com/${metric}" resource.type="redis_instance" resource.label.instance_id="projects/${input.projectId}/locations/${input.region}/instances/${input.redisInstance}"`;
    const byBackend = ["resource.label.backend_target_name"];
    const widgets = [
        chart("Requests/s by colour (backend service)", lb("backend_request_count"), "ALIGN_RATE", "REDUCE_SUM", byBackend),
        chart("5xx/s by colour", lb("backend_request_count", FIVE_XX), "ALIGN_RATE", "REDUCE_SUM", byBackend),
        chart("p50 latency by colour (ms)", lb("backend_latencies"), "ALIGN_DELTA", "REDUCE_PERCENTILE_50", byBackend),
        chart("p99 latency by colour (ms)", lb("backend_latencies"), "ALIGN_DELTA", "REDUCE_PERCENTILE_99", byBackend),
        chart("Database CPU", sql("cpu/utilization"), "ALIGN_MEAN"),
        chart("Database connections", sql("postgresql/num_backends"), "ALIGN_MEAN"),
        chart("Database disk used", sql("disk/utilization"), "ALIGN_MEAN"),
        chart("Redis memory used", redis("stats/memory/usage_ratio"), "ALIGN_MAX"),
        chart("Redis evicted keys", redis("stats/evicted_keys"), "ALIGN_RATE"),
        chart("Redis connections", redis("clients/connected"), "ALIGN_MAX"),
    ];
    return {
        displayName,
        mosaicLayout: { columns: 48, tiles: widgets.map((widget, i) => ({ xPos: (i % 2) * 24, yPos: Math.floor(i / 2) * 16, width: 24, height: 16, widget })) },
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

/**
 * The live route's 5xx share and p99 per backend service (colour), and capacity alerts on the database
 * and Redis. The load balancer's filters are the dashboard's: every https_lb_rule of the project, so a
 * project shared with other load balancers alerts on theirs too.
 */
export function cloudMonitoringAlerts(input: GcpMonitoringInput): GcpAlertSpec[] {
    const t = input.thresholds;
    const d = cloudMonitoringDashboard(input, "").mosaicLayout.tiles.map((x) => x.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter);
    const find = (metric: string) => d.find((f) => f.includes(metric))!;
    const perBackend = (crossSeriesReducer: string) => ({ crossSeriesReducer, groupByFields: ["resource.label.backend_target_name"] });
    return [
        {
            name: "route-5xx",
            description: `More than ${t.errorRatePercent}% of a colour's requests answered 5xx for 5 minutes`,
            filter: lb("backend_request_count", FIVE_XX),
            denominatorFilter: lb("backend_request_count"),
            aligner: "ALIGN_RATE",
            reducer: perBackend("REDUCE_SUM"),
            threshold: t.errorRatePercent / 100,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
        {
            name: "route-p99",
            description: `A colour's p99 latency above ${t.p99LatencyMs} ms for 5 minutes`,
            filter: lb("backend_latencies"),
            aligner: "ALIGN_DELTA",
            reducer: perBackend("REDUCE_PERCENTILE_99"),
            threshold: t.p99LatencyMs,
            comparison: "COMPARISON_GT",
            duration: "300s",
        },
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
