// The plan's monitoring section: the dashboards, alerts and notification targets a stack declares,
// read from the recorded resources (so it shows what the program declares, not what it meant to).
import type { Recorded } from "../tests/harness";

const DASHBOARDS = ["aws:cloudwatch/dashboard:Dashboard", "gcp:monitoring/dashboard:Dashboard", "azure-native:applicationinsights:Workbook"];
const ALERTS = ["aws:cloudwatch/metricAlarm:MetricAlarm", "gcp:monitoring/alertPolicy:AlertPolicy", "azure-native:monitor:MetricAlert"];

/** Where alerts go: SNS subscriptions, Cloud Monitoring channels, Azure action group receivers. */
function targets(resources: Recorded[]): string[] {
    return resources.flatMap((r) => {
        const i = r.inputs;
        if (r.type === "aws:sns/topicSubscription:TopicSubscription") return [`${i.protocol} ${i.endpoint}`];
        if (r.type === "gcp:monitoring/notificationChannel:NotificationChannel") return [`${i.type} ${i.labels?.email_address ?? i.labels?.url}`];
        if (r.type === "azure-native:monitor:ActionGroup")
            return [
                ...(i.emailReceivers ?? []).map((e: any) => `email ${e.emailAddress}`),
                ...(i.webhookReceivers ?? []).map((w: any) => `webhook ${w.serviceUri}`),
            ];
        return [];
    });
}

export function monitoringLines(resources: Recorded[]): string[] {
    const dashboards = resources.filter((r) => DASHBOARDS.includes(r.type));
    const alerts = resources.filter((r) => ALERTS.includes(r.type));
    const notify = targets(resources);
    const out = [`Monitoring: ${dashboards.length} dashboard(s), ${alerts.length} alert(s), ${notify.length} notification target(s)`];
    for (const d of dashboards) {
        const body = JSON.parse(d.inputs.dashboardBody ?? d.inputs.dashboardJson ?? d.inputs.serializedData ?? "{}");
        // A workbook's charts are its metrics items (type 10); its other items are text.
        const widgets = body.widgets ?? body.mosaicLayout?.tiles ?? (body.items ?? []).filter((i: { type: number }) => i.type === 10);
        const title = d.inputs.dashboardName ?? body.displayName ?? d.inputs.displayName ?? d.name;
        out.push(`  ${d.inputs.serializedData ? "workbook" : "dashboard"} ${title} (${widgets.length} widgets)`);
    }
    if (dashboards.length === 0) out.push("  (no dashboard declared for this stack yet)");
    for (const a of alerts)
        out.push(
            `  alert ${a.inputs.name ?? a.inputs.displayName ?? a.name}: ${a.inputs.alarmDescription ?? a.inputs.documentation?.content ?? a.inputs.description ?? ""}`,
        );
    for (const t of notify) out.push(`  notify ${t}`);
    return out;
}
