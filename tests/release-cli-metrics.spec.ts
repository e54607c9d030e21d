// The metrics sources against local servers answering in each provider's documented response
// shape (127.0.0.1 only), and the analysis verdict. No network, no credentials.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { cloudWatchSource, judge, prometheusSource, type Thresholds } from "../scripts/release/metrics";

const servers: http.Server[] = [];
after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));

async function serve(handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void): Promise<string> {
    const s = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => handler(req, body, res));
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

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
            res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [window.end.getTime() / 1000, data[color][kind]] }] } }));
        });
        const src = prometheusSource(url, { requests: 'req{color="{{color}}"}[{{window}}]', errors: 'err{color="{{color}}"}[{{window}}]', p99Ms: 'p99{color="{{color}}"}[{{window}}]' });
        const m = await src.read(["blue", "green"], window);
        assert.deepEqual(m, { blue: { requests: 1000, successRate: 0.999, p99Ms: 120 }, green: { requests: 200, successRate: 0.95, p99Ms: 950.5 } });
        assert.equal(seen.length, 6);
    });

    it("prometheus: an empty result is zero requests; an error answer throws", async () => {
        const url = await serve((req, _b, res) => {
            const q = new URL(req.url!, "http://x").searchParams.get("query")!;
            if (q.startsWith("bad")) res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error at char 4" }));
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
            res.end(JSON.stringify({ MetricDataResults: [result("req0", [5000]), result("err0", [2]), result("p990", [0.081]), result("req1", [480]), result("err1", []), result("p991", [0.42])], Messages: [] }));
        });
        const client = new CloudWatchClient({ endpoint: url, region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
        const src = cloudWatchSource(client, { loadBalancer: "app/k8s-zdp-app/50dc6c495c0c9188", targetGroups: { blue: "targetgroup/k8s-zdp-appblue/1", green: "targetgroup/k8s-zdp-appgreen/2" } });
        const m = await src.read(["blue", "green"], window);
        assert.equal(target, "GraniteServiceVersion20100801.GetMetricData");
        assert.equal(request.MetricDataQueries.length, 6);
        const green5xx = request.MetricDataQueries.find((q: any) => q.Id === "err1").MetricStat;
        assert.deepEqual(green5xx.Metric, {
            Namespace: "AWS/ApplicationELB",
            MetricName: "HTTPCode_Target_5XX_Count",
            Dimensions: [{ Name: "LoadBalancer", Value: "app/k8s-zdp-app/50dc6c495c0c9188" }, { Name: "TargetGroup", Value: "targetgroup/k8s-zdp-appgreen/2" }],
        });
        assert.equal(request.MetricDataQueries.find((q: any) => q.Id === "p991").MetricStat.Stat, "p99");
        assert.equal(m.blue.requests, 5000);
        assert.equal(m.blue.successRate, 1 - 2 / 5000);
        assert.equal(m.blue.p99Ms, 81);
        assert.deepEqual(m.green, { requests: 480, successRate: 1, p99Ms: 420 });
    });

    it("cloudwatch: partial data fails the read instead of passing on what arrived", async () => {
        const url = await serve((_req, _b, res) => {
            res.setHeader("content-type", "application/x-amz-json-1.0");
            res.end(JSON.stringify({ MetricDataResults: [{ Id: "req0", Values: [10], Timestamps: [1], StatusCode: "PartialData" }] }));
        });
        const client = new CloudWatchClient({ endpoint: url, region: "eu-west-1", credentials: { accessKeyId: "t", secretAccessKey: "t" }, maxAttempts: 1 });
        await assert.rejects(cloudWatchSource(client, { loadBalancer: "app/x/1", targetGroups: { green: "targetgroup/g/2" } }).read(["green"], window), /req0 for green: PartialData/);
    });
});

describe("analysis verdict", () => {
    const t: Thresholds = { minRequests: 100, minSuccessRate: 0.99, maxP99Ms: 500, maxSuccessRateDrop: 0.005, maxP99Ratio: 1.5 };
    const stable = { requests: 10_000, successRate: 0.999, p99Ms: 100 };

    it("passes a candidate within the thresholds and close to stable", () => {
        assert.deepEqual(judge({ requests: 500, successRate: 0.998, p99Ms: 120 }, stable, t), { ok: true, reasons: [] });
    });
    it("fails on too few requests, no data, 2 % errors, 2 s latency, or a drop against stable", () => {
        assert.match(judge(undefined, stable, t).reasons[0], /0 candidate requests/);
        assert.match(judge({ requests: 99, successRate: 1, p99Ms: 1 }, stable, t).reasons[0], /99 candidate requests/);
        assert.match(judge({ requests: 500, successRate: 0.98, p99Ms: 100 }, stable, t).reasons.join(), /success rate 98\.00% < 99\.00%/);
        assert.match(judge({ requests: 500, successRate: 1, p99Ms: 2000 }, stable, t).reasons.join(), /p99 2000 ms > 500 ms/);
        assert.match(judge({ requests: 500, successRate: 0.992, p99Ms: 160 }, stable, t).reasons.join(), /below stable's 99\.90%.*1\.60x stable's 100 ms/);
        assert.match(judge({ requests: 500, successRate: 1 }, stable, t).reasons.join(), /no candidate p99/);
    });
});
