// Every Kubernetes object every stack declares (from the offline plan's recording), sent to a real
// API server as a server-side dry run with strict field validation, against the exact CRDs the stacks
// install (crds/, vendored with their sources). The API server's own OpenAPI and CRD schemas decide.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runStack, type Recorded } from "../scripts/offline/run";
import { Cluster } from "./cluster";
import { ROOT } from "./tools";

const STACKS = ["dev", "aws", "azure", "gcp"];
// Groups whose CRDs exist in no public source (crds/README.md says why): reported, never passed.
const NO_CRD = new Set(["alb.networking.azure.io"]);

function crdFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? crdFiles(path.join(dir, e.name)) : e.name.endsWith(".yaml") ? [path.join(dir, e.name)] : []));
}

/** The object a recorded kubernetes resource sends to the API server. */
function manifest(r: Recorded): Record<string, any> {
    const [, group, kind] = /^kubernetes:(.+):(\w+)$/.exec(r.type)!;
    const apiVersion = group.startsWith("core/") ? group.slice("core/".length) : group;
    // pulumi-kubernetes auto-names an object without metadata.name `<resource name>-<suffix>`.
    const metadata = { ...(r.inputs.metadata ?? {}) };
    metadata.name ??= `${r.name}-e2e0001`;
    return { ...r.inputs, apiVersion, kind, metadata };
}

describe("e2e: every stack's Kubernetes objects pass the real API server (server-side dry run, strict)", function () {
    this.timeout(10 * 60_000);
    let cluster: Cluster;
    before(async () => {
        cluster = await Cluster.start();
        for (const file of crdFiles(path.join(ROOT, "crds"))) cluster.kubectl(["apply", "--server-side", "-f", file]);
        cluster.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    });
    after(() => cluster?.stop());

    it("the check is live: the API server refuses a field the schema lacks and a value over a CRD's limit", () => {
        const refuses = (o: unknown) => {
            try {
                cluster.kubectl(["apply", "--server-side", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify(o));
                return false;
            } catch {
                return true;
            }
        };
        const gc = (description: string) => ({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: "probe" },
            spec: { controllerName: "example.com/x", description },
        });
        assert.equal(refuses(gc("x".repeat(64))), false, "a 64-character description is allowed");
        assert.equal(refuses(gc("x".repeat(65))), true, "the v1.6.0 CRD caps description at 64 characters");
        assert.equal(refuses({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "probe", namespace: "default" }, data: { a: "b" }, extra: 1 }), true);
    });

    for (const stack of STACKS)
        it(`${stack}: the API server accepts every object as declared`, async () => {
            const run = await runStack(stack);
            const objects = run.resources
                .filter((r) => r.custom && /^kubernetes:[^:]+\/v\w+:\w+$/.test(r.type) && !r.type.startsWith("kubernetes:helm.sh/"))
                .map(manifest);
            assert.ok(objects.length > 10, `${stack}: only ${objects.length} objects recorded`);
            const unvalidated = objects.filter((o) => NO_CRD.has(o.apiVersion.split("/")[0]));
            const checked = objects.filter((o) => !unvalidated.includes(o));
            // Namespaces are created for real: a dry-run create inside a namespace needs it to exist.
            const namespaces = new Set(checked.map((o) => o.metadata.namespace).filter(Boolean));
            for (const ns of namespaces) if (!cluster.kubectlOk(["get", "namespace", ns])) cluster.kubectl(["create", "namespace", ns]);
            const failures: string[] = [];
            for (const o of checked) {
                try {
                    cluster.kubectl(
                        ["apply", "--server-side", "--dry-run=server", "--validate=strict", "--field-manager=pulumi-kubernetes", "-f", "-"],
                        JSON.stringify(o),
                    );
                } catch (e: any) {
                    failures.push(`${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}: ${String(e.stderr ?? e.message).trim()}`);
                }
            }
            assert.deepEqual(failures, [], `${stack}: ${failures.length} of ${checked.length} objects refused`);
            if (unvalidated.length)
                console.log(
                    `      ${stack}: ${checked.length} objects accepted; not validated (CRD not public): ${unvalidated.map((o) => `${o.kind} ${o.metadata.name}`).join(", ")}`,
                );
        });
});
