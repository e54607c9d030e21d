// Helm releases: the pack never sees a chart's rendered objects. A helm.v3.Release is one resource
// (kubernetes:helm.sh/v3:Release) whose properties are the chart reference and its `values`; Helm
// renders and applies the objects inside the provider, and neither the analyzer nor the offline
// runner gets them (pulumi/pulumi-kubernetes#3054 asks for the rendered manifest; still open). So
// this rule reads the values a stack sets, for the keys that would turn on what the pod, Service
// and RBAC rules refuse on objects the stack declares itself. A chart's own defaults are outside
// its reach: docs/guardrails.md lists what each chart the stacks install renders by default.
import * as helm from "@pulumi/kubernetes/helm/v3";
import { Policies, validateResourceOfType } from "@pulumi/policy";
import { UnknownValueError } from "../unknowns";

/** The chart's name without repository or registry: "oci://docker.io/envoyproxy/gateway-helm" → "gateway-helm". */
export const chartName = (chart: string | undefined): string => (chart ?? "").replace(/\/+$/, "").split("/").pop() ?? "";

/** Values keys a chart reads under its own name, beyond the Kubernetes fields it passes through. */
const CHART_KEYS: Record<string, { path: string; bad: (v: unknown) => boolean; why: string }[]> = {
    // cluster-autoscaler 9.54.0 templates/deployment.yaml: cloudProvider magnum mounts cloudConfigPath
    // and magnumCABundlePath from the node as hostPath volumes.
    "cluster-autoscaler": [
        { path: "cloudProvider", bad: (v) => v === "magnum", why: "the chart mounts the node's cloud config and CA bundle (hostPath, k8s-no-host-path)" },
    ],
    // aws-load-balancer-controller 3.5.0 values.yaml: "allows the controller to access all secrets in
    // the cluster ... *NOT* recommended for security reasons" (templates/rbac.yaml adds a ClusterRole rule).
    "aws-load-balancer-controller": [
        {
            path: "clusterSecretsPermissions.allowAllSecrets",
            bad: (v) => v === true,
            why: "the chart's ClusterRole reads every Secret in the cluster (k8s-no-cluster-admin)",
        },
    ],
};

/**
 * Keys whose value decides a finding: unknown during preview, the release cannot be judged (the read
 * throws, and the analyzer reports the rule as not run). Any other unknown value (a cluster name, a
 * role ARN) is skipped, so one Output in the values does not blind the whole rule.
 */
const DECISIVE = new Set([
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "hostPort",
    "hostPath",
    "privileged",
    "allowPrivilegeEscalation",
    "capabilities",
    "add",
    "seccompProfile",
    "type",
    "kind",
    "roleRef",
    "verbs",
    "resources",
    ...Object.values(CHART_KEYS).flatMap((keys) => keys.map((k) => k.path.split(".").pop()!)),
]);

/** Read `node[key]`, skipping a value unknown during preview unless the key is decisive. */
function read(node: any, key: string): { value: unknown } | undefined {
    try {
        return { value: node[key] };
    } catch (e) {
        if (e instanceof UnknownValueError && !DECISIVE.has(key)) return undefined;
        throw e;
    }
}

type Visit = (path: string[], value: unknown, parent: any) => void;

function walk(node: unknown, path: string[], visit: Visit): void {
    if (typeof node !== "object" || node === null) return;
    for (const key of Object.keys(node)) {
        const got = read(node, key);
        if (!got) continue;
        visit([...path, key], got.value, node);
        walk(got.value, [...path, key], visit);
    }
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What a release's values turn on that the pack refuses, one message per finding. */
export function helmValueFindings(chart: string | undefined, values: unknown): string[] {
    const found: string[] = [];
    const at = (path: string[]) => `values.${path.join(".")}`;
    walk(values, [], (path, value, parent) => {
        const key = path[path.length - 1];
        const parentKey = path[path.length - 2] ?? "";
        if (["hostNetwork", "hostPID", "hostIPC"].includes(key) && value === true)
            found.push(`${at(path)} = true shares the node's namespace with the chart's pods (k8s-no-host-namespaces)`);
        if (key === "hostPort" && typeof value === "number" && value !== 0)
            found.push(`${at(path)} = ${value} binds a port on every node the pod runs on (k8s-no-host-ports)`);
        if (key === "hostPath" && value !== undefined && value !== null && value !== "" && value !== false)
            found.push(`${at(path)} mounts the node's filesystem into a pod (k8s-no-host-path)`);
        if ((key === "privileged" || key === "allowPrivilegeEscalation") && value === true)
            found.push(`${at(path)} = true lets a container gain the node's privileges (k8s-no-privilege-escalation)`);
        if (key === "add" && parentKey === "capabilities" && asList(value).length > 0)
            found.push(`${at(path)} adds Linux capabilities ${JSON.stringify(value)} (k8s-drop-capabilities)`);
        if (key === "type" && parentKey === "seccompProfile" && value === "Unconfined")
            found.push(`${at(path)} = "Unconfined" runs a container without seccomp (k8s-seccomp)`);
        // A chart's Service settings sit under a key named for it (service, webhookService, ...); an object
        // embedded whole (extraObjects) says kind: Service.
        let svcType: unknown;
        if (key === "type" && /service$/i.test(parentKey)) svcType = value;
        if (key === "kind" && value === "Service") {
            const spec = read(parent, "spec")?.value;
            svcType = typeof spec === "object" && spec !== null ? read(spec, "type")?.value : undefined;
        }
        if (svcType === "NodePort" || svcType === "LoadBalancer")
            found.push(`${at(path)} makes a Service of type ${svcType}, around the Gateway (k8s-no-nodeport-service, k8s-no-loadbalancer-service)`);
        if (value === "cluster-admin") found.push(`${at(path)} names cluster-admin (k8s-no-cluster-admin)`);
        if (key === "verbs" && asList(value).includes("*") && asList(read(parent, "resources")?.value).includes("*"))
            found.push(`${at(path.slice(0, -1))} grants every verb on every resource (k8s-no-cluster-admin)`);
        for (const k of CHART_KEYS[chartName(chart)] ?? []) {
            if (path.join(".") === k.path && k.bad(value)) found.push(`${at(path)} = ${JSON.stringify(value)}, so ${k.why}`);
        }
    });
    return found;
}

export const helmValuesPolicies: Policies = [
    {
        name: "k8s-helm-values",
        description:
            "A Helm release's values turn on nothing the pod, Service and RBAC rules refuse (host namespaces, ports and paths, privilege, added capabilities, Unconfined seccomp, NodePort/LoadBalancer Services, cluster-admin or `*` on `*`), and no values come from files the pack cannot read.",
        validateResource: validateResourceOfType(helm.Release, (release, _args, report) => {
            if ((release.valueYamlFiles ?? []).length > 0)
                report(`Release ${release.name ?? chartName(release.chart)} takes values from valueYamlFiles, which the pack cannot read: set them in values.`);
            for (const f of helmValueFindings(release.chart, release.values))
                report(
                    `Chart ${chartName(release.chart)}: ${f}: remove it from the release's values (or waive k8s-helm-values in this stack's policy.exceptions, saying why).`,
                );
        }),
    },
];
