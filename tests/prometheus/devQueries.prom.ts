// The dev stack's Prometheus configuration and queries on a real Prometheus (Debian package
// prometheus; started here on loopback in a temporary directory): promtool accepts the generated
// configuration, and the release CLI's Prometheus source, the ready-pods query and every Grafana panel
// answer from two fake app pods serving podinfo's metric format with the labels the dev scrape gives.
import * as assert from "assert";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { APP_JOB, DEV_PROMETHEUS_QUERIES, READY_PODS_QUERY, grafanaDashboard, prometheusConfig } from "../../components/monitoring/devPrometheus";
import { prometheusSource } from "../../scripts/release/metrics/prometheus";
import { HANG_MS } from "../hang";

/** Fails (never skips) without the binaries. */
function bin(name: string): string {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (!found) throw new Error(`${name} not found: install the Debian package prometheus`);
    return found;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A fake app pod: per scrape, `perScrape` requests at `seconds` each, `errorsPerScrape` of them 503; probes answer 500 (must not count). */
function fakePod(perScrape: number, errorsPerScrape: number, seconds: number) {
    let scrapes = 0;
    const server = http.createServer((_req, res) => {
        scrapes++;
        const series = [
            { path: "root", status: "200", n: (perScrape - errorsPerScrape) * scrapes },
            { path: "root", status: "503", n: errorsPerScrape * scrapes },
            { path: "healthz", status: "500", n: 1000 * scrapes },
        ];
        const lines = ["# TYPE http_request_duration_seconds histogram"];
        for (const s of series) {
            const l = `method="GET",path="${s.path}",status="${s.status}"`;
            for (const le of BUCKETS) lines.push(`http_request_duration_seconds_bucket{${l},le="${le}"} ${le >= seconds ? s.n : 0}`);
            lines.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.n}`);
            lines.push(`http_request_duration_seconds_sum{${l}} ${s.n * seconds}`);
            lines.push(`http_request_duration_seconds_count{${l}} ${s.n}`);
        }
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
    });
    return new Promise<http.Server>((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("dev monitoring on a real Prometheus", function () {
    let dir = "";
    let prom: ChildProcess | undefined;
    const pods: http.Server[] = [];
    const port = 20000 + ((process.pid + 7) % 20000);
    const url = `http://127.0.0.1:${port}`;
    /** The instant every query below is asked at: one by which Prometheus holds enough scrapes of both pods. */
    let at = new Date(0);
    const query = async (q: string) => {
        const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q, time: String(at.getTime() / 1000) }).toString()}`);
        const body = (await res.json()) as { status: string; error?: string; data: { result: { metric: Record<string, string> }[] } };
        assert.strictEqual(body.status, "success", `${q}: ${body.error}`);
        return body.data.result;
    };

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-prom-"));
        pods.push(await fakePod(20, 2, 0.04), await fakePod(10, 0, 0.2));
        const target = (s: http.Server) => `127.0.0.1:${(s.address() as AddressInfo).port}`;
        // The labels the dev scrape's relabelling gives each app pod (tests/devMonitoring.spec.ts checks that relabelling).
        const config = {
            global: { scrape_interval: "1s" },
            scrape_configs: [
                {
                    job_name: APP_JOB,
                    static_configs: [
                        { targets: [target(pods[0])], labels: { color: "blue", ready: "true" } },
                        { targets: [target(pods[1])], labels: { color: "green", ready: "true" } },
                    ],
                },
            ],
        };
        fs.writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
        prom = spawn(
            bin("prometheus"),
            [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`],
            { stdio: "ignore" },
        );
        const pause = () => new Promise((r) => setTimeout(r, 200));
        const ready = () =>
            fetch(`${url}/-/ready`).then(
                (r) => r.ok,
                () => false,
            );
        while (!(await ready())) {
            assert.strictEqual(prom.exitCode, null, "prometheus exited before it was ready");
            await pause();
        }
        // Enough scrapes for increase() and rate() over the 5 s window below: 2 of each pod within it.
        // Waited for, and the queries asked at that instant, so a busy machine's late scrapes change nothing.
        for (;;) {
            at = new Date();
            const scraped = await query(`count_over_time(up{job="${APP_JOB}"}[5s]) >= 2`);
            if (scraped.length === 2) break;
            await pause();
        }
    });

    after(() => {
        prom?.kill();
        for (const s of pods) s.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("promtool accepts the dev stack's generated configuration (its relabelling and jobs)", () => {
        const file = path.join(dir, "dev.yml");
        const cfg = prometheusConfig({ appNamespace: "zdp", envoy: { namespace: "envoy-gateway-system", gatewayName: "app" } });
        // Debian builds Prometheus without Kubernetes discovery, so its promtool refuses kubernetes_sd_configs:
        // a static target stands in for discovery; everything else is checked as generated.
        const checkable = {
            ...cfg,
            scrape_configs: cfg.scrape_configs.map(({ kubernetes_sd_configs: sd, ...job }) => {
                assert.ok(sd, String(job.job_name));
                return { ...job, static_configs: [{ targets: ["127.0.0.1:1"] }] };
            }),
        };
        fs.writeFileSync(file, stringify(checkable));
        const r = spawnSync(bin("promtool"), ["check", "config", file], { encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    });

    it("the release CLI's Prometheus source reads each colour's requests, 5xx share and p99, probes left out", async () => {
        const m = await prometheusSource(url, DEV_PROMETHEUS_QUERIES, HANG_MS).read(["blue", "green"], { start: new Date(at.getTime() - 5000), end: at });
        assert.ok(m.blue.requests > 0 && m.green.requests > 0, JSON.stringify(m));
        // blue: 2 of 20 answered 503; green: none (its probes' 500s are not traffic).
        assert.ok(Math.abs(m.blue.successRate! - 0.9) < 0.02, JSON.stringify(m.blue));
        assert.strictEqual(m.green.successRate, 1);
        // p99 inside the bucket holding each pod's latency (40 ms -> (25, 50]; 200 ms -> (100, 250]).
        assert.ok(m.blue.p99Ms! > 25 && m.blue.p99Ms! <= 50, String(m.blue.p99Ms));
        assert.ok(m.green.p99Ms! > 100 && m.green.p99Ms! <= 250, String(m.green.p99Ms));
    });

    it("the ready-pods query and every Grafana panel's query run and answer per colour", async () => {
        const ready = await query(READY_PODS_QUERY);
        assert.deepStrictEqual(ready.map((r) => r.metric.color).sort(), ["blue", "green"]);
        for (const p of grafanaDashboard("dev").panels)
            for (const t of p.targets) {
                const result = await query(t.expr.replaceAll("$__rate_interval", "5s"));
                // The Envoy panels have no proxy here: they must parse, and answer nothing.
                if (t.expr.includes("envoy_")) assert.strictEqual(result.length, 0, t.expr);
                else assert.deepStrictEqual([...new Set(result.map((r) => r.metric.color))].sort(), ["blue", "green"], `${p.title}: ${t.expr}`);
            }
    });
});
