import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../model/config";
import { RESTRICTED_NAMESPACE_LABELS } from "./podSecurity";

/** The app's namespace on every stack: enforces the `restricted` Pod Security Standard. */
export function appNamespace(cfg: StackConfig, opts: pulumi.CustomResourceOptions, labels: Record<string, string> = {}): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        "app",
        { metadata: { name: cfg.app.namespace, labels: { ...RESTRICTED_NAMESPACE_LABELS, "app.kubernetes.io/part-of": cfg.project, ...labels } } },
        opts,
    );
}
