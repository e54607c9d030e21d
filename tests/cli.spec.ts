// Every command answers --help with its usage (exit 0) and a wrong argument with one error line and
// the usage (exit 2), never a stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { HANG_MS } from "./hang";

const ROOT = path.resolve(__dirname, "..");
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** `npm run <name>` without npm's own start-up: the script's `node --require tsx/cjs <file>` on this node. */
function npmRun(name: string, args: string[]) {
    const file = /^node --require tsx\/cjs (\S+)$/.exec(scripts[name] ?? "")?.[1];
    assert.ok(file, `package.json scripts.${name} is ${JSON.stringify(scripts[name])}, not \`node --require tsx/cjs <file>\``);
    return run(["--require", "tsx/cjs", file], args);
}
const run = (node: string[], args: string[]) => spawnSync(process.execPath, [...node, ...args], { cwd: ROOT, encoding: "utf8", timeout: HANG_MS });
// The workflows and docs run policy/exceptions.ts with `npx tsx`.
const tsx = (file: string, args: string[]) => run([require.resolve("tsx/cli"), file], args);

describe("command line: --help and wrong arguments", function () {
    const commands: [string, (args: string[]) => ReturnType<typeof run>, string[]][] = [
        ["npm run plan", (a) => npmRun("plan", a), ["--stak", "aws"]],
        ["npm run preflight", (a) => npmRun("preflight", a), ["--stack", "aws", "--principal", "deploy-role"]],
        ["npm run release", (a) => npmRun("release", a), ["promote", "--stack", "dev", "--bogus"]],
        ["npm run bench", (a) => npmRun("bench", a), ["--runs", "zero"]],
        ["npm run bench:cost", (a) => npmRun("bench:cost", a), ["--users", "zero"]],
        ["npx tsx policy/exceptions.ts", (a) => tsx("policy/exceptions.ts", a), ["a", "b"]],
    ];
    for (const [name, command, wrong] of commands) {
        it(`${name} --help prints its usage and exits 0`, () => {
            const r = command(["--help"]);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^usage: /im);
            assert.equal(r.stderr.includes("    at "), false, "no stack trace");
        });
        it(`${name} with a wrong argument says so in one line, shows the usage and exits non-zero`, () => {
            const r = command(wrong);
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /^error: [^\n]+\n/);
            assert.match(r.stderr, /usage: /i);
            assert.equal(r.stderr.includes("    at "), false, `no stack trace: ${r.stderr}`);
        });
    }
});
