// The harness's config merge (scripts/pulumiConfig.ts) against the real CLI's `pulumi config --json`.
import assert from "node:assert/strict";
import { parseConfig, ConfigError } from "../model/config";
import { cliStackConfig, mergedConfig, stackConfig } from "../scripts/pulumiConfig";
import { PulumiProject, tool } from "./tools";

const STACKS = ["dev", "aws", "azure", "gcp"];

interface CliValue {
    value?: string;
    objectValue?: unknown;
    secret: boolean;
}

/** `pulumi config --json` as `key → the value the program receives` (objects as parsed JSON). */
function cliConfig(p: PulumiProject, stack: string): Record<string, unknown> {
    const out = JSON.parse(p.pulumi("config", "--json", "--stack", stack)) as Record<string, CliValue>;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.objectValue ?? v.value]));
}

const asCli = (merged: Record<string, string>) => Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, v.startsWith("{") ? JSON.parse(v) : v]));

describe("e2e: the harness's config merge equals the Pulumi CLI's", function () {
    this.timeout(120_000);
    let p: PulumiProject;
    before(() => (p = new PulumiProject(STACKS)));
    after(() => p?.remove());

    for (const stack of STACKS)
        it(`Pulumi.${stack}.yaml: every key and value, objects included`, () => {
            const cli = cliConfig(p, stack);
            const harness = asCli(mergedConfig(p.read("Pulumi.yaml"), p.read(`Pulumi.${stack}.yaml`)));
            assert.deepEqual(harness, cli);
            assert.ok(
                Object.keys(cli).some((k) => typeof cli[k] === "object"),
                "the stack has structured keys",
            );
            assert.doesNotThrow(() => parseConfig(mergedConfig(p.read("Pulumi.yaml"), p.read(`Pulumi.${stack}.yaml`)), stack));
        });

    it("`config set --path` edits the object the program reads; the harness reads the edited file the same", () => {
        p.pulumi("config", "set", "--path", "aws.cacheNodes", "3", "--stack", "aws");
        p.pulumi("config", "set", "--path", "aws.kubernetesVersion", "1.36", "--stack", "aws");
        const cli = cliConfig(p, "aws");
        assert.deepEqual(asCli(mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.aws.yaml"))), cli);
        const cfg = parseConfig(mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.aws.yaml")), "aws");
        assert.equal(cfg.aws!.cacheNodes, 3);
        assert.equal(cfg.aws!.kubernetesVersion, "1.36");
    });

    it("`config set` without --path writes a literal key next to the object; the program refuses it naming --path", () => {
        p.pulumi("config", "set", "aws.backupRetentionDays", "30", "--stack", "aws");
        const cli = cliConfig(p, "aws");
        assert.equal(cli["zdp:aws.backupRetentionDays"], "30");
        assert.notEqual((cli["zdp:aws"] as any).backupRetentionDays, 30, "the object never sees a literal key");
        const merged = mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.aws.yaml"));
        assert.deepEqual(asCli(merged), cli);
        assert.throws(
            () => parseConfig(merged, "aws"),
            (e: ConfigError) => /pulumi config set --path aws\.backupRetentionDays 30/.test(e.message),
        );
    });

    it("an unquoted scalar the CLI rewrites is refused by the harness; `config set` quotes it", () => {
        p.write("Pulumi.dev.yaml", p.read("Pulumi.dev.yaml").replace(/zdp:greenVersion: .*/, "zdp:greenVersion: 6.10"));
        assert.equal(cliConfig(p, "dev")["zdp:greenVersion"], "6.1", "the CLI reads an unquoted 6.10 as 6.1");
        assert.throws(() => mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.dev.yaml")), /quote it/);
        p.pulumi("config", "set", "greenVersion", "6.10", "--stack", "dev");
        assert.equal(cliConfig(p, "dev")["zdp:greenVersion"], "6.10");
        assert.equal(mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.dev.yaml"))["zdp:greenVersion"], "6.10");
    });

    it("ESC: the CLI's own answer for a stack importing environments it cannot open is the plan's stated reason", () => {
        p.write("Pulumi.dev.yaml", `environment:\n  - acme/dev\n${p.read("Pulumi.dev.yaml")}`);
        const { source } = stackConfig("dev", {}, { root: p.dir, pulumi: tool("pulumi"), env: p.env });
        assert.deepEqual(source.environments, ["acme/dev"]);
        assert.match(source.unresolved ?? "", /does not support environments/);
    });

    it("ESC: a secret, and an object holding one, print no value; the reader keeps the object's fields from the files", () => {
        p.pulumi("config", "set", "--secret", "alertWebhook", "https://hooks.example.com/x", "--stack", "gcp");
        p.pulumi("config", "set", "--secret", "--path", "usage.requestsPerUserPerMinute", "7", "--stack", "gcp");
        const files = new Map(Object.entries(asCli(mergedConfig(p.read("Pulumi.yaml"), p.read("Pulumi.gcp.yaml")))));
        const resolved = cliStackConfig("gcp", files, { root: p.dir, pulumi: tool("pulumi"), env: p.env });
        if (typeof resolved === "string") assert.fail(resolved);
        assert.equal(resolved.get("zdp:alertWebhook"), "[secret]");
        assert.deepEqual(resolved.get("zdp:usage"), files.get("zdp:usage"));
        assert.equal((files.get("zdp:usage") as Record<string, unknown>).requestsPerUserPerMinute, "[secret]");
        assert.ok(![...resolved.values()].some((v) => JSON.stringify(v).includes("hooks.example.com")), "no plaintext");
    });
});
