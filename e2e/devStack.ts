// The dev stack as the kwok suites run it (e2e/dev.e2e.ts, e2e/devApps.e2e.ts): a program of the suite's
// own (an Automation API inline program) on a throwaway Pulumi project, against `cluster`.
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import type { Cluster } from "./cluster";
import { BIN, PulumiProject } from "./tools";

export async function devStack(cluster: Cluster, program: PulumiFn): Promise<{ project: PulumiProject; stack: Stack }> {
    // Controllers from the internet (Envoy Gateway's chart) are replaced by the vendored Gateway API
    // CRDs and a GatewayClass no controller serves: the objects and the engine are real, traffic is not.
    cluster.installGatewayApi();
    cluster.apply({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "GatewayClass",
        metadata: { name: "e2e" },
        spec: { controllerName: "example.com/e2e" },
    });
    // Volumes for the two StatefulSets, PostgreSQL and Redis (no provisioner here): class-less PVs their claims bind to.
    cluster.apply({
        apiVersion: "v1",
        kind: "List",
        items: ["pv-1", "pv-2"].map((name) => ({
            apiVersion: "v1",
            kind: "PersistentVolume",
            metadata: { name },
            spec: { capacity: { storage: "1Ti" }, accessModes: ["ReadWriteOnce"], storageClassName: "", hostPath: { path: `/tmp/${name}` } },
        })),
    });
    const project = new PulumiProject(["dev"]);
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(BIN), skipVersionCheck: true });
    const stack = await LocalWorkspace.selectStack(
        { stackName: "dev", projectName: "zdp", program },
        { workDir: project.dir, pulumiCommand, envVars: { ...(project.env as Record<string, string>), KUBECONFIG: cluster.kubeconfig } },
    );
    await stack.setAllConfig({ "zdp:gatewayClass": { value: "e2e" }, "zdp:protectStateful": { value: "false" } });
    return { project, stack };
}
