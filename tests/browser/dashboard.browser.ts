// The live release page in a real browser: Debian's Chromium, headless, against a simulated canary
// and against a real stack file whose cluster reads are faked.
// Screenshots go to test-output/dashboard/. Fails (does not skip) when Chromium is missing.
import * as assert from "assert";
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { sizingFor } from "../../model/capacity";
import { parseConfig } from "../../model/config";
import { releaseState } from "../../model/releasePlan";
import { kubectlReadyPods } from "../../scripts/dashboard/readyPods";
import { SimulatedCanary } from "../../scripts/dashboard/simulated";
import type { DashboardSource, Snapshot } from "../../scripts/dashboard/source";
import { StackFileSource } from "../../scripts/dashboard/stackSource";
import { serveDashboard, type DashboardServer } from "../../scripts/dashboard/server";
import { ROOT, stackConfigMap } from "../harness";
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

    it("a real stack's page shows the cluster's ready pods against each floor, and names a failed read instead of showing 0", async () => {
        const ready = { blue: 5, green: 3 };
        let fail = false;
        const kubectl = async () => {
            if (fail) throw new Error("Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused");
            return JSON.stringify({
                kind: "List",
                items: Object.entries(ready).map(([c, n]) => ({ metadata: { name: `app-${c}` }, status: { readyReplicas: n } })),
            });
        };
        const stackServer = await serveDashboard(new StackFileSource(ROOT, "aws", { pods: kubectlReadyPods({}, kubectl) }), { intervalMs: 200 });
        try {
            const page = await newPage(browser);
            await page.goto(stackServer.url);
            const field = (colour: string) => page.$eval(`[data-colour=${colour}] [data-field="ready pods"]`, (e) => e.textContent ?? "");
            await page.waitForFunction(`document.querySelector("[data-colour=blue] [data-field='ready pods']")?.textContent?.startsWith("5 / ")`);
            const cfg = parseConfig(stackConfigMap("aws"), "aws");
            const floors = releaseState(cfg, sizingFor(cfg)).tracks;
            const floor = (c: string) => floors.find((t) => t.track === c)!.minReplicas;
            assert.strictEqual(await field("blue"), `5 / ${floor("blue")}`);
            assert.strictEqual(await field("green"), `3 / ${floor("green")}`);
            // Below its floor reads as bad; at or above it does not.
            const bad = (colour: string) => page.$eval(`[data-colour=${colour}] [data-field="ready pods"]`, (e) => e.classList.contains("bad"));
            assert.strictEqual(await bad("blue"), 5 < floor("blue"));
            // The cluster goes away: the page says so, live, and shows no number.
            fail = true;
            await page.waitForFunction(`document.querySelector("#notes")?.textContent?.includes("ready pods could not be read")`);
            assert.strictEqual(await field("blue"), "n/a");
            assert.match(await page.$eval("#notes", (e) => e.textContent ?? ""), /connection refused/);
            await page.screenshot({ path: path.join(OUT, "stack-pods-unreadable.png") });
        } finally {
            await stackServer.close();
        }
    });
});
