// Blast radius of release config changes: run the program before and after the change and compare
// every recorded input. A release must touch only what it promises, and never replace an object.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { diffResources, type StackDiff } from "../scripts/offline/diff";
import { HANG_MS } from "./hang";
import { find, runStack } from "./harness";

const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

type Config = Record<string, string>;
const run = (config: Config) => runStack("dev", config); // the harness runs each distinct config once
async function diff(before: Config, after: Config): Promise<StackDiff> {
    return diffResources((await run(before)).resources, (await run(after)).resources);
}
const changedNames = (d: StackDiff) => d.changed.map((c) => `${c.type.split(":").pop()} ${c.name}`);

const blueGreen: Config = { blueVersion: "6.9.1", greenVersion: "6.9.2" };
const canary = (w: number): Config => ({ ...blueGreen, releaseStrategy: "canary", canaryWeight: String(w) });

const routeOnly = ["HTTPRoute app-route"];
// A switch also repoints the token-guarded preview route at the colour that became inactive.
const routes = ["HTTPRoute app-preview-token-route", "HTTPRoute app-route"];
const table: { change: string; before: Config; after: Config; changes: string[] }[] = [
    { change: "promote (activeColor blue → green)", before: blueGreen, after: { ...blueGreen, activeColor: "green" }, changes: routes },
    { change: "roll back (activeColor green → blue)", before: { ...blueGreen, activeColor: "green" }, after: blueGreen, changes: routes },
    { change: "canary step 0 → 10", before: canary(0), after: canary(10), changes: routeOnly },
    { change: "canary step 10 → 50", before: canary(10), after: canary(50), changes: routeOnly },
    { change: "canary step 50 → 100", before: canary(50), after: canary(100), changes: routeOnly },
    { change: "new greenVersion", before: blueGreen, after: { ...blueGreen, greenVersion: "6.9.3" }, changes: ["Deployment app-green"] },
    {
        change: "rolling: new appVersion",
        before: { releaseStrategy: "rolling", appVersion: "6.9.1", blueVersion: "", greenVersion: "" },
        after: { releaseStrategy: "rolling", appVersion: "6.9.2", blueVersion: "", greenVersion: "" },
        changes: ["Deployment app-app"],
    },
];

describe("Blast radius of release config changes", () => {
    for (const row of table) {
        it(`${row.change} changes exactly: ${row.changes.join(", ")}`, async () => {
            const d = await diff(row.before, row.after);
            assert.deepEqual(d.added, []);
            assert.deepEqual(d.removed, []);
            assert.deepEqual(changedNames(d).sort(), row.changes);
            assert.deepEqual(
                d.changed.filter((c) => c.replaces),
                [],
                "no object is replaced",
            );
        });
    }

    it("promote changes the two weights in the live route and the preview route's colour, nothing else", async () => {
        const d = await diff(blueGreen, { ...blueGreen, activeColor: "green" });
        const paths = (name: string) => d.changed.find((c) => c.name === name)!.paths.sort();
        assert.deepEqual(paths("app-route"), ["spec.rules[0].backendRefs[0].weight", "spec.rules[0].backendRefs[1].weight"]);
        assert.deepEqual(paths("app-preview-token-route"), ["spec.rules[0].backendRefs[0].name"]);
    });

    it("a version bump touches only the pod template's image, version labels and ZDP_VERSION, never names or selectors", async () => {
        const d = await diff(blueGreen, { ...blueGreen, greenVersion: "6.9.3" });
        for (const p of d.changed[0].paths)
            assert.match(
                p,
                /^(metadata\.labels\.app\.kubernetes\.io\/version|spec\.template\.metadata\.labels\.app\.kubernetes\.io\/version|spec\.template\.spec\.containers\[0\]\.image|spec\.template\.spec\.containers\[0\]\.env\[1\]\.value)$/,
            );
    });

    it("with a preview host, promote repoints the main and the preview route and nothing else", async () => {
        const host = { ...blueGreen, previewHost: "preview.example.com" };
        const d = await diff(host, { ...host, activeColor: "green" });
        assert.deepEqual(changedNames(d).sort(), ["HTTPRoute app-preview-route", "HTTPRoute app-preview-token-route", "HTTPRoute app-route"]);
        assert.deepEqual(d.added.concat(d.removed), []);
    });

    it("inactiveScale=minimal: promote also scales green up (written, waited for) and re-floors both HPAs; nothing is replaced", async () => {
        const min = { ...blueGreen, inactiveScale: "minimal" };
        const d = await diff(min, { ...min, activeColor: "green" });
        assert.deepEqual(changedNames(d).sort(), [
            "Deployment app-blue",
            "Deployment app-green",
            "HTTPRoute app-preview-token-route",
            "HTTPRoute app-route",
            "HorizontalPodAutoscaler app-blue",
            "HorizontalPodAutoscaler app-green",
        ]);
        const paths = (n: string) => d.changed.find((c) => c.type === DEPLOYMENT && c.name === n)!.paths.sort();
        assert.deepEqual(paths("app-green"), ["metadata.annotations.zdp.io/serving", "spec.replicas"]);
        // Blue's count is left to its HPA (ignoreChanges: the engine diffs it with the old value), which
        // scales it down gradually.
        assert.deepEqual(paths("app-blue"), ["metadata.annotations.zdp.io/serving"]);
        assert.deepEqual(
            d.changed.filter((c) => c.replaces),
            [],
        );
        const after = await run({ ...min, activeColor: "green" });
        const green = find(after, DEPLOYMENT, "app-green");
        assert.equal(green.inputs.spec.replicas, find(after, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "app-green").inputs.spec.minReplicas);
        assert.deepEqual(green.ignoreChanges, []);
        assert.deepEqual(find(after, DEPLOYMENT, "app-blue").ignoreChanges, ["spec.replicas"]);
        assert.ok(find(after, ROUTE, "app-route").dependsOn.includes(green.urn));
    });

    it("no release change touches the namespace, Services, PDBs, datastores, Secrets or the Gateway", async () => {
        const stable =
            /^kubernetes:(core\/v1:(Namespace|Service|Secret)|policy\/v1:PodDisruptionBudget|apps\/v1:StatefulSet|helm\.sh\/v3:Release|gateway\.networking\.k8s\.io\/v1:(Gateway|GatewayClass))$|^pulumi:index:Stash$/;
        for (const row of table) {
            const d = await diff(row.before, row.after);
            assert.deepEqual(
                d.changed.filter((c) => stable.test(c.type)),
                [],
                row.change,
            );
        }
    });

    type Report = { written: { type: string; name: string }[]; errors: string[] };
    /** Runs tests/fixtures/brokenReadiness.ts; Pulumi's exit hook sets status 1 for the registrations left waiting. */
    const fixture = (...args: string[]): Report =>
        JSON.parse(
            spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "fixtures/brokenReadiness.ts"), ...args], {
                encoding: "utf8",
                timeout: HANG_MS,
            }).stdout,
        );

    describe("broken readiness: the receiving colour never becomes ready", () => {
        // Promote green together with a new green version whose pods never get ready. pulumi-kubernetes
        // fails such a Deployment (rollout not complete / progress deadline exceeded); the fixture
        // simulates that failure in a separate process and reports what the program asked to write.
        let report: Report;
        before(function () {
            report = fixture("never-ready", "app-green", "greenVersion=6.9.3", "activeColor=green");
        });
        const wrote = (type: string, name: string) => report.written.some((w) => w.type === type && w.name === name);

        it("`pulumi up` fails, naming the colour", () => {
            assert.ok(report.errors.some((e) => /app-green/.test(e) && /readiness/.test(e)));
        });

        it("the live route is never written, so traffic stays on blue", () => {
            assert.ok(wrote(DEPLOYMENT, "app-green"), "the new colour was attempted");
            assert.ok(!report.written.some((w) => w.type === ROUTE && w.name === "app-route"), "the live route's registration never reached the engine");
        });

        it("resources that do not depend on green still proceed", () => {
            assert.ok(wrote("kubernetes:core/v1:Service", "app-green"));
            assert.ok(wrote("kubernetes:apps/v1:StatefulSet", "data-postgres"));
        });

        it("with a healthy green the same change writes the route, after green", async () => {
            const after = await run({ ...blueGreen, greenVersion: "6.9.3", activeColor: "green" });
            const route = find(after, ROUTE, "app-route");
            assert.ok(route.dependsOn.includes(find(after, DEPLOYMENT, "app-green").urn));
            assert.ok(after.resources.indexOf(route) > after.resources.indexOf(find(after, DEPLOYMENT, "app-green")));
        });
    });

    it("promoting to a colour Pulumi reports below its floor stops before the route (inactiveScale=minimal guard)", function () {
        // minimal → full and promote in one `pulumi up`: ignoreChanges keeps green's old count (1).
        const r = fixture("undersized", "app-green", "inactiveScale=full", "activeColor=green");
        assert.ok(
            r.errors.some((e) => /Refusing to route traffic to green/.test(e) && /inactiveScale=full/.test(e)),
            r.errors.join("\n"),
        );
        assert.ok(!r.written.some((w) => w.type === ROUTE && w.name === "app-route"), "the live route is never written");
    });
});
