// Debian's Chromium, headless, for the browser tests. Fails (does not skip) when it is missing.
import * as assert from "assert";
import fs from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { HANG_MS } from "../hang";

const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

export function launchChromium(): Promise<Browser> {
    assert.ok(CHROMIUM, "Chromium not found: apt-get install chromium (Debian), or set CHROMIUM_PATH");
    return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"], timeout: HANG_MS });
}

/** A page whose navigations and waits give up only on a hang (puppeteer's default is 30 s, which a busy CI machine can take). */
export async function newPage(browser: Browser): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(HANG_MS);
    return page;
}
