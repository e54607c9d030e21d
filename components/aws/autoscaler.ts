// Cluster Autoscaler (Helm) on the managed node groups, with Pod Identity.
// Chosen over Karpenter: the capacity model fixes one instance type and per-zone bounds, which map
// directly onto managed node groups (AWS-managed AMI updates, node repair, drain on upgrade); the
// autoscaler only adds nodes when HPA scale-out leaves pods Pending. Karpenter would replace the node
// groups with its own NodePools/EC2NodeClass and bypass those bounds.
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityRole } from "./iam";
import type { Tags } from "./tags";

// Chart 9.54.0+ carries Cluster Autoscaler 1.35 (https://github.com/kubernetes/autoscaler/issues/10097).
export const AUTOSCALER_CHART = { chart: "cluster-autoscaler", version: "9.54.0", repo: "https://kubernetes.github.io/autoscaler" } as const;
const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "cluster-autoscaler";

/** The autoscaler's minor version must match the cluster's; every minor ships a .0 image. */
export const autoscalerImageTag = (kubernetesVersion: string) => `v${kubernetesVersion}.0`;

export interface ClusterAutoscalerArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    kubernetesVersion: string;
    tags: Tags;
    /** Nodes and CoreDNS: the chart's pods need somewhere to run. */
    after: pulumi.Resource[];
}

export class ClusterAutoscaler extends pulumi.ComponentResource {
    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:ClusterAutoscaler", name, {}, opts);
        const parent = { parent: this };

        // The documented least-privilege policy: writes only to groups tagged as this cluster's
        // (managed node groups carry k8s.io/cluster-autoscaler/<cluster>=owned).
        // https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
        const role = podIdentityRole(
            name,
            {
                inlinePolicy: pulumi.output(args.clusterName).apply((cluster) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: [
                                    "autoscaling:DescribeAutoScalingGroups",
                                    "autoscaling:DescribeAutoScalingInstances",
                                    "autoscaling:DescribeLaunchConfigurations",
                                    "autoscaling:DescribeScalingActivities",
                                    "autoscaling:DescribeTags",
                                    "ec2:DescribeImages",
                                    "ec2:DescribeInstanceTypes",
                                    "ec2:DescribeLaunchTemplateVersions",
                                    "ec2:GetInstanceTypesFromInstanceRequirements",
                                    "eks:DescribeNodegroup",
                                ],
                                Resource: "*",
                            },
                            {
                                Effect: "Allow",
                                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                                Resource: "*",
                                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" } },
                            },
                        ],
                    }),
                ),
                tags: args.tags,
            },
            parent,
        );
        const association = new aws.eks.PodIdentityAssociation(
            name,
            { clusterName: args.clusterName, namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT, roleArn: role.role.arn, tags: args.tags },
            { parent: this, dependsOn: role.grants },
        );

        new k8s.helm.v3.Release(
            name,
            {
                name: "cluster-autoscaler",
                chart: AUTOSCALER_CHART.chart,
                version: AUTOSCALER_CHART.version,
                repositoryOpts: { repo: AUTOSCALER_CHART.repo },
                namespace: NAMESPACE,
                values: {
                    cloudProvider: "aws",
                    awsRegion: args.region,
                    autoDiscovery: { clusterName: args.clusterName },
                    image: { tag: autoscalerImageTag(args.kubernetesVersion) },
                    rbac: { serviceAccount: { create: true, name: SERVICE_ACCOUNT } },
                    // Two replicas with leader election: scale-out keeps working through a node drain.
                    replicaCount: 2,
                    podDisruptionBudget: { maxUnavailable: 1 },
                    priorityClassName: "system-cluster-critical",
                    extraArgs: {
                        "balance-similar-node-groups": true,
                        expander: "least-waste",
                        "skip-nodes-with-system-pods": false,
                        "skip-nodes-with-local-storage": false,
                    },
                },
            },
            // The policy too: on destroy the autoscaler stops before its permissions go.
            { parent: this, dependsOn: [association, ...role.grants, ...args.after] },
        );
        this.registerOutputs({});
    }
}
