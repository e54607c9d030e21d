// The harness's stand-in for the Pulumi CLI's config merge (scripts/pulumiConfig.ts). The e2e suite
// compares it with the real CLI's `pulumi config --json` on every stack file; these pin the rules.
import assert from "node:assert/strict";
import { mergedConfig } from "../scripts/pulumiConfig";

const project = `name: zdp
config:
  targetUsers: {type: integer, default: 10000}
  blueVersion: {type: string, default: ""}
  aws.cacheNodes: {type: integer, default: 2}
  aws.postgresVersion: {type: string, default: "18"}
  aws.kubernetesVersion: {type: string, default: "1.35"}
  aws.certificateArn: {type: string, default: ""}
  aws:region: {value: eu-west-1}
`;

describe("pulumi config merge (the CLI's mergeConfig, as the harness applies it)", () => {
    it("puts dotted project defaults into one object per prefix, under the stack's own fields", () => {
        const merged = mergedConfig(project, "config:\n  zdp:aws:\n    cacheNodes: 3\n");
        assert.deepEqual(JSON.parse(merged["zdp:aws"]), { cacheNodes: 3, postgresVersion: 18, kubernetesVersion: "1.35", certificateArn: "" });
        assert.equal(merged["zdp:targetUsers"], "10000");
        assert.equal(merged["aws:region"], "eu-west-1");
        assert.equal(merged["zdp:aws.cacheNodes"], undefined);
    });

    it("keeps a literal dotted stack key apart from the object (the program must refuse it)", () => {
        const merged = mergedConfig(project, 'config:\n  zdp:aws.cacheNodes: "3"\n');
        assert.equal(merged["zdp:aws.cacheNodes"], "3");
        assert.equal(JSON.parse(merged["zdp:aws"]).cacheNodes, 2);
    });

    it("overrides without a namespace set dotted keys by path, like `pulumi config set --path`", () => {
        const merged = mergedConfig(project, "config: {}\n", { "aws.cacheNodes": "4", "aws.kubernetesVersion": "1.36", blueVersion: "6.10" });
        assert.deepEqual(JSON.parse(merged["zdp:aws"]).cacheNodes, 4);
        assert.deepEqual(JSON.parse(merged["zdp:aws"]).kubernetesVersion, "1.36");
        assert.equal(merged["zdp:blueVersion"], "6.10");
    });

    it("keeps quoted text and plain text the CLI reads unchanged", () => {
        const merged = mergedConfig(project, 'config:\n  zdp:blueVersion: "6.10"\n  zdp:targetUsers: 20000\n  zdp:greenVersion: 6.9.1\n');
        assert.equal(merged["zdp:blueVersion"], "6.10");
        assert.equal(merged["zdp:targetUsers"], "20000");
        assert.equal(merged["zdp:greenVersion"], "6.9.1");
    });

    // The real CLI turns these unquoted scalars into other text (observed with pulumi v3.274.1).
    for (const [scalar, cli] of [
        ["6.10", "6.1"],
        ["1e4", "10000"],
        ["True", "true"],
        ["0x10", "16"],
        ["1_000", "1000"],
        ["2026-01-02", "a timestamp"],
    ]) {
        it(`refuses the unquoted ${scalar} (the CLI reads ${cli}), asking for quotes`, () => {
            assert.throws(() => mergedConfig(project, `config:\n  zdp:blueVersion: ${scalar}\n`), new RegExp(`zdp:blueVersion: .*${scalar}.*quote it`));
            assert.throws(() => mergedConfig(project, `config:\n  zdp:aws:\n    kubernetesVersion: ${scalar}\n`), /zdp:aws\.kubernetesVersion: .*quote it/);
        });
    }
});
