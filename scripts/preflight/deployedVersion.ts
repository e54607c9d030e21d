// The stack's existing cluster, read from the cloud, against its configured Kubernetes version: absent is a
// first deployment; present, the configured minor must be the running one or the next (model/deployedVersion.ts).
// Only the cloud knows the running version, so only the preflight can check this before `pulumi up` does.
// Each cloud's reader takes that cloud's SDK client (azure.ts and gcp.ts pass theirs in). API references:
//   EKS DescribeCluster, ListNodegroups, DescribeNodegroup: https://docs.aws.amazon.com/eks/latest/APIReference/
//   AKS Managed Clusters - List (tags, currentKubernetesVersion, agentPoolProfiles[].currentOrchestratorVersion):
//     https://learn.microsoft.com/rest/api/aks/managed-clusters/list
//   GKE projects.locations.clusters.list (resourceLabels, currentMasterVersion, nodePools[].version, releaseChannel):
//     https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters/list
import { DescribeClusterCommand, DescribeNodegroupCommand, ListNodegroupsCommand, type EKSClient } from "@aws-sdk/client-eks";
import type { ManagedCluster, ContainerServiceClient } from "@azure/arm-containerservice";
import type { ClusterManagerClient } from "@google-cloud/container";
import { upgradeVerdict, type NodeSkew } from "../../model/deployedVersion";
import type { ClusterIdentity } from "./needs";
import { attempt, unknown, type Row } from "./judge";

/** A running cluster: its name, control-plane version and node pools. */
export interface Deployed {
    name: string;
    version: string;
    nodes: { name: string; version: string }[];
}

// Node pools against the control plane's target minor (sources in model/deployedVersion.ts).
const SKEW: Record<"EKS" | "AKS", NodeSkew> = {
    EKS: { maxLag: 1, onUpgradeOnly: true, noun: "node group" },
    AKS: { maxLag: 2, onUpgradeOnly: false, noun: "node pool" },
};

const has = (labels: Record<string, string> | undefined, want: Record<string, string>) => Object.entries(want).every(([k, v]) => labels?.[k] === v);

/** One cluster carrying the stack's tags; two are ambiguous and fail the check (could not check). */
function theOne<T>(found: T[], what: string): T | undefined {
    if (found.length > 1) throw new Error(`${found.length} clusters carry the stack's ${what}; cannot tell which one it runs`);
    return found[0];
}

/** EKS: the cluster by the name the stack declares (components/aws/tags.ts clusterName), with its node groups. */
export async function eksDeployed(eks: EKSClient, name: string): Promise<Deployed | undefined> {
    let version: string;
    try {
        version = (await eks.send(new DescribeClusterCommand({ name }))).cluster!.version!;
    } catch (e) {
        if ((e as Error).name === "ResourceNotFoundException") return undefined;
        throw e;
    }
    const groups: string[] = [];
    let nextToken: string | undefined;
    do {
        const r = await eks.send(new ListNodegroupsCommand({ clusterName: name, nextToken }));
        groups.push(...(r.nodegroups ?? []));
        nextToken = r.nextToken;
    } while (nextToken);
    const nodes = [];
    for (const nodegroupName of groups) {
        const g = (await eks.send(new DescribeNodegroupCommand({ clusterName: name, nodegroupName }))).nodegroup!;
        nodes.push({ name: nodegroupName, version: g.version! });
    }
    return { name, version, nodes };
}

/** AKS: the subscription's managed cluster carrying the stack's tags (its name is autonamed), with its pools. */
export async function aksDeployed(aks: Pick<ContainerServiceClient, "managedClusters">, tags: Record<string, string>): Promise<Deployed | undefined> {
    const all: ManagedCluster[] = [];
    for await (const m of aks.managedClusters.list()) all.push(m);
    const c = theOne(
        all.filter((m) => has(m.tags, tags)),
        "tags",
    );
    if (!c) return undefined;
    return {
        name: c.name ?? "",
        version: c.currentKubernetesVersion ?? c.kubernetesVersion ?? "",
        nodes: (c.agentPoolProfiles ?? []).map((a) => ({ name: a.name, version: a.currentOrchestratorVersion ?? a.orchestratorVersion ?? "" })),
    };
}

/** GKE: the region's cluster carrying the stack's labels (its name is autonamed), with its node pools. */
export async function gkeDeployed(
    clusters: Pick<ClusterManagerClient, "listClusters">,
    where: { project: string; region: string },
    labels: Record<string, string>,
): Promise<Deployed | undefined> {
    const [r] = await clusters.listClusters({ parent: `projects/${where.project}/locations/${where.region}` });
    const c = theOne(
        (r.clusters ?? []).filter((x) => has(x.resourceLabels ?? undefined, labels)),
        "labels",
    );
    if (!c) return undefined;
    return {
        name: c.name ?? "",
        version: c.currentMasterVersion ?? "",
        nodes: (c.nodePools ?? []).map((n) => ({ name: n.name ?? "", version: n.version ?? "" })),
    };
}

/** The row: the configured version against the running cluster's, or a first deployment. */
export function deployedVersionRow(api: "EKS" | "AKS" | "GKE", cluster: ClusterIdentity, deployed: Deployed | undefined): Row {
    const check = `version: upgrade from the running ${api} cluster`;
    const where = cluster.name ? `no ${api} cluster named ${cluster.name}` : `no ${api} cluster carries the stack's ${api === "GKE" ? "labels" : "tags"}`;
    if (!deployed) return { check, status: "ok", detail: `${where}: first deployment` };
    const found = `${deployed.name} runs ${deployed.version}`;
    if (cluster.ownedBy || !cluster.key || !cluster.version)
        return { check, status: "ok", detail: `${found}; ${cluster.ownedBy ?? "the cloud"} moves its version, the stack sets none after creation` };
    const v = upgradeVerdict({
        configured: cluster.version,
        running: deployed.version,
        nodes: deployed.nodes,
        skew: api === "GKE" ? undefined : SKEW[api],
        offered: cluster.offered,
        skipFromUnsupported: cluster.skipFromUnsupported,
    });
    const subject = `${cluster.key} = ${cluster.version}`;
    if (v.status === "ok") return { check, status: "ok", detail: `${subject}: ${v.detail} on ${deployed.name}` };
    const detail = `${subject}: ${deployed.name} ${v.detail.replace(/^the cluster /, "")}`;
    if (v.status === "unknown") return unknown(check, detail, `check ${cluster.key} against the cluster's version`);
    const allowed = v.allowed.length
        ? `pulumi config set --path ${cluster.key} <one of ${v.allowed.join(", ")}>`
        : `no value this stack accepts is reachable from ${deployed.version}: upgrade the cluster one minor at a time outside the stack first`;
    return {
        check,
        status: "fail",
        detail: cluster.downgradeNote && /downgrade/.test(v.detail) ? `${detail} (${cluster.downgradeNote})` : detail,
        fix: allowed,
    };
}

/** The row for one cloud: read the running cluster, judge it; a failed read is "could not check". */
export function deployedVersionCheck(api: "EKS" | "AKS" | "GKE", cluster: ClusterIdentity, read: () => Promise<Deployed | undefined>): Promise<Row[]> {
    return attempt(`version: upgrade from the running ${api} cluster`, "grant read access to the stack's cluster (describe/get), then run again", async () =>
        deployedVersionRow(api, cluster, await read()),
    );
}
