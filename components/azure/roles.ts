// Built-in Azure role definition IDs this stack assigns. Pure: no Pulumi import.
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
export const ROLES = {
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** Lets the ALB Controller configure Application Gateway for Containers. */
    appGwForContainersConfigurationManager: "fbc52c3f-28ad-4303-a892-8a056630b8f1",
    /** Full Kubernetes access through Azure RBAC (the deploying identity needs it to apply objects). */
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
} as const;

export type RoleName = keyof typeof ROLES;

export const roleDefinitionId = (subscriptionId: string, role: RoleName) =>
    `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role]}`;

/** `/subscriptions/<sub>/resourceGroups/<name>` of a resource group in the same subscription. */
export const resourceGroupId = (subscriptionId: string, name: string) => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
