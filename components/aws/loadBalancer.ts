// The AWS Load Balancer Controller v3 (Helm, eks-charts) with Pod Identity, the Gateway API CRDs it
// is built against, and the GatewayClass `alb` whose Gateways become internet-facing ALBs.
// Per-Service target group settings (IP targets, health checks, deregistration delay) are in
// AlbTargetGroups below.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { HSTS_VALUE } from "../hsts";
import { APP_KEEP_ALIVE_SECONDS } from "../k8s/release";
import { podIdentityRole } from "./iam";
import lbcPolicy from "./lbcIamPolicy.json";
import type { Tags } from "./tags";

// LBC v3.5.0 (2026-08): Gateway API GA since v3.0; built against Gateway API v1.6.0 and serving
// gateway.k8s.aws/v1 for its own CRDs. The Helm chart does not install either CRD set, and Helm never
// upgrades CRDs, so both are applied here from the release manifests vendored in crds/ (see its
// README for the source of each file): nothing is fetched from a URL at deploy time.
// https://github.com/kubernetes-sigs/aws-load-balancer-controller/releases/tag/v3.5.0
// https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/gateway/gateway/
export const LBC = {
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
    repo: "https://aws.github.io/eks-charts",
    /** Paths relative to this package's root (the repo, or dist/ as packed); crdFile() resolves them. */
    gatewayApiCrds: "crds/gateway-api-v1.6.0-standard-install.yaml",
    lbcGatewayCrds: "crds/aws-load-balancer-controller-v3.5.0/gateway-crds.yaml",
} as const;
// The provider reads a ConfigFile's path from the program's working directory (Pulumi runs both there):
// relative to it, so the repo's own stack keeps "crds/..." in its state and an installed package points
// into node_modules wherever the caller's program runs.
const PACKAGE_ROOT = path.join(__dirname, "..", "..");
const crdFile = (file: string): string => path.relative(process.cwd(), path.join(PACKAGE_ROOT, file));
export const GATEWAY_CLASS = "alb";
export const ALB_CONTROLLER_NAME = "gateway.k8s.aws/alb";
const LBC_API = "gateway.k8s.aws/v1";
const NAMESPACE = "kube-system";
const SERVICE_ACCOUNT = "aws-load-balancer-controller";
/**
 * TLS 1.3 + 1.2 with post-quantum hybrid key exchange, the 2025-09 generation of ALB security policies
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
 */
export const SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09";
/**
 * HSTS on the HTTPS listener, added by the ALB itself (listener attribute; the controller does not
 * implement the HTTPRoute ResponseHeaderModifier filter, docs/guide/gateway/l7gateway.md of v3.5.0).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/header-modification.html
 */
export const HSTS = { key: "routing.http.response.strict_transport_security.header_value", value: HSTS_VALUE } as const;

/**
 * The ALB's idle timeout (60 s by default) for an app that keeps idle connections `appKeepAliveSeconds`:
 * AWS recommends the app's idle timeout be larger than the load balancer's, else the ALB may reuse a
 * connection the app is closing and answer 502
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout).
 */
export function albIdleTimeoutFor(appKeepAliveSeconds: number): number {
    const margin = 10;
    if (appKeepAliveSeconds <= margin) throw new Error(`An app keep-alive of ${appKeepAliveSeconds}s leaves the ALB no idle timeout ${margin}s below it.`);
    return appKeepAliveSeconds - margin;
}

export interface LoadBalancerArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    /** Namespace of the LoadBalancerConfiguration the GatewayClass points at (the app namespace). */
    namespace: pulumi.Input<string>;
    /** ACM certificate for the HTTPS listener; without it the ALB listens on HTTP only. */
    certificateArn?: pulumi.Input<string>;
    /** Where the ALB writes its access logs; `ready` must exist first (the ALB checks its write access). */
    accessLogs: { bucket: pulumi.Input<string>; prefix: string; ready: pulumi.Resource[] };
    /** AWS WAF web ACL associated with the ALB (aws.waf). */
    webAclArn?: pulumi.Input<string>;
    tags: Tags;
    /** Nodes and CoreDNS: the controller's pods need somewhere to run. */
    after: pulumi.Resource[];
}

export class LoadBalancer extends pulumi.ComponentResource {
    public readonly gatewayClassName = GATEWAY_CLASS;
    /** The controller and every CRD it serves: Gateways, routes and LBC CRs must come after these. */
    public readonly ready: pulumi.Resource[];
    /** What another app's GatewayClass waits for (the controller is shared by every app of the stack). */
    public readonly crds: ControllerCrds;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:LoadBalancer", name, {}, opts);
        const parent = { parent: this };

        const role = podIdentityRole(name, { inlinePolicy: JSON.stringify(lbcPolicy), tags: args.tags }, parent);
        const association = new aws.eks.PodIdentityAssociation(
            name,
            { clusterName: args.clusterName, namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT, roleArn: role.role.arn, tags: args.tags },
            { parent: this, dependsOn: role.grants },
        );

        const gatewayApiCrds = new k8s.yaml.v2.ConfigFile(
            `${name}-gateway-api-crds`,
            { file: crdFile(LBC.gatewayApiCrds) },
            { parent: this, dependsOn: args.after },
        );
        const lbcCrds = new k8s.yaml.v2.ConfigFile(`${name}-lbc-gateway-crds`, { file: crdFile(LBC.lbcGatewayCrds) }, { parent: this, dependsOn: args.after });

        const controller = new k8s.helm.v3.Release(
            name,
            {
                name: "aws-load-balancer-controller",
                chart: LBC.chart,
                version: LBC.version,
                repositoryOpts: { repo: LBC.repo },
                namespace: NAMESPACE,
                values: {
                    clusterName: args.clusterName,
                    // Set explicitly: the controller then never needs the node's instance metadata.
                    region: args.region,
                    vpcId: args.vpcId,
                    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
                    replicaCount: 2,
                    podDisruptionBudget: { maxUnavailable: 1 },
                    // Services of type LoadBalancer keep their default; this stack only uses Gateways.
                    enableServiceMutatorWebhook: false,
                    // On every ALB, listener, target group and security group the controller creates.
                    defaultTags: args.tags,
                },
            },
            // The policy too: on destroy the Gateway goes first (the controller deletes the ALB, its target
            // groups and security groups), then the controller, and only then its permissions.
            { parent: this, dependsOn: [association, ...role.grants, gatewayApiCrds, lbcCrds, ...args.after] },
        );

        const crds = { gatewayApiCrds, lbcCrds, controller };
        const gatewayClass = albGatewayClass(name, { ...args, className: GATEWAY_CLASS, crds }, this);

        this.crds = crds;
        this.ready = [controller, gatewayApiCrds, lbcCrds, gatewayClass];
        this.registerOutputs({ gatewayClassName: this.gatewayClassName });
    }
}

/** The controller and its CRDs, which every app's LoadBalancerConfiguration and GatewayClass need first. */
export interface ControllerCrds {
    gatewayApiCrds: pulumi.Resource;
    lbcCrds: pulumi.Resource;
    controller: pulumi.Resource;
}

export interface AlbClassArgs extends Pick<LoadBalancerArgs, "namespace" | "certificateArn" | "accessLogs" | "webAclArn"> {
    /** The GatewayClass's name: one per app, as the controller makes one ALB per Gateway from its class's configuration. */
    className: string;
    crds: ControllerCrds;
}

/**
 * An app's ALB settings (a LoadBalancerConfiguration in its namespace) and the GatewayClass that points at
 * them: the controller provisions one ALB for every Gateway of a class whose controllerName is
 * gateway.k8s.aws/alb, configured by the class's LoadBalancerConfiguration (LBC v3.5 docs
 * guide/gateway/l7gateway.md and customization.md), so each app's certificate, access-log prefix and
 * WAF association reach its own ALB.
 */
export function albGatewayClass(name: string, args: AlbClassArgs, parent: pulumi.Resource): k8s.apiextensions.CustomResource {
    const { gatewayApiCrds, lbcCrds, controller } = args.crds;
    // Internet-facing ALB in the public subnets (discovered by their kubernetes.io/role/elb tag).
    const https = args.certificateArn !== undefined;
    const lbConfig = new k8s.apiextensions.CustomResource(
        `${name}-alb`,
        {
            apiVersion: LBC_API,
            kind: "LoadBalancerConfiguration",
            metadata: { name: "alb-internet-facing", namespace: args.namespace },
            spec: {
                scheme: "internet-facing",
                ipAddressType: "ipv4",
                loadBalancerAttributes: [
                    // Reject requests with malformed headers instead of passing them to the app.
                    { key: "routing.http.drop_invalid_header_fields.enabled", value: "true" },
                    { key: "idle_timeout.timeout_seconds", value: `${albIdleTimeoutFor(APP_KEEP_ALIVE_SECONDS)}` },
                    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
                    { key: "access_logs.s3.enabled", value: "true" },
                    { key: "access_logs.s3.bucket", value: args.accessLogs.bucket },
                    { key: "access_logs.s3.prefix", value: args.accessLogs.prefix },
                ],
                ...(args.webAclArn !== undefined ? { wafV2: { webACL: args.webAclArn } } : {}),
                ...(https
                    ? {
                          listenerConfigurations: [
                              { protocolPort: "HTTPS:443", defaultCertificate: args.certificateArn, sslPolicy: SSL_POLICY, listenerAttributes: [HSTS] },
                          ],
                      }
                    : {}),
            },
        },
        { parent, dependsOn: [lbcCrds, ...args.accessLogs.ready] },
    );

    return new k8s.apiextensions.CustomResource(
        `${name}-class`,
        {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: args.className },
            spec: {
                controllerName: ALB_CONTROLLER_NAME,
                // The Gateway API CRD caps spec.description at 64 characters.
                description: "Internet-facing ALB (AWS Load Balancer Controller)",
                parametersRef: { group: "gateway.k8s.aws", kind: "LoadBalancerConfiguration", name: "alb-internet-facing", namespace: args.namespace },
            },
        },
        { parent, dependsOn: [gatewayApiCrds, controller, lbConfig] },
    );
}

/** Another app's ALB on the stack's controller: its own LoadBalancerConfiguration and GatewayClass. */
export class AppLoadBalancer extends pulumi.ComponentResource {
    public readonly gatewayClassName: string;
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: AlbClassArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:AppLoadBalancer", name, {}, opts);
        const gatewayClass = albGatewayClass(name, args, this);
        const { controller, gatewayApiCrds, lbcCrds } = args.crds;
        this.gatewayClassName = args.className;
        this.ready = [controller, gatewayApiCrds, lbcCrds, gatewayClass];
        this.registerOutputs({ gatewayClassName: this.gatewayClassName });
    }
}

export interface AlbTargetGroupsArgs {
    namespace: pulumi.Input<string>;
    /** The Services the release puts behind the Gateway (stable names: app, app-blue, app-green). */
    serviceNames: string[];
    healthPath: string;
    /**
     * How long the ALB drains a deregistered pod. Shorter than the pods' preStop sleep, so a pod keeps
     * serving until the ALB has stopped sending it requests and its in-flight requests are done.
     */
    deregistrationDelaySeconds: number;
    /**
     * The live route and the name of each Service's target group on it (the dashboards find each colour
     * by it). The controller builds one target group per (route, Service), and the idle colour backs the
     * live route and the preview routes at once: one fixed name for all of them would make 2-3 target
     * groups in the controller's model share one AWS target group, which it then deletes and recreates
     * on every reconcile (aws-load-balancer-controller v3.5.0 pkg/gateway/model/model_build_target_group.go:
     * a target group per gateway/route/Service/port, named by TargetGroupName when set;
     * pkg/deploy/elbv2/target_group_synthesizer.go: matched by resource ID, the unmatched deleted). So only
     * the live route's target groups are named; the others keep the controller's per-route names.
     */
    liveRoute?: { name: string; targetGroupName: (service: string) => string };
    /** The LoadBalancer: its CRDs must exist. */
    after: pulumi.Resource[];
}

/**
 * Deregistration delay for a pod whose preStop sleeps `preStopSeconds`: the controller needs a few
 * seconds to see the pod terminating and deregister it; the ALB then drains in-flight requests for at
 * most this long, which ends before the preStop does, so no request reaches a stopped process.
 */
export function deregistrationDelayFor(preStopSeconds: number): number {
    const controllerReactionSeconds = 10;
    if (preStopSeconds <= controllerReactionSeconds)
        throw new Error(`preStop of ${preStopSeconds}s leaves no time to drain after the controller's ~${controllerReactionSeconds}s to deregister a pod.`);
    return preStopSeconds - controllerReactionSeconds;
}

/** Health-check timing: a pod is taken out after 2 failed checks 10 s apart, back in after 2 good ones. */
export const HEALTH_CHECK = { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/**
 * One TargetGroupConfiguration per Service: IP targets (pods registered directly, readiness gates
 * apply), HTTP health checks on the app's health path, and the deregistration delay. Created before
 * the routes, so the controller never builds a target group with the defaults (instance targets).
 */
export class AlbTargetGroups extends pulumi.ComponentResource {
    constructor(name: string, args: AlbTargetGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:AlbTargetGroups", name, {}, opts);
        if (args.serviceNames.length === 0) throw new Error(`AlbTargetGroups ${name}: no Service names.`);
        if (args.deregistrationDelaySeconds < 0 || args.deregistrationDelaySeconds > 3600)
            throw new Error(`AlbTargetGroups ${name}: deregistrationDelaySeconds ${args.deregistrationDelaySeconds} is outside 0..3600.`);
        for (const service of args.serviceNames) {
            new k8s.apiextensions.CustomResource(
                `${name}-${service}`,
                {
                    apiVersion: LBC_API,
                    kind: "TargetGroupConfiguration",
                    metadata: { name: service, namespace: args.namespace },
                    spec: {
                        targetReference: { kind: "Service", name: service },
                        defaultConfiguration: {
                            targetType: "ip",
                            protocol: "HTTP",
                            healthCheckConfig: {
                                healthCheckPath: args.healthPath,
                                healthCheckProtocol: "HTTP",
                                healthCheckPort: "traffic-port",
                                healthCheckInterval: HEALTH_CHECK.intervalSeconds,
                                healthCheckTimeout: HEALTH_CHECK.timeoutSeconds,
                                healthyThresholdCount: HEALTH_CHECK.healthyThreshold,
                                unhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
                                matcher: { httpCode: "200" },
                            },
                            targetGroupAttributes: [{ key: "deregistration_delay.timeout_seconds", value: `${args.deregistrationDelaySeconds}` }],
                        },
                        // A route's entry is merged over defaultConfiguration, an exact kind:namespace:name match
                        // first (v3.5.0 pkg/gateway, targetGroupConfigConstructorImpl.mergeWithLongestMatch).
                        ...(args.liveRoute
                            ? {
                                  routeConfigurations: [
                                      {
                                          routeIdentifier: { kind: "HTTPRoute", namespace: args.namespace, name: args.liveRoute.name },
                                          targetGroupProps: { targetGroupName: args.liveRoute.targetGroupName(service) },
                                      },
                                  ],
                              }
                            : {}),
                    },
                },
                { parent: this, dependsOn: args.after },
            );
        }
        this.registerOutputs({});
    }
}
