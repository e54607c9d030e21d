// aws: the ALB's CloudWatch metrics per target group (one target group per colour's Service), with
// @aws-sdk/client-cloudwatch GetMetricData. Metric names and dimensions, from the ELB docs
// "CloudWatch metrics for your Application Load Balancer": namespace AWS/ApplicationELB;
// RequestCount, HTTPCode_Target_5XX_Count, TargetConnectionErrorCount (Sum) and TargetResponseTime
// (seconds; p99) each by LoadBalancer + TargetGroup (their ARN suffixes). A target that refuses or drops
// connections (a crashing pod) never answers 5xx itself: the ALB answers 502 and counts the
// connection error, so both count as failures. The ALB reports nothing for a period without
// requests, so a missing series means zero requests, never success.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { ColorMetrics, MetricsSource } from "./source";

export interface CloudWatchTarget {
    /** ARN suffix of the ALB, e.g. app/k8s-zdp-app/50dc6c495c0c9188. */
    loadBalancer: string;
    /** Colour -> ARN suffix of its target group, e.g. targetgroup/k8s-zdp-appgreen/73e2d6bc24d8a067. */
    targetGroups: Record<string, string>;
}

export function cloudWatchSource(client: CloudWatchClient, target: CloudWatchTarget): MetricsSource {
    return {
        name: "cloudwatch",
        async read(colors, window) {
            const seconds = Math.max(60, Math.ceil((window.end.getTime() - window.start.getTime()) / 60_000) * 60); // ALB data points are per 60 s
            const queries: MetricDataQuery[] = colors.flatMap((color, i) => {
                const tg = target.targetGroups[color];
                if (!tg) throw new Error(`cloudwatch: no target group known for ${color}`);
                const metric = (MetricName: string) => ({
                    Namespace: "AWS/ApplicationELB",
                    MetricName,
                    Dimensions: [
                        { Name: "LoadBalancer", Value: target.loadBalancer },
                        { Name: "TargetGroup", Value: tg },
                    ],
                });
                return [
                    { Id: `req${i}`, MetricStat: { Metric: metric("RequestCount"), Period: seconds, Stat: "Sum" } },
                    { Id: `err${i}`, MetricStat: { Metric: metric("HTTPCode_Target_5XX_Count"), Period: seconds, Stat: "Sum" } },
                    { Id: `conn${i}`, MetricStat: { Metric: metric("TargetConnectionErrorCount"), Period: seconds, Stat: "Sum" } },
                    { Id: `p99${i}`, MetricStat: { Metric: metric("TargetResponseTime"), Period: seconds, Stat: "p99" } },
                ];
            });
            const res = await client.send(
                new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.start, EndTime: window.end, ScanBy: "TimestampDescending" }),
            );
            const byId = new Map((res.MetricDataResults ?? []).map((r) => [r.Id, r]));
            const out: Record<string, ColorMetrics> = {};
            colors.forEach((color, i) => {
                for (const id of [`req${i}`, `err${i}`, `conn${i}`, `p99${i}`]) {
                    const r = byId.get(id);
                    if (r?.StatusCode && r.StatusCode !== "Complete") throw new Error(`cloudwatch: ${id} for ${color}: ${r.StatusCode}`);
                }
                const sum = (id: string) => (byId.get(id)?.Values ?? []).reduce((a, b) => a + b, 0);
                const requests = Math.round(sum(`req${i}`));
                const p99s = byId.get(`p99${i}`)?.Values ?? [];
                out[color] =
                    requests > 0
                        ? {
                              requests,
                              successRate: Math.max(0, 1 - (sum(`err${i}`) + sum(`conn${i}`)) / requests),
                              p99Ms: p99s.length ? Math.max(...p99s) * 1000 : undefined,
                          }
                        : { requests: 0 };
            });
            return out;
        },
    };
}
