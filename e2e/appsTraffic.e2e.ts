// A release of one app touches no other app, measured: a stack of two apps (the default app and
// `api`, each its own namespace, Release and Gateway; api served on its own host) on real nodes behind
// Traefik, constant load on both (e2e/trafficBench.ts), while the release CLI deploys and promotes api
// with `--app api` as a user would. Each step prints one `traffic <step>/<app>: ...` line per app.
// Fails on any failed request, on any answer of the default app from another version than its own
// (api's included), on a stack-file change outside `apps.api.*`, and on a Lease taken outside api's
// namespace.
import assert from "node:assert/strict";
import { parse } from "yaml";
import { EXIT } from "../scripts/release/args";
import { flatApps } from "../scripts/release/appKeys";
import { LEASE_NAME } from "../scripts/release/lock";
import { stackOutputs } from "../components/k8s/app";
import { GATEWAY_NAME } from "../components/k8s/release";
import { e2eReleases, lightDeployments } from "./releaseProgram";
import type { StepFigures } from "./load";
import { TRAEFIK_CLASS } from "./traefik";
import { until } from "./tools";
import { clean, GATEWAY_URL, IMAGE, TrafficBench, type CliRun, type Stream } from "./trafficBench";

const NS = "zdp";
const API_NS = "api";
const API_HOST = "api.e2e.test";
/** The default app's one version; api's before and after its release. All differ: an answer names its app. */
const APP_V = "1.0.0";
const API_V = ["1.0.1", "1.0.2"] as const;

const program = async () => {
    lightDeployments();
    const apps = e2eReleases(TRAEFIK_CLASS);
    // Shaped as the product's stacks export them (the release CLI reads api's under `apps.api`).
    return stackOutputs(
        apps.map(({ spec, release }) => [
            spec.name,
            {
                endpoint: GATEWAY_URL,
                activeColor: release.activeColor,
                weights: release.weights,
                versions: release.versions,
                previewToken: release.previewToken,
            },
        ]),
        {},
    );
};

/** The stack file's project keys, another app's by path (`apps.api.activeColor`), and the file's other fields. */
function stackFileKeys(text: string): { keys: Record<string, string>; rest: unknown } {
    const { config = {}, ...rest } = parse(text) as { config?: Record<string, unknown> };
    const keys: Record<string, string> = {};
    for (const [k, v] of Object.entries(config))
        if (k === "zdp:apps") Object.assign(keys, flatApps(JSON.stringify(v)));
        else keys[k] = typeof v === "string" ? v : JSON.stringify(v);
    return { keys, rest };
}

/** Pod uids and Deployment generations of a namespace: a change to any of its workloads changes them. */
function workloads(bench: TrafficBench, namespace: string): Record<string, string> {
    const items = (kind: string) => JSON.parse(bench.cluster.kubectl(["-n", namespace, "get", kind, "-o", "json"])).items as any[];
    return Object.fromEntries([
        ...items("deployments").map((d) => [`deployment/${d.metadata.name}`, String(d.metadata.generation)]),
        ...items("pods").map((p) => [`pod/${p.metadata.name}`, p.metadata.uid as string]),
    ]);
}

describe("e2e apps traffic: a release of api (--app api) under load on both apps touches only api", function () {
    this.timeout(30 * 60_000);
    let bench: TrafficBench;

    const appOnly = `blue/${APP_V}`;
    const apiFrom = [`blue/${API_V[0]}`, `green/${API_V[1]}`];
    const streams = (api: string): Stream[] => [
        { label: "app", namespace: NS, target: { [appOnly]: 1 }, only: [appOnly] },
        { label: "api", namespace: API_NS, host: API_HOST, target: { [api]: 1 }, only: apiFrom },
    ];
    /** Both apps' figures clean; the default app answered only from its own colour and version. */
    const bothClean = (name: string, [app, api]: StepFigures[]) => {
        clean(`${name}/app`, app);
        clean(`${name}/api`, api);
        assert.deepEqual(Object.keys(app.by), [appOnly], `${name}: the default app answered from ${Object.keys(app.by).join(", ")}`);
        assert.ok(
            Object.keys(api.by).every((from) => apiFrom.includes(from)),
            `${name}: api answered from ${Object.keys(api.by).join(", ")}`,
        );
    };
    const cli = async (name: string, command: string[], apiTarget: string): Promise<CliRun> => {
        let run: CliRun = { exitCode: -1, outcome: "", steps: [], log: "" };
        const figures = await bench.measure(name, streams(apiTarget), async () => void (run = await bench.release(command)));
        assert.equal(run.exitCode, EXIT.ok, `${name}: ${run.outcome}`);
        bothClean(name, figures);
        return run;
    };

    let fileBefore = "";
    let defaultBefore: Record<string, string> = {};

    before(async () => {
        bench = await TrafficBench.start([APP_V, ...API_V], program);
        await bench.setConfig({ appImage: IMAGE, blueVersion: APP_V, greenVersion: APP_V, gatewayClass: TRAEFIK_CLASS, protectStateful: "false" });
        await bench.setConfig(
            {
                "apps.api.appImage": IMAGE,
                "apps.api.namespace": API_NS,
                "apps.api.domain": API_HOST,
                "apps.api.blueVersion": API_V[0],
                "apps.api.greenVersion": API_V[0],
                "apps.api.activeColor": "blue",
            },
            [],
            true,
        );
    });

    after(() => bench?.stop());

    it("pulumi up: both apps on real nodes, each behind its own Gateway, api on its own host", async () => {
        await bench.up({});
        for (const ns of [NS, API_NS])
            await until(
                () => bench.cluster.kubectlOk(["-n", ns, "wait", "--for=condition=Programmed", `gateway/${GATEWAY_NAME}`, "--timeout=5s"]),
                120,
                `Traefik to program the Gateway in ${ns}`,
            );
        bothClean("two-apps-steady", await bench.measure("two-apps-steady", streams(`blue/${API_V[0]}`), () => new Promise((r) => setTimeout(r, 5000))));
        fileBefore = bench.project.read("Pulumi.dev.yaml");
        defaultBefore = workloads(bench, NS);
        assert.ok(
            Object.keys(defaultBefore).some((k) => k.startsWith("pod/")),
            "the default app runs pods",
        );
    });

    it("release deploy --app api: api's idle colour gets the new version; neither app fails a request", async () => {
        await cli("api-deploy", ["deploy", API_V[1], "--app", "api"], `blue/${API_V[0]}`);
    });

    it("release promote --app api: api moves to the new version; the default app answers as before, none failed", async () => {
        const run = await cli("api-promote", ["promote", "--app", "api"], `green/${API_V[1]}`);
        assert.match(run.log, new RegExp(`Host ${API_HOST.replace(/\./g, "\\.")}`), "the CLI's requests named api's host");
    });

    it("the release touched only api: its keys in the stack file, its Lease, none of the default app's workloads", () => {
        assert.ok(fileBefore, "the stack file was read after the first up");
        const before = stackFileKeys(fileBefore);
        const after = stackFileKeys(bench.project.read("Pulumi.dev.yaml"));
        const changed = [...new Set([...Object.keys(before.keys), ...Object.keys(after.keys)])].filter((k) => before.keys[k] !== after.keys[k]).sort();
        assert.deepEqual(changed, ["apps.api.activeColor", "apps.api.greenVersion", "apps.api.promotedAt"]);
        assert.equal(after.keys["apps.api.greenVersion"], API_V[1]);
        assert.equal(after.keys["apps.api.activeColor"], "green");
        assert.deepEqual(after.rest, before.rest, "the stack file's other fields");
        assert.deepEqual(bench.leaseNamespaces, [API_NS, API_NS], "each command took its Lease in api's namespace");
        // The release record (scripts/release/record.ts): Events on the Lease, in the namespace it was taken in.
        const leaseEvents = (ns: string) =>
            (JSON.parse(bench.cluster.kubectl(["-n", ns, "get", "events", "-o", "json"])).items as any[]).filter(
                (e) => e.involvedObject.kind === "Lease" && e.involvedObject.name === LEASE_NAME,
            );
        assert.equal(leaseEvents(API_NS).filter((e) => e.reason === "ReleaseSucceeded").length, 2, "api's namespace records both releases");
        assert.deepEqual(leaseEvents(NS), [], "no release was recorded in the default app's namespace");
        assert.deepEqual(workloads(bench, NS), defaultBefore, "the default app's Deployments and pods are the same ones");
    });
});
