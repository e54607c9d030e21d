// The dev (local) stack: namespace, in-cluster PostgreSQL and Redis, the app Secret, Envoy Gateway
// and the release, as `pulumi up --stack dev` would declare them on kind / k3d / minikube.
import { strict as assert } from "assert";
import { APP_SECRET_KEYS } from "../components/k8s/appSecret";
import { ENVOY_GATEWAY_CHART, ENVOY_GATEWAY_CONTROLLER, ENVOY_GATEWAY_VERSION } from "../components/k8s/envoyGateway";
import { assertAppDbRole } from "./appDbRoleChecks";
import { all, find, runStack, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";

const STS = "kubernetes:apps/v1:StatefulSet";
const SECRET = "kubernetes:core/v1:Secret";

describe("dev stack (local)", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("dev");
    });

    it("declares blue/green by default, with every Kubernetes object schema-valid", () => {
        assert.equal(run.config.release.strategy, "blueGreen");
        const report = validateK8s(run.resources);
        assert.deepEqual(report.errors, []);
        assert.deepEqual(report.skipped, []);
    });

    it("uses one explicit kubernetes provider for every object", () => {
        const provider = find(run, "pulumi:providers:kubernetes", "local");
        const objects = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 15);
        for (const r of objects) assert.ok(r.provider?.startsWith(provider.urn), `${r.type} ${r.name}`);
    });

    it("the namespace enforces the restricted Pod Security Standard", () => {
        const ns = find(run, "kubernetes:core/v1:Namespace", "app").inputs.metadata;
        assert.equal(ns.name, "zdp");
        assert.equal(ns.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    describe("PostgreSQL and Redis", () => {
        const sts = (name: string) => find(run, STS, name).inputs;

        it("run as StatefulSets with a persistent volume that outlives them", () => {
            for (const name of ["data-postgres", "data-redis"]) {
                const s = sts(name).spec;
                assert.equal(s.volumeClaimTemplates[0].spec.accessModes[0], "ReadWriteOnce");
                assert.match(s.volumeClaimTemplates[0].spec.resources.requests.storage, /^\d+Gi$/);
                assert.deepEqual(s.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
                assert.ok(s.template.spec.containers[0].volumeMounts.some((m: any) => m.name === "data"));
            }
            assert.equal(sts("data-postgres").spec.template.spec.containers[0].image, "postgres:18.1-alpine");
            assert.equal(sts("data-redis").spec.template.spec.containers[0].image, "redis:8.4-alpine");
        });

        it("are protected as configured (protectStateful)", async () => {
            assert.ok(find(run, STS, "data-postgres").protect);
            const throwaway = await runStack("dev", { protectStateful: "false" });
            assert.ok(!find(throwaway, STS, "data-postgres").protect);
        });

        it("have probes, requests and limits, and restricted pods", () => {
            for (const name of ["data-postgres", "data-redis"]) {
                const pod = sts(name).spec.template.spec;
                const c = pod.containers[0];
                assert.ok(c.readinessProbe.exec && c.startupProbe.exec && c.livenessProbe.tcpSocket, name);
                assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, name);
                assert.equal(pod.securityContext.runAsNonRoot, true);
                assert.equal(pod.automountServiceAccountToken, false);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
            }
            // PostgreSQL's socket directory is writable although the root filesystem is not.
            assert.ok(sts("data-postgres").spec.template.spec.containers[0].volumeMounts.some((m: any) => m.mountPath === "/var/run/postgresql"));
        });

        it("take generated passwords from Secrets, never from the pod spec", () => {
            const stashes = all(run, "pulumi:index:Stash");
            // The PostgreSQL and Redis passwords, the app role's, Grafana's admin password, and the release's
            // preview token (the dark canary's header value).
            assert.deepEqual(stashes.map((s) => s.name.endsWith("-preview-token")).sort(), [false, false, false, false, true]);
            assert.ok(stashes.some((s) => s.name === "monitoring-grafana-admin"));
            // The stash keeps its first value: a later run's fresh candidate is ignored, not an update.
            for (const s of stashes) assert.ok(s.ignoreChanges.includes("input") && s.secretPaths.includes("input"), s.name);
            for (const name of ["data-postgres-auth", "data-redis-auth"]) {
                const secret = find(run, SECRET, name);
                assert.ok(
                    secret.secretPaths.some((p) => p.startsWith("stringData")),
                    `${name} stringData is a Pulumi secret`,
                );
            }
            const pgEnv = sts("data-postgres").spec.template.spec.containers[0].env;
            assert.deepEqual(pgEnv.find((e: any) => e.name === "POSTGRES_PASSWORD").valueFrom.secretKeyRef, {
                name: "postgres-auth",
                key: "POSTGRES_PASSWORD",
            });
            const specs = JSON.stringify(all(run, STS).map((s) => s.inputs));
            for (const secret of run.generatedSecrets) assert.ok(!specs.includes(secret), "a password leaked into a StatefulSet");
        });
    });

    it("the app Secret carries every contract key, all secret, pointing at the in-cluster services", () => {
        const secret = find(run, SECRET, "app");
        assert.equal(secret.inputs.metadata.name, "app-env");
        assert.deepEqual(Object.keys(secret.inputs.stringData).sort(), [...APP_SECRET_KEYS].sort());
        assert.ok(secret.secretPaths.includes("stringData"));
        assert.equal(secret.inputs.stringData.DATABASE_HOST, "postgres.zdp.svc.cluster.local");
        assert.equal(secret.inputs.stringData.REDIS_HOST, "redis.zdp.svc.cluster.local");
        assert.ok(run.generatedSecrets.includes(secret.inputs.stringData.DATABASE_PASSWORD));
    });

    it("connects the app as its own role, made by a Job as the image's superuser, as on the clouds", () => {
        const pg = find(run, STS, "data-postgres").inputs.spec.template.spec.containers[0].env;
        const superuser = pg.find((e: { name: string }) => e.name === "POSTGRES_USER").value;
        const password = find(run, SECRET, "data-postgres-auth").inputs.stringData.POSTGRES_PASSWORD;
        assertAppDbRole(run, { user: superuser, password, database: "app" });
    });

    it("installs Envoy Gateway (with the Gateway API CRDs) from its pinned chart and declares its GatewayClass", () => {
        const chart = find(run, "kubernetes:helm.sh/v3:Release", "envoy-chart").inputs;
        assert.equal(chart.chart, ENVOY_GATEWAY_CHART);
        assert.equal(chart.version, ENVOY_GATEWAY_VERSION);
        assert.notEqual(chart.skipCrds, true, "the chart's crds/ directory is what installs the Gateway API CRDs");
        const gc = find(run, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass", "envoy-class");
        assert.equal(gc.inputs.spec.controllerName, ENVOY_GATEWAY_CONTROLLER);
        assert.ok(gc.dependsOn.some((u) => u.endsWith("::envoy-chart")));
    });

    it("with gatewayClass set, attaches the Gateway to that class and installs no Envoy Gateway", async () => {
        const own = await runStack("dev", { gatewayClass: "istio" });
        assert.deepEqual(all(own, "kubernetes:helm.sh/v3:Release"), []);
        assert.deepEqual(all(own, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass"), []);
        assert.equal(find(own, "kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs.spec.gatewayClassName, "istio");
    });

    it("exports what the walk-through uses, with no secret in plain outputs", () => {
        assert.equal(run.outputs.activeColor.value, "blue");
        assert.deepEqual(run.outputs.weights.value, { blue: 100, green: 0 });
        assert.match(String(run.outputs.portForward.value), /port-forward .* 8080:80$/);
        const plain = JSON.stringify(
            Object.values(run.outputs)
                .filter((o) => !o.secret)
                .map((o) => o.value),
        );
        for (const secret of run.generatedSecrets) assert.ok(!plain.includes(secret));
    });
});
