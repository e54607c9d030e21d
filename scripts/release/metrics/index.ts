// Traffic metrics per colour over a time window, read server-side from each stack's own source.
// Independent of the release flow: the release CLI's analysis and the live dashboard both use it.
//
// Interface:
//   interface MetricsSource {
//     readonly name: string;                                  // e.g. "prometheus", "cloudwatch"
//     read(colors: string[], window: Window): Promise<Record<string, ColorMetrics>>;
//   }
//   Window        = { start: Date; end: Date }
//   ColorMetrics  = { requests: number; successRate?: number; p99Ms?: number; lbErrors?: number }
//                   successRate in 0..1 and p99Ms are absent when the window had no requests.
//
// Sources (one file each): prometheus.ts (dev: Prometheus scraping Envoy Gateway, HTTP API),
// cloudwatch.ts (aws: the ALB's metrics per target group, @aws-sdk/client-cloudwatch),
// azureMonitor.ts (azure: AGC's metrics per backend service, no latency; @azure/monitor-query-metrics)
// and cloudMonitoring.ts (gcp: the load balancer's metrics per backend service; @google-cloud/monitoring).
// A source throws when it cannot read a colour (NoDataError when it answered without data points
// for it); the caller must never treat that as a pass. What a candidate must meet is judged in
// ../analysisVerdict.ts.

export { NoDataError, type ColorMetrics, type MetricsSource, type Window } from "./source";
export { prometheusSource, type PrometheusQueries } from "./prometheus";
export { cloudWatchSource } from "./cloudwatch";
export { cloudMonitoringSource } from "./cloudMonitoring";
export { azureMonitorSource } from "./azureMonitor";
