// What keeps the app's namespace closed: Pod Security `restricted` enforced on it, a default-deny
// NetworkPolicy in both directions, no Service opened on every node, and no binding that hands out
// the whole cluster.
import * as core from "@pulumi/kubernetes/core/v1";
import * as net from "@pulumi/kubernetes/networking/v1";
import * as rbac from "@pulumi/kubernetes/rbac/v1";
import { Policies, PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { stackPods } from "./podSpecs";
import { nsOf } from "./util";

export const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

/** Namespaces that hold a workload of the stack, each with the workloads' labels (for messages). */
function workloadNamespaces(resources: PolicyResource[]): Map<string, string[]> {
    const byNs = new Map<string, string[]>();
    for (const p of stackPods(resources)) byNs.set(p.ns, [...(byNs.get(p.ns) ?? []), p.label]);
    return byNs;
}

/** An empty podSelector (`{}`, no labels, no expressions) selects every pod of the namespace. */
const selectsAll = (selector: any): boolean =>
    !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;

/**
 * Directions a NetworkPolicy applies to. Unset, Ingress always applies and Egress when the policy has
 * egress rules (NetworkPolicySpec.policyTypes, https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 */
const directions = (spec: any): string[] => spec?.policyTypes ?? ["Ingress", ...(spec?.egress !== undefined ? ["Egress"] : [])];

/** A rule without peers and without ports matches every source (ingress) or destination (egress) on every port. */
const allowsEverything = (rule: any, peers: "from" | "to"): boolean => (rule?.[peers] ?? []).length === 0 && (rule?.ports ?? []).length === 0;

/** A rule set that grants every verb on every resource (of the groups it names): cluster-admin under another name. */
const grantsEverything = (rules: any[] | undefined): boolean => (rules ?? []).some((r) => (r.verbs ?? []).includes("*") && (r.resources ?? []).includes("*"));

export const namespaceBoundaryPolicies: Policies = [
    {
        name: "k8s-no-nodeport-service",
        description: "Traffic enters only through the Gateway: no Service of type NodePort (it opens the port on every node).",
        validateResource: validateResourceOfType(core.Service, (svc, _args, report) => {
            if (svc.spec?.type === "NodePort")
                report(
                    "Service of type NodePort opens its port on every node, around the Gateway (its TLS, WAF and weights) and the load balancer's allow-list: use type ClusterIP and route through an HTTPRoute.",
                );
        }),
    },
    {
        name: "k8s-no-cluster-admin",
        description:
            "No RoleBinding or ClusterRoleBinding grants cluster-admin, or a Role/ClusterRole of the stack with `*` verbs on `*` resources (Helm charts: k8s-helm-values).",
        validateStack: (args, report) => {
            const bindings = args.resources.filter((r) => r.isType(rbac.RoleBinding) || r.isType(rbac.ClusterRoleBinding));
            if (bindings.length === 0) args.notApplicable("no RoleBinding or ClusterRoleBinding in this stack");
            const roles = args.resources.filter((r) => r.isType(rbac.Role) || r.isType(rbac.ClusterRole));
            for (const b of bindings) {
                const ref = b.props.roleRef ?? {};
                const ns = nsOf(b.props.metadata);
                const where = `${b.isType(rbac.ClusterRoleBinding) ? "ClusterRoleBinding" : "RoleBinding"} ${b.props.metadata?.name ?? b.name}`;
                if (ref.kind === "ClusterRole" && ref.name === "cluster-admin") {
                    report(`${where} grants cluster-admin: bind a Role with only the verbs and resources its subjects use.`, b.urn);
                    continue;
                }
                const role = roles.find(
                    (r) =>
                        (r.props.metadata?.name ?? r.name) === ref.name &&
                        (ref.kind === "ClusterRole" ? r.isType(rbac.ClusterRole) : r.isType(rbac.Role) && nsOf(r.props.metadata) === ns),
                );
                if (role && grantsEverything(role.props.rules))
                    report(
                        `${where} grants ${ref.kind} ${ref.name}, which allows every verb on every resource: list the verbs and resources its subjects use.`,
                        b.urn,
                    );
            }
        },
    },
    {
        name: "k8s-namespace-restricted",
        description: `Every namespace the stack declares, and every namespace its workloads run in, is declared with the label ${POD_SECURITY_ENFORCE}: restricted.`,
        validateStack: (args, report) => {
            const namespaces = args.resources.filter((r) => r.isType(core.Namespace));
            const used = workloadNamespaces(args.resources);
            if (namespaces.length === 0 && used.size === 0) args.notApplicable("no Namespace and no workload in this stack");
            const declared = new Set(namespaces.map((n) => n.props.metadata?.name ?? n.name));
            for (const n of namespaces) {
                const level = n.props.metadata?.labels?.[POD_SECURITY_ENFORCE];
                if (level !== "restricted")
                    report(
                        `Namespace ${n.props.metadata?.name ?? n.name} ${level === undefined ? "enforces no Pod Security level" : `enforces "${level}"`}: label it ${POD_SECURITY_ENFORCE}: restricted (components/k8s/podSecurity.ts RESTRICTED_NAMESPACE_LABELS).`,
                        n.urn,
                    );
            }
            for (const [ns, workloads] of used) {
                if (!declared.has(ns))
                    report(
                        `${workloads.join(", ")} run${workloads.length === 1 ? "s" : ""} in namespace ${ns}, which this stack does not declare, so nothing shows it enforces Pod Security: declare it with ${POD_SECURITY_ENFORCE}: restricted.`,
                    );
            }
        },
    },
    {
        name: "k8s-default-deny",
        description: "Every namespace that holds a workload has a NetworkPolicy selecting all its pods that denies ingress and egress (no rules).",
        validateStack: (args, report) => {
            const used = workloadNamespaces(args.resources);
            if (used.size === 0) args.notApplicable("no workload in this stack");
            const policies = args.resources.filter((r) => r.isType(net.NetworkPolicy));
            for (const ns of used.keys()) {
                const mine = policies.filter((p) => nsOf(p.props.metadata) === ns);
                const denies = (dir: "Ingress" | "Egress") =>
                    mine.some(
                        (p) =>
                            selectsAll(p.props.spec?.podSelector) &&
                            directions(p.props.spec).includes(dir) &&
                            (p.props.spec?.[dir === "Ingress" ? "ingress" : "egress"] ?? []).length === 0,
                    );
                const missing = (["Ingress", "Egress"] as const).filter((d) => !denies(d));
                if (missing.length > 0)
                    report(
                        `Namespace ${ns} has no default-deny NetworkPolicy for ${missing.join(" and ")}: add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules (components/k8s/networkPolicy.ts DENY_ALL_BUT_DNS), then allow only what the pods need.`,
                    );
            }
        },
    },
    {
        name: "k8s-no-allow-all-network",
        description: "No NetworkPolicy rule allows everything (a rule with neither peers nor ports), which undoes the default deny for the pods it selects.",
        validateResource: validateResourceOfType(net.NetworkPolicy, (policy, _args, report) => {
            const spec: any = policy.spec ?? {};
            // Rules of a direction the policy does not apply to are ignored by the API server.
            const open = [
                directions(spec).includes("Ingress") && (spec.ingress ?? []).some((r: any) => allowsEverything(r, "from")) && "ingress from everywhere",
                directions(spec).includes("Egress") && (spec.egress ?? []).some((r: any) => allowsEverything(r, "to")) && "egress to everywhere",
            ].filter(Boolean);
            if (open.length > 0)
                report(
                    `NetworkPolicy ${nsOf(policy.metadata)}/${policy.metadata?.name ?? ""} allows ${open.join(" and ")} on every port, undoing the default deny: name the peers (from/to) and the ports.`,
                );
        }),
    },
];
