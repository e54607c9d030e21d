// The config corpus (tests/corpus/configs.ts) through the reader and parser the plan and the program
// use: every fatal config refused with one clear error naming its key, every valid one accepted. Pure.
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseConfig } from "../model/config";
import { mergedConfig, stackEnvironments } from "../scripts/pulumiConfig";
import { CONFIG_CASES, type ConfigCase } from "./corpus/configs";

const ROOT = path.resolve(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const PULUMI_YAML = read("Pulumi.yaml");

/** The case's outcome: the ConfigError, or undefined when the config parses. Anything else is a stack trace: the test fails. */
function outcome(c: ConfigCase): ConfigError | undefined {
    const file = read(`Pulumi.${c.stack}.yaml`);
    try {
        const text = c.yaml ? c.yaml(file) : file;
        stackEnvironments(text);
        parseConfig(mergedConfig(PULUMI_YAML, text, c.set), c.stack);
        return undefined;
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
}

const label = (c: ConfigCase) =>
    c.set
        ? Object.entries(c.set)
              .map(([k, v]) => `${k}=${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`)
              .join(" ")
        : "stack file edit";

describe("config corpus: accepted means the clouds accept it, refused means one clear error", () => {
    it("holds at least 200 configs, on every stack, accepted and refused ones both", () => {
        assert.ok(CONFIG_CASES.length >= 200, `${CONFIG_CASES.length} cases`);
        for (const stack of ["dev", "aws", "azure", "gcp"]) assert.ok(CONFIG_CASES.filter((c) => c.stack === stack).length >= 20, stack);
        assert.ok(CONFIG_CASES.filter((c) => !c.refuses).length >= 30, "accepted cases");
    });

    for (const c of CONFIG_CASES) {
        const title = `${c.stack}: ${label(c)} ${c.refuses ? `is refused naming ${c.refuses}` : "is accepted"} (${c.because})`;
        it(title, () => {
            const err = outcome(c);
            if (!c.refuses) {
                assert.equal(err, undefined, err?.message);
                return;
            }
            assert.ok(err, "accepted, but the cloud or the CLI would refuse it");
            const hit = err.issues.find((i) => i.key === c.refuses);
            assert.ok(hit, `no issue names ${c.refuses}:\n${err.message}`);
            // Clear: says what is allowed or what to do, and quotes the value it refused.
            assert.match(
                hit.message,
                /must|is required|applies only|belongs to|is not|makes|refuses|indent|keep one|write it as|would|quote it|request or import/,
                hit.message,
            );
            if (hit.value !== undefined && hit.value !== "[secret]") assert.ok(err.message.includes(`"${hit.value}"`), err.message);
        });
    }
});
