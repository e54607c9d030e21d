// The gcp stack with a second app (one `apps.api` config entry) under mocks: the second app gets its own load balancer, certificate,
// backend policies and alerts; the data stores, cluster and Cloud Armor policy stay shared; the default
// app declares exactly what it declares alone.
import * as assert from "assert";
import { appSpecsFrom, type AppSpec } from "../model/appSpec";
import { thresholdsFor } from "../model/monitoring/thresholds";
import { appHostnames } from "../components/gcp/appEdges";
import { CERTMAP_ANNOTATION, HEALTH_CHECK_RANGES } from "../components/gcp/loadBalancer";
import { gcpAppName, gcpName } from "../components/gcp/naming";
import { appBackendsFilter } from "../components/monitoring/cloudMonitoring";
import { all, find, runStack, type Recorded, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";
import { runPolicies } from "../policy/offline";

const T = {
    address: "gcp:compute/globalAddress:GlobalAddress",
    firewall: "gcp:compute/firewall:Firewall",
    cert: "gcp:certificatemanager/certificate:Certificate",
    certMap: "gcp:certificatemanager/certificateMap:CertificateMap",
    certMapEntry: "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    armor: "gcp:compute/securityPolicy:SecurityPolicy",
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    redis: "gcp:redis/instance:Instance",
    cluster: "gcp:container/cluster:Cluster",
    dashboard: "gcp:monitoring/dashboard:Dashboard",
    alert: "gcp:monitoring/alertPolicy:AlertPolicy",
    channel: "gcp:monitoring/notificationChannel:NotificationChannel",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
};
const gke = (kind: string) => `kubernetes:networking.gke.io/v1:${kind}`;

// The stack as shipped, with HTTPS and an alert target, so certificates and notification channels exist to compare.
const OVERRIDES = { domain: "shop.example.com", previewHost: "preview.shop.example.com", alertEmails: "oncall@example.com" };

/** A second app: one `apps.api` config entry with its own namespace, domain, preview host, port and health path. */
const API = {
    "apps.api.appImage": "ghcr.io/acme/api",
    "apps.api.namespace": "api",
    "apps.api.blueVersion": "1.0.0",
    "apps.api.greenVersion": "1.0.0",
    "apps.api.activeColor": "blue",
    "apps.api.domain": "api.example.com",
    "apps.api.previewHost": "preview.api.example.com",
    "apps.api.appPort": "9090",
    "apps.api.healthPath": "/api/healthz",
};

const inNamespace = (run: StackRun, type: string, namespace: string) => all(run, type).filter((r) => r.inputs.metadata?.namespace === namespace);

describe("gcp stack with two apps (mocks)", function () {
    let one: StackRun;
    let two: StackRun;
    let api: AppSpec;
    before(async () => {
        one = await runStack("gcp", OVERRIDES);
        two = await runStack("gcp", { ...OVERRIDES, ...API });
        api = appSpecsFrom(two.config)[1];
    });

    it("declares no URN twice", () => {
        const urns = two.resources.map((r) => r.urn);
        assert.ok(urns.every((u) => u.length > 0));
        assert.deepStrictEqual(
            urns.filter((u, i) => urns.indexOf(u) !== i),
            [],
        );
    });

    it("the default app's resources and outputs are the one-app stack's, input for input", () => {
        const byUrn = new Map(two.resources.map((r) => [r.urn, r]));
        assert.ok(one.resources.length > 60, `${one.resources.length} resources`);
        // Generated passwords differ from run to run: compared as where they stand.
        const plain = (run: StackRun, inputs: unknown) =>
            run.generatedSecrets.reduce((text, secret) => text.split(secret).join("<generated>"), JSON.stringify(inputs));
        const changed: string[] = [];
        for (const r of one.resources) {
            const same = byUrn.get(r.urn);
            assert.ok(same, `${r.urn} is missing with a second app`);
            if (plain(two, same.inputs) !== plain(one, r.inputs)) changed.push(r.name);
            assert.deepStrictEqual([same.protect, same.parent], [r.protect, r.parent], r.urn);
        }
        // The nodes are shared and sized for every app's pods (model/capacity.ts): nothing else of the stack moves.
        assert.deepStrictEqual(changed, [`${one.config.project}-${one.config.stack}-pool`]);
        const { apps, appPreviewTokens, ...top } = Object.fromEntries(Object.entries(two.outputs).map(([k, o]) => [k, o.value]));
        assert.deepStrictEqual(top, Object.fromEntries(Object.entries(one.outputs).map(([k, o]) => [k, o.value])));
        assert.deepStrictEqual([Object.keys(apps as object), Object.keys(appPreviewTokens as object)], [["api"], ["api"]]);
        assert.ok(two.outputs.appPreviewTokens.secret && !two.outputs.apps.secret, "only the tokens are secret");
    });

    it("everything the second app adds is named for it", () => {
        const known = new Set(one.resources.map((r) => r.urn));
        const added = two.resources.filter((r) => !known.has(r.urn));
        assert.ok(added.length > 20, `only ${added.length} resources added`);
        for (const r of added) assert.match(r.name, /(^|-)api(-|$)/, `${r.type} ${r.name}`);
    });

    it("shares the cluster, one PostgreSQL server, one Redis, the Cloud Armor policy and the stack's dashboard", () => {
        for (const t of [T.cluster, T.sql, T.redis, T.armor]) assert.strictEqual(all(two, t).length, 1, t);
        assert.strictEqual(all(two, T.channel).length, all(one, T.channel).length);
        const armor = find(two, T.armor).inputs.name;
        const backends = inNamespace(two, gke("GCPBackendPolicy"), "api");
        assert.strictEqual(backends.length, 2);
        for (const b of backends) assert.strictEqual(b.inputs.spec.default.securityPolicy, armor);
    });

    it("gives the second app its own static IP, Gateway, certificate for its own hostnames, SSL policy and firewall opening for its port", () => {
        const ip = find(two, T.address, `${two.config.project}-${two.config.stack}-api-lb-ip`);
        assert.strictEqual(ip.inputs.name, gcpAppName(two.config, "api", "gateway-ip"));
        assert.notStrictEqual(ip.inputs.name, gcpName(two.config, "gateway-ip"));
        assert.strictEqual(ip.protect, true);
        assert.strictEqual(ip.inputs.labels.app, "api");

        const gws = all(two, T.gateway);
        assert.deepStrictEqual(gws.map((g) => g.inputs.metadata.namespace).sort(), [one.config.app.namespace, "api"].sort());
        const gw = gws.find((g) => g.inputs.metadata.namespace === "api")!.inputs;
        assert.deepStrictEqual(gw.spec.addresses, [{ type: "NamedAddress", value: ip.inputs.name }]);
        const map = all(two, T.certMap).find((m) => m.inputs.name === gcpAppName(two.config, "api", "certmap"));
        assert.ok(map, "no certificate map for api");
        assert.strictEqual(gw.metadata.annotations[CERTMAP_ANNOTATION], map.inputs.name);

        const hostnames = ["api.example.com", "preview.api.example.com"];
        assert.deepStrictEqual(appHostnames(api), hostnames);
        const certs = all(two, T.cert).map((c) => c.inputs.managed.domains);
        assert.deepStrictEqual(certs, [
            ["shop.example.com", "preview.shop.example.com"],
            ["api.example.com", "preview.api.example.com"],
        ]);
        const entries = all(two, T.certMapEntry).filter((e) => e.parent === map.parent);
        assert.deepStrictEqual(
            entries.map((e) => e.inputs.hostname),
            hostnames,
        );

        const ssl = all(two, T.sslPolicy).find((p) => p.inputs.name === gcpAppName(two.config, "api", "tls"));
        assert.ok(ssl, "no SSL policy for api");
        const gatewayPolicies = inNamespace(two, gke("GCPGatewayPolicy"), "api");
        assert.deepStrictEqual(
            gatewayPolicies.map((p) => p.inputs.spec.default.sslPolicy),
            [ssl.inputs.name],
        );

        const ports = all(two, T.firewall).map((f) => f.inputs.allows[0].ports[0]);
        assert.deepStrictEqual(ports, [String(one.config.app.port), "9090"]);
        for (const f of all(two, T.firewall)) assert.deepStrictEqual(f.inputs.sourceRanges, [...HEALTH_CHECK_RANGES]);

        const out = (two.outputs.apps.value as Record<string, Record<string, unknown>>).api;
        assert.match(out.endpoint as string, /^\d+\.\d+\.\d+\.\d+$/);
        assert.notStrictEqual(out.endpoint, two.outputs.endpoint.value);
        assert.deepStrictEqual(
            (out.certificateDnsRecords as { name: string }[]).map((r) => r.name),
            hostnames.map((h) => `_acme-challenge.${h}.`),
        );
    });

    it("health-checks the second app's Services on its own health path, in its namespace", () => {
        const hc = inNamespace(two, gke("HealthCheckPolicy"), "api");
        assert.deepStrictEqual(hc.map((p) => p.inputs.spec.targetRef.name).sort(), ["app-blue", "app-green"]);
        for (const p of hc) assert.strictEqual(p.inputs.spec.default.config.httpHealthCheck.requestPath, "/api/healthz");
        assert.notStrictEqual(one.config.app.healthPath, "/api/healthz");
    });

    it("alerts on the second app's own backends at its own thresholds, to the stack's channels, on a dashboard of its own", () => {
        const prefix = `${two.config.project}-${two.config.stack}-api-monitoring`;
        const alerts = all(two, T.alert).filter((a) => a.name.startsWith(prefix));
        assert.deepStrictEqual(alerts.map((a) => a.name).sort(), [`${prefix}-route-5xx`, `${prefix}-route-p99`]);
        const t = thresholdsFor(api.sizing, two.config.monitoring, two.config.usage);
        const only = appBackendsFilter("api", ["app-blue", "app-green"], 9090);
        const channels = find(two, T.alert, `${two.config.project}-${two.config.stack}-monitoring-route-5xx`).inputs.notificationChannels;
        assert.strictEqual(channels.length, 1);
        for (const a of alerts) {
            const c = a.inputs.conditions[0].conditionThreshold;
            assert.ok(c.filter.endsWith(only), c.filter);
            assert.deepStrictEqual(a.inputs.notificationChannels, channels);
            assert.strictEqual(c.thresholdValue, a.name.endsWith("5xx") ? t.errorRatePercent / 100 : t.p99LatencyMs);
        }
        const dashboard = JSON.parse(find(two, T.dashboard, prefix).inputs.dashboardJson);
        const filters = dashboard.mosaicLayout.tiles.map((x: any) => x.widget.xyChart.dataSets[0].timeSeriesQuery.timeSeriesFilter.filter as string);
        assert.strictEqual(filters.length, 4);
        for (const f of filters) assert.ok(f.endsWith(only), f);
    });

    it("the second app's Kubernetes objects validate against their schemas, and the policy pack finds nothing it does not find with one app", () => {
        assert.deepStrictEqual(validateK8s(two.resources).errors, []);
        const mandatory = (run: StackRun) => runPolicies(run.resources, run.config).violations.filter((v) => v.level === "mandatory");
        assert.deepStrictEqual(mandatory(two), mandatory(one));
    });

    it("keeps every GCP name of the second app a valid RFC 1035 name of at most 63 characters", () => {
        const named = two.resources.filter((r: Recorded) => r.type.startsWith("gcp:") && typeof r.inputs.name === "string" && r.name.includes("-api-"));
        assert.ok(named.length >= 3);
        for (const r of named) assert.match(r.inputs.name, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, r.name);
    });
});

describe("gcp per-app names and backend filter", () => {
    const cfg = { project: "zdp", stack: "production-europe-west1-blue-green-stack" };

    it("the default app keeps the stack's names; another app's stay within 63 characters and apart", () => {
        assert.strictEqual(gcpAppName(cfg, "app", "gateway-ip"), gcpName(cfg, "gateway-ip"));
        const long = "a".repeat(50);
        const names = [gcpAppName(cfg, `${long}-x`, "gateway-ip"), gcpAppName(cfg, `${long}-y`, "gateway-ip"), gcpAppName(cfg, "api", "gateway-ip")];
        for (const n of names) assert.match(n, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, n);
        assert.strictEqual(new Set(names).size, 3);
        assert.ok(names[2].endsWith("-api-gateway-ip"), names[2]);
    });

    it("selects the app's own backend services and no other namespace's", () => {
        const clause = appBackendsFilter("api", ["app-blue", "app-green"], 9090);
        const re = new RegExp(`^${/full_match\("([^"]+)"\)/.exec(clause)![1]}$`);
        assert.ok(re.test("gkegw1-qm6k-api-app-blue-9090-wqi4f7l2fh2l"));
        assert.ok(re.test("gkegw1-qm6k-api-app-green-9090-wqi4f7l2fh2l"));
        for (const other of [
            "gkegw1-qm6k-api-v2-app-blue-9090-wqi4f7l2fh2l",
            "gkegw1-qm6k-shop-app-blue-9090-wqi4f7l2fh2l",
            "gkegw1-qm6k-api-app-blue-8080-wqi4f7l2fh2l",
        ])
            assert.ok(!re.test(other), other);
        assert.throws(() => appBackendsFilter("Api", ["app"], 80), /"Api" is not a DNS label/);
    });
});
