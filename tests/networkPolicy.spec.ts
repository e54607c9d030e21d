import * as assert from "assert";
import { subnetPlan } from "../model/aws/subnets";
import { addressPlan } from "../model/azure/addressing";
import { HEALTH_CHECK_RANGES } from "../components/gcp/loadBalancer";
import { MIGRATION_JOB_PODS } from "../components/k8s/migrationJob";
import { DB_ROLE_JOB_PODS } from "../components/k8s/appDbRole";
import { PROMETHEUS_PODS } from "../components/k8s/devMonitoring";
import { ENVOY_GATEWAY_NAMESPACE } from "../components/k8s/envoyGateway";
import { all, runStack, type Recorded, type StackRun } from "./harness";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const inNamespace = (run: StackRun, ns: string) => all(run, NP).filter((r: Recorded) => r.inputs.metadata.namespace === ns);
const byName = (run: StackRun, ns = run.config.app.namespace): Record<string, any> =>
    Object.fromEntries(inNamespace(run, ns).map((r: Recorded) => [r.inputs.metadata.name, r.inputs]));
const cidrsOf = (peers: any[]) => peers.map((p) => p.ipBlock?.cidr);
const portsOf = (rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`);

describe("network policies: default-deny in the app namespace, with exactly the allows the app needs", function () {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const s of ["dev", "aws", "azure", "gcp"]) runs[s] = await runStack(s);
    });

    it("every stack denies all ingress and egress in the app namespace, then allows DNS to kube-dns only", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const np = byName(run);
            // dev also has its monitoring namespace (checked below); nothing lands anywhere else.
            const namespaces = [run.config.app.namespace, ...(stack === "dev" ? [`${run.config.app.namespace}-monitoring`] : [])];
            for (const p of all(run, NP)) assert.ok(namespaces.includes(p.inputs.metadata.namespace), `${stack}: ${p.inputs.metadata.namespace}`);
            assert.deepStrictEqual(np["default-deny"].spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, stack);
            const dns = np["allow-dns"].spec.egress;
            assert.strictEqual(dns.length, 1);
            assert.deepStrictEqual(dns[0].to[0].podSelector, { matchLabels: { "k8s-app": "kube-dns" } });
            assert.deepStrictEqual(portsOf(dns[0]), ["UDP/53", "TCP/53"]);
        }
    });

    it("aws: the ALB's public subnets reach the app port; the app reaches only the data subnets on 5432 and 6379", () => {
        const run = runs.aws;
        const plan = subnetPlan(run.config.aws!.vpcCidr, 3);
        const np = byName(run);
        const ingress = np["app-from-load-balancer"].spec.ingress;
        assert.deepStrictEqual([cidrsOf(ingress[0].from), portsOf(ingress[0])], [plan.public, [`TCP/${run.config.app.port}`]]);
        const egress = np["app-to-datastores"].spec.egress;
        assert.deepStrictEqual(
            egress.map((e: any) => [cidrsOf(e.to), portsOf(e)]),
            [
                [plan.data, ["TCP/5432"]],
                [plan.data, ["TCP/6379"]],
            ],
        );
        // EKS enforces NetworkPolicy only with the VPC CNI's network policy agent on.
        const cni = all(run, "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
        assert.deepStrictEqual(JSON.parse(cni.inputs.configurationValues), { enableNetworkPolicy: "true" });
    });

    it("azure: the AGC subnet reaches the app port; the app reaches only PostgreSQL's subnet and Redis's endpoint subnet", () => {
        const run = runs.azure;
        const plan = addressPlan(run.config.azure!.vnetCidr);
        const np = byName(run);
        assert.deepStrictEqual(cidrsOf(np["app-from-load-balancer"].spec.ingress[0].from), [plan.agc]);
        assert.deepStrictEqual(
            np["app-to-datastores"].spec.egress.map((e: any) => [cidrsOf(e.to), portsOf(e)]),
            [
                [[plan.postgres], ["TCP/5432"]],
                [[plan.endpoints], ["TCP/10000"]],
            ],
        );
    });

    it("gcp: Google's front-end ranges reach the app port; the app reaches only the Private Service Access range", () => {
        const np = byName(runs.gcp);
        assert.deepStrictEqual(cidrsOf(np["app-from-load-balancer"].spec.ingress[0].from), [...HEALTH_CHECK_RANGES]);
        assert.deepStrictEqual(
            np["app-to-datastores"].spec.egress.map((e: any) => [cidrsOf(e.to), portsOf(e)]),
            [
                [["10.100.0.0/16"], ["TCP/5432"]],
                [["10.100.0.0/16"], ["TCP/6378"]],
            ],
        );
    });

    it("dev: Envoy Gateway's namespace reaches the app; the in-cluster data stores accept the app's pods (PostgreSQL also the role and migration Jobs') only", () => {
        const np = byName(runs.dev);
        assert.deepStrictEqual(np["app-from-load-balancer"].spec.ingress[0].from, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ENVOY_GATEWAY_NAMESPACE } } },
        ]);
        const appPods = np["app-from-load-balancer"].spec.podSelector;
        const roleJob = { podSelector: { matchLabels: DB_ROLE_JOB_PODS } };
        const migrationJob = { podSelector: { matchLabels: MIGRATION_JOB_PODS } };
        for (const [name, port, from] of [
            ["datastore-0-from-app", 5432, [{ podSelector: appPods }, roleJob, migrationJob]],
            ["datastore-1-from-app", 6379, [{ podSelector: appPods }]],
        ] as const) {
            assert.deepStrictEqual(np[name].spec.ingress, [{ from, ports: [{ protocol: "TCP", port }] }], name);
        }
        // Every colour's pods are selected: the selector is the app name label alone.
        assert.deepStrictEqual(appPods, { matchLabels: { "app.kubernetes.io/name": "app" } });
    });

    it("dev: only Prometheus reaches the app port from the monitoring namespace; that namespace is default-deny with Grafana -> Prometheus only", () => {
        const app = byName(runs.dev);
        const monNs = `${runs.dev.config.app.namespace}-monitoring`;
        assert.deepStrictEqual(app["app-from-prometheus"].spec.podSelector, app["app-from-load-balancer"].spec.podSelector);
        assert.deepStrictEqual(app["app-from-prometheus"].spec.ingress, [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monNs } }, podSelector: { matchLabels: PROMETHEUS_PODS } }],
                ports: [{ protocol: "TCP", port: runs.dev.config.app.port }],
            },
        ]);
        const mon = byName(runs.dev, monNs);
        assert.deepStrictEqual(mon["default-deny"].spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        // Ingress in the monitoring namespace: Prometheus's port, from Grafana, and nothing else.
        const ingress = Object.values(mon).filter((p: any) => p.spec.policyTypes.includes("Ingress") && p.spec.ingress);
        assert.deepStrictEqual(
            ingress.map((p: any) => [p.spec.podSelector, p.spec.ingress]),
            [
                [
                    { matchLabels: PROMETHEUS_PODS },
                    [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }], ports: [{ protocol: "TCP", port: 9090 }] }],
                ],
            ],
        );
    });
});
