// Each colour's ready pods, read from the cluster with kubectl (the stack's kubeconfig or the current
// context): `kubectl get deployments <names> -o json`, status.readyReplicas per Deployment. The
// Deployment API omits readyReplicas when none is ready, so an absent value is a real 0; a Deployment
// kubectl cannot read fails the whole read, which the page names instead of showing 0.
import { execFile } from "node:child_process";

export interface ReadyPodsReader {
    readonly name: string;
    /** Deployment name -> ready replicas; throws when any cannot be read. */
    read(namespace: string, deployments: string[]): Promise<Record<string, number>>;
}

export interface KubectlTarget {
    kubeconfig?: string;
    context?: string;
}

/** Runs kubectl with these arguments and resolves its stdout; rejects with the last line of its stderr (its summary; klog lines come first). */
export type Kubectl = (args: string[]) => Promise<string>;

export const runKubectl: Kubectl = (args) =>
    new Promise((resolve, reject) =>
        execFile("kubectl", args, { timeout: 10_000, maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) =>
            err ? reject(new Error((stderr || err.message).trim().split("\n").at(-1))) : resolve(stdout),
        ),
    );

interface DeploymentList {
    items?: { metadata?: { name?: string }; status?: { readyReplicas?: number } }[];
}

export function kubectlReadyPods(target: KubectlTarget, kubectl: Kubectl = runKubectl): ReadyPodsReader {
    const global = [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : [])];
    return {
        name: "kubectl",
        async read(namespace, deployments) {
            const out = await kubectl([...global, "--namespace", namespace, "get", "deployments.apps", ...deployments, "--output", "json"]);
            // One name gives the object itself, several a List.
            const parsed = JSON.parse(out) as DeploymentList & { kind?: string; metadata?: { name?: string }; status?: { readyReplicas?: number } };
            const items = parsed.kind === "List" || parsed.items ? (parsed.items ?? []) : [parsed];
            const ready: Record<string, number> = {};
            for (const d of items) if (d.metadata?.name) ready[d.metadata.name] = d.status?.readyReplicas ?? 0;
            const missing = deployments.filter((d) => !(d in ready));
            if (missing.length) throw new Error(`no Deployment ${missing.join(", ")} in namespace ${namespace}`);
            return ready;
        },
    };
}
