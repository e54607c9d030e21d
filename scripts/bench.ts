// Benchmark, in one run and side by side (cold processes, best of --runs):
//   - the offline plan of each stack (`node --require tsx/cjs scripts/plan.ts --stack S --json`, i.e. `npm run plan` without npm's own start-up),
//   - the floor for that stack: an empty program that only loads @pulumi/pulumi and the same provider
//     SDK modules the plan loads for that stack's cloud (recorded from the plan run itself),
//   - an empty program loading EVERY @pulumi module the plan loads (the policy pack brings the other clouds),
//   - the type check (`npm run typecheck`), the lint with an empty and with a full cache, and the
//     mocha suite: the three parts of `npm test`.
//   npm run bench -- [--runs N] [--stacks dev,aws,azure,gcp]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Table from "cli-table3";
import { commandLine, usageError } from "./cli";

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
/** How the npm scripts start node (package.json): TypeScript through tsx's CommonJS hook. */
const TSX = ["--require", "tsx/cjs"];
const STACKS = ["dev", "aws", "azure", "gcp"];
/** Provider packages each stack's own program uses (dev is the `local` cloud). */
const OWN_SDKS: Record<string, string[]> = {
    dev: ["@pulumi/kubernetes"],
    aws: ["@pulumi/aws", "@pulumi/kubernetes"],
    azure: ["@pulumi/azure-native", "@pulumi/kubernetes"],
    gcp: ["@pulumi/gcp", "@pulumi/kubernetes"],
};

// Preloaded into the plan run: records the @pulumi/* specifiers the project's own files require.
const RECORDER = `
const Module = require("module");
const fs = require("fs");
const seen = new Set();
const original = Module.prototype.require;
Module.prototype.require = function (id) {
    if (typeof id === "string" && id.startsWith("@pulumi/") && !this.filename.includes("node_modules")) seen.add(id);
    return original.apply(this, arguments);
};
process.on("exit", () => fs.writeFileSync(process.env.ZDP_BENCH_IMPORTS, JSON.stringify([...seen])));
`;

interface Run {
    ms: number;
    exitCode: number;
    /** Peak resident memory of the process in MiB, when /usr/bin/time is there to tell. */
    rssMiB?: number;
}

const hasTime = fs.existsSync("/usr/bin/time");

/** Time one cold process. Fails on a non-zero exit unless `allowFailure` (a failing suite still has a duration). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, allowFailure = false): Run {
    const rssFile = path.join(os.tmpdir(), `zdp-bench-rss-${process.pid}`);
    const [file, argv] = hasTime ? ["/usr/bin/time", ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
    const started = performance.now();
    const r = spawnSync(file, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 64 << 20 });
    const ms = performance.now() - started;
    if (r.status !== 0 && !allowFailure) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr.toString().slice(-2000)}`);
    const rssMiB = hasTime ? Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 : undefined;
    return { ms, exitCode: r.status ?? 1, rssMiB };
}

/** Best of the runs: other processes on the machine can only add time, never take it away. */
function best(runs: Run[]): Run {
    const fastest = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
    const rss = runs.map((r) => r.rssMiB).filter((x): x is number => x !== undefined);
    return { ms: fastest.ms, exitCode: fastest.exitCode, rssMiB: rss.length ? Math.max(...rss) : undefined };
}

function repeat(n: number, fn: () => Run): Run {
    return best(Array.from({ length: n }, fn));
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (r: Run) => (r.rssMiB === undefined ? "n/a" : `${Math.round(r.rssMiB)} MiB`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const share = (a: number, total: number) => `${Math.round((100 * a) / total)}% of npm test`;

const USAGE = `usage: npm run bench -- [--runs N] [--stacks ${STACKS.join(",")}]

Times the offline plan of each stack against empty programs that load the same SDKs, plus the type
check and the test suite, each as a cold process (best of N runs).
  --runs N          runs per measurement, the best is kept (default 3)
  --stacks LIST     comma-separated stacks (default all)
  -h, --help        this help`;

/** --runs and --stacks, checked; undefined after --help. */
function benchArgs(): { runs: number; stacks: string[] } | undefined {
    const values = commandLine(USAGE, {
        runs: { type: "string", default: "3" },
        stacks: { type: "string", default: STACKS.join(",") },
    });
    if (!values) return undefined;
    const runs = Number(values.runs);
    const stacks = values.stacks.split(",");
    if (!Number.isInteger(runs) || runs < 1) usageError(USAGE, `--runs must be a whole number >= 1, got "${values.runs}"`);
    const unknown = stacks.filter((st) => !STACKS.includes(st));
    if (unknown.length) usageError(USAGE, `unknown stacks: ${unknown.join(", ")}; stacks are ${STACKS.join(", ")}`);
    return { runs, stacks };
}

const emptyProgram = (modules: string[]) => [...TSX, "-e", `for (const m of ${JSON.stringify(modules)}) require(m);`];

/** Where the bench keeps its files: the import recorder, each plan's recorded imports, lint's cache. */
interface Work {
    dir: string;
    recorder: string;
}

/** The plan of one stack against its two floors (progress on stdout); its three table rows. */
function benchPlan(stack: string, runs: number, work: Work): string[][] {
    const imports = path.join(work.dir, `${stack}.json`);
    const planRun = () =>
        timed(process.execPath, [...TSX, "--require", work.recorder, "scripts/plan.ts", "--stack", stack, "--json"], { ZDP_BENCH_IMPORTS: imports });
    process.stdout.write(`plan ${stack} ...`);
    const planRuns = [planRun()];
    const loaded = JSON.parse(fs.readFileSync(imports, "utf8")) as string[];
    const own = ["@pulumi/pulumi", ...loaded.filter((m) => OWN_SDKS[stack].some((p) => m === p || m.startsWith(`${p}/`)))];
    // Interleaved, so load from other processes on the machine falls on all three alike.
    const ownRuns: Run[] = [];
    const allRuns: Run[] = [];
    for (let i = 0; i < runs; i++) {
        ownRuns.push(timed(process.execPath, emptyProgram(own)));
        allRuns.push(timed(process.execPath, emptyProgram(loaded)));
        if (i > 0) planRuns.push(planRun());
    }
    const [plan, ownFloor, allFloor] = [best(planRuns), best(ownRuns), best(allRuns)];
    console.log(` ${s(plan.ms)} (floor ${s(ownFloor.ms)}, all SDKs ${s(allFloor.ms)})`);
    return [
        [`plan --stack ${stack}`, s(plan.ms), mib(plan), ratio(plan.ms, ownFloor.ms), ratio(plan.ms, allFloor.ms)],
        [`  floor: ${own.length} modules of its own SDKs`, s(ownFloor.ms), mib(ownFloor), "1.00x", ""],
        [`  floor: all ${loaded.length} @pulumi modules the plan loads`, s(allFloor.ms), mib(allFloor), ratio(allFloor.ms, ownFloor.ms), "1.00x"],
    ];
}

/** The three parts of `npm test`, and the type check `pulumi up` runs. */
interface Toolchain {
    typecheck: Run;
    typecheck59: Run;
    lintCold: Run;
    lintWarm: Run;
    suite: Run;
}

/** The mocha command line of `npm test` (package.json), without `mocha `. */
function suiteArgs(): string {
    const { scripts } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: { test: string } };
    const mocha = scripts.test
        .split("&&")
        .map((c) => c.trim())
        .find((c) => c.startsWith("mocha "))!;
    return mocha.slice("mocha ".length);
}

const suiteNote = (suite: Run) => (suite.exitCode === 0 ? "" : ` (exit ${suite.exitCode}: failing tests)`);

/** Time the type checks, the lint and the suite (progress on stdout). */
function benchToolchain(runs: number, work: Work): Toolchain {
    process.stdout.write("typecheck ...");
    const typecheck = repeat(runs, () => timed(process.execPath, ["node_modules/typescript7/bin/tsc", "--noEmit", "-p", "."]));
    console.log(` ${s(typecheck.ms)}`);
    // TypeScript 5.9 is what `pulumi up` compiles the program with (ts-node); the check uses 7 for speed.
    process.stdout.write("typecheck with TypeScript 5.9 ...");
    const typecheck59 = timed(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."]);
    console.log(` ${s(typecheck59.ms)}`);
    // Lint builds TypeScript 5.9's program of the whole project (typescript-eslint has no tsgo yet):
    // cold on a fresh clone, then from its cache when no file changed.
    process.stdout.write("lint ...");
    const lintArgs = [".", "--cache", "--cache-strategy", "content", "--cache-location", path.join(work.dir, "eslint-cache")];
    const lintCold = timed(bin("eslint"), lintArgs);
    const lintWarm = timed(bin("eslint"), lintArgs);
    console.log(` ${s(lintCold.ms)} (cached: ${s(lintWarm.ms)})`);
    // The suite is long; one run is enough to size it. Same mocha command line as `npm test`.
    process.stdout.write("mocha suite ...");
    const suite = timed("sh", ["-c", `${bin("mocha")} ${suiteArgs()}`], {}, true);
    console.log(` ${s(suite.ms)}${suiteNote(suite)}`);
    return { typecheck, typecheck59, lintCold, lintWarm, suite };
}

/** The toolchain's table rows, each part as its share of `npm test`. */
function toolchainRows({ typecheck, typecheck59, lintCold, lintWarm, suite }: Toolchain): string[][] {
    const total = typecheck.ms + lintCold.ms + suite.ms;
    return [
        ["npm run typecheck (tsgo)", s(typecheck.ms), mib(typecheck), share(typecheck.ms, total), ""],
        ["npm run lint, empty cache (fresh clone)", s(lintCold.ms), mib(lintCold), share(lintCold.ms, total), ""],
        ["npm run lint, nothing changed since the last run", s(lintWarm.ms), mib(lintWarm), "", ""],
        [
            "typecheck with TypeScript 5.9 (what ts-node uses under `pulumi up`)",
            s(typecheck59.ms),
            mib(typecheck59),
            ratio(typecheck59.ms, typecheck.ms) + " of tsgo",
            "",
        ],
        [`mocha suite (1 run)${suiteNote(suite)}`, s(suite.ms), mib(suite), share(suite.ms, total), ""],
        ["npm test = typecheck + lint (empty cache) + mocha", s(total), "", "", ""],
        ["npm test, lint cached", s(total - lintCold.ms + lintWarm.ms), "", "", ""],
    ];
}

function main(): void {
    const args = benchArgs();
    if (!args) return;
    const { runs, stacks } = args;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-bench-"));
    const work = { dir, recorder: path.join(dir, "record.cjs") };
    fs.writeFileSync(work.recorder, RECORDER);

    console.log(`zdp bench: best of ${runs} cold run(s) each (peak RSS: highest); ${os.cpus().length} CPUs, node ${process.version}`);
    const table = new Table({
        head: ["what", "time", "peak RSS", "vs floor (own SDKs)", "vs floor (all SDKs loaded)"],
        style: { head: [], border: [] },
    });
    process.stdout.write("node + tsx, empty program ...");
    const bare = repeat(runs, () => timed(process.execPath, emptyProgram([])));
    console.log(` ${s(bare.ms)}`);
    table.push(["node + tsx start, nothing loaded", s(bare.ms), mib(bare), "", ""]);
    for (const stack of stacks) table.push(...benchPlan(stack, runs, work));
    table.push(...toolchainRows(benchToolchain(runs, work)));
    console.log(table.toString());
    fs.rmSync(dir, { recursive: true, force: true });
}

main();
