// IAM roles the AWS components share: a service role with managed policies attached, and the
// EKS Pod Identity role (one role per controller, scoped by its own association).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";

export interface RoleSpec {
    /** Service principal allowed to assume the role, e.g. eks.amazonaws.com. */
    service: string;
    /** Extra trust actions: EKS Pod Identity also needs sts:TagSession. */
    trustActions?: string[];
    managedPolicyArns?: string[];
    /** Inline policy document (JSON) for permissions no managed policy matches. */
    inlinePolicy?: pulumi.Input<string>;
    tags: Tags;
}

/** A role for `spec.service` with its policies; returns the role (attachments are its children in the tree). */
export function serviceRole(name: string, spec: RoleSpec, opts: pulumi.CustomResourceOptions): aws.iam.Role {
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: spec.service }, Action: ["sts:AssumeRole", ...(spec.trustActions ?? [])] }],
            }),
            tags: spec.tags,
        },
        opts,
    );
    for (const arn of spec.managedPolicyArns ?? []) {
        new aws.iam.RolePolicyAttachment(`${name}-${arn.split("/").pop()}`, { role: role.name, policyArn: arn }, { ...opts, parent: role });
    }
    if (spec.inlinePolicy !== undefined) {
        new aws.iam.RolePolicy(`${name}-inline`, { role: role.id, policy: spec.inlinePolicy }, { ...opts, parent: role });
    }
    return role;
}

/** Role assumable through EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html). */
export function podIdentityRole(name: string, spec: Omit<RoleSpec, "service" | "trustActions">, opts: pulumi.CustomResourceOptions): aws.iam.Role {
    return serviceRole(name, { ...spec, service: "pods.eks.amazonaws.com", trustActions: ["sts:TagSession"] }, opts);
}

export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;
