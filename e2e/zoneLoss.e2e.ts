// After a zone is lost, its nodes stay in the cluster (NotReady, tainted by the node lifecycle
// controller) and its pods are evicted. A DoNotSchedule zone spread that still counts those nodes keeps
// every replacement Pending, since any placement would skew the spread against the empty lost zone.
// This runs the release's own constraint (zoneSpread) and the same one without nodeTaintsPolicy through
// the real kube-scheduler on three zonal nodes, loses zone c the way Kubernetes marks it, and compares.
import assert from "node:assert/strict";
import { zoneSpread } from "../components/k8s/release";
import { Cluster } from "./cluster";
import { until } from "./tools";

const NS = "zone-loss";

function deployment(name: string, spread: Record<string, unknown>) {
    const labels = { app: name };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: NS },
        spec: {
            replicas: 6,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: { topologySpreadConstraints: [spread], containers: [{ name: "app", image: "registry.k8s.io/pause:3.10" }] },
            },
        },
    };
}

describe("zone loss on a real scheduler: the release's zone spread", function () {
    let cluster: Cluster;
    const pods = (app: string) =>
        (JSON.parse(cluster.kubectl(["get", "pods", "-n", NS, "-l", `app=${app}`, "-o", "json"])).items as any[]).filter((p) => !p.metadata.deletionTimestamp);
    const running = (app: string) => pods(app).filter((p) => p.spec.nodeName && p.status.phase === "Running");
    const waitFor = (what: string, ok: () => boolean) => until(ok, 60, what);

    before(async () => {
        cluster = await Cluster.start();
        cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        const release = zoneSpread({ app: "release" }, 3);
        const { nodeTaintsPolicy, ...countsLostNodes } = zoneSpread({ app: "counts-lost-nodes" }, 3);
        assert.equal(nodeTaintsPolicy, "Honor");
        cluster.apply({ apiVersion: "v1", kind: "List", items: [deployment("release", release), deployment("counts-lost-nodes", countsLostNodes)] });
        await waitFor("6 + 6 pods running, 2 per zone", () => running("release").length === 6 && running("counts-lost-nodes").length === 6);
    });

    after(() => {
        // Put node-c back for any suite that runs after this one on a shared cluster.
        cluster?.kubectlOk(["taint", "node", "node-c", "node.kubernetes.io/unreachable:NoSchedule-"]);
        cluster?.kubectlOk(["delete", "namespace", NS, "--wait=false"]);
        cluster?.stop();
    });

    it("replaces the lost zone's pods in the surviving zones; counting the lost nodes would leave them Pending", async () => {
        // What Kubernetes does to an unreachable zone: the node lifecycle controller taints its nodes
        // (unreachable:NoSchedule, and NoExecute, after which the pods are evicted).
        cluster.kubectl(["taint", "node", "node-c", "node.kubernetes.io/unreachable:NoSchedule"]);
        for (const app of ["release", "counts-lost-nodes"]) {
            const lost = running(app)
                .filter((p) => p.spec.nodeName === "node-c")
                .map((p) => p.metadata.name);
            assert.equal(lost.length, 2, `${app} had 2 pods in zone c`);
            cluster.kubectl(["delete", "pod", "-n", NS, "--grace-period=0", "--force", ...lost]);
        }

        await waitFor("the release's 2 replacements running in zones a and b", () => running("release").length === 6);
        const byNode = running("release").reduce<Record<string, number>>((n, p) => ({ ...n, [p.spec.nodeName]: (n[p.spec.nodeName] ?? 0) + 1 }), {});
        assert.deepEqual(byNode, { "node-a": 3, "node-b": 3 });

        // The control: the same spread without nodeTaintsPolicy is stuck, and the scheduler says why.
        await waitFor(
            "the control's replacements to be judged unschedulable",
            () =>
                pods("counts-lost-nodes").filter((p) => p.status.conditions?.some((c: any) => c.type === "PodScheduled" && c.reason === "Unschedulable"))
                    .length === 2,
        );
        const stuck = pods("counts-lost-nodes").find((p) => !p.spec.nodeName)!;
        assert.match(stuck.status.conditions.find((c: any) => c.type === "PodScheduled").message, /didn't match pod topology spread constraints/);
        assert.equal(running("counts-lost-nodes").length, 4);
    });
});
