// The offline diff's model of pulumi-kubernetes' DiffConfig, against the cases of the provider's own table
// tests (pulumi-kubernetes provider/pkg/provider/testdata/diffconfig/*), and what a replaced provider does.
import * as assert from "assert";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { diffResources } from "../scripts/offline/diff";
import { k8sProviderReplaced } from "../scripts/offline/k8sProviderDiff";
import type { Recorded } from "../scripts/offline/run";

// The testdata's kubeconfig; `extra` adds a setting to the active cluster (the testdata adds tls-server-name).
const kubeconfig = (extra = "") => `apiVersion: v1
clusters:
  - cluster:
      certificate-authority-data: Zm9vYmFyCg==
      server: https://127.0.0.1:1${extra ? `\n      ${extra}` : ""}
    name: fake-cluster
contexts:
  - context:
      cluster: fake-cluster
      user: fake-user
    name: fake
current-context: fake
kind: Config
users:
  - name: fake-user
    user: {}
`;

describe("offline diff: when pulumi-kubernetes replaces its provider", () => {
    const changed = kubeconfig("tls-server-name: pulumi.com");
    const cases: [string, Record<string, unknown>, Record<string, unknown>, boolean][] = [
        ["no-changes", { kubeconfig: kubeconfig() }, { kubeconfig: kubeconfig() }, false],
        ["change-kubeconfig (active cluster changed, no identifier)", { kubeconfig: kubeconfig() }, { kubeconfig: changed }, true],
        [
            "change-kubeconfig-with-identifier",
            { clusterIdentifier: "foobar", kubeconfig: kubeconfig() },
            { clusterIdentifier: "foobar", kubeconfig: changed },
            false,
        ],
        ["computed-kubeconfig", { kubeconfig: kubeconfig() }, { kubeconfig: unknownValue }, true],
        [
            "computed-kubeconfig-with-identifier",
            { clusterIdentifier: "foobaz", kubeconfig: kubeconfig() },
            { clusterIdentifier: "foobaz", kubeconfig: unknownValue },
            false,
        ],
        ["change-cluster-identifier", { clusterIdentifier: "foo" }, { clusterIdentifier: "bar" }, true],
        ["add-cluster-identifier", {}, { clusterIdentifier: "foo" }, false],
        ["remove-cluster-identifier-with-kubeconfig-change", { clusterIdentifier: "foo", kubeconfig: kubeconfig() }, { kubeconfig: changed }, true],
        // Adding the identifier in the same run as a kubeconfig change does not protect that run.
        ["add-cluster-identifier-with-kubeconfig-change", { kubeconfig: kubeconfig() }, { clusterIdentifier: "foo", kubeconfig: changed }, true],
    ];
    for (const [name, olds, news, replaced] of cases)
        it(`${name}: ${replaced ? "replace" : "update"}`, () => assert.strictEqual(k8sProviderReplaced(olds, news), replaced));

    it("a replaced provider replaces every object it manages, changed or not; other objects stay", () => {
        const rec = (type: string, name: string, inputs: Record<string, unknown>, provider?: string): Recorded => ({
            type,
            name,
            urn: `urn:pulumi:s::p::${type}::${name}`,
            inputs,
            secretPaths: [],
            protect: false,
            dependsOn: [],
            provider,
            custom: true,
            ignoreChanges: [],
            deleteBeforeReplace: false,
            replaceOnChanges: [],
        });
        const providerUrn = "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s";
        const run = (config: string) => [
            rec("pulumi:providers:kubernetes", "k8s", { kubeconfig: config }),
            rec("kubernetes:core/v1:Namespace", "app", { metadata: { name: "app" } }, `${providerUrn}::k8s-id`),
            rec("kubernetes:core/v1:Namespace", "other", { metadata: { name: "other" } }, "urn:pulumi:s::p::pulumi:providers:kubernetes::other::id"),
        ];
        const d = diffResources(run(kubeconfig()), run(changed));
        assert.deepStrictEqual(
            d.changed.map((c) => [c.name, c.paths, c.replaces]),
            [
                ["k8s", ["kubeconfig"], true],
                ["app", ["provider"], true],
            ],
        );
    });
});
