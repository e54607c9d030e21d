// Pods stay inside their sandbox: no host namespaces, host paths or host ports, a confining seccomp
// profile, and no API token for a pod that never calls the API. The controls are the Pod Security
// Standards' (https://kubernetes.io/docs/concepts/security/pod-security-standards/): Host Namespaces,
// HostPath Volumes and Host Ports (baseline), Seccomp (restricted); the app namespace enforces
// `restricted` too (k8s-namespace-restricted), but the pack refuses the change before it is applied.
import * as core from "@pulumi/kubernetes/core/v1";
import * as rbac from "@pulumi/kubernetes/rbac/v1";
import { Policies, PolicyResource } from "@pulumi/policy";
import { allContainers, eachContainer, podTemplates, stackPods } from "./podSpecs";
import { nsOf } from "./util";

/** Seccomp profiles the restricted standard allows; `Unconfined` and no profile at all are refused. */
const CONFINING_SECCOMP = ["RuntimeDefault", "Localhost"];

/** `namespace/name` of every ServiceAccount that some RoleBinding or ClusterRoleBinding of the stack grants a role. */
function boundServiceAccounts(resources: PolicyResource[]): Set<string> {
    const bound = new Set<string>();
    for (const b of resources.filter((r) => r.isType(rbac.RoleBinding) || r.isType(rbac.ClusterRoleBinding))) {
        for (const s of b.props.subjects ?? []) {
            // A RoleBinding's ServiceAccount subject defaults to the binding's namespace.
            if (s.kind === "ServiceAccount") bound.add(`${s.namespace ?? nsOf(b.props.metadata)}/${s.name}`);
        }
    }
    return bound;
}

export const podIsolationPolicies: Policies = [
    {
        name: "k8s-no-host-namespaces",
        description: "Pods do not share the node's network, process or IPC namespace (hostNetwork, hostPID, hostIPC).",
        validateResource: podTemplates((pod, report) => {
            for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
                if (pod[field] === true)
                    report(`The pod sets ${field}: true, which shares the node's namespace with it (and every pod on the node): remove ${field}.`);
            }
        }),
    },
    {
        name: "k8s-no-host-path",
        description: "Pods mount no hostPath volume.",
        validateResource: podTemplates((pod, report) => {
            for (const v of pod.volumes ?? []) {
                if (v.hostPath !== undefined)
                    report(
                        `Volume "${v.name}" mounts the node's ${v.hostPath.path ?? "filesystem"} (hostPath): use an emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim.`,
                    );
            }
        }),
    },
    {
        name: "k8s-no-host-ports",
        description: "Containers bind no port on the node (hostPort).",
        validateResource: eachContainer((c, _pod, report) => {
            for (const p of c.ports ?? []) {
                // 0 and unset are the same: no host port (the API's default).
                if (p.hostPort !== undefined && p.hostPort !== 0)
                    report(
                        `Container "${c.name}" binds port ${p.hostPort} on the node (hostPort), bypassing the Gateway and the network policies: remove hostPort and reach it through a ClusterIP Service.`,
                    );
            }
        }),
    },
    {
        name: "k8s-seccomp",
        description:
            "Every container runs under a RuntimeDefault or Localhost seccomp profile (pod or container level); Unconfined is refused at either level.",
        validateResource: podTemplates((pod, report) => {
            const podType = pod.securityContext?.seccompProfile?.type;
            if (podType === "Unconfined")
                report('The pod sets seccompProfile.type "Unconfined": set "RuntimeDefault" (restricted refuses Unconfined at any level).');
            for (const c of allContainers(pod)) {
                const own = c.securityContext?.seccompProfile?.type;
                // A container without its own profile inherits the pod's.
                const effective = own ?? podType;
                if (own === "Unconfined")
                    report(`Container "${c.name}" sets seccompProfile.type "Unconfined": set "RuntimeDefault" (or "Localhost" with a reviewed profile).`);
                else if (effective === undefined)
                    report(
                        `Container "${c.name}" has no seccomp profile: set securityContext.seccompProfile.type "RuntimeDefault" on the pod or the container.`,
                    );
                else if (!CONFINING_SECCOMP.includes(effective) && effective !== "Unconfined")
                    report(`Container "${c.name}" has seccompProfile.type "${effective}": use "RuntimeDefault" or "Localhost".`);
            }
        }),
    },
    {
        name: "k8s-service-account-token",
        description:
            "A pod mounts an API token only when it calls the API: automountServiceAccountToken is false unless the pod runs under its own ServiceAccount, which a RoleBinding or ClusterRoleBinding of the stack grants a role.",
        validateStack: (args, report) => {
            const pods = stackPods(args.resources);
            if (pods.length === 0) args.notApplicable("no workload in this stack");
            const accounts = new Map(
                args.resources
                    .filter((r) => r.isType(core.ServiceAccount))
                    .map((r) => [`${nsOf(r.props.metadata)}/${r.props.metadata?.name ?? r.name}`, r.props]),
            );
            const bound = boundServiceAccounts(args.resources);
            for (const p of pods) {
                const sa: string = p.spec.serviceAccountName ?? p.spec.serviceAccount ?? "default";
                const key = `${p.ns}/${sa}`;
                // The pod's setting wins over its ServiceAccount's; unset on both, the token is mounted.
                const mounted = p.spec.automountServiceAccountToken ?? accounts.get(key)?.automountServiceAccountToken ?? true;
                if (mounted === false) continue;
                if (sa === "default")
                    report(
                        `${p.label} mounts the token of the namespace's default ServiceAccount: set automountServiceAccountToken: false (a pod that calls the API gets its own ServiceAccount and Role).`,
                        p.r.urn,
                    );
                else if (!bound.has(key))
                    report(
                        `${p.label} mounts the token of ServiceAccount ${key}, which no RoleBinding or ClusterRoleBinding of this stack grants anything: set automountServiceAccountToken: false.`,
                        p.r.urn,
                    );
            }
        },
    },
];
