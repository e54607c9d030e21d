// The docs stay true: every relative link and anchor in README.md and docs/*.md resolves, the README
// stays short and links every page, the commands shown exist and parse, and the outputs quoted are
// what the program prints. (The config table is checked against Pulumi.yaml in config.spec.ts; the
// Mermaid diagrams are parsed by the real Mermaid in npm run test:browser.)
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildPlan, shortfalls } from "../scripts/planReport";
import { parseReleaseArgs } from "../scripts/release/args";
import { HANG_MS } from "./hang";
import { ROOT } from "./harness";
import { anchors, brokenLink, relativeLinks } from "./markdown";

const DOCS = path.join(ROOT, "docs");
const markdownFiles = (): string[] => [
    "README.md",
    ...fs
        .readdirSync(DOCS)
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

const readRepoFile = (f: string) => {
    const full = path.join(ROOT, f);
    return fs.existsSync(full) ? (fs.statSync(full).isDirectory() ? "" : fs.readFileSync(full, "utf8")) : undefined;
};

/** `npm run NAME -- ARGS` commands shown anywhere in the docs (code blocks and inline code). */
function npmRuns(): { file: string; script: string; args: string[] }[] {
    const out: { file: string; script: string; args: string[] }[] = [];
    for (const file of markdownFiles())
        for (const m of read(file).matchAll(/npm run (?:--silent )?([\w:-]+)(?: -- ([^\n`#|&;()]*))?/g)) {
            const args = (m[2] ?? "").trim().split(/\s+/).filter(Boolean);
            out.push({ file, script: m[1], args });
        }
    return out;
}

describe("docs: README.md and docs/*.md stay true", () => {
    it("every relative link and anchor resolves (checked over more than twenty links)", () => {
        const links = markdownFiles().flatMap((f) => relativeLinks(f, read(f)));
        assert.ok(links.length > 20, `only ${links.length} relative links found: the extractor is broken`);
        assert.ok(links.filter((l) => l.target.includes("#")).length >= 4, "anchors are checked too");
        assert.deepStrictEqual(links.map((l) => brokenLink(l, readRepoFile)).filter(Boolean), []);
    });

    it("the link check catches a missing page, a missing anchor, and computes GitHub's anchors", () => {
        const pages: Record<string, string> = {
            "docs/a.md":
                "# Page A\n## What only a real `pulumi up` can prove\n## The pull-request path: PR → preview comment → merge → up\n## Twice\n## Twice\n```\n# not a heading\n```\n",
        };
        assert.deepStrictEqual(
            [...anchors(pages["docs/a.md"])],
            ["page-a", "what-only-a-real-pulumi-up-can-prove", "the-pull-request-path-pr--preview-comment--merge--up", "twice", "twice-1"],
        );
        const readFake = (f: string) => pages[f];
        const check = (target: string) => brokenLink({ file: "README.md", target }, readFake);
        assert.strictEqual(check("docs/a.md#twice-1"), undefined);
        assert.match(check("docs/b.md")!, /no file docs\/b\.md/);
        assert.match(check("docs/a.md#not-a-heading")!, /no heading makes #not-a-heading/);
        assert.deepStrictEqual(
            relativeLinks("x.md", "see [a](a.md) and `[b](b.md)` and [c](https://c.example)\n```\n[d](d.md)\n```\n![e](img/e.png)").map((l) => l.target),
            ["a.md", "img/e.png"],
        );
    });

    it("the README fits on two screens and links every docs page", () => {
        const readme = read("README.md");
        const lines = readme.trimEnd().split("\n").length;
        assert.ok(lines <= 60, `README.md has ${lines} lines; keep it to two screens (60) and move detail into docs/`);
        const linked = new Set(relativeLinks("README.md", readme).map((l) => l.target.split("#")[0]));
        const pages = fs.readdirSync(DOCS).filter((f) => f.endsWith(".md"));
        assert.ok(pages.length >= 12);
        assert.deepStrictEqual(
            pages.filter((p) => !linked.has(`docs/${p}`)),
            [],
        );
    });

    it("every `npm run` shown names a script of package.json; every release command shown parses", () => {
        const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
        const runs = npmRuns();
        assert.ok(runs.length > 20, `only ${runs.length} npm run commands found`);
        assert.deepStrictEqual(
            runs.filter((r) => !scripts.includes(r.script)).map((r) => `${r.file}: npm run ${r.script}`),
            [],
        );
        const releases = runs.filter((r) => r.script === "release" && r.args.length > 0 && !r.args.some((a) => /[$<"]/.test(a)));
        assert.ok(releases.length >= 6, `only ${releases.length} release commands found`);
        for (const r of releases) assert.doesNotThrow(() => parseReleaseArgs(r.args), `${r.file}: npm run release -- ${r.args.join(" ")}`);
    });

    it("every flag of `npm run plan` shown is one the plan's --help lists", () => {
        const help = spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/plan.ts", "--help"], { cwd: ROOT, encoding: "utf8", timeout: HANG_MS });
        assert.strictEqual(help.status, 0, help.stderr);
        const flags = npmRuns()
            .filter((r) => r.script === "plan")
            .flatMap((r) => r.args.filter((a) => a.startsWith("--")).map((flag) => ({ file: r.file, flag })));
        assert.ok(flags.length > 5);
        assert.deepStrictEqual(
            flags.filter(({ flag }) => !help.stdout.includes(`  ${flag} `)),
            [],
        );
    });

    it("the config errors docs/config.md quotes are what the plan reports, word for word", async () => {
        const page = read("docs/config.md");
        // Each quoted `$ npm run plan -- --config K=V` example shows "Invalid stack config (1 problem):" and the problem line.
        const examples = [...page.matchAll(/\$ npm run plan -- (?:--stack (\w+) )?--config (\S+)=(\S+)\n(?:.+\n)*?\s+- (.+)\n/g)];
        assert.ok(examples.length >= 2, "the config error examples are found");
        for (const [, stack, key, value, quoted] of examples) {
            const message = await buildPlan(stack ?? "dev", { [key]: value }, false).then(
                () => undefined,
                (e: Error) => e.message,
            );
            assert.ok(
                message?.includes(quoted),
                `npm run plan -- --stack ${stack ?? "dev"} --config ${key}=${value}: docs quote\n  ${quoted}\nbut the plan says\n  ${message}`,
            );
        }
    });

    it("the capacity shortfall docs/config.md quotes is the plan's own", async () => {
        const m = /\$ npm run plan -- --stack (\w+) --config (\w+)=(\d+)\n(?:.+\n)*?\s+✗ (.+)\n/.exec(read("docs/config.md"));
        assert.ok(m, "the shortfall example is found");
        const [, stack, key, value, quoted] = m;
        assert.deepStrictEqual(shortfalls(await buildPlan(stack, { [key]: value }, false)), [quoted]);
    });
});
