// The release CLI and the program share one release model: for the same stack file, what the CLI
// expects the live and preview routes to answer (colours, versions, weights), and the defaults it
// probes with, are what the program declares and exports under the mock runtime (scripts/offline/run.ts).
import { strict as assert } from "assert";
import fs from "node:fs";
import path from "node:path";
import { projectConfig } from "../scripts/pulumiConfig";
import { deployedDifferences, readState, type ReleaseState } from "../scripts/release/change";
import { workspaceFromStack, type StackApi } from "../scripts/release/pulumiWorkspace";
import { liveExpect, previewExpect } from "../scripts/release/run";
import { all, find, ROOT, runStack, stackConfigMap, type Recorded, type StackRun } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

const inRelease = (run: StackRun, type: string) => all(run, type).filter((r) => r.parent?.includes("zdp:k8s:Release"));

/** The pods a route backend (a Service of the Release) sends to: the Deployment its selector matches. */
function deploymentBehind(run: StackRun, serviceName: string): Recorded {
    const service = inRelease(run, SERVICE).find((s) => s.inputs.metadata.name === serviceName);
    assert.ok(service, `no Service ${serviceName}`);
    const selector = Object.entries<string>(service.inputs.spec.selector);
    const matching = inRelease(run, DEPLOYMENT).filter((d) => selector.every(([k, v]) => d.inputs.spec.template.metadata.labels[k] === v));
    assert.equal(matching.length, 1, `Service ${serviceName} selects one Deployment`);
    return matching[0];
}

/** The colour and version a Deployment's pods announce (ZDP_COLOR / ZDP_VERSION, echoed as x-zdp-color / x-zdp-version). */
function answersOf(deployment: Recorded): [string, string] {
    const env = Object.fromEntries(deployment.inputs.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    return [env.ZDP_COLOR, env.ZDP_VERSION];
}

/** Who answers a route: each backend with weight above 0, as colour -> version. */
function answering(run: StackRun, routeName: string): Record<string, string> {
    const backends: { name: string; weight?: number }[] = find(run, ROUTE, routeName).inputs.spec.rules.flatMap(
        (r: { backendRefs: unknown[] }) => r.backendRefs,
    );
    return Object.fromEntries(backends.filter((b) => b.weight === undefined || b.weight > 0).map((b) => answersOf(deploymentBehind(run, b.name))));
}

const output = (run: StackRun, key: string) => run.outputs[key]?.value;

/** The CLI's state of a stack file, read as the CLI reads it: through its Workspace adapter over the project's files. */
async function cliState(stack: string, overrides: Record<string, string>): Promise<ReleaseState> {
    const ws = workspaceFromStack(stack, {} as StackApi, (file) => fs.readFileSync(path.join(ROOT, file), "utf8"));
    const fromFiles = await ws.programConfig();
    assert.deepEqual(fromFiles, stackConfigMap(stack), "the adapter reads the config the program gets");
    return readState(stackConfigMap(stack, overrides), stack, ws.project);
}

describe("one release model: the CLI's expectations are what the program declares", () => {
    const cases: [string, string, Record<string, string>][] = [
        ["blue/green, active blue", "dev", {}],
        ["blue/green, active green", "dev", { activeColor: "green" }],
        ["canary at 10 %", "dev", { releaseStrategy: "canary", canaryWeight: "10", greenVersion: "6.9.2" }],
        ["canary at 50 % with green active, on aws", "aws", { releaseStrategy: "canary", canaryWeight: "50", activeColor: "green", blueVersion: "6.9.2" }],
        ["rolling", "dev", { releaseStrategy: "rolling", appVersion: "6.9.1", blueVersion: "", greenVersion: "" }],
    ];
    for (const [name, stack, overrides] of cases)
        it(`${name} (${stack}): the live route's colours, versions and weights; the preview route's colour`, async function () {
            this.timeout(120_000);
            const [run, state] = await Promise.all([runStack(stack, overrides), cliState(stack, overrides)]);
            const outputs = Object.fromEntries(Object.keys(run.outputs).map((k) => [k, output(run, k)]));
            assert.deepEqual(state.weights, output(run, "weights"), "weights");
            assert.deepEqual(state.versions, output(run, "versions"), "versions");
            assert.deepEqual(deployedDifferences(state, outputs), [], "the CLI finds the program's deployment of this file in step with it");
            // What the live route answers from: the CLI's check against the program's route and pods.
            assert.deepEqual(liveExpect(state), answering(run, "app-route"), "live route");
            if (state.strategy === "rolling") {
                assert.equal(all(run, ROUTE).filter((r) => r.name === "app-preview-token-route").length, 0, "rolling has no preview route");
            } else {
                assert.equal(output(run, "activeColor"), state.activeColor);
                assert.deepEqual(previewExpect(state, state.inactiveColor), answering(run, "app-preview-token-route"), "preview route");
            }
        });
});

describe("the CLI's defaults come from Pulumi.yaml as the program reads them", () => {
    const declared = projectConfig(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    for (const stack of ["dev", "aws", "azure", "gcp"])
        it(`${stack}: health path, preview header, namespace and inactive scale are the program's`, async function () {
            this.timeout(120_000);
            const [run, state] = await Promise.all([runStack(stack), cliState(stack, {})]);
            const deployments = inRelease(run, DEPLOYMENT);
            assert.ok(deployments.length > 0);
            for (const d of deployments) {
                assert.equal(state.healthPath, d.inputs.spec.template.spec.containers[0].readinessProbe.httpGet.path, `${d.name} probes what the CLI probes`);
                assert.equal(state.namespace, d.inputs.metadata.namespace, `${d.name}'s namespace holds the release lock`);
            }
            const header = find(run, ROUTE, "app-preview-token-route").inputs.spec.rules[0].matches[0].headers[0].name;
            assert.equal(state.previewHeader, header, "the header the preview route matches");
            assert.equal(state.inactiveScale, run.config.release.inactiveScale);
            // Where the stack file leaves a key to Pulumi.yaml, the CLI has Pulumi.yaml's default, not one of its own.
            const stackFile = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            for (const [key, value] of [
                ["healthPath", state.healthPath],
                ["previewHeader", state.previewHeader],
                ["namespace", state.namespace],
                ["inactiveScale", state.inactiveScale],
            ])
                if (!stackFile.includes(`zdp:${key}:`)) assert.equal(value, String(declared[`zdp:${key}`]), `${key}: Pulumi.yaml's default`);
        });
});
