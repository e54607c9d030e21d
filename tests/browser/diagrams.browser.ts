// Every ```mermaid block of README.md and docs/*.md is parsed and rendered by the real Mermaid (the npm
// package's browser bundle) in Debian's headless Chromium, as GitHub renders them. One PNG per diagram
// goes to test-output/diagrams/. Fails (does not skip) when Chromium is missing.
import * as assert from "assert";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { launchChromium, newPage } from "./chromium";

const ROOT = path.resolve(__dirname, "../..");
const OUT = path.join(ROOT, "test-output/diagrams");
const MERMAID = require.resolve("mermaid/dist/mermaid.min.js");

interface Diagram {
    name: string;
    code: string;
}

function diagrams(): Diagram[] {
    const files = [
        "README.md",
        ...fs
            .readdirSync(path.join(ROOT, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => `docs/${f}`),
    ];
    return files.flatMap((file) =>
        [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m, i) => ({
            name: `${path.basename(file, ".md")}-${i + 1}`,
            code: m[1],
        })),
    );
}

/** Mermaid's verdict on one diagram: the SVG it renders, or its parse/render error. */
async function render(page: Page, d: Diagram): Promise<{ svg?: string; error?: string }> {
    return page.evaluate(
        async (name, code) => {
            const m = (globalThis as unknown as { mermaid: { parse(c: string): Promise<unknown>; render(id: string, c: string): Promise<{ svg: string }> } })
                .mermaid;
            try {
                await m.parse(code);
                const { svg } = await m.render(`d-${name}`, code);
                (globalThis as unknown as { document: { body: { innerHTML: string } } }).document.body.innerHTML =
                    `<div id="shot" style="width:1380px;padding:8px;background:#fff">${svg}</div>`;
                return { svg };
            } catch (e) {
                return { error: String((e as Error)?.message ?? e) };
            }
        },
        d.name,
        d.code,
    );
}

describe("docs diagrams in the real Mermaid (headless Chromium)", function () {
    let browser: Browser;
    let page: Page;

    before(async () => {
        fs.mkdirSync(OUT, { recursive: true });
        browser = await launchChromium();
        page = await newPage(browser);
        await page.setViewport({ width: 1400, height: 900 });
        await page.setContent("<!doctype html><html><body></body></html>");
        await page.addScriptTag({ path: MERMAID });
        await page.evaluate(() =>
            (globalThis as unknown as { mermaid: { initialize(c: object): void } }).mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }),
        );
    });
    after(async () => {
        await browser?.close();
    });

    it("the parser is really checking: a broken diagram is refused", async () => {
        const { error } = await render(page, { name: "broken", code: "flowchart LR\n  a[open --> b\n" });
        assert.ok(error, "Mermaid accepted a diagram with an unclosed node");
    });

    it("every diagram of the docs parses and renders, naming what it draws", async () => {
        const all = diagrams();
        // Each cloud's architecture, the blue/green and canary route states, the release CLI's gates.
        assert.ok(all.length >= 6, `only ${all.length} mermaid blocks found in README.md and docs/`);
        const failures: string[] = [];
        for (const d of all) {
            const { svg, error } = await render(page, d);
            if (error || !svg) {
                failures.push(`${d.name}: ${error}`);
                continue;
            }
            // Every node label of the source appears in the SVG: the diagram drew what it says.
            const labels = [...d.code.matchAll(/\["([^"]+)"\]/g)].map((m) => m[1].replace(/<br\/?>/g, " ").split(" ")[0]);
            const missing = labels.filter((l) => !svg.includes(l));
            if (missing.length) failures.push(`${d.name}: labels not drawn: ${missing.join(", ")}`);
            const shot = await page.$("#shot");
            await shot!.screenshot({ path: path.join(OUT, `${d.name}.png`) });
        }
        assert.deepStrictEqual(failures, []);
    });
});
