// The dev stack's Prometheus and Grafana: the scrape configuration's relabelling (applied here to the
// labels Kubernetes pod discovery gives), the queries the release CLI and the dashboard use, and what
// the dev stack declares.
import * as assert from "assert";
import { parse } from "yaml";
import {
    APP_JOB,
    DEV_PROMETHEUS_QUERIES,
    ENVOY_JOB,
    GRAFANA_DATASOURCE_UID,
    READY_PODS_QUERY,
    grafanaDashboard,
    prometheusConfig,
} from "../components/monitoring/devPrometheus";
import { all, find, runStack, type StackRun } from "./harness";

type Rule = { source_labels: string[]; regex?: string; action?: string; target_label?: string; replacement?: string };

/** Prometheus's relabelling for the actions used here: keep, and replace (the default), regexes anchored, `;`-joined sources. */
function relabel(meta: Record<string, string>, rules: Rule[]): Record<string, string> | undefined {
    const out = { ...meta };
    for (const r of rules) {
        const value = r.source_labels.map((l) => out[l] ?? "").join(";");
        const m = new RegExp(`^(?:${r.regex ?? "(.*)"})$`).exec(value);
        if (r.action === "keep") {
            if (!m) return undefined;
            continue;
        }
        if (m) out[r.target_label!] = (r.replacement ?? "$1").replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? "");
    }
    return Object.fromEntries(Object.entries(out).filter(([k]) => !k.startsWith("__meta_")));
}

const pod = (labels: Record<string, string>, port: string, ready = "true", ip = "10.0.0.7") => ({
    __address__: `${ip}:9898`,
    __meta_kubernetes_pod_ip: ip,
    __meta_kubernetes_pod_name: "p-1",
    __meta_kubernetes_pod_ready: ready,
    __meta_kubernetes_pod_container_port_name: port,
    ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^A-Za-z0-9_]/g, "_")}`, v])),
});

// podinfo's metric names and labels (github.com/stefanprodan/podinfo pkg/api/http/metrics.go), plus the
// histogram's `le` and Prometheus's own `up`.
const APP_SERIES: Record<string, string[]> = {
    http_request_duration_seconds_count: ["method", "path", "status"],
    http_request_duration_seconds_bucket: ["method", "path", "status", "le"],
    up: [],
};

describe("dev monitoring: Prometheus scrape configuration", () => {
    const cfg = prometheusConfig({ appNamespace: "zdp", envoy: { namespace: "envoy-gateway-system", gatewayName: "app" } });
    const job = (name: string) => cfg.scrape_configs.find((j) => j.job_name === name) as { relabel_configs: Rule[]; kubernetes_sd_configs: unknown[] };

    it("labels each app pod's http port with its colour and readiness, and drops every other pod and port", () => {
        const rules = job(APP_JOB).relabel_configs;
        const app = (instance: string) => ({ "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": instance, "app.kubernetes.io/version": "6.9.2" });
        assert.deepStrictEqual(relabel(pod(app("app-green"), "http", "false"), rules), {
            __address__: "10.0.0.7:9898",
            color: "green",
            ready: "false",
            pod: "p-1",
            version: "6.9.2",
        });
        assert.strictEqual(relabel(pod(app("app-blue"), "http"), rules)?.color, "blue");
        assert.strictEqual(relabel(pod(app("app"), "http"), rules)?.color, "app");
        assert.strictEqual(relabel(pod({ "app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": "postgres" }, "postgres"), rules), undefined);
        assert.strictEqual(relabel(pod(app("app-blue"), "metrics"), rules), undefined);
        assert.deepStrictEqual(job(APP_JOB).kubernetes_sd_configs, [{ role: "pod", namespaces: { names: ["zdp"] } }]);
    });

    it("scrapes only this Gateway's Envoy proxies, on the admin stats port, one target per pod", () => {
        const rules = job(ENVOY_JOB).relabel_configs;
        const proxy = (gw: string, ns: string) => ({ "gateway.envoyproxy.io/owning-gateway-name": gw, "gateway.envoyproxy.io/owning-gateway-namespace": ns });
        const a = relabel(pod(proxy("app", "zdp"), "http-10080"), rules);
        const b = relabel(pod(proxy("app", "zdp"), "metrics"), rules);
        assert.deepStrictEqual(a, { __address__: "10.0.0.7:19001", pod: "p-1" });
        assert.deepStrictEqual(a, b);
        assert.strictEqual(relabel(pod(proxy("other", "zdp"), "metrics"), rules), undefined);
        assert.strictEqual(relabel(pod(proxy("app", "elsewhere"), "metrics"), rules), undefined);
        // Without Envoy Gateway (a cluster's own GatewayClass) only the app is scraped.
        assert.deepStrictEqual(
            prometheusConfig({ appNamespace: "zdp" }).scrape_configs.map((j) => j.job_name),
            [APP_JOB],
        );
    });

    it("every query selects only labels the scrape produces, on metrics the app exposes, and leaves probes out", () => {
        const produced = new Set(["job", "color", "ready", "pod", "version"]);
        const dash = grafanaDashboard("dev").panels.flatMap((p) => p.targets.map((t) => t.expr));
        const filled = Object.values(DEV_PROMETHEUS_QUERIES).map((q) => q.replaceAll("{{color}}", "blue").replaceAll("{{window}}", "300s"));
        const appExprs = [...filled, READY_PODS_QUERY, ...dash.filter((e) => !e.includes("envoy_"))];
        for (const expr of appExprs) {
            const selectors = [...expr.matchAll(/([a-z_]+)\{([^}]*)\}/g)];
            assert.ok(selectors.length > 0, expr);
            for (const [, metric, body] of selectors) {
                assert.ok(metric in APP_SERIES, `${metric} in ${expr}`);
                for (const [, name] of body.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g))
                    assert.ok(produced.has(name) || APP_SERIES[metric].includes(name), `${name} in ${expr}`);
                assert.match(body, new RegExp(`job="${APP_JOB}"`));
                if (metric !== "up") assert.match(body, /path!~"healthz\|readyz\|metrics"/, expr);
            }
        }
        for (const q of Object.values(DEV_PROMETHEUS_QUERIES)) assert.ok(q.includes('color="{{color}}"') && q.includes("[{{window}}]"), q);
    });
});

describe("dev monitoring: the Grafana dashboard", () => {
    it("per colour: request rate, error rate, p50 and p99, ready pods; every panel on the provisioned datasource", () => {
        const d = grafanaDashboard("dev");
        const byTitle = Object.fromEntries(d.panels.map((p) => [p.title, p.targets.map((t) => t.expr)]));
        assert.match(byTitle["Requests/s by colour"][0], /^sum by \(color\)/);
        assert.match(byTitle["Error rate (5xx share) by colour"][0], /status=~"5\.\."/);
        assert.deepStrictEqual(
            byTitle["Latency by colour"].map((e) => /histogram_quantile\(([\d.]+), sum by \(color, le\)/.exec(e)?.[1]),
            ["0.5", "0.99"],
        );
        assert.deepStrictEqual(byTitle["Ready pods by colour"], [READY_PODS_QUERY]);
        for (const p of d.panels) {
            assert.strictEqual(p.datasource.uid, GRAFANA_DATASOURCE_UID);
            assert.ok(p.gridPos.x + p.gridPos.w <= 24, p.title);
        }
        assert.strictEqual(new Set(d.panels.map((p) => p.id)).size, d.panels.length);
    });
});

describe("dev monitoring: another app's dashboard", () => {
    it("has a uid of its own within Grafana's 40 characters, even for a 63-character app name, and queries its own jobs", () => {
        const long = (c: string) => `${c}${"x".repeat(62)}`;
        const uids = [
            grafanaDashboard("dev").uid,
            grafanaDashboard("dev", "api").uid,
            grafanaDashboard("dev", long("a")).uid,
            grafanaDashboard("dev", long("b")).uid,
        ];
        assert.strictEqual(new Set(uids).size, 4, uids.join(" "));
        for (const uid of uids) assert.ok(uid.length <= 40, uid);
        assert.strictEqual(grafanaDashboard("dev", "api").uid, "zdp-golden-signals-api");
        const exprs = grafanaDashboard("dev", "api").panels.flatMap((p) => p.targets.map((t) => t.expr));
        for (const e of exprs) assert.match(e, /job="(zdp-app|envoy)-api"/, e);
    });
});

describe("dev monitoring: what the dev stack installs", function () {
    let run: StackRun;
    before(async () => {
        run = await runStack("dev");
    });

    it("Prometheus with the generated configuration, allowed to list pods only in the namespaces it scrapes", () => {
        const cm = find(run, "kubernetes:core/v1:ConfigMap", "monitoring-prometheus");
        assert.deepStrictEqual(
            parse(cm.inputs.data["prometheus.yml"]),
            prometheusConfig({ appNamespace: "zdp", envoy: { namespace: "envoy-gateway-system", gatewayName: "app" } }),
        );
        const roles = all(run, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter((r) => r.name.startsWith("monitoring-"));
        assert.deepStrictEqual(roles.map((r) => r.inputs.metadata.namespace).sort(), ["envoy-gateway-system", "zdp"]);
        for (const r of roles) assert.deepStrictEqual(r.inputs.rules, [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
        assert.strictEqual(all(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
        // Objects in namespaces this component does not create wait for whatever creates them.
        const appNs = find(run, "kubernetes:core/v1:Namespace", "app");
        const chart = all(run, "kubernetes:helm.sh/v3:Release")[0];
        assert.ok(chart, "no Envoy Gateway chart recorded");
        for (const r of [...roles, find(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "monitoring-app-from-prometheus")]) {
            const want = r.inputs.metadata.namespace === "zdp" ? appNs.urn : chart.urn;
            assert.ok(r.dependsOn.includes(want), `${r.name} does not wait for ${want}`);
        }
    });

    it("Grafana provisioned with the datasource and the dashboard; its admin password is a generated secret", () => {
        const cm = find(run, "kubernetes:core/v1:ConfigMap", "monitoring-grafana");
        assert.deepStrictEqual(JSON.parse(cm.inputs.data["zdp.json"]), grafanaDashboard("dev"));
        const ds = parse(cm.inputs.data["datasources.yaml"]).datasources[0];
        assert.deepStrictEqual([ds.uid, ds.url], [GRAFANA_DATASOURCE_UID, "http://prometheus.zdp-monitoring.svc:9090"]);
        const secret = find(run, "kubernetes:core/v1:Secret", "monitoring-grafana-admin");
        assert.ok(
            secret.secretPaths.some((p) => p === "stringData" || p === "stringData.GF_SECURITY_ADMIN_PASSWORD"),
            JSON.stringify(secret.secretPaths),
        );
        const grafana = find(run, "kubernetes:apps/v1:Deployment", "monitoring-grafana").inputs.spec.template.spec;
        assert.strictEqual(grafana.automountServiceAccountToken, false);
        const mounts = grafana.containers[0].volumeMounts.map((m: any) => m.mountPath);
        assert.ok(mounts.includes("/etc/grafana/provisioning/datasources/zdp.yaml") && mounts.includes("/etc/grafana/dashboards/zdp.json"), mounts.join());
    });

    it("a configuration change rolls the pods that read it", async () => {
        const other = await runStack("dev", { namespace: "shop" });
        const annotation = (r: StackRun) =>
            find(r, "kubernetes:apps/v1:Deployment", "monitoring-prometheus").inputs.spec.template.metadata.annotations["zdp.io/config"];
        assert.match(annotation(run), /^[0-9a-f]{16}$/);
        assert.notStrictEqual(annotation(run), annotation(other));
    });
});
