import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppSpec } from "../../model/appSpec";
import { RESTRICTED_NAMESPACE_LABELS } from "./podSecurity";

/** An app's namespace on every stack: enforces the `restricted` Pod Security Standard. */
export function appNamespace(
    app: Pick<AppSpec, "name" | "namespace" | "partOf">,
    opts: pulumi.CustomResourceOptions,
    labels: Record<string, string> = {},
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        app.name,
        { metadata: { name: app.namespace, labels: { ...RESTRICTED_NAMESPACE_LABELS, "app.kubernetes.io/part-of": app.partOf, ...labels } } },
        opts,
    );
}
