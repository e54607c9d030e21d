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

/**
 * A role and its policies (attachments and the inline policy, the role's children in the tree). Whatever
 * uses the role must depend on `grants` too, not only on the role's ARN: otherwise `pulumi destroy` may
 * remove the policies first, and a controller still running (the ALB's, the autoscaler's) loses the
 * permissions it needs to clean up after itself, orphaning the ALB and its security groups.
 */
export interface ServiceRole {
    role: aws.iam.Role;
    grants: pulumi.Resource[];
}

export function serviceRole(name: string, spec: RoleSpec, opts: pulumi.CustomResourceOptions): ServiceRole {
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
    const grants: pulumi.Resource[] = (spec.managedPolicyArns ?? []).map(
        (arn) => new aws.iam.RolePolicyAttachment(`${name}-${arn.split("/").pop()}`, { role: role.name, policyArn: arn }, { ...opts, parent: role }),
    );
    if (spec.inlinePolicy !== undefined)
        grants.push(new aws.iam.RolePolicy(`${name}-inline`, { role: role.id, policy: spec.inlinePolicy }, { ...opts, parent: role }));
    return { role, grants };
}

/** Role assumable through EKS Pod Identity (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html). */
export function podIdentityRole(name: string, spec: Omit<RoleSpec, "service" | "trustActions">, opts: pulumi.CustomResourceOptions): ServiceRole {
    return serviceRole(name, { ...spec, service: "pods.eks.amazonaws.com", trustActions: ["sts:TagSession"] }, opts);
}

export const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;
