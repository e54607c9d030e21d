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
import { DEFAULT_APP } from "../../model/appSpec";
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
/**
 * Frontends one AGC takes ("Frontends: 5 per gateway", Application Gateway for Containers limits in
 * https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits).
 * Each Gateway listens on a frontend of its own: "Every time you wish to create a new Gateway resource in
 * Kubernetes, a Frontend resource should be provisioned in Azure prior and referenced by the Gateway
 * resource" (BYO deployment, https://learn.microsoft.com/azure/application-gateway/for-containers/overview#deployment-strategies),
 * so one AGC serves at most five apps.
 */
export const AGC_MAX_FRONTENDS = 5;

/** An app's name for an object a single-app stack names `base`: the default app keeps it, another app prefixes its own name. */
export const appScoped = (app: string, base: string): string => (app === DEFAULT_APP ? base : `${app}-${base}`);

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
    /** The stack's apps (AppSpec names): one frontend each, named for the app (the default app's is `app`). */
    apps: string[];
    tags: Record<string, string>;
}

/** What the release component's Gateway needs to land on this AGC and frontend. */
export interface AgcGatewaySettings {
    className: string;
    annotations: Record<string, pulumi.Input<string>>;
    addresses: { type: string; value: string }[];
}

export class AzureLoadBalancer extends pulumi.ComponentResource {
    readonly trafficControllerId: pulumi.Output<string>;
    /** The WAF policy every Gateway's WebApplicationFirewallPolicy names; undefined with azure.waf false. */
    readonly wafPolicyId?: pulumi.Output<string>;
    /** Install of the controller, GatewayClass and Gateway API CRDs: Gateway objects depend on it. */
    readonly controller: k8s.helm.v3.Release;
    /** Each app's frontend, by app name. */
    private readonly frontends: Map<string, servicenetworking.FrontendsInterface>;

    constructor(name: string, args: AzureLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:LoadBalancer", name, {}, opts);
        const { location, tags, resourceGroupName } = args;
        if (!/^\d+\.\d+\.\d+$/.test(args.settings.albControllerVersion))
            throw new Error(`AzureLoadBalancer ${name}: albControllerVersion must be a chart version, got ${args.settings.albControllerVersion}`);
        if (args.apps.length === 0 || args.apps.length > AGC_MAX_FRONTENDS || new Set(args.apps).size !== args.apps.length)
            throw new Error(
                `AzureLoadBalancer ${name}: apps must be 1 to ${AGC_MAX_FRONTENDS} distinct names (one AGC frontend each), got [${args.apps.join(", ")}]`,
            );
        const parent = { parent: this };
        const role = (r: RoleName) => pulumi.output(args.subscriptionId).apply((sub) => roleDefinitionId(sub, r));

        const tc = new servicenetworking.TrafficControllerInterface(`${name}-agc`, { resourceGroupName, location, tags }, parent);
        // The default app's frontend keeps the name a single-app stack gave it (`app`, Pulumi `<name>-frontend`).
        const frontend = (app: string) =>
            new servicenetworking.FrontendsInterface(
                `${name}-${appScoped(app, "frontend")}`,
                { resourceGroupName, location, trafficControllerName: tc.name, frontendName: app, tags },
                parent,
            );
        this.frontends = new Map(args.apps.map((app) => [app, frontend(app)]));
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

        this.trafficControllerId = tc.id;
        this.wafPolicyId = waf?.policy.id;
        this.registerOutputs({ fqdn: this.frontendOf(args.apps[0]).fqdn, trafficControllerId: this.trafficControllerId });
    }

    /** The app's frontend; an app the load balancer was not built for has none (fail, not share another's). */
    frontendOf(app: string): servicenetworking.FrontendsInterface {
        const frontend = this.frontends.get(app);
        if (!frontend) throw new Error(`AzureLoadBalancer: no frontend for app ${app}; it has one for ${[...this.frontends.keys()].join(", ")}`);
        return frontend;
    }

    /** The app's Gateway on this AGC. BYO deployment: the Gateway names the AGC resource and the app's frontend. */
    gatewayOf(app: string): AgcGatewaySettings {
        this.frontendOf(app);
        return {
            className: AGC_GATEWAY_CLASS,
            // https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-traffic-splitting-gateway-api
            annotations: { "alb.networking.azure.io/alb-id": this.trafficControllerId },
            addresses: [{ type: "alb.networking.azure.io/alb-frontend", value: app }],
        };
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
 * inspects nothing (components/azure/waf.ts). The stack's one WAF policy and SecurityPolicy serve every
 * app's Gateway on the AGC ("a single Application Gateway for Containers resource can refer to more than
 * one security policy", each naming a WAF policy: .../for-containers/application-gateway-for-containers-components),
 * and WAF is billed once per AGC (.../for-containers/understanding-pricing); each Gateway needs its own attachment.
 */
export function agcAppPolicies(lb: AzureLoadBalancer, { spec, namespace, release }: AppPlacement & { release: Release }, provider: k8s.Provider): void {
    const opts = { provider, dependsOn: [lb.controller, release] };
    // Object names repeat in every app's namespace; Pulumi names carry the app (the default app's stay as they were).
    for (const service of Object.values(release.serviceNames))
        new k8s.apiextensions.CustomResource(
            appScoped(spec.name, `${service}-health`),
            healthCheckPolicy({ namespace, service, port: spec.port, path: spec.healthPath }),
            opts,
        );
    if (lb.wafPolicyId)
        new k8s.apiextensions.CustomResource(
            appScoped(spec.name, `${GATEWAY_NAME}-waf`),
            wafPolicyAttachment({ namespace, gateway: GATEWAY_NAME, wafPolicyId: lb.wafPolicyId }),
            opts,
        );
}
