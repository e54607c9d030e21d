// Pulumi runs of the program are transpile-only; the type check belongs to npm test.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");

describe("Pulumi runtime options", () => {
    it("point the Node.js runtime at a tsconfig the SDK reads as transpile-only", () => {
        const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const tsconfig = path.join(ROOT, project.runtime.options.tsconfig);
        // The SDK's own reader, as its run command uses it to set ts-node's transpileOnly.
        const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
            loadTypeScriptCompilerOptions(this: void, p: string): Record<string, unknown>;
        };
        assert.equal(loadTypeScriptCompilerOptions(tsconfig).noCheck, true);
        assert.equal(JSON.parse(fs.readFileSync(tsconfig, "utf8")).extends, "./tsconfig.json", "same compiler settings as the type check");
        assert.notEqual(loadTypeScriptCompilerOptions(path.join(ROOT, "tsconfig.json")).noCheck, true, "npm test still type-checks");
    });
});
