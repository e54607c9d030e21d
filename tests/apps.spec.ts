// Many apps in one stack, from config: `apps.<name>.*` entries parsed and refused as the parser promises,
// every app sized on the shared nodes, and the aws stack declaring a second app from one config entry.
import * as assert from "assert";
import { appSizings, capacityFor, capacityRows, DEFAULT_POD, sizingFor } from "../model/capacity";
import { ConfigError, parseConfig, type StackConfig } from "../model/config";
import { allApps } from "../model/stackConfig";
import { appSpecsFrom } from "../model/appSpec";
import { all, runStack, stackConfigMap } from "./harness";

/** A second app as one config entry. */
const API = {
    "apps.api.appImage": "ghcr.io/org/api",
    "apps.api.namespace": "api",
    "apps.api.blueVersion": "1.4.0",
    "apps.api.greenVersion": "1.4.0",
    "apps.api.activeColor": "blue",
};
const AWS_HTTPS = { domain: "shop.example.com", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ", "apps.api.domain": "api.example.com" };
const parse = (stack: string, overrides: Record<string, string>): StackConfig => parseConfig(stackConfigMap(stack, overrides), stack);
const issues = (stack: string, overrides: Record<string, string>): string[] => {
    try {
        parse(stack, overrides);
    } catch (e) {
        if (e instanceof ConfigError) return e.issues.map((i) => `${i.key}: ${i.message}`);
        throw e;
    }
    assert.fail("the config was accepted");
};

describe("apps: config entries", () => {
    it("a stack file without apps has only the default app, as before", () => {
        const cfg = parse("aws", {});
        assert.deepStrictEqual(cfg.apps, []);
        assert.deepStrictEqual(
            allApps(cfg).map((a) => a.name),
            ["app"],
        );
    });

    it("an entry takes its own image, namespace, versions and colour, and the stack's port, health path and strategy", () => {
        const cfg = parse("aws", { ...API, ...AWS_HTTPS, healthPath: "/healthz", "apps.api.appPort": "8080", "apps.api.greenVersion": "1.5.0" });
        const [app, api] = allApps(cfg);
        assert.strictEqual(api.name, "api");
        assert.deepStrictEqual(api.app, { image: "ghcr.io/org/api", port: 8080, healthPath: "/healthz", namespace: "api" });
        assert.strictEqual(api.domain, "api.example.com");
        assert.deepStrictEqual([api.release.strategy, api.release.blueVersion, api.release.greenVersion], ["blueGreen", "1.4.0", "1.5.0"]);
        assert.strictEqual(api.release.inactiveScale, cfg.release.inactiveScale, "inherited from the stack");
        assert.notStrictEqual(api.app.image, app.app.image);
    });

    it("promoting the default app leaves another app's colour alone", () => {
        const cfg = parse("aws", { ...API, ...AWS_HTTPS, activeColor: "green" });
        assert.deepStrictEqual(
            allApps(cfg).map((a) => a.release.activeColor),
            ["green", "blue"],
        );
    });

    it("refuses an entry missing what only it can say, naming each key", () => {
        const found = issues("dev", { "apps.api.appPort": "8080" });
        for (const key of ["appImage", "namespace", "activeColor", "blueVersion", "greenVersion"])
            assert.ok(
                found.some((f) => f.startsWith(`apps.api.${key}: is required`)),
                `apps.api.${key} in ${found.join(" | ")}`,
            );
    });

    it("refuses unknown keys, bad values, the default app's name and a bad app name", () => {
        assert.ok(issues("dev", { ...API, "apps.api.colour": "blue" }).some((f) => f.startsWith("apps.api.colour: is not a key of an app")));
        assert.ok(issues("dev", { ...API, "apps.api.appPort": "80" }).some((f) => f.startsWith("apps.api.appPort: must be a port number")));
        assert.ok(issues("dev", { "apps.app.appImage": "ghcr.io/org/x" }).some((f) => f.startsWith("apps.app: is the default app's name")));
        assert.ok(issues("dev", { "apps.Api.appImage": "ghcr.io/org/x" }).some((f) => f.startsWith("apps.Api: must be a DNS label")));
        assert.ok(issues("dev", { "apps.a-very-long-app-name.appImage": "x/y" }).some((f) => f.includes("at most 16 characters")));
        assert.ok(
            issues("dev", { ...API, "apps.api.appVersion": "1.4.0" }).some((f) => f.startsWith("apps.api.appVersion: applies only to releaseStrategy rolling")),
        );
    });

    it("refuses two apps in one namespace or on one host", () => {
        assert.ok(issues("dev", { ...API, "apps.api.namespace": "zdp" }).some((f) => f === "apps.api.namespace: is app's namespace too; each app has its own"));
        const host = issues("aws", { ...API, ...AWS_HTTPS, "apps.api.domain": "shop.example.com" });
        assert.ok(
            host.some((f) => f.startsWith("apps.api.domain: is already served by app's domain")),
            host.join(" | "),
        );
    });

    it("on a cloud stack serving HTTPS, an app without a domain is refused unless the stack allows plain HTTP", () => {
        assert.ok(
            issues("aws", { ...API, domain: "shop.example.com", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ" }).some((f) =>
                f.startsWith("apps.api.domain: is required"),
            ),
        );
        assert.strictEqual(parse("aws", { ...API }).apps[0].domain, undefined, "the shipped aws stack serves plain HTTP with allowPlainHttp");
    });

    it("each cloud's edge limits: aws issues an app's certificate in its zone, azure's AGC takes five apps", () => {
        const zone = issues("aws", {
            ...API,
            domain: "shop.example.com",
            "aws.certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            "apps.api.domain": "api.example.com",
        });
        assert.ok(
            zone.some((f) => f.startsWith("apps.api.domain: on aws needs aws.hostedZoneId")),
            zone.join(" | "),
        );
        const twins = {
            ...API,
            "apps.a-b.appImage": "x/y",
            "apps.a-b.namespace": "ab1",
            "apps.a-b.blueVersion": "1",
            "apps.a-b.greenVersion": "1",
            "apps.a-b.activeColor": "blue",
        };
        const collide = {
            ...twins,
            "apps.ab.appImage": "x/y",
            "apps.ab.namespace": "ab2",
            "apps.ab.blueVersion": "1",
            "apps.ab.greenVersion": "1",
            "apps.ab.activeColor": "blue",
        };
        assert.ok(issues("aws", collide).some((f) => f.startsWith("apps.ab: names the same ALB target groups as app a-b")));
        const five = (n: number) =>
            Object.fromEntries(
                Array.from({ length: n }, (_, i) => [
                    [`apps.a${i}.appImage`, "x/y"],
                    [`apps.a${i}.namespace`, `a${i}`],
                    [`apps.a${i}.blueVersion`, "1"],
                    [`apps.a${i}.greenVersion`, "1"],
                    [`apps.a${i}.activeColor`, "blue"],
                ]).flat(),
            ) as Record<string, string>;
        assert.strictEqual(parse("azure", five(4)).apps.length, 4);
        assert.ok(issues("azure", five(5)).some((f) => f.startsWith("apps: makes 6 apps")));
    });

    it("refuses a pod that no node can hold, naming the app's key", () => {
        const found = issues("aws", { ...API, "apps.api.podCpuMillis": "8000" });
        assert.ok(
            found.some((f) => f.startsWith("apps.api.podCpuMillis: leaves no room for one pod on the stack's m7i.xlarge nodes")),
            found.join(" | "),
        );
    });

    it("refuses an app's contract migration while its older version still serves", () => {
        const found = issues("dev", {
            ...API,
            "apps.api.greenVersion": "1.5.0",
            "apps.api.migrations": JSON.stringify({ "1.5.0": { phase: "contract", command: ["/migrate"] } }),
        });
        assert.ok(
            found.some((f) => f.startsWith("apps.api.migrations")),
            found.join(" | "),
        );
    });
});

describe("apps: capacity", () => {
    it("one app sizes exactly as the single-app model did", () => {
        const cfg = parse("aws", {});
        assert.deepStrictEqual(sizingFor(cfg), { ...capacityFor(10_000, "aws", "minimal"), otherApps: { steadyNodes: 0, maxNodes: 0 } });
    });

    it("a second app adds its pods to the shared nodes, keeps its own replicas, and every row still holds", () => {
        const one = sizingFor(parse("aws", {}));
        const cfg = parse("aws", { ...API, "apps.api.targetUsers": "5000", "apps.api.usersPerPod": "500", "apps.api.podCpuMillis": "1000" });
        const [app, api] = appSizings(cfg);
        assert.strictEqual(app.app.replicas, one.app.replicas);
        assert.strictEqual(api.targetUsers, 5000);
        assert.strictEqual(api.app.cpuRequest, "1000m");
        assert.strictEqual(api.app.memoryRequest, `${DEFAULT_POD.memoryMiB}Mi`);
        assert.ok(app.nodes.desired > one.nodes.desired, `${app.nodes.desired} nodes for two apps vs ${one.nodes.desired} for one`);
        assert.deepStrictEqual(api.nodes, { ...api.nodes, desired: app.nodes.desired, max: app.nodes.max });
        assert.deepStrictEqual(api.database, app.database, "one database for the stack's users");
        for (const s of [app, api]) for (const row of capacityRows(s)) assert.ok(row.ok, `${row.what}: ${row.servedUsers} < ${s.targetUsers}`);
        const specs = appSpecsFrom(cfg);
        assert.deepStrictEqual(
            specs.map((s) => [s.name, s.namespace, s.state.tracks[0].minReplicas]),
            [
                ["app", "zdp", app.app.replicas],
                ["api", "api", api.app.replicas],
            ],
        );
    });

    it("the node row counts the other app's pods: without the added nodes it would fall short", () => {
        const cfg = parse("aws", { ...API });
        const [app] = appSizings(cfg);
        const alone = { ...app, otherApps: { steadyNodes: 0, maxNodes: 0 } };
        const crowded = { ...alone, otherApps: { steadyNodes: app.nodes.desired, maxNodes: app.nodes.max } };
        assert.ok(capacityRows(alone).every((r) => r.ok));
        assert.ok(capacityRows(crowded).some((r) => !r.ok && r.what.startsWith("nodes")));
    });
});

describe("apps: a second app is one config entry (aws, mocks)", function () {
    it("declares the second app's release, route and load balancer in its own namespace", async () => {
        const run = await runStack("aws", { ...API, ...AWS_HTTPS });
        const deployments = all(run, "kubernetes:apps/v1:Deployment").filter((d) => d.inputs.metadata?.namespace === "api");
        assert.deepStrictEqual(deployments.map((d) => d.inputs.spec.template.spec.containers[0].image).sort(), [
            "ghcr.io/org/api:1.4.0",
            "ghcr.io/org/api:1.4.0",
        ]);
        const gateways = all(run, "kubernetes:gateway.networking.k8s.io/v1:Gateway").map((g) => g.inputs.metadata.namespace);
        assert.deepStrictEqual(gateways.sort(), ["api", "zdp"]);
        const apps = run.outputs.apps.value as Record<string, { activeColor: string }>;
        assert.strictEqual(apps.api.activeColor, "blue");
    });
});
