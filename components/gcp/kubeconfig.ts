// Kubeconfig for a GKE cluster. Pure: no Pulumi import, so it is tested directly.
// Credentials come from gke-gcloud-auth-plugin (the gcloud component that replaced the in-tree
// GCP auth provider): the file holds no token, only the endpoint and the cluster CA.
// https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin

export interface GkeKubeconfigArgs {
    /** Context, cluster and user name. */
    name: string;
    /** Control-plane endpoint: an IP or hostname, without scheme. */
    endpoint: string;
    /** Base64 PEM of the cluster CA, as masterAuth.clusterCaCertificate returns it; none for the DNS endpoint (a public CA). */
    caCertificate?: string;
}

/**
 * Refuses a gcp.controlPlaneAccess that differs from the one the stack was created with. The mode
 * decides the kubeconfig's server and CA, and the Kubernetes provider plans a replacement of itself,
 * so a delete-and-recreate of every object it manages, whenever the active cluster in its kubeconfig
 * changes (pulumi-kubernetes provider.go DiffConfig: "planning a replacement iff the active cluster in
 * the kubeconfig changes"): an outage of the whole app, namespaces and all. The provider's
 * clusterIdentifier (cluster.ts) now prevents that, but not for a stack whose provider gets the
 * identifier in the same run as the switch; the refusal stays for those.
 */
export function sameControlPlaneAccess(createdWith: string, configured: string, stashUrnHint: string): void {
    if (createdWith === configured) return;
    throw new Error(
        `gcp.controlPlaneAccess is ${configured}, but this stack was created with ${createdWith}. Switching changes the kubeconfig's ` +
            `endpoint, so Pulumi's Kubernetes provider would delete and recreate every in-cluster object (the app, its Secret, ` +
            `the Gateway and its IP): an outage. Set it back to ${createdWith}, or build a new stack in the other mode. To switch ` +
            `this stack anyway, accepting that outage, first run: pulumi state delete '${stashUrnHint}'.`,
    );
}

export function gkeKubeconfig({ name, endpoint, caCertificate }: GkeKubeconfigArgs): string {
    // JSON is YAML: kubectl and the Pulumi Kubernetes provider read it as a kubeconfig.
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: `https://${endpoint}`, ...(caCertificate ? { "certificate-authority-data": caCertificate } : {}) } }],
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint:
                            "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin " +
                            "(https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin)",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
    });
}
