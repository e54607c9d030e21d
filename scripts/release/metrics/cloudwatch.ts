// aws: the ALB's CloudWatch metrics per target group (one target group per colour's Service), with
// @aws-sdk/client-cloudwatch GetMetricData. Metric names and dimensions, from the ELB docs
// "CloudWatch metrics for your Application Load Balancer": namespace AWS/ApplicationELB;
// RequestCount, HTTPCode_Target_5XX_Count, TargetConnectionErrorCount (Sum) and TargetResponseTime
// (seconds; p99) each by LoadBalancer + TargetGroup (their ARN suffixes). A target that refuses or drops
// connections (a crashing pod) never answers 5xx itself: the ALB answers 502 and counts the
// connection error, so both count as failures. The ALB reports nothing for a period without
// requests, so a missing series means zero requests, never success.
// The 5xx the ALB generates itself (502 after a connection error, 503 with no target to send to, 504 on
// a target timeout) are HTTPCode_ELB_5XX_Count, which has the dimensions LoadBalancer and
// LoadBalancer + AvailabilityZone only, no TargetGroup (the same list in aws-cdk-lib's
// ApplicationELBMetrics.httpCodeElb5XxCountSum, generated from CloudWatch's metric metadata, and
// @pulumi/awsx's httpCodeELB5XXCount docs; read 2026-12-07). So they are read for the whole ALB; those
// that the colours' own connection errors do not explain are reported as `lbErrors` on every colour,
// and the analysis counts them against the candidate: fail closed, since they cannot be attributed.
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
            queries.push({
                Id: "elb5xx",
                MetricStat: {
                    Metric: {
                        Namespace: "AWS/ApplicationELB",
                        MetricName: "HTTPCode_ELB_5XX_Count",
                        Dimensions: [{ Name: "LoadBalancer", Value: target.loadBalancer }],
                    },
                    Period: seconds,
                    Stat: "Sum",
                },
            });
            const res = await client.send(
                new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.start, EndTime: window.end, ScanBy: "TimestampDescending" }),
            );
            const byId = new Map((res.MetricDataResults ?? []).map((r) => [r.Id, r]));
            const incomplete = (id: string, who: string) => {
                const r = byId.get(id);
                if (r?.StatusCode && r.StatusCode !== "Complete") throw new Error(`cloudwatch: ${id} for ${who}: ${r.StatusCode}`);
            };
            colors.forEach((color, i) => [`req${i}`, `err${i}`, `conn${i}`, `p99${i}`].forEach((id) => incomplete(id, color)));
            incomplete("elb5xx", "the load balancer");
            const sum = (id: string) => (byId.get(id)?.Values ?? []).reduce((a, b) => a + b, 0);
            const lbErrors = Math.max(0, Math.round(sum("elb5xx") - colors.reduce((a, _, i) => a + sum(`conn${i}`), 0)));
            const out: Record<string, ColorMetrics> = {};
            colors.forEach((color, i) => {
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
                if (lbErrors > 0) out[color].lbErrors = lbErrors;
            });
            return out;
        },
    };
}
