// The plan's monitoring section: the dashboards, alarms and notification targets a stack declares,
// read from the recorded resources (so it shows what the program declares, not what it meant to).
import type { Recorded } from "../tests/harness";

const DASHBOARDS = ["aws:cloudwatch/dashboard:Dashboard"];
const ALARMS = ["aws:cloudwatch/metricAlarm:MetricAlarm"];
const TARGETS = ["aws:sns/topicSubscription:TopicSubscription"];

export function monitoringLines(resources: Recorded[]): string[] {
    const of = (types: string[]) => resources.filter((r) => types.includes(r.type));
    const dashboards = of(DASHBOARDS);
    const alarms = of(ALARMS);
    const targets = of(TARGETS);
    const out = [`Monitoring: ${dashboards.length} dashboard(s), ${alarms.length} alert(s), ${targets.length} notification target(s)`];
    for (const d of dashboards) out.push(`  dashboard ${d.inputs.dashboardName ?? d.name} (${JSON.parse(d.inputs.dashboardBody ?? "{}").widgets?.length ?? 0} widgets)`);
    for (const a of alarms) out.push(`  alert ${a.inputs.name ?? a.name}: ${a.inputs.alarmDescription ?? ""}`);
    for (const t of targets) out.push(`  notify ${t.inputs.protocol} ${t.inputs.endpoint}`);
    if (dashboards.length === 0) out.push("  (none declared for this stack yet)");
    return out;
}
