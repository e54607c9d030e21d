// Application Gateway for Containers, "bring your own" deployment: the traffic controller, its frontend
// and its subnet association are Azure resources here; the ALB Controller (Helm, workload identity)
// programs them from the Gateway the release component creates.
// https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as servicenetworking from "@pulumi/azure-native/servicenetworking";
import type { AzureConfig } from "../../model/config";
import { resourceGroupId, roleDefinitionId, type RoleName } from "./roles";
import { GATEWAY_NAME, type Release } from "../k8s/release";
import type { AppPlacement } from "../platform";
import { agcWaf, wafPolicyAttachment } from "./waf";

/** GatewayClass the ALB Controller installs and reconciles. */
export const AGC_GATEWAY_CLASS = "azure-alb-external";
export const ALB_CHART = "oci://mcr.microsoft.com/application-lb/charts/alb-controller";
export const ALB_NAMESPACE = "azure-alb-system";
/** The controller's service account, which the federated credential trusts. */
export const ALB_SERVICE_ACCOUNT = "alb-controller-sa";
const FRONTEND = "app";

export interface AzureLoadBalancerArgs {
    location: string;
    resourceGroupName: pulumi.Input<string>;
    resourceGroupId: pulumi.Input<string>;
    agcSubnetId: pulumi.Input<string>;
    oidcIssuerUrl: pulumi.Input<string>;
    nodeResourceGroup: pulumi.Input<string>;
    subscriptionId: pulumi.Input<string>;
    provider: k8s.Provider;
    settings: AzureConfig;
    tags: Record<string, string>;
}

/** What the release component's Gateway needs to land on this AGC and frontend. */
export interface AgcGatewaySettings {
    className: string;
    annotations: Record<string, pulumi.Input<string>>;
    addresses: { type: string; value: string }[];
}

export class AzureLoadBalancer extends pulumi.ComponentResource {
    /** Public FQDN of the frontend (`<hash>.fz<nn>.alb.azure.com`). */
    readonly fqdn: pulumi.Output<string>;
    readonly trafficControllerId: pulumi.Output<string>;
    /** The WAF policy the Gateway's WebApplicationFirewallPolicy names; undefined with azure.waf false. */
    readonly wafPolicyId?: pulumi.Output<string>;
    readonly gateway: AgcGatewaySettings;
    /** Install of the controller, GatewayClass and Gateway API CRDs: Gateway objects depend on it. */
    readonly controller: k8s.helm.v3.Release;

    constructor(name: string, args: AzureLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:LoadBalancer", name, {}, opts);
        const { location, tags, resourceGroupName } = args;
        if (!/^\d+\.\d+\.\d+$/.test(args.settings.albControllerVersion))
            throw new Error(`AzureLoadBalancer ${name}: albControllerVersion must be a chart version, got ${args.settings.albControllerVersion}`);
        const parent = { parent: this };
        const role = (r: RoleName) => pulumi.output(args.subscriptionId).apply((sub) => roleDefinitionId(sub, r));

        const tc = new servicenetworking.TrafficControllerInterface(`${name}-agc`, { resourceGroupName, location, tags }, parent);
        const frontend = new servicenetworking.FrontendsInterface(
            `${name}-frontend`,
            { resourceGroupName, location, trafficControllerName: tc.name, frontendName: FRONTEND, tags },
            parent,
        );
        const association = new servicenetworking.AssociationsInterface(
            `${name}-association`,
            { resourceGroupName, location, trafficControllerName: tc.name, associationType: "subnets", subnet: { id: args.agcSubnetId }, tags },
            parent,
        );

        // The controller authenticates as this identity through workload identity (no secret anywhere).
        const identity = new managedidentity.UserAssignedIdentity(`${name}-alb-identity`, { resourceGroupName, location, tags }, parent);
        const federation = new managedidentity.FederatedIdentityCredential(
            `${name}-alb-federation`,
            {
                resourceGroupName,
                resourceName: identity.name,
                issuer: args.oidcIssuerUrl,
                subject: `system:serviceaccount:${ALB_NAMESPACE}:${ALB_SERVICE_ACCOUNT}`,
                audiences: ["api://AzureADTokenExchange"],
            },
            parent,
        );
        const grant = (key: string, r: RoleName, scope: pulumi.Input<string>) =>
            new authorization.RoleAssignment(
                `${name}-alb-${key}`,
                { principalId: identity.principalId, principalType: "ServicePrincipal", roleDefinitionId: role(r), scope },
                parent,
            );
        const waf = args.settings.waf ? agcWaf(name, { resourceGroupName, location, trafficControllerName: tc.name, tags }, parent) : undefined;
        const grants = [
            // Configure the AGC resources in their resource group.
            grant("config-manager", "appGwForContainersConfigurationManager", args.resourceGroupId),
            // Join the WAF policy (applicationGatewayWebApplicationFirewallPolicies/join/action, in Network
            // Contributor): without it the controller's attachment fails with LinkedAuthorizationFailed.
            // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-waf-gateway-api
            ...(waf ? [grant("waf-join", "networkContributor", waf.policy.id)] : []),
            // Join the association subnet.
            grant("subnet-join", "networkContributor", args.agcSubnetId),
            // Read the cluster's node resource group (pod and node state).
            grant(
                "node-rg-reader",
                "reader",
                pulumi.all([args.subscriptionId, args.nodeResourceGroup]).apply(([sub, rg]) => resourceGroupId(sub, rg)),
            ),
        ];

        this.controller = new k8s.helm.v3.Release(
            `${name}-alb-controller`,
            {
                chart: ALB_CHART,
                version: args.settings.albControllerVersion,
                // The chart's own namespace (albController.namespace) holds the controller; the release record lives here.
                namespace: "kube-system",
                values: {
                    albController: {
                        namespace: ALB_NAMESPACE,
                        podIdentity: { clientID: identity.clientId },
                        // Gateway API CRDs come with the chart (v1.5.1 bundle for chart 1.12.x).
                        installGatewayApiCRDs: true,
                    },
                },
                atomic: true,
                timeout: 600,
            },
            { ...parent, provider: args.provider, dependsOn: [federation, association, ...grants, ...(waf ? [waf.securityPolicy] : [])] },
        );

        this.fqdn = frontend.fqdn;
        this.trafficControllerId = tc.id;
        this.wafPolicyId = waf?.policy.id;
        this.gateway = {
            className: AGC_GATEWAY_CLASS,
            // BYO deployment: the Gateway names the AGC resource and the frontend it listens on.
            // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-traffic-splitting-gateway-api
            annotations: { "alb.networking.azure.io/alb-id": tc.id },
            addresses: [{ type: "alb.networking.azure.io/alb-frontend", value: FRONTEND }],
        };
        this.registerOutputs({ fqdn: this.fqdn, trafficControllerId: this.trafficControllerId });
    }
}

export interface HealthCheckArgs {
    namespace: pulumi.Input<string>;
    service: string;
    /** The pods' container port (AGC probes pods directly). */
    port: number;
    path: string;
}

/**
 * AGC HealthCheckPolicy for one Service: probe `path` on the pods and accept 2xx only.
 * https://learn.microsoft.com/azure/application-gateway/for-containers/custom-health-probe
 */
export function healthCheckPolicy({ namespace, service, port, path }: HealthCheckArgs) {
    return {
        apiVersion: "alb.networking.azure.io/v1",
        kind: "HealthCheckPolicy",
        metadata: { name: `${service}-health`, namespace },
        spec: {
            targetRef: { group: "", kind: "Service", name: service, namespace },
            default: {
                interval: "5s",
                timeout: "3s",
                healthyThreshold: 1,
                unhealthyThreshold: 2,
                port,
                http: { path, match: { statusCodes: [{ start: 200, end: 299 }] } },
                useTLS: false,
            },
        },
    };
}

/**
 * What AGC attaches to an app once its release exists: a probe of the health path on every Service the
 * release routes to (AGC probes pods directly), and the WAF policy on its Gateway, without which WAF
 * inspects nothing (components/azure/waf.ts).
 */
export function agcAppPolicies(lb: AzureLoadBalancer, { spec, namespace, release }: AppPlacement & { release: Release }, provider: k8s.Provider): void {
    const opts = { provider, dependsOn: [lb.controller, release] };
    for (const service of Object.values(release.serviceNames))
        new k8s.apiextensions.CustomResource(`${service}-health`, healthCheckPolicy({ namespace, service, port: spec.port, path: spec.healthPath }), opts);
    if (lb.wafPolicyId)
        new k8s.apiextensions.CustomResource(
            `${GATEWAY_NAME}-waf`,
            wafPolicyAttachment({ namespace, gateway: GATEWAY_NAME, wafPolicyId: lb.wafPolicyId }),
            opts,
        );
}
