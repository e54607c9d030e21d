// Debian's Chromium, headless, for the browser tests. Fails (does not skip) when it is missing.
import * as assert from "assert";
import fs from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));

export function launchChromium(): Promise<Browser> {
    assert.ok(CHROMIUM, "Chromium not found: apt-get install chromium (Debian), or set CHROMIUM_PATH");
    return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
}
