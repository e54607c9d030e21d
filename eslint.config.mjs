// Lint: typescript-eslint's type-aware recommended rules (floating promises, misused promises) and
// Pulumi's own rules against an Output inside a template literal (it prints a warning string, not
// the value). Formatting is Prettier's (eslint-config-prettier turns off the rules it owns).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "policy/node_modules/", "test-output/", "dist/", "crds/", "e2e/tools/"] },
    js.configs.recommended,
    {
        files: ["**/*.ts"],
        extends: [tseslint.configs.recommendedTypeChecked],
        languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
        plugins: { pulumi },
        rules: {
            "pulumi/no-output-in-template-literal": "error",
            "pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            // Fakes and adapters implement async interfaces without awaiting anything; that is fine.
            "@typescript-eslint/require-await": "off",
        },
    },
    {
        // Code that reads resource properties as Pulumi hands them over, untyped (`any`): the policy
        // SDK's props, the mock runtime's recorded inputs (tests, the offline plan). Typing them adds no safety.
        // YAML documents (scripts/pulumiConfig.ts) likewise.
        files: ["tests/**/*.ts", "e2e/**/*.ts", "policy/**/*.ts", "scripts/plan*.ts", "scripts/offline/**/*.ts", "scripts/pulumiConfig.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        // The pure model (config, capacity, address space, cost, release maths) is tested without Pulumi
        // and read by the scripts; it depends on nothing that declares resources.
        files: ["model/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        { group: ["@pulumi/*"], message: "model/ is pure: no Pulumi import (declare resources in components/)." },
                        { group: ["**/components/**", "**/stacks/**", "**/scripts/**"], message: "model/ depends on nothing above it." },
                    ],
                },
            ],
        },
    },
    {
        // The product (the program, its components and its commands) never runs test code.
        files: ["index.ts", "library.ts", "components/**/*.ts", "stacks/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                { patterns: [{ group: ["**/tests/**"], message: "test code stays in tests/; shared code lives in the product." }] },
            ],
        },
    },
    {
        // Small enough to read at once (issue 29): no function of the product over 100 lines, no stack
        // file over 100 (each reads like its cloud's architecture).
        files: ["components/**/*.ts", "stacks/**/*.ts", "scripts/**/*.ts", "model/**/*.ts", "policy/**/*.ts"],
        rules: { "max-lines-per-function": ["error", { max: 100 }] },
    },
    {
        files: ["stacks/**/*.ts"],
        rules: { "max-lines": ["error", { max: 100 }] },
    },
    {
        // Pulumi's mocks must be set before a stack module loads, so tests require() it afterwards; the
        // mock runtime patches the SDK's internals, which it reaches by require().
        files: ["tests/**/*.ts", "scripts/offline/run.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    prettier,
);
