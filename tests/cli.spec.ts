// Every command answers --help with its usage (exit 0) and a wrong argument with one error line and
// the usage (exit 2), never a stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { HANG_MS } from "./hang";

const ROOT = path.resolve(__dirname, "..");
const tsx = (script: string, args: string[]) =>
    spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), [script, ...args], { cwd: ROOT, encoding: "utf8", timeout: HANG_MS });

describe("command line: --help and wrong arguments", function () {
    const commands: [string, string, string[]][] = [
        ["npm run plan", "scripts/plan.ts", ["--stak", "aws"]],
        ["npm run release", "scripts/release.ts", ["promote", "--stack", "dev", "--bogus"]],
        ["npm run bench", "scripts/bench.ts", ["--runs", "zero"]],
        ["npm run bench:cost", "scripts/costCurve.ts", ["--users", "zero"]],
        ["policy/exceptions.ts", "policy/exceptions.ts", ["a", "b"]],
    ];
    for (const [name, script, wrong] of commands) {
        it(`${name} --help prints its usage and exits 0`, () => {
            const r = tsx(script, ["--help"]);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^usage: /im);
            assert.equal(r.stderr.includes("    at "), false, "no stack trace");
        });
        it(`${name} with a wrong argument says so in one line, shows the usage and exits non-zero`, () => {
            const r = tsx(script, wrong);
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /^error: [^\n]+\n/);
            assert.match(r.stderr, /usage: /i);
            assert.equal(r.stderr.includes("    at "), false, `no stack trace: ${r.stderr}`);
        });
    }
});
