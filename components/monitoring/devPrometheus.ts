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
import { createHash } from "node:crypto";
import type { PrometheusQueries } from "../../scripts/release/metrics/prometheus";

export const APP_JOB = "zdp-app";
export const ENVOY_JOB = "envoy";
export const ENVOY_METRICS_PORT = 19001;
/** Requests the probes and scrapes make: not traffic, so left out of every signal. */
const NOT_TRAFFIC = 'path!~"healthz|readyz|metrics"';

export interface ScrapeTargets {
    /** The default app's namespace. */
    appNamespace: string;
    /** Where the Gateway's Envoy proxies run (Envoy Gateway's namespace); absent when another controller serves the Gateway. */
    envoy?: { namespace: string; gatewayName: string };
    /** The stack's other apps: each is scraped by jobs of its own (`scrapeJobs`). */
    others?: { name: string; namespace: string }[];
}

/**
 * The scrape jobs of the default app (no name) or of another app. Every app's pods carry the same
 * labels (app.kubernetes.io/name=app) and its Gateway the same name, each in the app's own namespace,
 * so a job per app keeps one app's series apart from another's; the default app keeps the jobs it had.
 */
export function scrapeJobs(other?: string): { app: string; envoy: string } {
    return other === undefined ? { app: APP_JOB, envoy: ENVOY_JOB } : { app: `${APP_JOB}-${other}`, envoy: `${ENVOY_JOB}-${other}` };
}

const label = (name: string) => `__meta_kubernetes_pod_label_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** prometheus.yml as an object (serialise with any YAML or JSON writer: Prometheus reads both). */
export function prometheusConfig(t: ScrapeTargets) {
    const jobs = [
        ...appScrapeConfigs(scrapeJobs(), t.appNamespace, t.envoy),
        ...(t.others ?? []).flatMap(({ name, namespace }) => appScrapeConfigs(scrapeJobs(name), namespace, t.envoy)),
    ];
    return { global: { scrape_interval: "15s", evaluation_interval: "15s" }, scrape_configs: jobs };
}

function appScrapeConfigs(job: { app: string; envoy: string }, appNamespace: string, envoy: ScrapeTargets["envoy"]): Record<string, unknown>[] {
    const jobs: Record<string, unknown>[] = [
        {
            job_name: job.app,
            metrics_path: "/metrics",
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [appNamespace] } }],
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
    if (envoy)
        jobs.push({
            job_name: job.envoy,
            metrics_path: "/stats/prometheus",
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [envoy.namespace] } }],
            relabel_configs: [
                { source_labels: [label("gateway.envoyproxy.io/owning-gateway-name")], regex: envoy.gatewayName, action: "keep" },
                { source_labels: [label("gateway.envoyproxy.io/owning-gateway-namespace")], regex: appNamespace, action: "keep" },
                // One target per pod whatever ports its containers declare: identical targets are merged.
                { source_labels: ["__meta_kubernetes_pod_ip"], regex: "(.+)", target_label: "__address__", replacement: `$1:${ENVOY_METRICS_PORT}` },
                { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            ],
        });
    return jobs;
}

const appSelector = (job: string, color: string, extra = "") => `job="${job}",color=${color},${NOT_TRAFFIC}${extra}`;

/**
 * The release CLI's queries for the `prometheus` analysis source on dev ({{color}} and {{window}} are
 * filled in per call, scripts/release/metrics/prometheus.ts): the app's own per-colour metrics.
 */
export function devPrometheusQueries(other?: string): PrometheusQueries {
    const app = (color: string, extra = "") => appSelector(scrapeJobs(other).app, color, extra);
    return {
        requests: `sum(increase(http_request_duration_seconds_count{${app('"{{color}}"')}}[{{window}}]))`,
        errors: `sum(increase(http_request_duration_seconds_count{${app('"{{color}}"', ',status=~"5.."')}}[{{window}}]))`,
        p99Ms: `1000 * histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${app('"{{color}}"')}}[{{window}}])))`,
    };
}
export const DEV_PROMETHEUS_QUERIES = devPrometheusQueries();

/** Ready pods per colour: scrape targets whose pod is Ready. */
export const readyPodsQuery = (other?: string) => `count by (color) (up{job="${scrapeJobs(other).app}",ready="true"})`;
export const READY_PODS_QUERY = readyPodsQuery();

/** The dashboard's panels for the default app (no name) or another: its own jobs' series. */
function panels(other?: string): { title: string; unit: string; exprs: { expr: string; legend: string }[] }[] {
    const jobs = scrapeJobs(other);
    const app = (color: string, extra = "") => appSelector(jobs.app, color, extra);
    const allColours = app('~".+"');
    return [
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
        { title: "Ready pods by colour", unit: "short", exprs: [{ expr: readyPodsQuery(other), legend: "{{color}}" }] },
        {
            title: "Envoy: requests/s by route rule",
            unit: "reqps",
            exprs: [
                {
                    expr: `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{job="${jobs.envoy}"}[$__rate_interval]))`,
                    legend: "{{envoy_cluster_name}}",
                },
            ],
        },
        {
            title: "Envoy: 5xx/s by route rule",
            unit: "reqps",
            exprs: [
                {
                    expr: `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_xx{job="${jobs.envoy}",envoy_response_code_class="5"}[$__rate_interval]))`,
                    legend: "{{envoy_cluster_name}}",
                },
            ],
        },
    ];
}

export const GRAFANA_DATASOURCE_UID = "zdp-prometheus";

// "The uid can have a maximum length of 40 characters" (https://grafana.com/docs/grafana/latest/http_api/dashboard/);
// an app name is a DNS label of up to 63, so a long one is hashed.
const MAX_UID = 40;
function dashboardUid(app: string): string {
    const uid = `zdp-golden-signals-${app}`;
    return uid.length <= MAX_UID
        ? uid
        : `zdp-golden-signals-${createHash("sha256")
              .update(app)
              .digest("hex")
              .slice(0, MAX_UID - 19)}`;
}

/** The Grafana dashboard of the default app (no name) or another (JSON model, https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/). */
export function grafanaDashboard(stackName: string, other?: string) {
    const datasource = { type: "prometheus", uid: GRAFANA_DATASOURCE_UID };
    return {
        uid: other ? dashboardUid(other) : "zdp-golden-signals",
        title: other ? `${stackName} ${other} golden signals` : `${stackName} golden signals`,
        tags: ["zdp"],
        timezone: "browser",
        schemaVersion: 39,
        refresh: "10s",
        time: { from: "now-30m", to: "now" },
        panels: panels(other).map((p, i) => ({
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
