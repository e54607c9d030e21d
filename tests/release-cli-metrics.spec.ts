// The metrics sources against local servers answering in each provider's documented response
// shape (127.0.0.1 only). No network, no credentials. The verdicts on their figures: tests/analysisVerdict.spec.ts.
import assert from "node:assert/strict";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { TokenCredential } from "@azure/core-auth";
import { MetricsClient } from "@azure/monitor-query-metrics";
import { MetricServiceClient, protos } from "@google-cloud/monitoring";
import { OAuth2Client } from "google-auth-library";
import { azureMonitorSource, cloudMonitoringSource, cloudWatchSource, NoDataError, prometheusSource } from "../scripts/release/metrics";
import { distributionP99 } from "../scripts/release/metrics/cloudMonitoring";
import { localCert, serve } from "./localServer";

const window = { start: new Date("2026-11-24T10:00:00Z"), end: new Date("2026-11-24T10:05:00Z") };

describe("release metrics sources", () => {
    it("prometheus: fills colour and window into the queries and reads the documented vector shape", async () => {
        const seen: string[] = [];
        // Per colour: requests, 5xx, p99 ms. Shape from the Prometheus docs, "HTTP API" > "Instant queries".
        const data: Record<string, Record<string, string>> = { blue: { req: "1000", err: "1", p99: "120" }, green: { req: "200", err: "10", p99: "950.5" } };
        const url = await serve((req, _b, res) => {
            const u = new URL(req.url!, "http://x");
            assert.equal(u.pathname, "/api/v1/query");
            assert.equal(u.searchParams.get("time"), String(window.end.getTime() / 1000));
            const q = u.searchParams.get("query")!;
            seen.push(q);
            const [, kind, color] = /^(req|err|p99)\{color="(\w+)"\}\[300s\]$/.exec(q)!;
            res.setHeader("content-type", "application/json");
            res.end(
                JSON.stringify({
                    status: "success",
                    data: { resultType: "vector", result: [{ metric: {}, value: [window.end.getTime() / 1000, data[color][kind]] }] },
                }),
            );
        });
        const src = prometheusSource(url, {
            requests: 'req{color="{{color}}"}[{{window}}]',
            errors: 'err{color="{{color}}"}[{{window}}]',
            p99Ms: 'p99{color="{{color}}"}[{{window}}]',
        });
        const m = await src.read(["blue", "green"], window);
        assert.deepEqual(m, { blue: { requests: 1000, successRate: 0.999, p99Ms: 120 }, green: { requests: 200, successRate: 0.95, p99Ms: 950.5 } });
        assert.equal(seen.length, 6);
    });

    it("prometheus: an empty result is zero requests; an error answer throws", async () => {
        const url = await serve((req, _b, res) => {
            const q = new URL(req.url!, "http://x").searchParams.get("query")!;
            if (q.startsWith("bad"))
                res.writeHead(400, { "content-type": "application/json" }).end(
                    JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error at char 4" }),
                );
            else res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
        });
        assert.deepEqual(await prometheusSource(url, { requests: "r", errors: "e", p99Ms: "p" }).read(["green"], window), { green: { requests: 0 } });
        await assert.rejects(prometheusSource(url, { requests: "bad", errors: "e", p99Ms: "p" }).read(["green"], window), /parse error at char 4/);
    });

    it("cloudwatch: GetMetricData per target group through the AWS SDK, answered in the awsJson1_0 shape", async () => {
        let request: any;
        let target = "";
        // Response shape: CloudWatch API Reference, GetMetricData / MetricDataResult (Id, Label,
        // Timestamps, Values, StatusCode); the SDK speaks awsJson1_0 (epoch-second timestamps).
        const url = await serve((req, body, res) => {
            target = String(req.headers["x-amz-target"]);
            request = JSON.parse(body);
            const t = window.end.getTime() / 1000 - 300;
            const result = (Id: string, Values: number[]) => ({ Id, Label: Id, Timestamps: Values.map(() => t), Values, StatusCode: "Complete" });
            res.setHeader("content-type", "application/x-amz-json-1.0");
            res.end(
                JSON.stringify({
                    MetricDataResults: [
                        result("req0", [5000]),
                        result("err0", [2]),
                        result("conn0", [3]),
                        result("p990", [0.081]),
                        result("req1", [480]),
                        result("err1", []),
                        result("conn1", []),
                        result("p991", [0.42]),
                        // 3 of the ALB's own 5xx are blue's connection errors (502); 7 more it cannot attribute.
                        result("elb5xx", [4, 6]),
                    ],
                    Messages: [],
                }),
            );
        });
        const client = new CloudWatchClient({
            endpoint: url,
            region: "eu-west-1",
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
            maxAttempts: 1,
        });
        const src = cloudWatchSource(client, {
            loadBalancer: "app/k8s-zdp-app/50dc6c495c0c9188",
            targetGroups: { blue: "targetgroup/k8s-zdp-appblue/1", green: "targetgroup/k8s-zdp-appgreen/2" },
        });
        const m = await src.read(["blue", "green"], window);
        assert.equal(target, "GraniteServiceVersion20100801.GetMetricData");
        assert.equal(request.MetricDataQueries.length, 9);
        assert.deepEqual(
            request.MetricDataQueries.find((q: any) => q.Id === "elb5xx").MetricStat.Metric,
            {
                Namespace: "AWS/ApplicationELB",
                MetricName: "HTTPCode_ELB_5XX_Count",
                Dimensions: [{ Name: "LoadBalancer", Value: "app/k8s-zdp-app/50dc6c495c0c9188" }],
            },
            "the ALB's own 5xx exist per load balancer only, without a TargetGroup dimension",
        );
        const green5xx = request.MetricDataQueries.find((q: any) => q.Id === "err1").MetricStat;
        assert.deepEqual(green5xx.Metric, {
            Namespace: "AWS/ApplicationELB",
            MetricName: "HTTPCode_Target_5XX_Count",
            Dimensions: [
                { Name: "LoadBalancer", Value: "app/k8s-zdp-app/50dc6c495c0c9188" },
                { Name: "TargetGroup", Value: "targetgroup/k8s-zdp-appgreen/2" },
            ],
        });
        assert.equal(request.MetricDataQueries.find((q: any) => q.Id === "conn1").MetricStat.Metric.MetricName, "TargetConnectionErrorCount");
        assert.equal(request.MetricDataQueries.find((q: any) => q.Id === "p991").MetricStat.Stat, "p99");
        assert.equal(m.blue.requests, 5000);
        assert.equal(m.blue.successRate, 1 - (2 + 3) / 5000, "target 5xx and the ALB's connection errors both fail");
        assert.equal(m.blue.p99Ms, 81);
        assert.deepEqual(m.green, { requests: 480, successRate: 1, p99Ms: 420, lbErrors: 7 }, "10 ALB 5xx less blue's 3 connection errors");
        assert.equal(m.blue.lbErrors, 7);
    });

    it("cloudwatch: partial data fails the read instead of passing on what arrived", async () => {
        const url = await serve((_req, _b, res) => {
            res.setHeader("content-type", "application/x-amz-json-1.0");
            res.end(JSON.stringify({ MetricDataResults: [{ Id: "req0", Values: [10], Timestamps: [1], StatusCode: "PartialData" }] }));
        });
        const client = new CloudWatchClient({ endpoint: url, region: "eu-west-1", credentials: { accessKeyId: "t", secretAccessKey: "t" }, maxAttempts: 1 });
        await assert.rejects(
            cloudWatchSource(client, { loadBalancer: "app/x/1", targetGroups: { green: "targetgroup/g/2" } }).read(["green"], window),
            /req0 for green: PartialData/,
        );
    });

    // Cloud Monitoring over the client's REST transport (fallback: true), with an OAuth2 client holding
    // a fixed token: the real request encoding and response decoding, no Google endpoint.
    const gcpClient = (url: string) => {
        const auth = new OAuth2Client();
        auth.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
        const { hostname, port } = new URL(url);
        return new MetricServiceClient({ fallback: true, protocol: "http", apiEndpoint: hostname, port: Number(port), authClient: auth });
    };
    // Response shape: Cloud Monitoring API v3 projects.timeSeries.list (ListTimeSeriesResponse of
    // TimeSeries with points whose TypedValue is int64Value, an int64 in a JSON string, or
    // distributionValue), https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list
    // and https://cloud.google.com/monitoring/api/ref_v3/rest/v3/TypedValue#Distribution.
    const point = (value: object) => ({ interval: { startTime: "2026-11-24T10:00:00Z", endTime: "2026-11-24T10:05:00Z" }, value });
    const series = (metric: string, labels: Record<string, string>, backend: string, kind: "INT64" | "DISTRIBUTION", value: object) => ({
        metric: { type: `loadbalancing.googleapis.com/https/${metric}`, labels },
        resource: { type: "https_lb_rule", labels: { project_id: "zdp-prod", backend_target_name: backend } },
        metricKind: "DELTA",
        valueType: kind,
        points: [point(value)],
        unit: kind === "INT64" ? "1" : "ms",
    });
    // Exponential buckets (scale 1 ms, factor 2): bucket i covers [2^(i-1), 2^i) ms.
    const latency = (bucketCounts: number[]) => ({
        distributionValue: {
            count: String(bucketCounts.reduce((a, b) => a + b)),
            mean: 10,
            bucketOptions: { exponentialBuckets: { numFiniteBuckets: 20, growthFactor: 2, scale: 1 } },
            bucketCounts: bucketCounts.map(String),
        },
    });

    it("cloud monitoring: listTimeSeries per backend service through the Google client's REST transport, p99 from the latency distribution", async () => {
        const requests: URL[] = [];
        const auth: string[] = [];
        const backends = { blue: "gkegw1-abcd-zdp-app-blue-80-x1y2", green: "gkegw1-abcd-zdp-app-green-80-z3w4" };
        const url = await serve((req, _b, res) => {
            const u = new URL(req.url!, "http://x");
            requests.push(u);
            auth.push(String(req.headers.authorization));
            const filter = u.searchParams.get("filter")!;
            const backend = /backend_target_name="([^"]+)"/.exec(filter)![1];
            const timeSeries = filter.includes("backend_request_count")
                ? backend === backends.blue
                    ? [
                          series("backend_request_count", { response_code_class: "200" }, backend, "INT64", { int64Value: "9990" }),
                          series("backend_request_count", { response_code_class: "500" }, backend, "INT64", { int64Value: "10" }),
                      ]
                    : [
                          series("backend_request_count", { response_code_class: "200" }, backend, "INT64", { int64Value: "380" }),
                          series("backend_request_count", { response_code_class: "400" }, backend, "INT64", { int64Value: "20" }),
                          series("backend_request_count", { response_code_class: "500" }, backend, "INT64", { int64Value: "100" }),
                      ]
                : // blue: 100 requests, 99 of them under 64 ms, one in [64, 128): p99 rank 99 ends in bucket [32, 64).
                  // green: 500 requests, 490 in [256, 512), 10 in [512, 1024): p99 rank 495 is half way into [512, 1024).
                  backend === backends.blue
                  ? [series("backend_latencies", {}, backend, "DISTRIBUTION", latency([0, 0, 0, 0, 0, 0, 99, 1]))]
                  : [series("backend_latencies", {}, backend, "DISTRIBUTION", latency([0, 0, 0, 0, 0, 0, 0, 0, 0, 490, 10]))];
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify({ timeSeries, unit: "" }));
        });
        const m = await cloudMonitoringSource(gcpClient(url), { projectId: "zdp-prod", backendServices: backends }).read(["blue", "green"], window);
        assert.equal(requests.length, 4);
        assert.ok(
            auth.every((a) => a === "Bearer test-token"),
            auth.join(),
        );
        const green5xx = requests.find(
            (u) => u.searchParams.get("filter")!.includes("backend_request_count") && u.searchParams.get("filter")!.includes(backends.green),
        )!;
        assert.equal(green5xx.pathname, "/v3/projects/zdp-prod/timeSeries");
        assert.equal(
            green5xx.searchParams.get("filter"),
            `metric.type="loadbalancing.googleapis.com/https/backend_request_count" AND resource.type="https_lb_rule" AND resource.label.backend_target_name="${backends.green}"`,
        );
        assert.equal(green5xx.searchParams.get("aggregation.alignmentPeriod"), "300s");
        // The REST transport sends enums as numbers ($alt=json;enum-encoding=int); the values are the SDK's own.
        assert.equal(green5xx.searchParams.get("aggregation.perSeriesAligner"), String(protos.google.monitoring.v3.Aggregation.Aligner.ALIGN_DELTA));
        assert.equal(green5xx.searchParams.get("aggregation.crossSeriesReducer"), String(protos.google.monitoring.v3.Aggregation.Reducer.REDUCE_SUM));
        assert.deepEqual(green5xx.searchParams.getAll("aggregation.groupByFields"), ["metric.label.response_code_class"]);
        assert.equal(green5xx.searchParams.get("interval.startTime"), "2026-11-24T10:00:00.000Z");
        assert.equal(green5xx.searchParams.get("interval.endTime"), "2026-11-24T10:05:00.000Z");
        assert.equal(m.blue.requests, 10_000);
        assert.equal(m.blue.successRate, 0.999);
        assert.equal(m.blue.p99Ms, 64);
        assert.deepEqual(m.green, { requests: 500, successRate: 0.8, p99Ms: 768 });
    });

    it("cloud monitoring: an unknown colour, a backend without series, or requests without latencies fail the read", async () => {
        const url = await serve((req, _b, res) => {
            const filter = new URL(req.url!, "http://x").searchParams.get("filter")!;
            const timeSeries =
                filter.includes("app-green") && filter.includes("backend_request_count")
                    ? [series("backend_request_count", { response_code_class: "200" }, "app-green", "INT64", { int64Value: "50" })]
                    : [];
            res.setHeader("content-type", "application/json");
            res.end(JSON.stringify(timeSeries.length ? { timeSeries } : {}));
        });
        const src = cloudMonitoringSource(gcpClient(url), { projectId: "p", backendServices: { blue: "app-blue", green: "app-green" } });
        await assert.rejects(src.read(["red"], window), (e: Error) => !(e instanceof NoDataError) && /no backend service known for red/.test(e.message));
        // No data points is its own error: the analysis judges it Inconclusive, not a source failure.
        await assert.rejects(
            src.read(["blue"], window),
            (e: Error) =>
                e instanceof NoDataError &&
                /no loadbalancing.googleapis.com\/https\/backend_request_count for blue \(backend service app-blue\)/.test(e.message),
        );
        await assert.rejects(
            src.read(["green"], window),
            (e: Error) => e instanceof NoDataError && /no loadbalancing.googleapis.com\/https\/backend_latencies for green/.test(e.message),
        );
    });

    // Azure Monitor through @azure/monitor-query-metrics' MetricsClient with a fixed-token credential,
    // over https with a local certificate the client is told to trust.
    describe("azure monitor", () => {
        let tls: { key: string; cert: string };
        before(() => (tls = localCert()));
        const token: TokenCredential = { getToken: () => Promise.resolve({ token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
        const agc =
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/zdp-azure/providers/Microsoft.ServiceNetworking/trafficControllers/zdp-agc";
        const backends = { blue: "zdp/app-blue/80", green: "zdp/app-green/80" };
        // Response shape: Azure Monitor metrics:getBatch (api 2024-02-01), copied in structure from
        // https://github.com/Azure/azure-rest-api-specs/blob/main/specification/monitor/data-plane/Microsoft.Insights/stable/2024-02-01/examples/MetricBatchExample.json
        // (dimension names come back lower-cased; minutes without data carry no aggregate).
        const series = (backend: string, code: string, totals: (number | undefined)[]) => ({
            metadatavalues: [
                { name: { value: "backendservice", localizedValue: "Backend Service" }, value: backend },
                { name: { value: "httpresponsecode", localizedValue: "HTTP Response Code" }, value: code },
            ],
            data: totals.map((total, i) => ({
                timeStamp: new Date(window.start.getTime() + i * 60_000).toISOString().replace(".000Z", "Z"),
                ...(total === undefined ? {} : { total }),
            })),
        });
        const answer = (timeseries: object[], errorCode = "Success") => ({
            values: [
                {
                    starttime: window.start.toISOString(),
                    endtime: window.end.toISOString(),
                    interval: "PT1M",
                    value: [
                        {
                            id: `${agc}/providers/Microsoft.Insights/metrics/BackendHTTPResponseStatus`,
                            type: "Microsoft.Insights/metrics",
                            name: { value: "BackendHTTPResponseStatus", localizedValue: "Backend HTTP Response Status" },
                            unit: "Count",
                            timeseries,
                            errorCode,
                        },
                    ],
                    namespace: "microsoft.servicenetworking/trafficcontrollers",
                    resourceregion: "westeurope",
                    resourceid: agc,
                },
            ],
        });
        const client = (url: string) => new MetricsClient(url, token, { tlsOptions: { ca: tls.cert }, retryOptions: { maxRetries: 0 } });

        it("one getBatch query split by BackendService and HttpResponseCode gives each colour's requests and 5xx", async () => {
            let seen: { url: URL; body: any; auth: string } | undefined;
            const url = await serve((req, body, res) => {
                seen = { url: new URL(req.url!, "https://x"), body: JSON.parse(body), auth: String(req.headers.authorization) };
                res.setHeader("content-type", "application/json");
                res.end(
                    JSON.stringify(
                        answer([
                            series(backends.blue, "200", [3000, 3000, undefined, 2990, 1000]),
                            series(backends.blue, "503", [undefined, 10, undefined, undefined, undefined]),
                            series(backends.green, "200", [100, 150, 100, 100, 30]),
                            series(backends.green, "404", [5, 5]),
                            series(backends.green, "500", [0, 0, 0, 0, 10]),
                        ]),
                    ),
                );
            }, tls);
            const m = await azureMonitorSource(client(url), { resourceId: agc, backendServices: backends }).read(["blue", "green"], window);
            assert.equal(seen!.auth, "Bearer test-token");
            assert.equal(seen!.url.pathname, "/subscriptions/00000000-0000-0000-0000-000000000001/metrics:getBatch");
            assert.deepEqual(seen!.body, { resourceids: [agc] });
            const q = seen!.url.searchParams;
            assert.equal(q.get("metricnamespace"), "Microsoft.ServiceNetworking/trafficControllers");
            assert.equal(q.get("metricnames"), "BackendHTTPResponseStatus");
            assert.equal(q.get("aggregation"), "total");
            assert.equal(q.get("interval"), "PT1M");
            assert.equal(q.get("starttime"), window.start.toISOString());
            assert.equal(q.get("endtime"), window.end.toISOString());
            assert.equal(q.get("filter"), "BackendService eq 'zdp/app-blue/80' or BackendService eq 'zdp/app-green/80' and HttpResponseCode eq '*'");
            assert.deepEqual(m.blue, { requests: 10_000, successRate: 0.999 });
            assert.deepEqual(m.green, { requests: 500, successRate: 0.98 });
        });

        it("an unknown colour, a colour without series, a metric error or a possibly cut answer fail the read", async () => {
            let reply: object = {};
            const url = await serve((_req, _b, res) => {
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify(reply));
            }, tls);
            const src = azureMonitorSource(client(url), { resourceId: agc, backendServices: backends });
            await assert.rejects(src.read(["red"], window), /no backend service known for red/);
            reply = answer([series(backends.blue, "200", [10])]);
            await assert.rejects(
                src.read(["blue", "green"], window),
                (e: Error) => e instanceof NoDataError && /no BackendHTTPResponseStatus for green \(BackendService zdp\/app-green\/80\)/.test(e.message),
            );
            reply = answer([], "ResourceNotFound");
            await assert.rejects(src.read(["green"], window), /BackendHTTPResponseStatus: ResourceNotFound/);
            reply = answer(Array.from({ length: 100 }, (_, i) => series(backends.green, String(200 + i), [1])));
            await assert.rejects(src.read(["green"], window), /100 series, the answer may be cut short/);
        });
    });

    it("cloud monitoring: p99 of a distribution with explicit or linear buckets, merged across series", () => {
        const explicit = { explicitBuckets: { bounds: [10, 20, 40] } };
        assert.equal(
            distributionP99([
                { bucketOptions: explicit, bucketCounts: [0, 50] },
                { bucketOptions: explicit, bucketCounts: [0, 49, 0, 1] },
            ]),
            20,
            "rank 99 of 100 ends bucket [10, 20)",
        );
        assert.equal(
            distributionP99([{ bucketOptions: { linearBuckets: { numFiniteBuckets: 10, width: 100, offset: 0 } }, bucketCounts: [0, 0, 100] }]),
            199,
            "rank 99 of 100 is 99 % into [100, 200)",
        );
        assert.equal(distributionP99([{ bucketOptions: explicit, bucketCounts: [0, 0, 0, 5] }]), 40, "overflow bucket: its lower bound");
        assert.equal(distributionP99([{ bucketOptions: explicit, bucketCounts: [] }]), undefined);
        assert.throws(
            () =>
                distributionP99([
                    { bucketOptions: explicit, bucketCounts: [1] },
                    { bucketOptions: { explicitBuckets: { bounds: [5] } }, bucketCounts: [1] },
                ]),
            /different buckets/,
        );
    });
});
