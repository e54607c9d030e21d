// Identity guardrails: no grant the stack declares hands out administrator rights, or the right to
// grant them. A node role or node identity with them turns any pod that reaches it into the account's owner.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { listOf, statementsOf, type Statement } from "./util";

/** AWS managed policies that are administrator or can make themselves so (IAM write on everything). */
export const AWS_ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
/** Actions that are every action, or every IAM action (enough to grant oneself the rest). */
const ADMIN_ACTIONS = ["*", "*:*", "iam:*"];

/**
 * Azure built-in roles that administer a scope or its access (Owner, Contributor, User Access
 * Administrator, Role Based Access Control Administrator).
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
export const AZURE_ADMIN_ROLES: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

/** GCP basic roles Owner and Editor, and the roles that can set a project's IAM policy (and so grant Owner). */
export const GCP_ADMIN_ROLES = ["roles/owner", "roles/editor", "roles/resourcemanager.projectIamAdmin", "roles/iam.securityAdmin"];

/** The managed policy name an ARN attaches when it is one of AWS_ADMIN_POLICIES. */
const awsAdminPolicy = (arn: string | undefined) => /^arn:[\w-]+:iam::aws:policy\/([\w-]+)$/.exec(arn ?? "")?.[1];
const isAwsAdminArn = (arn: string | undefined) => AWS_ADMIN_POLICIES.includes(awsAdminPolicy(arn) ?? "");

/** What in a policy document amounts to administrator, or undefined: Allow of `*`, `*:*` or `iam:*` (or NotAction) on every resource. */
export function adminStatement(doc: unknown): string | undefined {
    const statements = statementsOf(doc);
    if (statements === undefined) return "a policy document that is not JSON";
    const admin = (s: Statement) =>
        s.Effect === "Allow" && listOf(s.Resource).includes("*") && (s.NotAction !== undefined || listOf(s.Action).some((a) => ADMIN_ACTIONS.includes(a)));
    const found = statements.find(admin);
    if (!found) return undefined;
    return found.NotAction !== undefined ? `Allow NotAction ${listOf(found.NotAction).join(",")} on *` : `Allow ${listOf(found.Action).join(",")} on *`;
}

/** A scope at or above a subscription: the subscription, a management group, or the tenant root. */
const wideScope = (scope: string | undefined) => /^\/subscriptions\/[^/]+\/?$|^\/providers\/Microsoft\.Management\/managementGroups\/|^\/$/i.test(scope ?? "");

/** The bindings of a GCP IAM policy (policyData is JSON text), or undefined when it is not JSON. */
function parseBindings(policyData: string | undefined): { role?: string }[] | undefined {
    try {
        return (JSON.parse(policyData ?? "{}") as { bindings?: { role?: string }[] }).bindings ?? [];
    } catch {
        return undefined;
    }
}

type Props = Record<string, any>;
const attaches = (arn: string | undefined) => (arn !== undefined && isAwsAdminArn(arn) ? `attaches ${awsAdminPolicy(arn)}` : undefined);
const attachesAny = (arns: unknown) => attaches(listOf(arns).find(isAwsAdminArn));
const grantsStatement = (p: Props) => {
    const found = adminStatement(p.policy);
    return found ? `grants ${found}` : undefined;
};
const grantsRole = (p: Props) => (GCP_ADMIN_ROLES.includes(p.role) ? `grants ${p.role}` : undefined);

/** For each resource type that grants rights: why a declared grant is administrator, or undefined. */
const ADMIN_GRANT: Readonly<Record<string, (p: Props) => string | undefined>> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (p) => attaches(p.policyArn),
    "aws:iam/policyAttachment:PolicyAttachment": (p) => attaches(p.policyArn),
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": (p) => attachesAny(p.policyArns),
    "aws:iam/role:Role": (p) => {
        const inline = (p.inlinePolicies ?? []).map((i: { policy?: string }) => (i.policy ? adminStatement(i.policy) : undefined)).find(Boolean);
        return attachesAny(p.managedPolicyArns) ?? (inline ? `has an inline policy with ${inline}` : undefined);
    },
    "aws:iam/rolePolicy:RolePolicy": grantsStatement,
    "aws:iam/policy:Policy": grantsStatement,
    "azure-native:authorization:RoleAssignment": (p) => {
        const role =
            AZURE_ADMIN_ROLES[
                String(p.roleDefinitionId ?? "")
                    .split("/")
                    .pop()!
                    .toLowerCase()
            ];
        return role && wideScope(p.scope) ? `assigns ${role} at ${p.scope}` : undefined;
    },
    "gcp:projects/iAMMember:IAMMember": grantsRole,
    "gcp:projects/iAMBinding:IAMBinding": grantsRole,
    "gcp:organizations/iAMMember:IAMMember": grantsRole,
    "gcp:folder/iAMMember:IAMMember": grantsRole,
    "gcp:projects/iAMPolicy:IAMPolicy": (p) => {
        const bindings = parseBindings(p.policyData);
        if (bindings === undefined) return "sets a policy that is not JSON";
        const role = bindings.map((b) => b.role ?? "").find((r) => GCP_ADMIN_ROLES.includes(r));
        return role ? `grants ${role}` : undefined;
    },
};

/** Issue 26: administrator rights on a node role or any other identity the stack declares. */
export const iamNoAdminGrants: ResourceValidationPolicy = {
    name: "iam-no-admin-grants",
    description: `No identity the stack declares gets administrator rights: no AWS ${AWS_ADMIN_POLICIES.join("/")} or inline Allow */*:*/iam:* on every resource; no Azure ${Object.values(AZURE_ADMIN_ROLES).join("/")} at subscription scope or above; no GCP ${GCP_ADMIN_ROLES.join("/")}.`,
    validateResource: (args, report) => {
        const check = ADMIN_GRANT[args.type] ?? args.notApplicable();
        const problem = check(args.props);
        if (problem)
            report(
                `${args.name} ${problem}, so whatever runs as that identity (a node, a pod that reaches its credentials) administers the account: grant only the narrow roles it needs.`,
            );
    },
};
