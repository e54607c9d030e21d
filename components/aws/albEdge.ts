// The ALB in front of each app: the AWS Load Balancer Controller (once per stack) with each app's
// LoadBalancerConfiguration, the colours' target groups, the Gateway settings the release declares, and
// the ALB's DNS name as the controller reports it on the Gateway.
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { targetGroupName } from "../monitoring/cloudwatch";
import { PRE_STOP_SECONDS, ROUTE_NAME, serviceNamesFor, type Release } from "../k8s/release";
import type { AppEdge, AppPlacement } from "../platform";
import { DEFAULT_APP, type AppSpec } from "../../model/appSpec";
import type { AccessLogBucket } from "./accessLogs";
import { Certificate } from "./certificate";
import type { Cluster } from "./cluster";
import { AlbTargetGroups, AppLoadBalancer, GATEWAY_CLASS, LoadBalancer, deregistrationDelayFor } from "./loadBalancer";
import type { Network } from "./network";
import type { Tags } from "./tags";

export interface AlbEdgeArgs {
    /** The stack's resource-name prefix (the dashboards find target groups by it). */
    name: string;
    region: string;
    cluster: Cluster;
    network: Network;
    /** The default app's certificate (aws:certificateArn, or issued for its domain). */
    certificateArn?: pulumi.Input<string>;
    /** Where another app's certificate is issued (aws:hostedZoneId); aws:certificateArn is the default app's only. */
    hostedZoneId?: string;
    accessLogs: AccessLogBucket;
    /**
     * One web ACL for every app's ALB: a web ACL may be associated with several resources, each resource
     * with one web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html).
     */
    webAclArn?: pulumi.Input<string>;
    tags: Tags;
}

/**
 * Every app's ALB. The default app's edge installs the controller (LoadBalancer, names as a one-app
 * stack has always had them); every other app gets its own GatewayClass and LoadBalancerConfiguration on
 * that controller, so its own ALB, with its own certificate and access-log prefix, and target groups
 * named for it. `issuedCertificate(app)` is the certificate the stack issued for that app, if any.
 */
export function albEdges(args: AlbEdgeArgs, defaultIssued?: pulumi.Input<string>) {
    let controller: LoadBalancer | undefined;
    const issued = new Map<string, pulumi.Input<string> | undefined>([[DEFAULT_APP, defaultIssued]]);
    // Names keep only alphanumerics (one SEARCH token), so apps a-b and ab would share a target group.
    const claimed = new Map<string, string>();
    const claim = (tg: string, app: string): string => {
        const owner = claimed.get(tg);
        if (owner !== undefined && owner !== app) throw new Error(`Apps ${owner} and ${app} would both name an ALB target group ${tg}: rename one.`);
        claimed.set(tg, app);
        return tg;
    };
    const edge = ({ spec, namespace }: AppPlacement): AppEdge => {
        const k8s = { provider: args.cluster.provider };
        const accessLogs = { bucket: args.accessLogs.bucketName, prefix: args.accessLogs.prefixFor(spec.name), ready: args.accessLogs.ready };
        const own = { namespace, accessLogs, webAclArn: args.webAclArn };
        let lb: { gatewayClassName: string; ready: pulumi.Resource[] };
        let certificateArn = args.certificateArn;
        if (spec.name === DEFAULT_APP) {
            const cluster = { clusterName: args.cluster.name, region: args.region, vpcId: args.network.vpcId, after: args.cluster.ready };
            lb = controller = new LoadBalancer(`${args.name}-lb`, { ...cluster, ...own, certificateArn, tags: args.tags }, k8s);
        } else {
            if (!controller)
                throw new Error(
                    `App ${spec.name}: the default app (${DEFAULT_APP}) is deployed first; its edge installs the controller every app's ALB shares.`,
                );
            certificateArn = appCertificate(args, spec);
            issued.set(spec.name, certificateArn);
            const className = `${GATEWAY_CLASS}-${spec.name}`;
            lb = new AppLoadBalancer(`${args.name}-${spec.name}-lb`, { ...own, certificateArn, className, crds: controller.crds }, k8s);
        }
        // Before the routes exist, so every target group is created with IP targets and these checks.
        const targetGroups = new AlbTargetGroups(
            spec.name,
            {
                namespace,
                serviceNames: serviceNamesFor(spec),
                healthPath: spec.healthPath,
                deregistrationDelaySeconds: deregistrationDelayFor(PRE_STOP_SECONDS),
                liveRoute: { name: ROUTE_NAME, targetGroupName: (service) => claim(targetGroupName(args.name, service, spec.name), spec.name) },
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
                ...(certificateArn !== undefined ? { https: { tlsOptions: { "zdp.dev/certificate": "acm-via-loadbalancerconfiguration" } } } : {}),
            },
            ready: [...lb.ready, targetGroups],
        };
    };
    return { edge, issuedCertificate: (app: string) => issued.get(app) };
}

/**
 * Another app's certificate: issued for its domain and preview host in the stack's Route 53 zone, as the
 * default app's is. One certificate per app rather than one for all: each app has its own ALB and listener,
 * adding an app never reissues (replaces) another app's certificate, and no certificate nears ACM's
 * default quota of 10 names (https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html).
 */
function appCertificate(args: AlbEdgeArgs, spec: AppSpec): pulumi.Output<string> | undefined {
    if (!spec.domain) return undefined;
    if (!args.hostedZoneId)
        throw new Error(
            `App ${spec.name} serves ${spec.domain}, but aws:hostedZoneId is unset: the stack issues ${spec.name}'s certificate in that zone (aws:certificateArn, if set, is the default app's only).`,
        );
    const alternativeNames = spec.release.previewHost ? [spec.release.previewHost] : [];
    return new Certificate(`${args.name}-${spec.name}-tls`, { domain: spec.domain, alternativeNames, hostedZoneId: args.hostedZoneId, tags: args.tags }).arn;
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
