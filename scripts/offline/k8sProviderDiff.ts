// When pulumi-kubernetes replaces its provider (and so every object it manages) rather than updating
// it, as its DiffConfig decides (pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig and
// util.go getActiveClusterFromConfig; table tests in provider/pkg/provider/testdata/diffconfig/):
//  - clusterIdentifier changed between two set values: replace;
//  - clusterIdentifier set and unchanged: never replace, whatever happens to the kubeconfig;
//  - otherwise (unset, or just added or removed): replace when the kubeconfig is unknown (computed) or
//    when the settings of its active cluster (server, certificate-authority-data, ...) change.
import { isDeepStrictEqual } from "util";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { parse } from "yaml";

type Inputs = Record<string, unknown>;

/** The active cluster's settings (current-context, or the `context`/`cluster` overrides); undefined when none is found. */
function activeCluster(inputs: Inputs): unknown {
    const doc = typeof inputs.kubeconfig === "string" ? (parse(inputs.kubeconfig) as Record<string, any> | null) : undefined;
    if (!doc) return undefined;
    const contextName = (inputs.context as string | undefined) ?? doc["current-context"];
    const context = (doc.contexts ?? []).find((c: { name: string }) => c.name === contextName)?.context;
    if (!context) return undefined;
    const clusterName = (inputs.cluster as string | undefined) ?? context.cluster;
    return (doc.clusters ?? []).find((c: { name: string }) => c.name === clusterName)?.cluster;
}

export function k8sProviderReplaced(olds: Inputs, news: Inputs): boolean {
    const [was, now] = [olds.clusterIdentifier, news.clusterIdentifier];
    if (was !== undefined && now !== undefined) return was !== now;
    if (["kubeconfig", "context", "cluster"].some((k) => news[k] === unknownValue)) return true;
    const [before, after] = [activeCluster(olds), activeCluster(news)];
    return before !== undefined && after !== undefined && !isDeepStrictEqual(before, after);
}
