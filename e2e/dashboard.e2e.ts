// The live release page against a real kube-apiserver, in Debian's headless Chromium: the vendored
// Gateway API CRDs and a live HTTPRoute, the colours' Deployments (kwok makes their pods Ready), and a
// release that takes the real Lease and records its steps through the release CLI's own recorder
// (scripts/release/record.ts, Events the API server validates). The page is served by the dashboard's
// cluster source through kubectl, as `npm run dashboard` does. Fails (never skips) without Chromium
// (apt-get install chromium, or CHROMIUM_PATH) or without the e2e tools (bash e2e/build.sh).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { parseConfig } from "../model/config";
import { kubectlCluster, runKubectl } from "../scripts/dashboard/cluster";
import { ClusterSource } from "../scripts/dashboard/clusterSource";
import { serveDashboard, type DashboardServer } from "../scripts/dashboard/server";
import { stackConfigMap } from "../scripts/pulumiConfig";
import { acquireLock, kubectlLeaseApi, LEASE_NAME } from "../scripts/release/lock";
import { recordRelease } from "../scripts/release/record";
import { Reporter } from "../scripts/release/report";
import { launchChromium, newPage } from "../tests/browser/chromium";
import { Cluster } from "./cluster";
import { tool, until } from "./tools";

const STACK = "dev";
const NS = parseConfig(stackConfigMap(STACK), STACK).app.namespace;
const OUT = path.resolve(__dirname, "../test-output/dashboard");

const deployment = (colour: string, version: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `app-${colour}`, namespace: NS, labels: { "app.kubernetes.io/version": version } },
    spec: {
        replicas: 2,
        selector: { matchLabels: { app: colour } },
        template: {
            metadata: { labels: { app: colour } },
            spec: { containers: [{ name: "app", image: `ghcr.io/stefanprodan/podinfo:${version}`, env: [{ name: "ZDP_VERSION", value: version }] }] },
        },
    },
});

const route = (blue: number, green: number) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: "app", namespace: NS },
    spec: {
        parentRefs: [{ name: "app", sectionName: "http" }],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: "/" } }],
                backendRefs: [
                    { group: "", kind: "Service", name: "app-blue", port: 80, weight: blue },
                    { group: "", kind: "Service", name: "app-green", port: 80, weight: green },
                ],
            },
        ],
    },
});

describe("release dashboard on a real API server, in headless Chromium", function () {
    let cluster: Cluster;
    let browser: Browser;
    let server: DashboardServer;
    let page: Page;
    const text = (selector: string) => page.$eval(selector, (e) => e.textContent ?? "");
    const field = (colour: string, name: string) => text(`[data-colour=${colour}] [data-field="${name}"]`);
    const waitText = (selector: string, test: string) =>
        page.waitForFunction(`(document.querySelector(${JSON.stringify(selector)})?.textContent ?? "")${test}`);

    before(async () => {
        browser = await launchChromium();
        cluster = await Cluster.start();
        cluster.installGatewayApi();
        cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        cluster.apply({ apiVersion: "v1", kind: "List", items: [deployment("blue", "6.9.1"), deployment("green", "6.9.2"), route(90, 10)] });
        await until(
            () =>
                cluster.kubectlOk([
                    "-n",
                    NS,
                    "wait",
                    "--for=jsonpath={.status.readyReplicas}=2",
                    "deployment/app-blue",
                    "deployment/app-green",
                    "--timeout=5s",
                ]),
            120,
            "both colours' pods Ready (kwok)",
        );
        const kubeconfig = JSON.parse(fs.readFileSync(cluster.kubeconfig, "utf8")) as { clusters: { cluster: { server: string } }[] };
        const source = new ClusterSource(STACK, {
            config: stackConfigMap(STACK),
            cluster: kubectlCluster({ kubeconfig: cluster.kubeconfig }, runKubectl(tool("kubectl"))),
            clusterName: kubeconfig.clusters[0].cluster.server,
        });
        server = await serveDashboard(source, { intervalMs: 300 });
        fs.mkdirSync(OUT, { recursive: true });
        page = await newPage(browser);
        await page.setViewport({ width: 1100, height: 900 });
        await page.goto(server.url);
    });

    after(async () => {
        await browser?.close();
        await server?.close();
        cluster?.kubectlOk(["delete", "namespace", NS, "--wait=false"]);
        cluster?.stop();
    });

    it("shows the live route's weights and the Deployments' versions and pods, and follows a weight change made in the API server", async () => {
        await waitText("[data-colour=green] [data-field=weight]", ` === "10%"`);
        assert.equal(await field("blue", "weight"), "90%");
        assert.match(await text("[data-colour=green] h2"), /^green 6\.9\.2$/);
        assert.match(await text("[data-colour=blue] h2"), /^blue 6\.9\.1$/);
        assert.equal(await field("green", "ready pods"), "2 / 2");
        // The dev stack file declares both colours at 6.9.1, blue at 100 %: the page says so beside the live values.
        assert.equal(await field("green", "stack file"), "6.9.1 at 0%");
        assert.equal(await text("#banner"), "");

        // One patch, both weights: the route moves from 90/10 to 40/60 in one change, as a release's `up` moves it.
        const weights = [40, 60].map((value, i) => ({ op: "replace", path: `/spec/rules/0/backendRefs/${i}/weight`, value }));
        cluster.kubectl(["-n", NS, "patch", "httproute", "app", "--type=json", "--patch", JSON.stringify(weights)]);
        const version = cluster.kubectl(["-n", NS, "get", "httproute", "app", "-o", "jsonpath={.metadata.resourceVersion}"]).trim();
        await waitText("#sources [data-value=weights]", `.includes("resourceVersion ${version})")`);
        assert.equal(await field("blue", "weight"), "40%");
        assert.equal(await field("green", "weight"), "60%");
        assert.equal(await text("#active"), "green");
        assert.match(
            await text("#sources [data-value=weights]"),
            /^weightsHTTPRoute zdp\/app on https:\/\/127\.0\.0\.1:\d+ \(resourceVersion \d+\)\d{4}-.*ok$/,
        );
    });

    it("shows a running release's steps as its recorder writes them on the Lease, then its verdict once it ends", async () => {
        const api = kubectlLeaseApi(NS, cluster.kubeconfig, tool("kubectl"));
        const held = await acquireLock(api, "ci run 7", 120, assert.fail);
        const warnings: string[] = [];
        const record = recordRelease(api.record!, "ci run 7", "canary", "canary green 6.9.2 at 10 %, then 60 %", (w) => warnings.push(w));
        const r = new Reporter(() => {});
        r.listen(record.step);
        await r.step("set canaryWeight=60", async () => ({ value: undefined, detail: "Pulumi.dev.yaml" }));
        await r.step("pulumi up", async () => ({ value: undefined, detail: "update 1" }));
        let endWatch!: () => void;
        const watch = r.step(
            "watch the live route and green for 1 min",
            () => new Promise<{ value: undefined; detail: string }>((resolve) => (endWatch = () => resolve({ value: undefined, detail: "40/40 healthy" }))),
        );

        await waitText("li.running", ` === "watch the live route and green for 1 min"`);
        assert.equal(await text("#rstate"), "running · ci run 7");
        assert.deepEqual(await page.$$eval("#steps li", (l) => l.map((e) => `${e.className} ${e.textContent}`)), [
            "done set canaryWeight=60",
            "done pulumi up",
            "running watch the live route and green for 1 min",
        ]);
        assert.match(await text("#action"), /^canary: canary green 6\.9\.2/);
        await page.screenshot({ path: path.join(OUT, "e2e-running.png") });

        endWatch();
        await watch;
        await record.end(false, "analysis failed; rolled back to the previous config");
        await held.release();
        await waitText("#rstate", `.startsWith("finished")`);
        assert.match(await text("#decision"), /^Decision: FAILED at \S+: analysis failed; rolled back to the previous config$/);
        assert.deepEqual(await page.$$eval("#checks li", (l) => l.map((e) => e.textContent)), ["pass watch the live route and green for 1 min: 40/40 healthy"]);
        assert.deepEqual(warnings, [], "the API server accepted every entry");
    });

    it("a run killed mid-step (its lease expired, no verdict) shows as stopped, its step unknown, not running", async () => {
        const old = new Date(Date.now() - 600_000).toISOString().replace(/Z$/, "000Z"); // MicroTime
        cluster.apply({
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: LEASE_NAME, namespace: NS },
            spec: { holderIdentity: "killed run", acquireTime: old, renewTime: old, leaseDurationSeconds: 120 },
        });
        // What a run killed during its `pulumi up` has written: its start and that step's start, no verdict.
        const api = kubectlLeaseApi(NS, cluster.kubeconfig, tool("kubectl")).record!;
        const at = new Date().toISOString();
        const entry = { run: `killed run ${at}`, holder: "killed run", detail: "", at };
        await api.write({ ...entry, seq: 0, kind: "start", name: "promote", status: "running", detail: "switch to green" });
        await api.write({ ...entry, seq: 1, kind: "step", name: "pulumi up", status: "running" });
        await waitText("#steps li.unknown", ` === "pulumi up"`);
        assert.equal(await text("#rstate"), "stopped · killed run");
        assert.equal(await page.$$eval("#steps li.running", (l) => l.length), 0);
        assert.match(await text("#decision"), /has expired/);
    });

    it("a route the API server no longer has: the weights say why they are missing, not the last ones", async () => {
        cluster.kubectl(["-n", NS, "delete", "httproute", "app"]);
        await waitText("#banner", `.includes("weights")`);
        assert.match(await text("#banner"), /NotFound|not found/);
        assert.equal(await field("blue", "weight"), "n/a");
        assert.equal(await field("blue", "ready pods"), "2 / 2", "what can still be read still shows");
        await page.screenshot({ path: path.join(OUT, "e2e-route-missing.png") });
    });
});
