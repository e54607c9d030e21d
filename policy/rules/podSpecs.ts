// The pod templates of Kubernetes workloads, as the rules read them. Shared by the Kubernetes rule modules.
import { Unwrap } from "@pulumi/pulumi";
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as batch from "@pulumi/kubernetes/batch/v1";
import type * as k8s from "@pulumi/kubernetes/types/input";
import { ReportViolation, ResourceValidation, validateResourceOfType } from "@pulumi/policy";

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
