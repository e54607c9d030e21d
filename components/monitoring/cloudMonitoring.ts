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
import type { Thresholds } from "./thresholds";

export interface GcpMonitoringInput {
    projectId: string;
    region: string;
    /** Cloud SQL instance name and Memorystore instance name. */
    sqlInstance: string;
    redisInstance: string;
    thresholds: Thresholds;
}

const LB = "loadbalancing.googleapis.com/https";

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
                            aggregation: { alignmentPeriod: "60s", perSeriesAligner: aligner, ...(reducer ? { crossSeriesReducer: reducer, groupByFields: groupBy } : {}) },
                        },
                    },
                },
            ],
        },
    };
}

export function cloudMonitoringDashboard(input: GcpMonitoringInput, displayName: string) {
    const lb = (metric: string, extra = "") => `metric.type="${LB}/${metric}" resource.type="https_lb_rule"${extra}`;
    const sql = (metric: string) => `metric.type="cloudsql.googleapis.com/database/${metric}" resource.type="cloudsql_database" resource.label.database_id="${input.projectId}:${input.sqlInstance}"`;
    const redis = (metric: string) =>
        `metric.type="redis.googleapis.com/${metric}" resource.type="redis_instance" resource.label.instance_id="projects/${input.projectId}/locations/${input.region}/instances/${input.redisInstance}"`;
    const byBackend = ["resource.label.backend_target_name"];
    const widgets = [
        chart("Requests/s by colour (backend service)", lb("backend_request_count"), "ALIGN_RATE", "REDUCE_SUM", byBackend),
        chart("5xx/s by colour", lb("backend_request_count", ' metric.label.response_code_class="500"'), "ALIGN_RATE", "REDUCE_SUM", byBackend),
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
}

/** Capacity alerts on the database and Redis (their resource labels are known to the program). */
export function cloudMonitoringAlerts(input: GcpMonitoringInput): GcpAlertSpec[] {
    const t = input.thresholds;
    const d = cloudMonitoringDashboard(input, "").mosaicLayout.tiles.map((x) => x.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter);
    const find = (metric: string) => d.find((f) => f.includes(metric))!;
    return [
        { name: "db-cpu", description: `Database CPU above ${t.databaseCpuPercent}% for 15 minutes`, filter: find("cpu/utilization"), aligner: "ALIGN_MEAN", threshold: t.databaseCpuPercent / 100, comparison: "COMPARISON_GT", duration: "900s" },
        { name: "db-disk", description: "Database disk above 90% used", filter: find("disk/utilization"), aligner: "ALIGN_MAX", threshold: 0.9, comparison: "COMPARISON_GT", duration: "300s" },
        { name: "redis-memory", description: `Redis memory above ${t.redisMemoryPercent}%`, filter: find("usage_ratio"), aligner: "ALIGN_MAX", threshold: t.redisMemoryPercent / 100, comparison: "COMPARISON_GT", duration: "300s" },
        { name: "redis-evictions", description: "Redis evicting keys", filter: find("evicted_keys"), aligner: "ALIGN_RATE", threshold: 0, comparison: "COMPARISON_GT", duration: "300s" },
    ];
}
