// The plan's monitoring section: the dashboards, alarms and notification targets a stack declares,
// read from the recorded resources (so it shows what the program declares, not what it meant to).
import type { Recorded } from "../tests/harness";

const DASHBOARDS = ["aws:cloudwatch/dashboard:Dashboard", "gcp:monitoring/dashboard:Dashboard"];
const ALARMS = ["aws:cloudwatch/metricAlarm:MetricAlarm", "gcp:monitoring/alertPolicy:AlertPolicy"];
const TARGETS = ["aws:sns/topicSubscription:TopicSubscription", "gcp:monitoring/notificationChannel:NotificationChannel"];

export function monitoringLines(resources: Recorded[]): string[] {
    const of = (types: string[]) => resources.filter((r) => types.includes(r.type));
    const dashboards = of(DASHBOARDS);
    const alarms = of(ALARMS);
    const targets = of(TARGETS);
    const out = [`Monitoring: ${dashboards.length} dashboard(s), ${alarms.length} alert(s), ${targets.length} notification target(s)`];
    for (const d of dashboards) {
        const body = typeof (d.inputs.dashboardBody ?? d.inputs.dashboardJson) === "string" ? JSON.parse(d.inputs.dashboardBody ?? d.inputs.dashboardJson) : {};
        out.push(`  dashboard ${d.inputs.dashboardName ?? body.displayName ?? d.name} (${(body.widgets ?? body.mosaicLayout?.tiles ?? []).length} widgets)`);
    }
    for (const a of alarms) out.push(`  alert ${a.inputs.name ?? a.inputs.displayName ?? a.name}: ${a.inputs.alarmDescription ?? a.inputs.documentation?.content ?? ""}`);
    for (const t of targets) out.push(`  notify ${t.inputs.protocol ?? t.inputs.type} ${t.inputs.endpoint ?? t.inputs.labels?.email_address ?? t.inputs.labels?.url}`);
    if (dashboards.length === 0) out.push("  (none declared for this stack yet)");
    return out;
}
