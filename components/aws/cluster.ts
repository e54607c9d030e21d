// EKS: control plane (private + allow-listed public endpoint, all control-plane logs, KMS envelope
// encryption of Secrets, access entries instead of aws-auth), one managed node group per zone sized
// by the capacity model, EKS managed add-ons with Pod Identity, the Cluster Autoscaler, and the
// kubernetes Provider (exec auth) every in-cluster object uses.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Sizing } from "../../model/capacity";
import { EKS_MAX_UNAVAILABLE, nodeGroupScaling } from "../../model/upgradeSurge";
import { ClusterAutoscaler } from "./autoscaler";
import { managedPolicy, podIdentityRole, serviceRole } from "./iam";
import type { Tags } from "./tags";

export interface ClusterArgs {
    clusterName: string;
    kubernetesVersion: string;
    region: string;
    vpcId: pulumi.Input<string>;
    /** One private subnet per zone, in zone order: node group i lives in subnet i. */
    privateSubnetIds: pulumi.Input<string>[];
    publicAccessCidrs: string[];
    /** KMS key for envelope encryption of Kubernetes Secrets. */
    kmsKeyArn: pulumi.Input<string>;
    nodes: Sizing["nodes"];
    zones: number;
    /** IAM principals granted cluster-admin through access entries. */
    adminPrincipalArns: string[];
    logRetentionDays: number;
    deletionProtection: boolean;
    tags: Tags;
}

/** The VPC CNI's service account (the vpc-cni add-on creates it in kube-system). */
export const CNI_SERVICE_ACCOUNT = "aws-node";

/**
 * IMDSv2 only, hop limit 1: the token response dies one hop out, so only host-network pods (aws-node,
 * kube-proxy, the Pod Identity agent, the CloudWatch agent and Fluent Bit) reach the instance metadata
 * and the node role; pods in their own network namespace (the app, the controllers) cannot. What each
 * add-on and controller does instead is in docs/aws.md ("Node credentials").
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
 */
export const NODE_METADATA_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } as const;

/** Control-plane log types; all five, for audit and incident forensics. */
export const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Kubeconfig authenticating with `aws eks get-token` (exec): no long-lived credential in the file. */
export function kubeconfigFor(clusterName: string, endpoint: string, caData: string, region: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

type AddonFactory = (addonName: string, extra?: Partial<aws.eks.AddonArgs>, dependsOn?: pulumi.Resource[]) => aws.eks.Addon;

export class Cluster extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** The EKS-created security group on the control plane, every managed node and (VPC CNI) every pod. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;
    /** Everything in-cluster workloads need first: nodes, CoreDNS, the CNI and the Pod Identity agent. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Cluster", name, {}, opts);
        if (args.privateSubnetIds.length !== args.zones)
            throw new Error(`Cluster ${name}: ${args.privateSubnetIds.length} private subnets for ${args.zones} zones; one per zone is needed.`);
        if (args.publicAccessCidrs.length === 0) throw new Error(`Cluster ${name}: publicAccessCidrs is empty; list the CIDRs allowed to reach the API.`);
        const parent = { parent: this };
        const tags = (extra: Tags = {}) => ({ ...args.tags, ...extra });
        const cluster = this.controlPlane(name, args);
        this.admins(name, args, cluster);

        // Add-ons the nodes need to become Ready. Each runs EKS's default version for the cluster's
        // Kubernetes minor, read through the cluster's version: a change of aws.kubernetesVersion
        // upgrades them after the control plane, and nothing else moves them.
        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: cluster.name,
                    addonName,
                    addonVersion: aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version }, parent).version,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "PRESERVE",
                    tags: tags(),
                    ...extra,
                },
                { parent: this, dependsOn },
            );
        const kubeProxy = addon("kube-proxy");
        const podIdentityAgent = addon("eks-pod-identity-agent");
        // The CNI's EC2 permissions on a role of its own, through Pod Identity (aws-node), not on the
        // node role: with the node role holding them, every pod that reached IMDS could use them.
        // aws-node supports Pod Identity from v1.15.5 (EKS best practices guide, IAM, "Update the aws-node
        // daemonset to use IRSA").
        // Bootstrap works because the agent and aws-node both run on the host network and the agent
        // tolerates not-ready nodes (agent v1.2.0+, https://github.com/aws/amazon-vpc-cni-k8s/issues/2780);
        // both add-ons and the association exist before any node joins (the node groups wait for them).
        // https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
        const cniRole = podIdentityRole(`${name}-vpc-cni`, { managedPolicyArns: [managedPolicy("AmazonEKS_CNI_Policy")], tags: tags() }, parent);
        // NetworkPolicy enforcement by the CNI's network policy agent (off by default on EKS).
        // https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
        const vpcCni = addon(
            "vpc-cni",
            {
                configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
                podIdentityAssociations: [{ roleArn: cniRole.role.arn, serviceAccount: CNI_SERVICE_ACCOUNT }],
            },
            [podIdentityAgent, ...cniRole.grants],
        );

        const nodeGroups = this.nodeGroups(name, args, cluster, [vpcCni, kubeProxy, podIdentityAgent]);
        const coreDns = addon("coredns", {}, nodeGroups);
        this.storageAndInsights(name, args, addon, [...nodeGroups, podIdentityAgent]);
        // EKS installs no metrics server, and without one every HorizontalPodAutoscaler is inert
        // (https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html; offered as an EKS add-on).
        const metricsServer = addon("metrics-server", {}, nodeGroups);

        this.name = cluster.name;
        this.endpoint = cluster.endpoint;
        this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
                .apply(([n, endpoint, ca]) => kubeconfigFor(n, endpoint, ca.data ?? "", args.region)),
        );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, parent);
        this.ready = [...nodeGroups, coreDns, vpcCni, podIdentityAgent, metricsServer];

        new ClusterAutoscaler(
            `${name}-autoscaler`,
            { clusterName: cluster.name, region: args.region, kubernetesVersion: args.kubernetesVersion, tags: tags(), after: this.ready },
            { parent: this, providers: { kubernetes: this.provider } },
        );

        this.registerOutputs({ name: this.name, endpoint: this.endpoint, clusterSecurityGroupId: this.clusterSecurityGroupId, kubeconfig: this.kubeconfig });
    }

    private controlPlane(name: string, args: ClusterArgs): aws.eks.Cluster {
        const parent = { parent: this };
        const tags = (extra: Tags = {}) => ({ ...args.tags, ...extra });
        const clusterRole = serviceRole(
            `${name}-cluster`,
            { service: "eks.amazonaws.com", managedPolicyArns: [managedPolicy("AmazonEKSClusterPolicy")], tags: tags() },
            parent,
        );

        // Created first with a retention; EKS would otherwise create it with no expiry.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-control-plane`,
            { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.logRetentionDays, tags: tags() },
            parent,
        );

        return new aws.eks.Cluster(
            name,
            {
                name: args.clusterName,
                version: args.kubernetesVersion,
                roleArn: clusterRole.role.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: true,
                    publicAccessCidrs: args.publicAccessCidrs,
                },
                // Access entries only: no aws-auth ConfigMap (https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html).
                // The identity running `pulumi up` becomes admin, so the kubernetes provider can work.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
                encryptionConfig: { provider: { keyArn: args.kmsKeyArn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // CNI, kube-proxy and CoreDNS come as managed add-ons below, versioned and updatable by EKS.
                bootstrapSelfManagedAddons: false,
                // ARC zonal shift: move traffic away from an impaired zone.
                zonalShiftConfig: { enabled: true },
                // Unset, EKS moves a cluster whose minor leaves standard support into extended support, billed at
                // six times the control-plane price; STANDARD upgrades it to the next minor instead, after which
                // aws.kubernetesVersion must follow (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html,
                // @pulumi/aws 7 eks.Cluster upgradePolicy.supportType: EXTENDED or STANDARD).
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.deletionProtection,
                tags: tags({ Name: args.clusterName }),
            },
            // The role's policy too: EKS needs it to create the cluster and to delete what it made (ENIs,
            // the cluster security group), so it must outlive the cluster on destroy.
            { parent: this, dependsOn: [logGroup, ...clusterRole.grants] },
        );
    }

    private admins(name: string, args: ClusterArgs, cluster: aws.eks.Cluster): void {
        const parent = { parent: this };
        const tags = (extra: Tags = {}) => ({ ...args.tags, ...extra });
        for (const [i, principalArn] of args.adminPrincipalArns.entries()) {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags: tags() }, parent);
            new aws.eks.AccessPolicyAssociation(
                `${name}-admin-${i}`,
                {
                    clusterName: cluster.name,
                    principalArn,
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "cluster" },
                },
                { parent: this, dependsOn: [entry] },
            );
        }
    }

    /** The node role, the nodes' launch template and one managed node group per zone. */
    private nodeGroups(name: string, args: ClusterArgs, cluster: aws.eks.Cluster, addons: pulumi.Resource[]): aws.eks.NodeGroup[] {
        const parent = { parent: this };
        const tags = (extra: Tags = {}) => ({ ...args.tags, ...extra });
        const nodeRole = serviceRole(
            `${name}-node`,
            {
                service: "ec2.amazonaws.com",
                // No AmazonEKS_CNI_Policy: the CNI has its own role above.
                managedPolicyArns: [managedPolicy("AmazonEKSWorkerNodePolicy"), managedPolicy("AmazonEC2ContainerRegistryPullOnly")],
                tags: tags(),
            },
            parent,
        );

        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-nodes`,
            {
                description: `EKS ${args.clusterName} nodes: IMDSv2 only (hop limit 1), encrypted gp3 root volume`,
                metadataOptions: NODE_METADATA_OPTIONS,
                blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
                    resourceType,
                    tags: tags({ Name: `${args.clusterName}-node` }),
                })),
                updateDefaultVersion: true,
                tags: tags(),
            },
            parent,
        );

        // One node group per zone: the Cluster Autoscaler then scales the zone that needs capacity,
        // and --balance-similar-node-groups keeps the zones even.
        const scaling = nodeGroupScaling(args.nodes, args.zones);
        return args.privateSubnetIds.map(
            (subnetId, i) =>
                new aws.eks.NodeGroup(
                    `${name}-nodes-${i}`,
                    {
                        clusterName: cluster.name,
                        // A prefix, not a name: a replacement group is created before the old one goes.
                        nodeGroupNamePrefix: `${args.clusterName}-z${i}-`,
                        nodeRoleArn: nodeRole.role.arn,
                        subnetIds: [subnetId],
                        instanceTypes: [args.nodes.machineType],
                        // The cluster's version (not the config's): a minor upgrade rolls the nodes after the control plane.
                        version: cluster.version,
                        // EKS AMITypes: the AL2023 image for the nodes' CPU architecture.
                        amiType: args.nodes.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
                        capacityType: "ON_DEMAND",
                        scalingConfig: scaling,
                        updateConfig: { maxUnavailable: EKS_MAX_UNAVAILABLE },
                        nodeRepairConfig: { enabled: true },
                        launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                        tags: tags({ Name: `${args.clusterName}-z${i}` }),
                    },
                    {
                        parent: this,
                        dependsOn: [...addons, ...nodeRole.grants],
                        // The Cluster Autoscaler owns the live size; `pulumi up` must not reset it.
                        ignoreChanges: ["scalingConfig.desiredSize"],
                    },
                ),
        );
    }

    /** The EBS CSI driver and Container Insights, each with its own Pod Identity role, once nodes and the agent run. */
    private storageAndInsights(name: string, args: ClusterArgs, addon: AddonFactory, after: pulumi.Resource[]): void {
        const parent = { parent: this };
        const tags = () => args.tags;
        const ebsCsiRole = podIdentityRole(
            `${name}-ebs-csi`,
            { managedPolicyArns: [managedPolicy("service-role/AmazonEBSCSIDriverPolicy")], tags: tags() },
            parent,
        );
        addon("aws-ebs-csi-driver", { podIdentityAssociations: [{ roleArn: ebsCsiRole.role.arn, serviceAccount: "ebs-csi-controller-sa" }] }, [
            ...after,
            ...ebsCsiRole.grants,
        ]);
        // Container Insights; Pod Identity is supported from add-on 3.1.0
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-setup-EKS-addon.html).
        const observabilityRole = podIdentityRole(
            `${name}-cloudwatch`,
            { managedPolicyArns: [managedPolicy("CloudWatchAgentServerPolicy"), managedPolicy("AWSXrayWriteOnlyAccess")], tags: tags() },
            parent,
        );
        // The agent's Fluent Bit writes to these groups; created first with a retention, as the agent
        // would create them with none (amazon-cloudwatch-agent-operator helm/templates/fluent-bit-configmap.yaml).
        const insightsLogs = ["application", "dataplane", "host", "performance"].map(
            (group) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-insights-${group}`,
                    { name: `/aws/containerinsights/${args.clusterName}/${group}`, retentionInDays: args.logRetentionDays, tags: tags() },
                    parent,
                ),
        );
        addon("amazon-cloudwatch-observability", { podIdentityAssociations: [{ roleArn: observabilityRole.role.arn, serviceAccount: "cloudwatch-agent" }] }, [
            ...after,
            ...insightsLogs,
            ...observabilityRole.grants,
        ]);
    }
}
