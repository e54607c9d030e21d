// The Cloud Logging query that selects the logs the stack's own resources write. Pure: no Pulumi import.
// Monitored resource types and labels (https://cloud.google.com/logging/docs/api/v2/resource-list):
// GKE's k8s_* and gke_* types carry cluster_name and location; Cloud SQL's cloudsql_database carries
// database_id "<project>:<instance>"; VPC flow logs are gce_subnetwork by subnetwork_name
// (https://cloud.google.com/vpc/docs/using-flow-logs); Cloud NAT's are nat_gateway by gateway_name
// (https://cloud.google.com/nat/docs/monitoring). Audit logs stay where the project's audit policy puts
// them (_Required, or _Default for data access), so they are left out.
// Not selected: the load balancer's request logs. GKE's Gateway controller names the load balancer's
// parts itself (gkegw1-<hash>-<namespace>-...), so no label tells this stack's apart from another's.

export interface StackLogSources {
    projectId: string;
    region: string;
    clusterName: string;
    sqlInstance: string;
    subnetworkName: string;
    natName: string;
}

export function stackLogFilter(s: StackLogSources): string {
    const gke = ["k8s_container", "k8s_pod", "k8s_node", "k8s_cluster", "k8s_control_plane_component", "gke_cluster", "gke_nodepool"];
    const sources = [
        `resource.type=(${gke.map((t) => `"${t}"`).join(" OR ")}) AND resource.labels.cluster_name="${s.clusterName}" AND resource.labels.location="${s.region}"`,
        `resource.type="cloudsql_database" AND resource.labels.database_id="${s.projectId}:${s.sqlInstance}"`,
        `resource.type="gce_subnetwork" AND resource.labels.subnetwork_name="${s.subnetworkName}"`,
        `resource.type="nat_gateway" AND resource.labels.gateway_name="${s.natName}"`,
    ];
    return `(${sources.map((q) => `(${q})`).join(" OR ")}) AND NOT logName:"cloudaudit.googleapis.com"`;
}
