// Two apps on one azure stack, under mocks: the second app gets its own AGC frontend, Gateway, health
// probes, WAF attachment and edge alert; the cluster, network, AGC, data stores and their alerts stay
// single; the default app's resources are those of the one-app stack.
import * as assert from "assert";
import { appSpecFrom, type AppSpec } from "../model/appSpec";
import { capacityFor, sizingFor } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { releaseState } from "../model/releasePlan";
import { deployApps } from "../components/k8s/app";
import { AGC_MAX_FRONTENDS } from "../components/azure/loadBalancer";
import { azurePlatform } from "../stacks/azure";
import { all, find, runStack, waitsFor, type StackRun } from "./harness";
import type { ResourceMock } from "../scripts/offline/mocks";

const T = {
    tc: "azure-native:servicenetworking:TrafficControllerInterface",
    frontend: "azure-native:servicenetworking:FrontendsInterface",
    association: "azure-native:servicenetworking:AssociationsInterface",
    securityPolicy: "azure-native:servicenetworking:SecurityPoliciesInterface",
    wafPolicy: "azure-native:network:WebApplicationFirewallPolicy",
    nsg: "azure-native:network:NetworkSecurityGroup",
    pg: "azure-native:dbforpostgresql:Server",
    redis: "azure-native:redisenterprise:RedisEnterprise",
    aks: "azure-native:containerservice:ManagedCluster",
    helm: "kubernetes:helm.sh/v3:Release",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    health: "kubernetes:alb.networking.azure.io/v1:HealthCheckPolicy",
    wafCr: "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy",
    alert: "azure-native:monitor:MetricAlert",
    group: "azure-native:monitor:ActionGroup",
    workbook: "azure-native:applicationinsights:Workbook",
    logs: "azure-native:monitor:DiagnosticSetting",
};
const API_PORT = 9090;
const HTTPS = { domain: "app.example.com", previewHost: "preview.app.example.com", "azure.tlsSecretName": "app-tls" };
// The shared mock gives every frontend of a traffic controller one FQDN; here each frontend has its own.
const frontendFqdns: ResourceMock = {
    newResource: (args) => (args.type === T.frontend ? { fqdn: `${args.inputs.frontendName}.fz23.alb.azure.com` } : undefined),
};
const overlay = { label: "frontend fqdn per frontend", mock: frontendFqdns };

/**
 * A second app as a stack would declare it: its own namespace, port, health path, hosts, a smaller size,
 * and colours that may drop to one pod each (a floor below the default app's).
 */
function apiApp(cfg: StackConfig): AppSpec {
    const sizing = capacityFor(2_000, cfg.cloud, "single");
    const release = { ...cfg.release, previewHost: "preview.api.example.com" };
    const state = releaseState({ ...cfg, release }, sizing);
    return {
        ...appSpecFrom(cfg, sizing),
        name: "api",
        namespace: "api",
        port: API_PORT,
        healthPath: "/api/healthz",
        domain: "api.example.com",
        release,
        state: { ...state, tracks: state.tracks.map((t) => ({ ...t, minReplicas: 1 })) },
    };
}

const withApps = (label: string, extra: (cfg: StackConfig) => AppSpec[]) => ({
    overlay,
    program: {
        label,
        deploy: (cfg: StackConfig) => {
            const sizing = sizingFor(cfg);
            const apps = [appSpecFrom(cfg, sizing), ...extra(cfg)];
            return deployApps(azurePlatform(cfg, sizing, apps), apps);
        },
    },
});

const inNamespace = (run: StackRun, type: string, ns: string) => all(run, type).filter((r) => r.inputs.metadata?.namespace === ns);

describe("azure: a second app on the stack", function () {
    let one: StackRun;
    let two: StackRun;
    before(async () => {
        one = await runStack("azure", HTTPS, { overlay });
        two = await runStack(
            "azure",
            HTTPS,
            withApps("app + api", (cfg) => [apiApp(cfg)]),
        );
    });

    it("listens on a frontend of its own, named for it, on the stack's one AGC, association and ALB Controller", () => {
        assert.deepStrictEqual(
            all(two, T.frontend).map((f) => [f.name, f.inputs.frontendName]),
            [
                ["zdp-azure-lb-frontend", "app"],
                ["zdp-azure-lb-api-frontend", "api"],
            ],
        );
        for (const type of [T.tc, T.association, T.helm, T.securityPolicy, T.wafPolicy]) assert.strictEqual(all(two, type).length, 1, type);
        assert.strictEqual(new Set(all(two, T.frontend).map((f) => f.inputs.trafficControllerName)).size, 1, "both frontends on one AGC");
    });

    it("declares its Gateway in its namespace on its frontend, with HTTPS for its own domain and preview host, after its frontend exists", () => {
        const [gw] = inNamespace(two, T.gateway, "api");
        const appGw = find(two, T.gateway, "app-gateway");
        assert.strictEqual(gw.name, "api-gateway");
        assert.deepStrictEqual(gw.inputs.spec.addresses, [{ type: "alb.networking.azure.io/alb-frontend", value: "api" }]);
        assert.strictEqual(
            gw.inputs.metadata.annotations["alb.networking.azure.io/alb-id"],
            appGw.inputs.metadata.annotations["alb.networking.azure.io/alb-id"],
        );
        const https = gw.inputs.spec.listeners.find((l: any) => l.protocol === "HTTPS");
        assert.deepStrictEqual(https.tls.certificateRefs, [{ group: "", kind: "Secret", name: "app-tls" }]);
        const hosts = inNamespace(two, T.route, "api").flatMap((r) => r.inputs.spec.hostnames ?? []);
        assert.deepStrictEqual([...new Set(hosts)].sort(), ["api.example.com", "preview.api.example.com"]);
        assert.ok(waitsFor(two, gw, find(two, T.frontend, "zdp-azure-lb-api-frontend")), "the api Gateway waits for its frontend");
    });

    it("probes its own health path and port on each of its Services, and puts its Gateway behind the stack's WAF policy", () => {
        const probes = inNamespace(two, T.health, "api");
        assert.deepStrictEqual(probes.map((p) => p.name).sort(), ["api-app-blue-health", "api-app-green-health"]);
        for (const p of probes) {
            assert.deepStrictEqual([p.inputs.spec.default.port, p.inputs.spec.default.http.path], [API_PORT, "/api/healthz"]);
            assert.strictEqual(p.inputs.spec.targetRef.namespace, "api");
        }
        const [waf] = inNamespace(two, T.wafCr, "api");
        assert.strictEqual(waf.name, "api-app-waf");
        assert.deepStrictEqual(waf.inputs.spec.targetRef, { group: "gateway.networking.k8s.io", kind: "Gateway", name: "app", namespace: "api" });
        assert.strictEqual(waf.inputs.spec.webApplicationFirewall.id, find(one, T.wafCr).inputs.spec.webApplicationFirewall.id);
    });

    it("opens both apps' ports, and only those, from the AGC subnet to the pods", () => {
        const rule = (run: StackRun) => find(run, T.nsg, "zdp-azure-nodes-nsg").inputs.securityRules.find((r: any) => r.name === "allow-agc-to-app");
        assert.deepStrictEqual(rule(two).destinationPortRanges, [String(one.config.app.port), String(API_PORT)]);
        assert.deepStrictEqual({ ...rule(two), destinationPortRanges: undefined }, { ...rule(one), destinationPortRanges: undefined });
    });

    it("shares the cluster, one PostgreSQL server, one Redis and their alerts; the api app adds only its frontend's 5xx alert, sized by its own spec", () => {
        for (const type of [T.aks, T.pg, T.redis, T.group, T.workbook]) assert.strictEqual(all(two, type).length, 1, type);
        assert.deepStrictEqual(
            all(two, T.logs).map((l) => l.name),
            all(one, T.logs).map((l) => l.name),
        );
        const added = all(two, T.alert).filter((a) => !all(one, T.alert).some((b) => b.name === a.name));
        assert.deepStrictEqual(
            added.map((a) => a.name),
            ["zdp-azure-api-monitoring-edge-5xx"],
        );
        const [criterion] = added[0].inputs.criteria.allOf;
        assert.strictEqual(criterion.metricName, "HTTPResponseStatus");
        assert.deepStrictEqual(criterion.dimensions.find((d: any) => d.name === "Frontend").values, ["api:80", "api:443"]);
        const appEdge = find(two, T.alert, "zdp-azure-monitoring-edge-5xx").inputs.criteria.allOf[0];
        assert.ok(criterion.threshold < appEdge.threshold, `2,000 users' 5xx allowance (${criterion.threshold}) is below 10,000 users' (${appEdge.threshold})`);
        assert.deepStrictEqual(added[0].inputs.actions, find(two, T.alert, "zdp-azure-monitoring-db-cpu").inputs.actions);
    });

    it("keeps every default-app and shared resource of the one-app stack as it was, but the node NSG and the AGC-wide ready-pods floor", () => {
        const byUrn = new Map(two.resources.map((r) => [r.urn, r]));
        const shared = new Set(["zdp-azure-nodes-nsg", "zdp-azure-monitoring-ready-pods"]);
        // A Stash holds a secret generated per run: its value differs between any two runs.
        const changed = one.resources.filter((r) => {
            const other = byUrn.get(r.urn);
            if (other && r.type === "pulumi:index:Stash") return false;
            return !other || JSON.stringify([other.inputs, other.dependsOn, other.parent]) !== JSON.stringify([r.inputs, r.dependsOn, r.parent]);
        });
        assert.deepStrictEqual(changed.map((r) => r.name).sort(), [...shared].sort());
        // Every resource the second app adds is named for it (or its namespace).
        const added = two.resources.filter((r) => !one.resources.some((o) => o.urn === r.urn));
        assert.ok(added.length > 10, `${added.length} resources added`);
        for (const r of added) assert.ok(/(^|-)api(-|$)/.test(r.name) || r.inputs.metadata?.namespace === "api", `${r.type} ${r.name}`);
    });

    it("holds every app's colours to the lowest pod floor of them all (the backend metric splits only by undocumented BackendService values)", () => {
        const floor = (run: StackRun) => find(run, T.alert, "zdp-azure-monitoring-ready-pods").inputs.criteria.allOf[0].threshold;
        const apiFloor = Math.min(...apiApp(two.config).state.tracks.map((t) => t.minReplicas));
        assert.ok(apiFloor < floor(one), "the test's api app must have the lower floor");
        assert.strictEqual(floor(two), apiFloor);
    });

    it("exports the api app's endpoint (its own frontend's FQDN) under apps.api, the default's at the top", () => {
        const apps = two.outputs.apps.value as Record<string, Record<string, unknown>>;
        assert.strictEqual(apps.api.endpoint, "api.fz23.alb.azure.com");
        assert.strictEqual(two.outputs.endpoint.value, "app.fz23.alb.azure.com");
        assert.strictEqual(one.outputs.endpoint.value, "app.fz23.alb.azure.com");
    });

    it("refuses a sixth app (an AGC takes five frontends), and an app the platform was not built for", async () => {
        const more = (n: number) => (cfg: StackConfig) => Array.from({ length: n }, (_, i) => ({ ...apiApp(cfg), name: `api${i}`, namespace: `api${i}` }));
        await assert.rejects(runStack("azure", HTTPS, withApps("six apps", more(AGC_MAX_FRONTENDS))), /apps must be 1 to 5 distinct names/);
        assert.strictEqual(all(await runStack("azure", HTTPS, withApps("five apps", more(AGC_MAX_FRONTENDS - 1))), T.frontend).length, AGC_MAX_FRONTENDS);
        const notGiven = (cfg: StackConfig) => {
            const sizing = sizingFor(cfg);
            const apps = [appSpecFrom(cfg, sizing), apiApp(cfg)];
            return deployApps(azurePlatform(cfg, sizing, apps.slice(0, 1)), apps);
        };
        await assert.rejects(
            runStack("azure", HTTPS, { overlay, program: { label: "an app the platform was not given", deploy: notGiven } }),
            /app api \(port 9090\) is not one it was built for \(app:\d+\); pass every app to azurePlatform/,
        );
    });
});
