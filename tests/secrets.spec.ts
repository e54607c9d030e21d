// No plaintext secrets: every value the mocks generate as a secret (passwords, auth tokens, kubeconfigs)
// may appear in a recorded resource input or a stack output only inside a Pulumi secret.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { buildPlan, planJson } from "../scripts/planReport";
import { ROOT, runStack, type StackRun } from "./harness";

const STACKS: Record<string, string> = { dev: "local", aws: "aws", azure: "azure", gcp: "gcp" };

/** Every string leaf of `value` with its path, spelled as the harness spells secretPaths (`a.b[0].c`). */
function stringLeaves(value: unknown, at: string, out: [string, string][] = []): [string, string][] {
    if (typeof value === "string") out.push([at, value]);
    else if (Array.isArray(value)) value.forEach((v, i) => stringLeaves(v, `${at}[${i}]`, out));
    else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) stringLeaves(v, at ? `${at}.${k}` : k, out);
    }
    return out;
}

const under = (p: string, secretPaths: string[]) => secretPaths.some((s) => s === "" || p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`));

/** The generated secrets, plus the kubeconfig output (a credential even when the mock did not list it). */
function secretsOf(run: StackRun): string[] {
    const kubeconfig = run.outputs["kubeconfig"]?.value;
    const all = [...run.generatedSecrets, ...(typeof kubeconfig === "string" ? [kubeconfig] : [])];
    // Short strings would match by accident; generated credentials are long.
    return [...new Set(all.filter((s) => s.length >= 8))];
}

/** Places where a secret value shows in plaintext: `<type>::<name> <path>` or `output <key>`. */
function plaintextSecrets(run: StackRun): string[] {
    const secrets = secretsOf(run);
    const leaks: string[] = [];
    for (const r of run.resources) {
        for (const [p, s] of stringLeaves(r.inputs, "")) {
            if (secrets.some((v) => s.includes(v)) && !under(p, r.secretPaths)) leaks.push(`${r.type}::${r.name} ${p}`);
        }
    }
    for (const [key, out] of Object.entries(run.outputs)) {
        const text = typeof out.value === "string" ? out.value : JSON.stringify(out.value ?? null);
        if (!out.secret && secrets.some((v) => text.includes(v))) leaks.push(`output ${key}`);
    }
    return leaks;
}

describe("secrets: generated credentials appear only as Pulumi secrets", () => {
    it("the scan finds a planted plaintext copy (it is not vacuous)", () => {
        const run: StackRun = {
            config: {} as StackRun["config"],
            generatedSecrets: ["Pw-generated-123456"],
            warnings: [],
            configSource: { environments: [] },
            resources: [
                {
                    type: "kubernetes:core/v1:Secret",
                    name: "app",
                    urn: "u",
                    inputs: { stringData: { DATABASE_PASSWORD: "Pw-generated-123456", DATABASE_URL: "postgres://u:Pw-generated-123456@db" } },
                    secretPaths: ["stringData.DATABASE_PASSWORD"],
                    protect: false,
                    dependsOn: [],
                    custom: true,
                    ignoreChanges: [],
                    deleteBeforeReplace: false,
                    replaceOnChanges: [],
                },
            ],
            outputs: { kubeconfig: { value: "apiVersion: v1", secret: false }, dbPassword: { value: "Pw-generated-123456", secret: false } },
        };
        assert.deepStrictEqual(plaintextSecrets(run), ["kubernetes:core/v1:Secret::app stringData.DATABASE_URL", "output kubeconfig", "output dbPassword"]);
    });

    for (const [stack, target] of Object.entries(STACKS)) {
        describe(stack, function () {
            let run: StackRun;
            before(async function () {
                const built = fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) && fs.existsSync(path.join(ROOT, "stacks", `${target}.ts`));
                if (!built) this.skip(); // stacks/<target>.ts not written yet
                run = await runStack(stack);
            });

            it("generates secrets and never records one in plaintext; kubeconfig is a secret output", () => {
                assert.ok(secretsOf(run).length > 0, "the stack generated no secret: nothing was scanned");
                assert.deepStrictEqual(plaintextSecrets(run), []);
                if ("kubeconfig" in run.outputs) assert.strictEqual(run.outputs["kubeconfig"].secret, true, "kubeconfig output must be secret");
            });

            it("the plan's --json output prints none of them", async () => {
                const json = planJson(await buildPlan(stack, {}, false), {});
                assert.strictEqual(JSON.parse(json).stack, stack);
                // Look for each value as printed raw and as escaped inside a JSON string (kubeconfigs have newlines).
                const printed = (v: string) => json.includes(v) || json.includes(JSON.stringify(v).slice(1, -1));
                assert.deepStrictEqual(secretsOf(run).filter(printed), []);
            });
        });
    }
});
