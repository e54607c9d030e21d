// The dev stack's Prometheus scrape configuration, the PromQL the release CLI and the Grafana dashboard
// share, and that dashboard. Pure (no Pulumi): components/k8s/devMonitoring.ts installs them.
//
// Two jobs, both Kubernetes pod discovery (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config,
// role pod: __meta_kubernetes_pod_label_<name>, __meta_kubernetes_pod_ready, __meta_kubernetes_pod_ip,
// __meta_kubernetes_pod_container_port_name):
//   zdp-app  every app pod's `http` port, path /metrics, labelled with its colour (from the pod's
//            app.kubernetes.io/instance, app-blue -> blue) and whether the pod is Ready. The app's
//            own metrics carry the colour split: Envoy Gateway names one Envoy cluster per route
//            *rule*, so its stats cannot tell blue from green inside the weighted rule (docs/canary-analysis.md).
//            podinfo's metrics (github.com/stefanprodan/podinfo pkg/api/http/metrics.go):
//            http_request_duration_seconds{method,path,status} histogram and http_requests_total{status}.
//   envoy    the Gateway's Envoy proxies (pods labelled gateway.envoyproxy.io/owning-gateway-name/-namespace),
//            admin stats at :19001/stats/prometheus (https://gateway.envoyproxy.io/docs/tasks/observability/proxy-metric/).
import type { PrometheusQueries } from "../../scripts/release/metrics/prometheus";

export const APP_JOB = "zdp-app";
export const ENVOY_JOB = "envoy";
export const ENVOY_METRICS_PORT = 19001;
/** Requests the probes and scrapes make: not traffic, so left out of every signal. */
const NOT_TRAFFIC = 'path!~"healthz|readyz|metrics"';

export interface ScrapeTargets {
    appNamespace: string;
    /** Where the Gateway's Envoy proxies run (Envoy Gateway's namespace); absent when another controller serves the Gateway. */
    envoy?: { namespace: string; gatewayName: string };
}

const label = (name: string) => `__meta_kubernetes_pod_label_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** prometheus.yml as an object (serialise with any YAML or JSON writer: Prometheus reads both). */
export function prometheusConfig(t: ScrapeTargets) {
    const jobs: Record<string, unknown>[] = [
        {
            job_name: APP_JOB,
            metrics_path: "/metrics",
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [t.appNamespace] } }],
            relabel_configs: [
                { source_labels: [label("app.kubernetes.io/name")], regex: "app", action: "keep" },
                { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "http", action: "keep" },
                // app-blue -> blue, app-green -> green; the rolling strategy's single track stays "app".
                { source_labels: [label("app.kubernetes.io/instance")], regex: "app-(.+)", target_label: "color", replacement: "$1" },
                { source_labels: [label("app.kubernetes.io/instance")], regex: "app", target_label: "color", replacement: "app" },
                { source_labels: ["__meta_kubernetes_pod_ready"], target_label: "ready" },
                { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
                { source_labels: [label("app.kubernetes.io/version")], target_label: "version" },
            ],
        },
    ];
    if (t.envoy)
        jobs.push({
            job_name: ENVOY_JOB,
            metrics_path: "/stats/prometheus",
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [t.envoy.namespace] } }],
            relabel_configs: [
                { source_labels: [label("gateway.envoyproxy.io/owning-gateway-name")], regex: t.envoy.gatewayName, action: "keep" },
                { source_labels: [label("gateway.envoyproxy.io/owning-gateway-namespace")], regex: t.appNamespace, action: "keep" },
                // One target per pod whatever ports its containers declare: identical targets are merged.
                { source_labels: ["__meta_kubernetes_pod_ip"], regex: "(.+)", target_label: "__address__", replacement: `$1:${ENVOY_METRICS_PORT}` },
                { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            ],
        });
    return { global: { scrape_interval: "15s", evaluation_interval: "15s" }, scrape_configs: jobs };
}

const app = (color: string, extra = "") => `job="${APP_JOB}",color=${color},${NOT_TRAFFIC}${extra}`;

/**
 * The release CLI's queries for the `prometheus` analysis source on dev ({{color}} and {{window}} are
 * filled in per call, scripts/release/metrics/prometheus.ts): the app's own per-colour metrics.
 */
export const DEV_PROMETHEUS_QUERIES: PrometheusQueries = {
    requests: `sum(increase(http_request_duration_seconds_count{${app('"{{color}}"')}}[{{window}}]))`,
    errors: `sum(increase(http_request_duration_seconds_count{${app('"{{color}}"', ',status=~"5.."')}}[{{window}}]))`,
    p99Ms: `1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${app('"{{color}}"')}}[{{window}}])))`,
};

/** Ready pods per colour: scrape targets whose pod is Ready. */
export const READY_PODS_QUERY = `count by (color) (up{job="${APP_JOB}",ready="true"})`;

const allColours = app('~".+"');
const PANELS: { title: string; unit: string; exprs: { expr: string; legend: string }[] }[] = [
    {
        title: "Requests/s by colour",
        unit: "reqps",
        exprs: [{ expr: `sum by (color) (rate(http_request_duration_seconds_count{${allColours}}[$__rate_interval]))`, legend: "{{color}}" }],
    },
    {
        title: "Error rate (5xx share) by colour",
        unit: "percentunit",
        exprs: [
            {
                expr: `sum by (color) (rate(http_request_duration_seconds_count{${app('~".+"', ',status=~"5.."')}}[$__rate_interval])) / sum by (color) (rate(http_request_duration_seconds_count{${allColours}}[$__rate_interval]))`,
                legend: "{{color}}",
            },
        ],
    },
    {
        title: "Latency by colour",
        unit: "ms",
        exprs: [0.5, 0.99].map((q) => ({
            expr: `1000 * histogram_quantile(${q}, sum by (color, le) (rate(http_request_duration_seconds_bucket{${allColours}}[$__rate_interval])))`,
            legend: `{{color}} p${q * 100}`,
        })),
    },
    { title: "Ready pods by colour", unit: "short", exprs: [{ expr: READY_PODS_QUERY, legend: "{{color}}" }] },
    {
        title: "Envoy: requests/s by route rule",
        unit: "reqps",
        exprs: [
            {
                expr: `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{job="${ENVOY_JOB}"}[$__rate_interval]))`,
                legend: "{{envoy_cluster_name}}",
            },
        ],
    },
    {
        title: "Envoy: 5xx/s by route rule",
        unit: "reqps",
        exprs: [
            {
                expr: `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{job="${ENVOY_JOB}",envoy_response_code_class="5"}[$__rate_interval]))`,
                legend: "{{envoy_cluster_name}}",
            },
        ],
    },
];

export const GRAFANA_DATASOURCE_UID = "zdp-prometheus";

/** The Grafana dashboard (JSON model, https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/). */
export function grafanaDashboard(stackName: string) {
    const datasource = { type: "prometheus", uid: GRAFANA_DATASOURCE_UID };
    return {
        uid: "zdp-golden-signals",
        title: `${stackName} golden signals`,
        tags: ["zdp"],
        timezone: "browser",
        schemaVersion: 39,
        refresh: "10s",
        time: { from: "now-30m", to: "now" },
        panels: PANELS.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            datasource,
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.exprs.map((e, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: e.expr, legendFormat: e.legend })),
        })),
    };
}

/** Grafana provisioning: the Prometheus datasource and a file provider for the dashboard directory. */
export function grafanaProvisioning(prometheusUrl: string, dashboardDir: string) {
    return {
        datasources: {
            apiVersion: 1,
            datasources: [
                { name: "Prometheus", type: "prometheus", uid: GRAFANA_DATASOURCE_UID, access: "proxy", url: prometheusUrl, isDefault: true, editable: false },
            ],
        },
        dashboards: { apiVersion: 1, providers: [{ name: "zdp", type: "file", disableDeletion: true, options: { path: dashboardDir } }] },
    };
}
