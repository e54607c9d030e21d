// What a GCP project must allow before the first `pulumi up`: the APIs the stack uses (the stack enables
// them itself, and every resource waits for them) and the roles the deploying identity needs for each
// resource type the stack declares. Pure (no Pulumi): stacks/gcp.ts declares the APIs, docs/gcp.md lists
// both, and the tests hold the three together.

/**
 * Service Usage itself (which enables the others) and Resource Manager (the project lookups) must be on
 * already; new projects have both. https://cloud.google.com/service-usage/docs/enable-disable
 */
export const PRE_ENABLED_APIS = ["serviceusage.googleapis.com", "cloudresourcemanager.googleapis.com"] as const;

/** The APIs the stack's resources are served by; enabled by the stack, never disabled by a destroy. */
export const REQUIRED_APIS = [
    "compute.googleapis.com",
    "container.googleapis.com",
    "sqladmin.googleapis.com",
    "redis.googleapis.com",
    "servicenetworking.googleapis.com",
    "certificatemanager.googleapis.com",
    "iam.googleapis.com",
    "cloudkms.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
] as const;

/**
 * The predefined roles that let the deploying identity create each resource type the stack declares
 * (https://cloud.google.com/iam/docs/understanding-roles). The node pool and the cluster's temporary
 * default pool run as the nodes' service account, which needs iam.serviceAccounts.actAs on it.
 */
export const DEPLOYER_ROLES: Readonly<Record<string, readonly string[]>> = {
    "gcp:compute/network:Network": ["roles/compute.networkAdmin"],
    "gcp:compute/subnetwork:Subnetwork": ["roles/compute.networkAdmin"],
    "gcp:compute/router:Router": ["roles/compute.networkAdmin"],
    "gcp:compute/routerNat:RouterNat": ["roles/compute.networkAdmin"],
    "gcp:compute/globalAddress:GlobalAddress": ["roles/compute.networkAdmin"],
    "gcp:compute/firewall:Firewall": ["roles/compute.securityAdmin"],
    "gcp:compute/sSLPolicy:SSLPolicy": ["roles/compute.securityAdmin"],
    "gcp:compute/securityPolicy:SecurityPolicy": ["roles/compute.securityAdmin"],
    "gcp:servicenetworking/connection:Connection": ["roles/servicenetworking.networksAdmin"],
    "gcp:container/cluster:Cluster": ["roles/container.admin", "roles/iam.serviceAccountUser"],
    "gcp:container/nodePool:NodePool": ["roles/container.admin", "roles/iam.serviceAccountUser"],
    "gcp:sql/databaseInstance:DatabaseInstance": ["roles/cloudsql.admin"],
    "gcp:sql/database:Database": ["roles/cloudsql.admin"],
    "gcp:sql/user:User": ["roles/cloudsql.admin"],
    "gcp:redis/instance:Instance": ["roles/redis.admin"],
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": ["roles/certificatemanager.editor"],
    "gcp:certificatemanager/certificate:Certificate": ["roles/certificatemanager.editor"],
    "gcp:certificatemanager/certificateMap:CertificateMap": ["roles/certificatemanager.editor"],
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": ["roles/certificatemanager.editor"],
    "gcp:serviceaccount/account:Account": ["roles/iam.serviceAccountAdmin"],
    "gcp:projects/iAMMember:IAMMember": ["roles/resourcemanager.projectIamAdmin"],
    "gcp:kms/keyRing:KeyRing": ["roles/cloudkms.admin"],
    "gcp:kms/cryptoKey:CryptoKey": ["roles/cloudkms.admin"],
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ["roles/cloudkms.admin"],
    // Alert policies, dashboards and notification channels: Monitoring Editor
    // (https://cloud.google.com/monitoring/access-control#predefined_roles).
    "gcp:monitoring/dashboard:Dashboard": ["roles/monitoring.editor"],
    "gcp:monitoring/alertPolicy:AlertPolicy": ["roles/monitoring.editor"],
    "gcp:monitoring/notificationChannel:NotificationChannel": ["roles/monitoring.editor"],
    "gcp:projects/service:Service": ["roles/serviceusage.serviceUsageAdmin"],
    // The stack's log bucket, sink and _Default exclusion: Logs Configuration Writer
    // (https://cloud.google.com/logging/docs/access-control#permissions_and_roles).
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ["roles/logging.configWriter"],
    "gcp:logging/projectSink:ProjectSink": ["roles/logging.configWriter"],
    "gcp:logging/projectExclusion:ProjectExclusion": ["roles/logging.configWriter"],
};
