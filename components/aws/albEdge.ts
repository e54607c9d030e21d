// The ALB in front of an app: the AWS Load Balancer Controller with the app's LoadBalancerConfiguration,
// the colours' target groups, the Gateway settings the release declares, and the ALB's DNS name as the
// controller reports it on the Gateway.
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { targetGroupName } from "../monitoring/cloudwatch";
import { PRE_STOP_SECONDS, ROUTE_NAME, serviceNamesFor, type Release } from "../k8s/release";
import type { AppEdge, AppPlacement } from "../platform";
import type { AccessLogBucket } from "./accessLogs";
import type { Cluster } from "./cluster";
import { AlbTargetGroups, LoadBalancer, deregistrationDelayFor } from "./loadBalancer";
import type { Network } from "./network";
import type { Tags } from "./tags";

export interface AlbEdgeArgs {
    /** The stack's resource-name prefix (the dashboards find target groups by it). */
    name: string;
    region: string;
    cluster: Cluster;
    network: Network;
    certificateArn?: pulumi.Input<string>;
    accessLogs: AccessLogBucket;
    webAclArn?: pulumi.Input<string>;
    tags: Tags;
}

export function albEdge(args: AlbEdgeArgs, { spec, namespace }: AppPlacement): AppEdge {
    const k8s = { provider: args.cluster.provider };
    const lb = new LoadBalancer(
        `${args.name}-lb`,
        {
            clusterName: args.cluster.name,
            region: args.region,
            vpcId: args.network.vpcId,
            namespace,
            certificateArn: args.certificateArn,
            accessLogs: { bucket: args.accessLogs.bucketName, prefix: args.accessLogs.prefix, ready: args.accessLogs.ready },
            webAclArn: args.webAclArn,
            tags: args.tags,
            after: args.cluster.ready,
        },
        k8s,
    );
    // Before the routes exist, so every target group is created with IP targets and these checks.
    const targetGroups = new AlbTargetGroups(
        spec.name,
        {
            namespace,
            serviceNames: serviceNamesFor(spec),
            healthPath: spec.healthPath,
            deregistrationDelaySeconds: deregistrationDelayFor(PRE_STOP_SECONDS),
            liveRoute: { name: ROUTE_NAME, targetGroupName: (service) => targetGroupName(args.name, service) },
            after: lb.ready,
        },
        k8s,
    );
    return {
        // The ALB (IP targets) reaches pods from its public subnets.
        from: [{ cidrs: args.network.publicSubnetCidrs }],
        gateway: {
            className: lb.gatewayClassName,
            // `pulumi up` waits until the controller has provisioned the ALB and published its hostname.
            annotations: { "pulumi.com/waitFor": "jsonpath={.status.addresses[0].value}" },
            // The ALB takes its certificate from the LoadBalancerConfiguration (the controller does not
            // read certificateRefs or TLS options); the option only documents that on the listener.
            ...(args.certificateArn !== undefined ? { https: { tlsOptions: { "zdp.dev/certificate": "acm-via-loadbalancerconfiguration" } } } : {}),
        },
        ready: [...lb.ready, targetGroups],
    };
}

/** The ALB's DNS name, as the controller reports it on the Gateway (read back after the release). */
export function albHostname(provider: kubernetes.Provider, { spec, namespace, release }: AppPlacement & { release: Release }) {
    // (CustomResource.get declares only apiVersion/kind/metadata; naming `status` reads it back too.)
    const gateway = new kubernetes.apiextensions.CustomResource(
        `${spec.name}-gateway-status`,
        { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", status: undefined },
        { provider, id: pulumi.interpolate`${namespace}/${release.gatewayName}`, dependsOn: [release] },
    ) as kubernetes.apiextensions.CustomResource & { status: pulumi.Output<{ addresses?: { value: string }[] } | undefined> };
    return gateway.status.apply((s) => s?.addresses?.[0]?.value);
}
