// The live release page in a real browser: Debian's Chromium, headless, against a simulated canary.
// Screenshots go to test-output/dashboard/. Fails (does not skip) when Chromium is missing.
import * as assert from "assert";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { SimulatedCanary } from "../../scripts/dashboard/simulated";
import { serveDashboard, type DashboardServer } from "../../scripts/dashboard/server";
import { launchChromium } from "./chromium";

const OUT = path.resolve(__dirname, "../../test-output/dashboard");

describe("release dashboard in headless Chromium", function () {
    this.timeout(60_000);
    let browser: Browser;
    let server: DashboardServer;

    before(async () => {
        fs.mkdirSync(OUT, { recursive: true });
        server = await serveDashboard(new SimulatedCanary("aws", 8), { intervalMs: 300 });
        browser = await launchChromium();
    });
    after(async () => {
        await browser?.close();
        await server?.close();
    });

    it("shows each colour's version, weight, ready pods and live metrics, and follows the canary to promotion", async () => {
        const page = await browser.newPage();
        await page.setViewport({ width: 1100, height: 700 });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(server.url);
        const field = (colour: string, name: string) => page.$eval(`[data-colour=${colour}] [data-field="${name}"]`, (e) => e.textContent ?? "");

        // Mid-canary: green at 25%, blue at 75%, checks passing, release still running.
        await page.waitForFunction(`document.querySelector("[data-colour=green] [data-field=weight]")?.textContent === "25%"`);
        assert.strictEqual(await page.$eval("#conn", (e) => e.textContent), "live");
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
});
