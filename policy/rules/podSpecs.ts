// The pod templates of Kubernetes workloads, as the rules read them: per resource (validateResource)
// and across a stack (validateStack). Shared by the Kubernetes rule modules.
import { Unwrap } from "@pulumi/pulumi";
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as batch from "@pulumi/kubernetes/batch/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { PolicyResource, ReportViolation, ResourceValidation, validateResourceOfType } from "@pulumi/policy";
import { nsOf } from "./util";

export type PodSpec = Unwrap<k8s.core.v1.PodSpec>;
export type Container = Unwrap<k8s.core.v1.Container>;
type PodCheck = (pod: PodSpec, report: ReportViolation) => void;

/** Runs `check` on the pod template of every workload kind; `serving` limits it to long-running ones. */
export function podTemplates(check: PodCheck, serving = false): ResourceValidation[] {
    const run = (pod: PodSpec | undefined, report: ReportViolation) => {
        if (pod) check(pod, report);
    };
    const long = [
        validateResourceOfType(apps.Deployment, (d, _a, r) => run(d.spec?.template?.spec, r)),
        validateResourceOfType(apps.StatefulSet, (s, _a, r) => run(s.spec?.template?.spec, r)),
        validateResourceOfType(apps.DaemonSet, (s, _a, r) => run(s.spec?.template?.spec, r)),
    ];
    if (serving) return long;
    return [
        ...long,
        validateResourceOfType(batch.Job, (j, _a, r) => run(j.spec?.template?.spec, r)),
        validateResourceOfType(batch.CronJob, (j, _a, r) => run(j.spec?.jobTemplate?.spec?.template?.spec, r)),
    ];
}

export function allContainers(pod: PodSpec): Container[] {
    return [...(pod.initContainers ?? []), ...pod.containers];
}

export function eachContainer(fn: (c: Container, pod: PodSpec, report: ReportViolation) => void, serving = false): ResourceValidation[] {
    return podTemplates((pod, report) => allContainers(pod).forEach((c) => fn(c, pod, report)), serving);
}

/** A workload's pod template seen from a stack rule. */
export interface StackPod {
    r: PolicyResource;
    /** Namespace of the workload, as the API server defaults it. */
    ns: string;
    /** `namespace/name` of the workload, for messages. */
    label: string;
    spec: PodSpec;
}

/** The pod template of every workload (all kinds podTemplates() reads) the stack declares. */
export function stackPods(resources: PolicyResource[]): StackPod[] {
    const templateOf = (r: PolicyResource): PodSpec | undefined => {
        if (r.isType(batch.CronJob)) return r.props.spec?.jobTemplate?.spec?.template?.spec;
        const workload = r.isType(apps.Deployment) || r.isType(apps.StatefulSet) || r.isType(apps.DaemonSet) || r.isType(batch.Job);
        return workload ? r.props.spec?.template?.spec : undefined;
    };
    return resources.flatMap((r) => {
        const spec = templateOf(r);
        if (!spec) return [];
        const ns = nsOf(r.props.metadata);
        return [{ r, ns, label: `${ns}/${r.props.metadata?.name ?? r.name}`, spec }];
    });
}
