// Kubernetes workload guardrails: probes, resources, pod security, pinned images, replicas + PDB, no stray LBs;
// pod isolation, the namespace's boundary and Helm values in the modules spread in at the end.
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as autoscaling from "@pulumi/kubernetes/autoscaling/v2";
import * as core from "@pulumi/kubernetes/core/v1";
import * as pdbv1 from "@pulumi/kubernetes/policy/v1";
import { Policies, PolicyResource, validateResourceOfType } from "@pulumi/policy";
import { helmValuesPolicies } from "./helmValues";
import { namespaceBoundaryPolicies } from "./namespaceBoundary";
import { podIsolationPolicies } from "./podIsolation";
import { eachContainer, podTemplates } from "./podSpecs";
import { nsOf } from "./util";

export const MIN_REPLICAS = 2;

/** An image is pinned when it carries a digest, or a tag other than "latest". */
export function imagePinned(image: string | undefined): boolean {
    if (!image) return false;
    if (image.includes("@sha256:")) return true;
    const last = image.slice(image.lastIndexOf("/") + 1); // a registry port ("host:5000/app") is not a tag
    const colon = last.lastIndexOf(":");
    return colon > 0 && last.slice(colon + 1) !== "" && last.slice(colon + 1) !== "latest";
}

/** An image is pinned by content when it carries a full sha256 digest. */
export function imageDigested(image: string | undefined): boolean {
    return /@sha256:[a-f0-9]{64}$/.test(image ?? "");
}

// ---- stack rules: replicas and disruption budgets need several objects at once ----

interface Workload {
    r: PolicyResource;
    ns: string;
    name: string;
    labels: Record<string, string>;
    replicas: number;
}

/** Deployments/StatefulSets with their effective minimum replica count (an HPA's minReplicas wins). */
function workloads(resources: PolicyResource[]): Workload[] {
    const hpas = resources.filter((r) => r.isType(autoscaling.HorizontalPodAutoscaler)).map((r) => r.props);
    return resources
        .filter((r) => r.isType(apps.Deployment) || r.isType(apps.StatefulSet))
        .map((r) => {
            const ns = nsOf(r.props.metadata);
            const name: string = r.props.metadata?.name ?? r.name;
            const kind = r.isType(apps.Deployment) ? "Deployment" : "StatefulSet";
            const hpa = hpas.find((h) => nsOf(h.metadata) === ns && h.spec?.scaleTargetRef?.kind === kind && h.spec?.scaleTargetRef?.name === name);
            const replicas: number = hpa ? (hpa.spec?.minReplicas ?? 1) : (r.props.spec?.replicas ?? 1);
            return { r, ns, name, labels: r.props.spec?.template?.metadata?.labels ?? {}, replicas };
        });
}

/** Label-selector semantics (matchLabels AND matchExpressions) against a pod's labels. */
export function selects(selector: any, labels: Record<string, string>): boolean {
    if (!selector) return false;
    const ml: Record<string, string> = selector.matchLabels ?? {};
    const exprs: any[] = selector.matchExpressions ?? [];
    if (Object.keys(ml).length === 0 && exprs.length === 0) return true; // empty selector selects all pods
    return (
        Object.entries(ml).every(([k, v]) => labels[k] === v) &&
        exprs.every((e) => {
            const has = e.key in labels;
            switch (e.operator) {
                case "In":
                    return has && (e.values ?? []).includes(labels[e.key]);
                case "NotIn":
                    return !has || !(e.values ?? []).includes(labels[e.key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    return false;
            }
        })
    );
}

/** How many pods the budget lets the eviction API take down at once (Kubernetes rounds percentages up). */
export function allowedDisruptions(spec: any, replicas: number): number {
    const resolve = (v: number | string) => (typeof v === "string" && v.endsWith("%") ? Math.ceil((replicas * Number(v.slice(0, -1))) / 100) : Number(v));
    if (spec?.maxUnavailable !== undefined) return Math.min(resolve(spec.maxUnavailable), replicas);
    if (spec?.minAvailable !== undefined) return Math.max(replicas - resolve(spec.minAvailable), 0);
    return 0;
}

export const kubernetesPolicies: Policies = [
    {
        name: "k8s-probes",
        description: "Every serving container has a readiness and a liveness probe.",
        validateResource: podTemplates((pod, report) => {
            for (const c of pod.containers) {
                const missing = [!c.readinessProbe && "readinessProbe", !c.livenessProbe && "livenessProbe"].filter(Boolean);
                if (missing.length > 0)
                    report(`Container "${c.name}" has no ${missing.join(" or ")}: add them so traffic only reaches ready pods and hung pods restart.`);
            }
        }, true),
    },
    {
        name: "k8s-resources",
        description: "Every container requests CPU and memory and has a memory limit.",
        validateResource: eachContainer((c, _pod, report) => {
            const missing = [
                !c.resources?.requests?.["cpu"] && "requests.cpu",
                !c.resources?.requests?.["memory"] && "requests.memory",
                !c.resources?.limits?.["memory"] && "limits.memory",
            ].filter(Boolean);
            if (missing.length > 0)
                report(
                    `Container "${c.name}" lacks resources.${missing.join(", ")}: set them (from the capacity model) so scheduling and eviction are predictable.`,
                );
        }),
    },
    {
        name: "k8s-non-root",
        description: "Containers run as a non-root user.",
        validateResource: eachContainer((c, pod, report) => {
            const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
            if (user === 0 || (nonRoot !== true && !(user !== undefined && user > 0))) {
                report(`Container "${c.name}" may run as root: set securityContext.runAsNonRoot: true (pod or container) with a non-zero runAsUser.`);
            }
        }),
    },
    {
        name: "k8s-read-only-root-fs",
        description: "Container root filesystems are read-only.",
        validateResource: eachContainer((c, _pod, report) => {
            if (c.securityContext?.readOnlyRootFilesystem !== true) {
                report(
                    `Container "${c.name}" has a writable root filesystem: set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it must write.`,
                );
            }
        }),
    },
    {
        name: "k8s-no-privilege-escalation",
        description: "Containers are not privileged and cannot escalate privileges.",
        validateResource: eachContainer((c, _pod, report) => {
            if (c.securityContext?.allowPrivilegeEscalation !== false || c.securityContext?.privileged === true) {
                report(`Container "${c.name}" can escalate privileges: set securityContext.allowPrivilegeEscalation: false (and never privileged: true).`);
            }
        }),
    },
    {
        name: "k8s-drop-capabilities",
        // drop ALL alone still lets `add` grant any capability back. Restricted allows adding NET_BIND_SERVICE;
        // nothing here binds below 1024, so no capability is added at all.
        description: "Containers drop all Linux capabilities and add none back.",
        validateResource: eachContainer((c, _pod, report) => {
            if (!(c.securityContext?.capabilities?.drop ?? []).includes("ALL")) {
                report(`Container "${c.name}" keeps default Linux capabilities: set securityContext.capabilities.drop: ["ALL"].`);
            }
            const added = c.securityContext?.capabilities?.add ?? [];
            if (added.length > 0)
                report(
                    `Container "${c.name}" adds Linux capabilities ${added.join(", ")}: remove securityContext.capabilities.add (listen on a port above 1024 instead of NET_BIND_SERVICE).`,
                );
        }),
    },
    {
        name: "k8s-image-pinned",
        description: "Images are pinned by tag or digest; no `latest`, no untagged images.",
        validateResource: eachContainer((c, _pod, report) => {
            if (!imagePinned(c.image)) report(`Container "${c.name}" uses image "${c.image ?? ""}": pin a version tag or digest (never latest or no tag).`);
        }),
    },
    {
        name: "k8s-image-digest",
        // Advisory: a reviewed tag is already pinned (k8s-image-pinned); a digest also survives a re-pushed
        // tag. Production CI makes it mandatory (docs/security-data.md).
        enforcementLevel: "advisory",
        description: "Images are pinned by digest (`tag@sha256:…`), so a re-pushed tag cannot change what runs.",
        validateResource: eachContainer((c, _pod, report) => {
            if (!imageDigested(c.image))
                report(`Container "${c.name}" uses image "${c.image ?? ""}" by tag: pin its digest (e.g. blueVersion 6.9.2@sha256:<digest>).`);
        }),
    },
    {
        name: "k8s-no-loadbalancer-service",
        description: "Traffic enters only through the Gateway: no Service of type LoadBalancer.",
        validateResource: validateResourceOfType(core.Service, (svc, _args, report) => {
            if (svc.spec?.type === "LoadBalancer") {
                report("Service of type LoadBalancer bypasses the Gateway (and its TLS and weights): use type ClusterIP and route through an HTTPRoute.");
            }
        }),
    },
    {
        name: "k8s-min-replicas",
        description: `Deployments and StatefulSets run at least ${MIN_REPLICAS} replicas (an HPA's minReplicas counts).`,
        validateStack: (args, report) => {
            const ws = workloads(args.resources);
            if (ws.length === 0) args.notApplicable("no Deployment or StatefulSet in this stack");
            for (const w of ws) {
                // Scaled to zero on purpose (e.g. an idle colour): it serves nothing, so there is nothing to keep available.
                if (w.r.props.spec?.replicas === 0) continue;
                if (w.replicas < MIN_REPLICAS) {
                    report(`${w.ns}/${w.name} runs ${w.replicas} replica(s): set replicas (or the HPA's minReplicas) to at least ${MIN_REPLICAS}.`, w.r.urn);
                }
            }
        },
    },
    {
        name: "k8s-pdb",
        description: "Every replicated workload has a PodDisruptionBudget that still allows one voluntary disruption.",
        validateStack: (args, report) => {
            const pdbs = args.resources.filter((r) => r.isType(pdbv1.PodDisruptionBudget));
            const ws = workloads(args.resources);
            if (ws.length === 0) args.notApplicable("no Deployment or StatefulSet in this stack");
            for (const w of ws) {
                if (w.r.props.spec?.replicas === 0) continue;
                const mine = pdbs.filter((p) => nsOf(p.props.metadata) === w.ns && selects(p.props.spec?.selector, w.labels));
                if (mine.length === 0) {
                    report(`${w.ns}/${w.name} has no PodDisruptionBudget: add one selecting its pod labels with maxUnavailable: 1.`, w.r.urn);
                } else if (mine.some((p) => allowedDisruptions(p.props.spec, w.replicas) < 1)) {
                    report(
                        `The PodDisruptionBudget of ${w.ns}/${w.name} allows no disruption at ${w.replicas} replica(s), which blocks node drains: use maxUnavailable: 1.`,
                        w.r.urn,
                    );
                }
            }
        },
    },
    // Kubernetes workload classes (issue 26)
    ...podIsolationPolicies,
    ...namespaceBoundaryPolicies,
    ...helmValuesPolicies,
];
