// The plan's monitoring section: the dashboards, alerts and notification targets a stack declares,
// read from the recorded resources (so it shows what the program declares, not what it meant to).
import { parse } from "yaml";
import type { Recorded } from "./offline/run";

const DASHBOARDS = ["aws:cloudwatch/dashboard:Dashboard", "gcp:monitoring/dashboard:Dashboard", "azure-native:applicationinsights:Workbook"];
const ALERTS = ["aws:cloudwatch/metricAlarm:MetricAlarm", "gcp:monitoring/alertPolicy:AlertPolicy", "azure-native:monitor:MetricAlert"];

/** Where alerts go: SNS subscriptions, Cloud Monitoring channels, Azure action group receivers (secret inputs redacted). */
function targets(resources: Recorded[]): string[] {
    return resources.flatMap((r) => {
        const i = r.inputs;
        const shown = (path: string, value: unknown) => (r.secretPaths.some((p) => path.startsWith(p)) ? "[secret]" : String(value));
        if (r.type === "aws:sns/topicSubscription:TopicSubscription") return [`${i.protocol} ${shown("endpoint", i.endpoint)}`];
        if (r.type === "gcp:monitoring/notificationChannel:NotificationChannel")
            return [`${i.type} ${i.labels?.email_address ?? shown("labels.url", i.labels?.url)}`];
        if (r.type === "azure-native:monitor:ActionGroup")
            return [
                ...(i.emailReceivers ?? []).map((e: any) => `email ${e.emailAddress}`),
                ...(i.webhookReceivers ?? []).map((w: any, n: number) => `webhook ${shown(`webhookReceivers[${n}].serviceUri`, w.serviceUri)}`),
            ];
        return [];
    });
}

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** In-cluster monitoring (dev): Grafana dashboards and Prometheus configurations carried by ConfigMaps. */
function inCluster(resources: Recorded[]) {
    const data = resources.filter((r) => r.type === CONFIG_MAP).flatMap((r) => Object.entries((r.inputs.data ?? {}) as Record<string, unknown>));
    const grafana = data
        .filter(([k, v]) => k.endsWith(".json") && typeof v === "string")
        .map(([, v]) => JSON.parse(v as string))
        .filter((d) => Array.isArray(d.panels));
    const prometheus = data.filter(([k, v]) => k === "prometheus.yml" && typeof v === "string").map(([, v]) => parse(v as string));
    return { grafana, prometheus };
}

export function monitoringLines(resources: Recorded[]): string[] {
    const { grafana, prometheus } = inCluster(resources);
    const dashboards = resources.filter((r) => DASHBOARDS.includes(r.type));
    const alerts = resources.filter((r) => ALERTS.includes(r.type));
    const notify = targets(resources);
    const count = dashboards.length + grafana.length;
    const out = [`Monitoring: ${count} dashboard(s), ${alerts.length} alert(s), ${notify.length} notification target(s)`];
    for (const p of prometheus)
        out.push(`  prometheus scraping ${(p.scrape_configs ?? []).map((j: { job_name: string }) => j.job_name).join(", ")} (in the cluster)`);
    for (const g of grafana) out.push(`  grafana dashboard ${g.title} (${g.panels.length} panels)`);
    for (const d of dashboards) {
        const body = JSON.parse(d.inputs.dashboardBody ?? d.inputs.dashboardJson ?? d.inputs.serializedData ?? "{}");
        // A workbook's charts are its metrics items (type 10); its other items are text.
        const widgets = body.widgets ?? body.mosaicLayout?.tiles ?? (body.items ?? []).filter((i: { type: number }) => i.type === 10);
        const title = d.inputs.dashboardName ?? body.displayName ?? d.inputs.displayName ?? d.name;
        out.push(`  ${d.inputs.serializedData ? "workbook" : "dashboard"} ${title} (${widgets.length} widgets)`);
    }
    if (count === 0) out.push("  (no dashboard declared for this stack yet)");
    if (alerts.length === 0) out.push("  (no alert declared for this stack)");
    for (const a of alerts)
        out.push(
            `  alert ${a.inputs.name ?? a.inputs.displayName ?? a.name}: ${a.inputs.alarmDescription ?? a.inputs.documentation?.content ?? a.inputs.description ?? ""}`,
        );
    for (const t of notify) out.push(`  notify ${t}`);
    return out;
}
