// Kubeconfig for an AKS cluster with Entra ID and local accounts disabled. Pure: no Pulumi import.
// Such a cluster issues no static credential: every client gets an Entra token from kubelogin.
// https://azure.github.io/kubelogin/concepts/aks.html

/** Application ID of "Azure Kubernetes Service AAD Server", the audience of every AKS Entra token. */
export const AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi" | "azd";

export interface AksEndpoint {
    server: string;
    caData: string;
}

/**
 * The API server URL and CA from the kubeconfig that listClusterUserCredential returns (YAML; only
 * these two scalars are needed, the user entry it carries is replaced).
 */
export function aksEndpoint(kubeconfigYaml: string): AksEndpoint {
    const server = /^\s*server:\s*"?([^"\s]+)"?\s*$/m.exec(kubeconfigYaml)?.[1];
    const caData = /^\s*certificate-authority-data:\s*"?([A-Za-z0-9+/=]+)"?\s*$/m.exec(kubeconfigYaml)?.[1];
    if (!server || !caData) throw new Error("AKS user credential has no server or certificate-authority-data");
    return { server, caData };
}

export interface AksKubeconfigArgs extends AksEndpoint {
    name: string;
    mode: KubeloginMode;
    tenantId: string;
}

export function aksKubeconfig({ name, server, caData, mode, tenantId }: AksKubeconfigArgs): string {
    // JSON is YAML: kubectl and the Pulumi Kubernetes provider read it as a kubeconfig.
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": caData } }],
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "kubelogin",
                        args: ["get-token", "--login", mode, "--server-id", AKS_AAD_SERVER_ID, "--tenant-id", tenantId, "--environment", "AzurePublicCloud"],
                        installHint: "Install kubelogin: az aks install-cli, or https://azure.github.io/kubelogin/install.html",
                        provideClusterInfo: false,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
    });
}
