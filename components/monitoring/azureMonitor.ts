// Azure Monitor workbook content and metric alert specs for the azure stack. Pure (no Pulumi): the
// component in components/azure/monitoring.ts declares them. Metric names (REST API names), their
// dimensions and time grains, from Microsoft's supported-metrics tables
// (https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/<namespace>-metrics):
//   AGC    microsoft-servicenetworking-trafficcontrollers: BackendHTTPResponseStatus (Total; BackendService,
//          HttpResponseCode), BackendHealthyTargets (Average; BackendService), BackendConnectionTimeouts
//          (Total; BackendService), HTTPResponseStatus (Total; Frontend, HttpResponseCode); all PT1M. No
//          latency metric is published. A Frontend value is `<frontend name>:<port>` (the filter example
//          "frontend-primary:80" in https://learn.microsoft.com/azure/application-gateway/for-containers/application-gateway-for-containers-metrics).
//   PG     microsoft-dbforpostgresql-flexibleservers: cpu_percent, active_connections, storage_percent (PT1M).
//   Redis  microsoft-cache-redisenterprise (Azure Managed Redis): usedmemorypercentage (Maximum),
//          evictedkeys (Total), connectedclients (Maximum); PT5M and PT1H only.
// Metric alerts take a dimension filter (Include values), documented with the alert rule API:
// https://learn.microsoft.com/azure/templates/microsoft.insights/metricalerts (MetricDimension).
// Each colour's Service is its own AGC backend service, so splitting by BackendService shows one
// series per colour; the dimension's values are the controller's names for the Services.
import type { Thresholds } from "../../model/monitoring/thresholds";

export const AGC_NS = "Microsoft.ServiceNetworking/trafficControllers";
export const PG_NS = "Microsoft.DBforPostgreSQL/flexibleServers";
export const AMR_NS = "Microsoft.Cache/redisEnterprise";

export type AzureScope = "trafficController" | "database" | "redis";

export interface AzureMonitoringIds {
    trafficControllerId: string;
    databaseServerId: string;
    redisClusterId: string;
}

/**
 * Workbook metric aggregations, as numbers. Microsoft's own templates pair 1 with "(Sum)"/"Total",
 * 3 with "(Max)" and 4 with "(Avg)" column names (microsoft/Application-Insights-Workbooks, Workbooks/).
 */
export const AGGREGATION = { sum: 1, max: 3, avg: 4 } as const;

interface Chart {
    title: string;
    scope: AzureScope;
    metric: string;
    aggregation: keyof typeof AGGREGATION;
    splitBy?: string;
}

export const AZURE_NAMESPACES: Record<AzureScope, string> = { trafficController: AGC_NS, database: PG_NS, redis: AMR_NS };

const CHARTS: Chart[] = [
    {
        title: "Requests by colour (backend service)",
        scope: "trafficController",
        metric: "BackendHTTPResponseStatus",
        aggregation: "sum",
        splitBy: "BackendService",
    },
    {
        title: "Backend responses by status code",
        scope: "trafficController",
        metric: "BackendHTTPResponseStatus",
        aggregation: "sum",
        splitBy: "HttpResponseCode",
    },
    {
        title: "Ready pods (healthy targets) by colour",
        scope: "trafficController",
        metric: "BackendHealthyTargets",
        aggregation: "avg",
        splitBy: "BackendService",
    },
    { title: "Backend timeouts by colour", scope: "trafficController", metric: "BackendConnectionTimeouts", aggregation: "sum", splitBy: "BackendService" },
    { title: "Database CPU (%)", scope: "database", metric: "cpu_percent", aggregation: "avg" },
    { title: "Database connections", scope: "database", metric: "active_connections", aggregation: "max" },
    { title: "Database storage used (%)", scope: "database", metric: "storage_percent", aggregation: "max" },
    { title: "Redis memory used (%)", scope: "redis", metric: "usedmemorypercentage", aggregation: "max" },
    { title: "Redis evicted keys", scope: "redis", metric: "evictedkeys", aggregation: "sum" },
    { title: "Redis connected clients", scope: "redis", metric: "connectedclients", aggregation: "max" },
];

/** A metric's id in a workbook: `<namespace>-<category>-<name>`, lower-case namespace; no category here. */
export const workbookMetricId = (namespace: string, metric: string) => `${namespace.toLowerCase()}--${metric}`;

/** The workbook (serializedData): a heading, then one metrics chart per signal over the last hour. */
export function azureWorkbook(stackName: string, ids: AzureMonitoringIds) {
    const resourceId: Record<AzureScope, string> = { trafficController: ids.trafficControllerId, database: ids.databaseServerId, redis: ids.redisClusterId };
    return {
        version: "Notebook/1.0",
        items: [
            {
                type: 1,
                content: {
                    json: `## ${stackName}: golden signals\nPer colour from Application Gateway for Containers (which publishes no latency metric), then PostgreSQL and Redis.`,
                },
                name: "heading",
            },
            ...CHARTS.map((c, i) => {
                const namespace = AZURE_NAMESPACES[c.scope].toLowerCase();
                return {
                    type: 10,
                    content: {
                        chartId: `chart-${i}`,
                        version: "MetricsItem/2.0",
                        size: 0,
                        chartType: 2,
                        resourceType: namespace,
                        metricScope: 0,
                        resourceIds: [resourceId[c.scope]],
                        timeContext: { durationMs: 3_600_000 },
                        metrics: [
                            {
                                namespace,
                                metric: workbookMetricId(AZURE_NAMESPACES[c.scope], c.metric),
                                aggregation: AGGREGATION[c.aggregation],
                                ...(c.splitBy ? { splitBy: c.splitBy } : {}),
                            },
                        ],
                        title: c.title,
                    },
                    customWidth: "50",
                    name: `chart-${i}`,
                };
            }),
        ],
        fallbackResourceIds: ["Azure Monitor"],
    };
}

export interface AzureAlertSpec {
    name: string;
    description: string;
    scope: AzureScope;
    metric: string;
    /** Split per value of this dimension ("*": every value evaluated on its own). */
    splitBy?: string;
    /** Count only these values of a dimension. */
    only?: { dimension: string; values: string[] };
    /** Count only the requests on these AGC frontends (Frontend dimension values). */
    frontends?: string[];
    operator: "GreaterThan" | "LessThan";
    threshold: number;
    timeAggregation: "Average" | "Maximum" | "Total";
    /** ISO 8601; at least the metric's time grain (Redis publishes PT5M at the finest). */
    windowSize: string;
    evaluationFrequency: string;
}

/**
 * Azure PostgreSQL Flexible Server's default max_connections: memory (MiB) × 0.1049164697034809,
 * at most 5000; 25 per GiB up to 2 GiB (2 GiB → 50, 8 GiB → 859, 32 GiB → 3437). From
 * https://learn.microsoft.com/azure/postgresql/flexible-server/param-connections-authentication-connection-settings
 * and the table in .../concepts-limits.
 */
export function azurePgDefaultMaxConnections(memoryGiB: number): number {
    return memoryGiB <= 2 ? memoryGiB * 25 : Math.min(Math.floor(memoryGiB * 1024 * 0.1049164697034809), 5000);
}

/**
 * The 5xx status codes (RFC 9110 §15.6, RFC 2774 510, RFC 6585 511, RFC 4918 507/508, RFC 2295 506), as
 * the HttpResponseCode dimension carries them: the numeric code, the same reading the release CLI's
 * analysis makes of it (scripts/release/metrics/azureMonitor.ts counts codes starting with 5 as errors).
 */
export const SERVER_ERROR_CODES = ["500", "501", "502", "503", "504", "505", "506", "507", "508", "510", "511"];

const oneMinute = { windowSize: "PT5M", evaluationFrequency: "PT1M" };
/** 5xx in 5 minutes that make `errorRatePercent` of the requests expected at the target load. */
const edgeErrors = (t: Thresholds, requestsPerFiveMinutes: number) => Math.max(1, Math.floor((t.errorRatePercent / 100) * requestsPerFiveMinutes));

/**
 * The edge's error rate: Azure metric alerts compare one metric with a fixed threshold and compute no
 * ratio, so the 5xx responses BackendHTTPResponseStatus counts (split by HttpResponseCode) are held
 * against `errorRatePercent` of the requests expected at the target load in the window: at that load it
 * is the error rate; with less traffic it takes a larger share to fire. The release CLI's canary
 * analysis computes the true per-colour ratio.
 *
 * A colour below its pod floor, and the database's and Redis's capacity. `readyFloor` is the lowest
 * floor of every colour behind the AGC, of every app: one criterion split by BackendService ("*") holds one
 * threshold for every colour, and the idle colour's floor (one pod per zone under inactiveScale
 * minimal) must not alert all the time. Naming each colour's BackendService value would allow a
 * threshold per colour, but that value's format is not documented.
 */
export function azureAlerts(t: Thresholds, databaseMemoryGiB: number, readyFloor: number, requestsPerFiveMinutes: number): AzureAlertSpec[] {
    const fiveMinutes = { windowSize: "PT15M", evaluationFrequency: "PT5M" };
    const connections = Math.floor(azurePgDefaultMaxConnections(databaseMemoryGiB) * 0.8);
    const errors = edgeErrors(t, requestsPerFiveMinutes);
    return [
        {
            name: "edge-5xx",
            description: `Backends answered more than ${errors} 5xx in 5 minutes: ${t.errorRatePercent}% of the requests the stack is sized for`,
            scope: "trafficController",
            metric: "BackendHTTPResponseStatus",
            only: { dimension: "HttpResponseCode", values: SERVER_ERROR_CODES },
            operator: "GreaterThan",
            threshold: errors,
            timeAggregation: "Total",
            ...oneMinute,
        },
        {
            name: "ready-pods",
            description: `A colour has fewer than ${readyFloor} healthy targets (the lowest colour's pod floor)`,
            scope: "trafficController",
            metric: "BackendHealthyTargets",
            splitBy: "BackendService",
            operator: "LessThan",
            threshold: readyFloor,
            timeAggregation: "Average",
            ...oneMinute,
        },
        {
            name: "db-cpu",
            description: `Database CPU above ${t.databaseCpuPercent}%`,
            scope: "database",
            metric: "cpu_percent",
            operator: "GreaterThan",
            threshold: t.databaseCpuPercent,
            timeAggregation: "Average",
            ...oneMinute,
        },
        {
            name: "db-connections",
            description: `Database connections above ${connections} (80% of the default max_connections for ${databaseMemoryGiB} GiB)`,
            scope: "database",
            metric: "active_connections",
            operator: "GreaterThan",
            threshold: connections,
            timeAggregation: "Maximum",
            ...oneMinute,
        },
        {
            name: "db-storage",
            description: "Database storage above 90% used (auto-grow has not kept up)",
            scope: "database",
            metric: "storage_percent",
            operator: "GreaterThan",
            threshold: 90,
            timeAggregation: "Maximum",
            ...oneMinute,
        },
        {
            name: "redis-memory",
            description: `Redis memory above ${t.redisMemoryPercent}%`,
            scope: "redis",
            metric: "usedmemorypercentage",
            operator: "GreaterThan",
            threshold: t.redisMemoryPercent,
            timeAggregation: "Maximum",
            ...fiveMinutes,
        },
        {
            name: "redis-evictions",
            description: "Redis evicting keys",
            scope: "redis",
            metric: "evictedkeys",
            operator: "GreaterThan",
            threshold: 0,
            timeAggregation: "Total",
            ...fiveMinutes,
        },
    ];
}

/**
 * A further app's edge error rate on a shared AGC: the 5xx the AGC answered on the app's own frontend
 * (HTTPResponseStatus by Frontend, both listeners), held against `errorRatePercent` of the requests the
 * app is sized for, as azureAlerts' edge-5xx does for the stack's first app. The backend metrics carry no
 * frontend, and their BackendService values are undocumented, so they cannot be narrowed to one app.
 */
export function azureFrontendAlerts(t: Thresholds, frontend: string, requestsPerFiveMinutes: number): AzureAlertSpec[] {
    const errors = edgeErrors(t, requestsPerFiveMinutes);
    return [
        {
            name: "edge-5xx",
            description: `Frontend ${frontend} answered more than ${errors} 5xx in 5 minutes: ${t.errorRatePercent}% of the requests the app is sized for`,
            scope: "trafficController",
            metric: "HTTPResponseStatus",
            only: { dimension: "HttpResponseCode", values: SERVER_ERROR_CODES },
            frontends: [`${frontend}:80`, `${frontend}:443`],
            operator: "GreaterThan",
            threshold: errors,
            timeAggregation: "Total",
            ...oneMinute,
        },
    ];
}
