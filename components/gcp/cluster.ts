// Regional GKE Standard cluster: private nodes, Dataplane V2, Workload Identity, Gateway API, one
// autoscaled node pool sized by the capacity model, and a Kubernetes provider for the cluster.
import * as gcp from "@pulumi/gcp";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Sizing } from "../../model/capacity";
import { CONTROL_PLANE_ACCESS, RELEASE_CHANNELS } from "../../model/gcp/config";
import { GKE_UPGRADE } from "../../model/upgradeSurge";
import { gkeKubeconfig, sameControlPlaneAccess } from "./kubeconfig";
import { serviceAccountId, type Labels } from "./naming";
import { PODS_RANGE, SERVICES_RANGE } from "./network";
import { gkeSecretsKey } from "./secretsKey";

// Least privilege for node VMs: GKE's own node role (logging, metrics, HPA metrics, resource metadata)
// plus image pulls from Artifact Registry. Workloads get their own identities via Workload Identity.
// https://cloud.google.com/kubernetes-engine/security/configure-node-service-accounts
export const NODE_ROLES = ["roles/container.defaultNodeServiceAccount", "roles/artifactregistry.reader"] as const;

export interface GkeClusterArgs {
    projectId: string;
    /** Pulumi stack name: keeps the node service account of each stack in a project apart. */
    stackName: string;
    region: string;
    networkSelfLink: pulumi.Input<string>;
    subnetworkSelfLink: pulumi.Input<string>;
    releaseChannel: (typeof RELEASE_CHANNELS)[number];
    controlPlaneAccess: (typeof CONTROL_PLANE_ACCESS)[number];
    /** CIDRs allowed to reach the control plane's IP endpoint (external with authorizedNetworks, private with dns). */
    masterAuthorizedNetworks: string[];
    /** The zones of the region that nodes run in (as many as the capacity model's zone count). */
    zones: pulumi.Input<string[]>;
    sizing: Pick<Sizing, "zones" | "nodes">;
    protect: boolean;
    labels: Labels;
}

/** The node configuration, the KMS key for Secrets and what the cluster waits for (the nodes' IAM grants, the key's grant). */
interface ControlPlaneRefs {
    nodeConfig: gcp.types.input.container.ClusterNodeConfig;
    secretsKeyId: pulumi.Output<string>;
    dependsOn: pulumi.Resource[];
}

export class GkeCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** Secret: kubeconfig using gke-gcloud-auth-plugin. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly nodeServiceAccountEmail: pulumi.Output<string>;
    public readonly provider: kubernetes.Provider;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Cluster", name, {}, opts);
        const { nodes } = args.sizing;
        if (nodes.min < args.sizing.zones || nodes.max < nodes.min)
            throw new Error(
                `GkeCluster ${name}: node pool needs at least one node per zone and max >= min (got min ${nodes.min}, max ${nodes.max}, zones ${args.sizing.zones}).`,
            );
        // The component's dependsOn (the project's APIs) is not inherited by children: passed on here.
        const parent = { parent: this, dependsOn: opts?.dependsOn };

        const nodeSa = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                accountId: serviceAccountId(args.stackName, "nodes"),
                displayName: `GKE nodes of zdp stack ${args.labels.stack}`,
                description: "Node VM identity: logs, metrics, image pulls. Nothing else.",
            },
            parent,
        );
        const grants = NODE_ROLES.map(
            (role) => new gcp.projects.IAMMember(`${name}-nodes-${role.split(".").pop()}`, { project: args.projectId, role, member: nodeSa.member }, parent),
        );

        const secretsKey = gkeSecretsKey(name, { projectId: args.projectId, region: args.region, protect: args.protect, labels: args.labels }, parent);

        // One node configuration for the pool and for the default pool GKE creates with the cluster.
        const nodeConfig = {
            machineType: nodes.machineType,
            imageType: "COS_CONTAINERD",
            diskType: "pd-balanced",
            diskSizeGb: 100,
            serviceAccount: nodeSa.email,
            // Access is decided by IAM roles on the service account, not by legacy scopes.
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            // Pods see the GKE metadata server (Workload Identity), never the node's credentials.
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            kubeletConfig: { insecureKubeletReadonlyPortEnabled: "FALSE" },
            metadata: { "disable-legacy-endpoints": "true" },
            resourceLabels: args.labels,
        };

        const cluster = this.controlPlane(name, args, { nodeConfig, secretsKeyId: secretsKey.keyId, dependsOn: [...grants, secretsKey.grant] });

        const pool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                cluster: cluster.id,
                location: args.region,
                nodeLocations: args.zones,
                // Per zone at creation; the autoscaler owns the count afterwards.
                initialNodeCount: nodes.perZone,
                // Total limits (not per zone) so the capacity model's totals apply as they are.
                autoscaling: { totalMinNodeCount: nodes.min, totalMaxNodeCount: nodes.max, locationPolicy: "BALANCED" },
                management: { autoRepair: true, autoUpgrade: true },
                // Surge: a new node joins before an old one drains, so capacity never drops during upgrades.
                upgradeSettings: { ...GKE_UPGRADE },
                nodeConfig,
            },
            { ...parent, ignoreChanges: ["initialNodeCount"] },
        );

        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.nodeServiceAccountEmail = nodeSa.email;
        this.kubeconfig = this.kubeconfigOf(name, args, cluster);
        // Depends on the node pool: nothing is applied to the cluster before nodes can run it.
        // clusterIdentifier is what makes the provider's identity: without it, pulumi-kubernetes replaces the
        // provider, and with it every object it manages, whenever the kubeconfig's active cluster (server, CA)
        // changes or is unknown, as after a credential or IP rotation; with it set and unchanged, such a change
        // is an update (provider/pkg/provider/provider.go DiffConfig, v4.16+). The cluster's id changes only
        // when the cluster is replaced (its name is autonamed), which must replace the provider.
        this.provider = new kubernetes.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, clusterIdentifier: cluster.id },
            { ...parent, dependsOn: [pool] },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodeServiceAccountEmail: this.nodeServiceAccountEmail,
        });
    }

    /** The kubeconfig for the endpoint `controlPlaneAccess` names, refusing a switch of that mode after creation. */
    private kubeconfigOf(name: string, args: GkeClusterArgs, cluster: gcp.container.Cluster): pulumi.Output<string> {
        const dns = args.controlPlaneAccess === "dns";
        // The DNS endpoint's certificate is from Google Trust Services (public), so that kubeconfig carries
        // no cluster CA (https://github.com/danielfoehrKn/kubeswitch/pull/163,
        // https://github.com/hashicorp/terraform-provider-kubernetes/issues/2637).
        const dnsEndpoint = cluster.controlPlaneEndpointsConfig.apply((c) => c.dnsEndpointConfig?.endpoint ?? "");
        // The mode the stack was created with, kept in the state (the input is never updated): a later
        // switch is refused before the provider, and everything it manages, is replaced.
        const createdWith = new pulumi.Stash(`${name}-control-plane-access`, { input: args.controlPlaneAccess }, { parent: this, ignoreChanges: ["input"] });
        return pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.masterAuth, dnsEndpoint, createdWith.output, createdWith.urn])
                .apply(([clusterName, ipEndpoint, auth, dnsName, created, stashUrn]) => {
                    sameControlPlaneAccess(String(created), args.controlPlaneAccess, stashUrn);
                    return gkeKubeconfig({
                        name: `gke_${args.projectId}_${args.region}_${clusterName}`,
                        ...(dns ? { endpoint: dnsName } : { endpoint: ipEndpoint, caCertificate: auth.clusterCaCertificate }),
                    });
                }),
        );
    }

    private controlPlane(name: string, args: GkeClusterArgs, refs: ControlPlaneRefs): gcp.container.Cluster {
        const dns = args.controlPlaneAccess === "dns";
        return new gcp.container.Cluster(
            name,
            {
                // A region (not a zone) makes the control plane and the default node locations span its zones.
                location: args.region,
                network: args.networkSelfLink,
                subnetwork: args.subnetworkSelfLink,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE, stackType: "IPV4" },
                // Node pools are managed below; the default pool only exists while the cluster is created.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeLocations: args.zones,
                // Without it the default pool runs as the Compute Engine default service account, which
                // hardened projects delete or disable (creation then fails) and older ones still grant Editor.
                // https://github.com/hashicorp/terraform-provider-google/issues/4435
                nodeConfig: refs.nodeConfig,
                releaseChannel: { channel: args.releaseChannel },
                // Dataplane V2 (eBPF): NetworkPolicy enforcement built in, no separate Calico add-on.
                datapathProvider: "ADVANCED_DATAPATH",
                // Nodes get internal IPs only. With authorizedNetworks the control plane (PSC-based) keeps an
                // external IP endpoint that only the authorized networks below can reach; with dns it has none
                // and clients use the DNS-based endpoint (IAM-authorized). No masterIpv4CidrBlock: optional for
                // private nodes since GKE 1.29 (https://cloud.google.com/kubernetes-engine/docs/how-to/alias-ips),
                // accepted by the provider since 6.11 (https://github.com/hashicorp/terraform-provider-google/issues/20191).
                privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: dns },
                controlPlaneEndpointsConfig: { dnsEndpointConfig: { allowExternalTraffic: dns } },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: args.masterAuthorizedNetworks.map((cidrBlock, i) => ({ cidrBlock, displayName: `authorized-${i + 1}` })),
                    gcpPublicCidrsAccessEnabled: false,
                },
                workloadIdentityConfig: { workloadPool: `${args.projectId}.svc.id.goog` },
                // Application-layer Secrets encryption with the stack's own KMS key (an update in place on existing clusters).
                databaseEncryption: { state: "ENCRYPTED", keyName: refs.secretsKeyId },
                enableShieldedNodes: true,
                // GKE's managed Gateway controller and GatewayClasses (gke-l7-global-external-managed, ...).
                gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
                addonsConfig: {
                    httpLoadBalancing: { disabled: false }, // required by the Gateway controller
                    horizontalPodAutoscaling: { disabled: false },
                    dnsCacheConfig: { enabled: true },
                },
                // Control-plane logs (API server, controller manager, scheduler) for audit and troubleshooting.
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER"] },
                monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
                // Upgrades only in weekend night windows (UTC): 16 h a week, above GKE's minimum of 48 h per 32 days.
                // https://cloud.google.com/kubernetes-engine/docs/concepts/maintenance-windows-and-exclusions
                maintenancePolicy: {
                    recurringWindow: {
                        startTime: "2026-01-03T01:00:00Z",
                        endTime: "2026-01-03T09:00:00Z",
                        recurrence: "FREQ=WEEKLY;BYDAY=SA,SU",
                    },
                },
                deletionProtection: args.protect,
                resourceLabels: args.labels,
            },
            // The provider applies a nodeConfig change to "default-pool", which is gone after creation: the
            // cluster's copy only matters at creation, the pool's below is the one that changes nodes.
            { parent: this, dependsOn: refs.dependsOn, ignoreChanges: ["nodeConfig"] },
        );
    }
}
