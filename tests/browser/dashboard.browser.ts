// The live release page in a real browser: Debian's Chromium, headless, against a simulated canary
// and against a real stack file whose cluster reads are faked (e2e/dashboard.e2e.ts: a real API server).
// Screenshots go to test-output/dashboard/. Fails (does not skip) when Chromium is missing.
import * as assert from "assert";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import type { ClusterReader } from "../../scripts/dashboard/cluster";
import { ClusterSource } from "../../scripts/dashboard/clusterSource";
import { SimulatedCanary } from "../../scripts/dashboard/simulated";
import type { DashboardSource, Snapshot } from "../../scripts/dashboard/source";
import { serveDashboard, type DashboardServer } from "../../scripts/dashboard/server";
import { stackConfigMap } from "../harness";
import { launchChromium, newPage } from "./chromium";

const OUT = path.resolve(__dirname, "../../test-output/dashboard");

/**
 * The simulated canary, held at its 25 % step until the test has read the page there: the canary moves
 * on when the test says, not after two pushes, which a busy machine can take to render one.
 */
class HeldAt25 implements DashboardSource {
    held = true;
    private last?: Snapshot;
    private readonly canary = new SimulatedCanary("aws", 8);
    async snapshot(): Promise<Snapshot> {
        if (this.held && this.last?.colours.green?.weight === 25) return this.last;
        return (this.last = await this.canary.snapshot());
    }
}

describe("release dashboard in headless Chromium", function () {
    let browser: Browser;
    let server: DashboardServer;
    const canary = new HeldAt25();

    before(async () => {
        fs.mkdirSync(OUT, { recursive: true });
        server = await serveDashboard(canary, { intervalMs: 300 });
        browser = await launchChromium();
    });
    after(async () => {
        await browser?.close();
        await server?.close();
    });

    it("shows each colour's version, weight, ready pods and live metrics, and follows the canary to promotion", async () => {
        const page = await newPage(browser);
        await page.setViewport({ width: 1100, height: 700 });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(server.url);
        const field = (colour: string, name: string) => page.$eval(`[data-colour=${colour}] [data-field="${name}"]`, (e) => e.textContent ?? "");

        // Mid-canary: green at 25%, blue at 75%, checks passing, release still running.
        await page.waitForFunction(`document.querySelector("[data-colour=green] [data-field=weight]")?.textContent === "25%"`);
        assert.strictEqual(await page.$eval("#conn", (e) => e.textContent), "live");
        assert.match(await page.$eval("#banner", (e) => e.textContent ?? ""), /^SIMULATED: /);
        assert.strictEqual(await field("blue", "weight"), "75%");
        assert.match(await page.$eval("[data-colour=green] h2", (e) => e.textContent ?? ""), /green 6\.9\.2/);
        assert.match(await page.$eval("[data-colour=blue] h2", (e) => e.textContent ?? ""), /blue 6\.9\.1/);
        assert.match(await field("green", "error rate"), /^0\.20%$/);
        assert.match(await field("green", "p99"), /^165 ms$/);
        assert.match(await field("blue", "ready pods"), /^8 \/ 8$/);
        assert.strictEqual(await page.$eval("li.running", (e) => e.textContent), "canary 25%");
        assert.match(await page.$eval("#decision", (e) => e.textContent ?? ""), /holding at 25%/);
        assert.strictEqual(await page.$$eval("#checks li", (l) => l.length), 2);
        const width = await page.$eval("[data-colour=green] .bar div", (e) => (e as unknown as { style: { width: string } }).style.width);
        assert.strictEqual(width, "25%");
        await page.screenshot({ path: path.join(OUT, "canary-25.png") });
        canary.held = false;

        // Updates live, without a reload, through to the promotion.
        await page.waitForFunction(`document.querySelector("#active")?.textContent === "green"`);
        assert.strictEqual(await field("green", "weight"), "100%");
        assert.strictEqual(await field("blue", "weight"), "0%");
        assert.match(await page.$eval("#decision", (e) => e.textContent ?? ""), /promoted/);
        assert.strictEqual(await page.$$eval("#steps li.done", (l) => l.length), 5);
        await page.screenshot({ path: path.join(OUT, "promoted.png") });
        assert.deepStrictEqual(errors, []);
        for (const f of ["canary-25.png", "promoted.png"]) assert.ok(fs.statSync(path.join(OUT, f)).size > 10_000, `${f} looks empty`);
    });

    it("a stack's page shows what its cluster answers, says where each value came from, and names an unreadable cluster instead of showing old values", async () => {
        let down = false;
        const fail = async (): Promise<never> => {
            throw new Error("Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused");
        };
        const cluster: ClusterReader = {
            route: async () => (down ? fail() : { percents: { "app-blue": 90, "app-green": 10 }, resourceVersion: "12" }),
            deployments: async () =>
                down
                    ? fail()
                    : {
                          "app-blue": { version: "6.9.1", ready: 5, replicas: 6 },
                          "app-green": { version: "6.9.2", ready: 3, replicas: 3 },
                      },
            release: async () => (down ? fail() : { lease: undefined, entries: [] }),
        };
        const source = new ClusterSource("aws", { config: stackConfigMap("aws"), cluster, clusterName: "https://api.test:6443" });
        const stackServer = await serveDashboard(source, { intervalMs: 200 });
        try {
            const page = await newPage(browser);
            await page.goto(stackServer.url);
            const field = (colour: string, name: string) => page.$eval(`[data-colour=${colour}] [data-field="${name}"]`, (e) => e.textContent ?? "");
            await page.waitForFunction(`document.querySelector("[data-colour=green] [data-field=weight]")?.textContent === "10%"`);
            assert.strictEqual(await field("blue", "weight"), "90%");
            assert.strictEqual(await field("blue", "ready pods"), "5 / 6");
            assert.ok(await page.$eval(`[data-colour=blue] [data-field="ready pods"]`, (e) => e.classList.contains("bad")), "below its replicas reads as bad");
            // The aws stack file declares green 6.9.1 at 0 %: shown as such, beside the live values.
            assert.strictEqual(await field("green", "stack file"), "6.9.1 at 0%");
            assert.match(await page.$eval("[data-colour=green] h2", (e) => e.textContent ?? ""), /green 6\.9\.2/);
            assert.strictEqual(await page.$eval("#banner", (e) => e.textContent), "");
            assert.match(
                await page.$eval("#sources [data-value=weights]", (e) => e.textContent ?? ""),
                /HTTPRoute zdp\/app on https:\/\/api\.test:6443 \(resourceVersion 12\).*ok$/,
            );
            assert.strictEqual(await page.$eval("#action", (e) => e.textContent), "none running or recorded");

            // The cluster goes away: the page says so, live, and shows no number.
            down = true;
            await page.waitForFunction(`document.querySelector("#banner")?.textContent?.includes("connection refused")`);
            assert.strictEqual(await field("blue", "weight"), "n/a");
            assert.strictEqual(await field("blue", "ready pods"), "n/a");
            assert.strictEqual(await page.$eval("#active", (e) => e.textContent), "unknown");
            assert.strictEqual(await page.$eval("#rstate", (e) => e.textContent), "unreadable");
            assert.match(await page.$eval("#sources [data-value=weights]", (e) => e.textContent ?? ""), /FAILED: Unable to connect/);
            await page.screenshot({ path: path.join(OUT, "cluster-unreadable.png") });

            // The page's server goes away: the last values stay, greyed out and said not to be live.
            await stackServer.close();
            await page.waitForFunction(`document.body.classList.contains("stale")`);
            assert.match(await page.$eval("#conn", (e) => e.textContent ?? ""), /^disconnected, retrying: the values below are from \S+, not live$/);
        } finally {
            await stackServer.close();
        }
    });
});
