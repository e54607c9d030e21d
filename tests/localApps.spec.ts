// The dev stack with a second app: its own namespace, Gateway, policies and monitoring objects, the one
// PostgreSQL/Redis pair shared (reached across namespaces by exactly its pods), and the default app's
// resources as in the one-app stack.
import { strict as assert } from "assert";
import { parse } from "yaml";
import { sizingFor } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { deployApps } from "../components/k8s/app";
import { DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { MIGRATION_JOB_PODS } from "../components/k8s/migrationJob";
import { grafanaDashboard, prometheusConfig } from "../components/monitoring/devPrometheus";
import { localPlatform } from "../stacks/local";
import { all, find, runStack, type Recorded, type StackRun } from "./harness";
import { deployTwoApps, twoApps } from "./twoApps";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const APP_PODS = { "app.kubernetes.io/name": "app" };
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
const twoAppProgram = { label: "dev with two apps", deploy: deployTwoApps };

describe("dev stack (local) with two apps", () => {
    let one: StackRun;
    let two: StackRun;
    before(async () => {
        one = await runStack("dev");
        two = await runStack("dev", {}, { program: twoAppProgram });
    });
    const inNs = (run: StackRun, type: string, ns: string) => all(run, type).filter((r) => r.inputs.metadata?.namespace === ns);

    it("declares every URN once, and the default app's resources as the one-app stack does but the shared monitoring's configuration", () => {
        const urns = two.resources.map((r) => r.urn);
        assert.deepEqual(
            urns.filter((u, i) => urns.indexOf(u) !== i),
            [],
        );
        const twin = (r: Recorded) => two.resources.find((t) => t.urn === r.urn);
        assert.deepEqual(
            one.resources.filter((r) => !twin(r)).map((r) => r.urn),
            [],
        );
        // A Stash holds a password generated afresh in every run (components/generatedSecret.ts).
        const compared = one.resources.filter((r) => r.type !== "pulumi:index:Stash");
        const changed = compared.filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(twin(r)?.inputs)).map((r) => `${r.type} ${r.name}`);
        // Prometheus gains the second app's jobs, Grafana its dashboard; each Deployment rolls to read them.
        assert.deepEqual(changed.sort(), [
            "kubernetes:apps/v1:Deployment monitoring-grafana",
            "kubernetes:apps/v1:Deployment monitoring-prometheus",
            "kubernetes:core/v1:ConfigMap monitoring-grafana",
            "kubernetes:core/v1:ConfigMap monitoring-prometheus",
        ]);
        assert.ok(two.resources.length > one.resources.length + 20, `${two.resources.length} resources against ${one.resources.length}`);
    });

    it("shares one PostgreSQL and one Redis, in the default app's namespace, to which the second app's Secret points", () => {
        assert.deepEqual(
            all(two, "kubernetes:apps/v1:StatefulSet")
                .map((s) => `${s.name} ${s.inputs.metadata.namespace}`)
                .sort(),
            ["data-postgres zdp", "data-redis zdp"],
        );
        const secret = (ns: string) => inNs(two, "kubernetes:core/v1:Secret", ns).find((s) => s.name === (ns === "zdp" ? "app" : "api"))!.inputs.stringData;
        assert.equal(secret("api").DATABASE_HOST, "postgres.zdp.svc.cluster.local");
        assert.equal(secret("api").REDIS_HOST, "redis.zdp.svc.cluster.local");
        assert.equal(secret("api").DATABASE_USER, "api_user");
        assert.equal(secret("zdp").DATABASE_USER, "app_user");
    });

    it("lets exactly the second app's pods (app, role Job, migration Jobs) into the stores' namespace, and them out to the stores' pods there", () => {
        const ingress = (i: number) => find(two, NETPOL, `api-datastore-${i}-from-app`).inputs;
        const postgres = ingress(0);
        assert.equal(postgres.metadata.namespace, "zdp");
        assert.deepEqual(postgres.spec.podSelector.matchLabels, { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": "postgres" });
        assert.deepEqual(postgres.spec.ingress, [
            {
                from: [APP_PODS, DB_ROLE_JOB_PODS, MIGRATION_JOB_PODS].map((pods) => ({ ...inNamespace("api"), podSelector: { matchLabels: pods } })),
                ports: [{ protocol: "TCP", port: 5432 }],
            },
        ]);
        assert.deepEqual(ingress(1).spec.ingress, [
            { from: [{ ...inNamespace("api"), podSelector: { matchLabels: APP_PODS } }], ports: [{ protocol: "TCP", port: 6379 }] },
        ]);
        const egress = find(two, NETPOL, "api-app-to-datastores").inputs;
        assert.equal(egress.metadata.namespace, "api");
        assert.deepEqual(
            egress.spec.egress.map((e: any) => [e.to[0].namespaceSelector, e.to[0].podSelector.matchLabels["app.kubernetes.io/name"], e.ports[0].port]),
            [
                [inNamespace("zdp").namespaceSelector, "postgres", 5432],
                [inNamespace("zdp").namespaceSelector, "redis", 6379],
            ],
        );
        // No ingress policy for stores in the second app's own namespace: none run there.
        assert.deepEqual(
            inNs(two, NETPOL, "api")
                .map((p) => p.inputs.metadata.name)
                .filter((n) => n.startsWith("datastore-")),
            [],
        );
        // The default app's namespace: its own policies, the second app's two, Prometheus's.
        assert.deepEqual(inNs(two, NETPOL, "zdp").length, inNs(one, NETPOL, "zdp").length + 2);
    });

    it("gives the second app its own Gateway (so its own Envoy), routes on its domain and port, and its own port-forward", () => {
        const gateways = all(two, "kubernetes:gateway.networking.k8s.io/v1:Gateway");
        assert.deepEqual(gateways.map((g) => `${g.inputs.metadata.namespace}/${g.inputs.metadata.name}`).sort(), ["api/app", "zdp/app"]);
        const route = all(two, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").find((r) => r.name === "api-route")!.inputs;
        assert.equal(route.metadata.namespace, "api");
        assert.deepEqual(route.spec.hostnames, ["api.example.com"]);
        const api = find(two, "kubernetes:apps/v1:Deployment", "api-blue").inputs.spec.template.spec.containers[0];
        assert.equal(api.ports[0].containerPort, 9090);
        assert.equal(api.readinessProbe.httpGet.path, "/healthz");
        const lb = find(two, NETPOL, "api-app-from-load-balancer").inputs;
        assert.deepEqual([lb.metadata.namespace, lb.spec.ingress[0].ports[0].port], ["api", 9090]);

        const apps = two.outputs.apps.value as Record<string, Record<string, unknown>>;
        assert.deepEqual(Object.keys(apps), ["api"]);
        assert.equal(apps.api.endpoint, "http://localhost:8081");
        assert.match(String(apps.api.portForward), /owning-gateway-namespace=api\) 8081:80$/);
        assert.equal(two.outputs.endpoint.value, one.outputs.endpoint.value);
        assert.equal(two.outputs.portForward.value, one.outputs.portForward.value);
    });

    it("one Prometheus and Grafana: a scrape job and a dashboard for the second app, let into its namespace on its port", () => {
        assert.equal(all(two, "zdp:k8s:DevMonitoring").length, 1);
        assert.equal(all(two, "kubernetes:apps/v1:Deployment").filter((d) => d.inputs.metadata.name === "prometheus").length, 1);
        const config = parse(find(two, "kubernetes:core/v1:ConfigMap", "monitoring-prometheus").inputs.data["prometheus.yml"]);
        const envoy = { namespace: "envoy-gateway-system", gatewayName: "app" };
        assert.deepEqual(config, prometheusConfig({ appNamespace: "zdp", envoy, others: [{ name: "api", namespace: "api" }] }));
        const jobs = Object.fromEntries(config.scrape_configs.map((j: any) => [j.job_name, j]));
        assert.deepEqual(Object.keys(jobs), ["zdp-app", "envoy", "zdp-app-api", "envoy-api"]);
        assert.deepEqual(jobs["zdp-app-api"].kubernetes_sd_configs, [{ role: "pod", namespaces: { names: ["api"] } }]);
        assert.equal(jobs["envoy-api"].relabel_configs[1].regex, "api");
        assert.equal(jobs.envoy.relabel_configs[1].regex, "zdp");

        const grafana = find(two, "kubernetes:core/v1:ConfigMap", "monitoring-grafana").inputs.data;
        assert.deepEqual(JSON.parse(grafana["zdp-api.json"]), grafanaDashboard("dev", "api"));
        assert.notEqual(grafanaDashboard("dev", "api").uid, grafanaDashboard("dev").uid);
        const mounts = find(two, "kubernetes:apps/v1:Deployment", "monitoring-grafana").inputs.spec.template.spec.containers[0].volumeMounts;
        assert.ok(mounts.some((m: any) => m.subPath === "zdp-api.json" && m.mountPath === "/etc/grafana/dashboards/zdp-api.json"));

        const role = find(two, "kubernetes:rbac.authorization.k8s.io/v1:Role", "monitoring-discovery-api").inputs;
        assert.equal(role.metadata.namespace, "api");
        const scrape = find(two, NETPOL, "monitoring-api-app-from-prometheus");
        assert.deepEqual([scrape.inputs.metadata.namespace, scrape.inputs.spec.ingress[0].ports[0].port], ["api", 9090]);
        assert.ok(scrape.dependsOn.includes(find(two, "kubernetes:core/v1:Namespace", "api").urn), "the policy does not wait for the api namespace");
    });

    it("the shipped program does the same for an app from config (apps.api): its own Gateway and port-forward, the stores shared", async () => {
        const api = {
            appImage: "ghcr.io/stefanprodan/podinfo",
            namespace: "api",
            blueVersion: "6.9.1",
            greenVersion: "6.9.1",
            activeColor: "blue",
            appPort: 9090,
        };
        const run = await runStack("dev", { apps: JSON.stringify({ api }) });
        const at = (type: string) =>
            all(run, type)
                .map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`)
                .sort();
        assert.deepEqual(at("kubernetes:gateway.networking.k8s.io/v1:Gateway"), ["api/app", "zdp/app"]);
        assert.deepEqual(at("kubernetes:apps/v1:StatefulSet"), ["zdp/postgres", "zdp/redis"]);
        assert.deepEqual(
            at(NETPOL).filter((n) => n.startsWith("zdp/datastore-")),
            ["zdp/datastore-0-from-app", "zdp/datastore-0-from-namespace-api", "zdp/datastore-1-from-app", "zdp/datastore-1-from-namespace-api"],
        );
        const apps = run.outputs.apps.value as Record<string, Record<string, unknown>>;
        assert.equal(apps.api.endpoint, "http://localhost:8081");
        // The preview tokens are a secret output of their own: the rest of `apps` reads in the clear.
        assert.equal(run.outputs.apps.secret, false);
        assert.equal(apps.api.previewToken, undefined);
        assert.equal(run.outputs.appPreviewTokens.secret, true);
    });

    it("refuses an app the platform was not made for, naming it", async () => {
        const program = {
            label: "dev, an app the platform does not know",
            deploy: (cfg: StackConfig) => {
                const apps = twoApps(cfg);
                return deployApps(localPlatform(cfg, sizingFor(cfg), apps.slice(0, 1)), apps);
            },
        };
        await assert.rejects(runStack("dev", {}, { program }), /app api \(namespace api\) is not one of its apps \(app\)/);
    });
});
