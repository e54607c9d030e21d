// The dev program with two apps (tests/twoApps.ts) through the real engine (Pulumi CLI + the kubernetes
// provider) against a real API server: `pulumi up` creates both apps' objects in their own namespaces
// beside the one shared PostgreSQL/Redis pair and the one Prometheus, and a second up changes nothing.
import assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { APP_SECRET_NAME } from "../components/k8s/appSecret";
import { readConfig } from "../stacks";
import { deployTwoApps } from "../tests/twoApps";
import { Cluster } from "./cluster";
import { devStack } from "./devStack";
import type { PulumiProject } from "./tools";

describe("e2e: the dev stack with two apps on the real engine and a real API server", function () {
    this.timeout(15 * 60_000);
    let cluster: Cluster;
    let project: PulumiProject;
    let stack: Stack;
    const names = (ns: string, kind: string) =>
        cluster.kubectl(["-n", ns, "get", kind, "-o", "jsonpath={.items[*].metadata.name}"]).split(" ").filter(Boolean).sort();
    const json = (ns: string, kind: string, name: string) => JSON.parse(cluster.kubectl(["-n", ns, "get", kind, name, "-o", "json"]));

    before(async () => {
        cluster = await Cluster.start();
        // Two PersistentVolumes, for one PostgreSQL and one Redis: a pair per app would leave claims unbound and the up stuck.
        ({ project, stack } = await devStack(cluster, async () => deployTwoApps(readConfig())));
    });

    after(() => {
        cluster?.stop();
        project?.remove();
    });

    it("pulumi up creates both apps, each in its own namespace, with no conflict", async () => {
        const result = await stack.up({ color: "never" });
        assert.ok((result.summary.resourceChanges?.create ?? 0) > 60, JSON.stringify(result.summary.resourceChanges));
        for (const ns of ["zdp", "api"]) {
            assert.deepEqual(names(ns, "gateway"), ["app"], `${ns}: its own Gateway`);
            assert.deepEqual(names(ns, "deployment"), ["app-blue", "app-green"], `${ns}: its colours`);
            assert.deepEqual(names(ns, "job"), ["db-role"], `${ns}: its database-role Job`);
        }
        assert.deepEqual(json("api", "httproute", "app").spec.hostnames, ["api.example.com"]);
        assert.equal(json("api", "deployment", "app-blue").spec.template.spec.containers[0].ports[0].containerPort, 9090);
        const apiSecret = json("api", "secret", APP_SECRET_NAME).data as Record<string, string>;
        assert.equal(Buffer.from(apiSecret.DATABASE_HOST, "base64").toString(), "postgres.zdp.svc.cluster.local");
        assert.equal(Buffer.from(apiSecret.DATABASE_USER, "base64").toString(), "api_user");

        // One PostgreSQL and one Redis in the whole cluster, both in the default app's namespace.
        const sets = cluster.kubectl(["get", "statefulset", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}"]);
        assert.deepEqual(sets.trim().split(" ").sort(), ["zdp/postgres", "zdp/redis"]);
        const from = json("zdp", "networkpolicy", "datastore-0-from-namespace-api").spec.ingress[0].from;
        assert.ok(
            from.every((p: any) => p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] === "api"),
            JSON.stringify(from),
        );

        // One Prometheus, scraping both (no Envoy jobs: the GatewayClass is the cluster's); discovery allowed in both namespaces.
        const prometheus = cluster.kubectl(["get", "deployment", "-A", "-l", "app.kubernetes.io/name=prometheus", "-o", "name"]);
        assert.equal(prometheus.trim().split("\n").length, 1, prometheus);
        const config = json("zdp-monitoring", "configmap", "prometheus").data["prometheus.yml"] as string;
        assert.deepEqual(
            [...config.matchAll(/job_name: (\S+)/g)].map((m) => m[1]),
            ["zdp-app", "zdp-app-api"],
        );
        for (const ns of ["zdp", "api"]) assert.deepEqual(names(ns, "role"), ["zdp-monitoring-prometheus"], `${ns}: Prometheus's discovery Role`);

        const outputs = await stack.outputs();
        assert.equal(outputs.endpoint.value, "http://localhost:8080");
        assert.equal(outputs.apps.value.api.endpoint, "http://localhost:8081");
    });

    it("a second up changes nothing: neither app's objects fight over another's", async () => {
        const result = await stack.up({ color: "never" });
        assert.deepEqual(Object.keys(result.summary.resourceChanges ?? {}), ["same"], JSON.stringify(result.summary.resourceChanges));
    });
});
