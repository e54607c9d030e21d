// Azure Web Application Firewall on Application Gateway for Containers. It takes two halves, and WAF
// inspects nothing until both exist: in Azure, a SecurityPolicy child of the traffic controller naming
// the WAF policy; in the cluster, a WebApplicationFirewallPolicy object naming the same policy and the
// Gateway it guards. https://learn.microsoft.com/azure/web-application-firewall/ag/waf-application-gateway-for-containers-overview
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as servicenetworking from "@pulumi/azure-native/servicenetworking";

/**
 * The managed rule sets AGC accepts: the Default Rule Set 2.1 only (no OWASP CRS), and Bot Manager 1.0
 * or 1.1 (not 0.1); same limitations page as above.
 */
export const WAF_RULE_SETS = [
    { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
    { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
] as const;

export interface AgcWafArgs {
    resourceGroupName: pulumi.Input<string>;
    /** The WAF policy must be in the traffic controller's region and subscription. */
    location: string;
    trafficControllerName: pulumi.Input<string>;
    tags: Record<string, string>;
}

/** The WAF policy and the SecurityPolicy that lets the ALB Controller attach it to this traffic controller. */
export function agcWaf(name: string, args: AgcWafArgs, opts: pulumi.CustomResourceOptions) {
    const policy = new network.WebApplicationFirewallPolicy(
        `${name}-waf`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            managedRules: { managedRuleSets: WAF_RULE_SETS.map((r) => ({ ...r })) },
            // Prevention blocks a match (Detection, Azure's default mode, only logs it). No custom block
            // response: AGC refuses one (ApplicationGatewayFirewallAGCCustomBlockResponseNotSupported).
            policySettings: { state: "Enabled", mode: "Prevention", requestBodyCheck: true },
            tags: args.tags,
        },
        opts,
    );
    const securityPolicy = new servicenetworking.SecurityPoliciesInterface(
        `${name}-waf`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            trafficControllerName: args.trafficControllerName,
            wafPolicy: { id: policy.id },
            tags: args.tags,
        },
        opts,
    );
    return { policy, securityPolicy };
}

export interface WafAttachmentArgs {
    namespace: pulumi.Input<string>;
    /** The Gateway whose every listener and route the policy guards. */
    gateway: string;
    wafPolicyId: pulumi.Input<string>;
}

/**
 * The ALB Controller's WebApplicationFirewallPolicy for a whole Gateway (no sectionNames: all listeners).
 * https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-waf-gateway-api
 */
export function wafPolicyAttachment({ namespace, gateway, wafPolicyId }: WafAttachmentArgs) {
    return {
        apiVersion: "alb.networking.azure.io/v1",
        kind: "WebApplicationFirewallPolicy",
        metadata: { name: `${gateway}-waf`, namespace },
        spec: {
            targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: gateway, namespace },
            webApplicationFirewall: { id: wafPolicyId },
        },
    };
}
