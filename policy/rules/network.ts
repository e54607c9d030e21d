// Network guardrails: nothing is open to the internet except the load balancer's HTTP/HTTPS listeners.
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as aznet from "@pulumi/azure-native/network";
import * as agc from "@pulumi/azure-native/servicenetworking";
import * as compute from "@pulumi/gcp/compute";
import { Policies, validateResourceOfType } from "@pulumi/policy";
import { coversInternet } from "../cidr";
import { nsOf, onlyLbPortExprs, onlyLbPorts } from "./util";

const FIX = "open only TCP 80/443 to the internet (the load balancer); admit everything else from the VPC or a security group.";

/** An AWS rule is fine unless it admits the internet on something other than TCP 80 or 443. */
function awsOpen(protocol: string, from: number | undefined, to: number | undefined, cidrs: (string | undefined)[]): boolean {
    if (!coversInternet(cidrs)) return false;
    const tcp = protocol === "tcp" || protocol === "6";
    return !(tcp && onlyLbPorts(from, to));
}

interface NsgRule {
    direction: string;
    access: string;
    protocol: string;
    sourceAddressPrefix?: string;
    sourceAddressPrefixes?: string[];
    destinationPortRange?: string;
    destinationPortRanges?: string[];
}

function nsgOpen(r: NsgRule): boolean {
    if (r.direction !== "Inbound" || r.access !== "Allow") return false;
    const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])];
    if (!coversInternet(sources)) return false;
    const ports = [r.destinationPortRange, ...(r.destinationPortRanges ?? [])].filter((p): p is string => !!p);
    return !(r.protocol.toLowerCase() === "tcp" && onlyLbPortExprs(ports));
}

/** The GatewayClass of Application Gateway for Containers (the ALB Controller installs it). */
const AGC_GATEWAY_CLASS = "azure-alb-external";
const AGC_WAF_CR = "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

export const networkPolicies: Policies = [
    {
        name: "network-no-public-ingress",
        description: "No security group, NSG or firewall rule admits the internet except TCP 80/443 for the load balancer.",
        validateResource: [
            validateResourceOfType(ec2.SecurityGroup, (sg, _args, report) => {
                for (const r of sg.ingress ?? []) {
                    if (awsOpen(r.protocol, r.fromPort, r.toPort, [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])])) {
                        report(`Security group admits the internet on ${r.protocol} ${r.fromPort}-${r.toPort}: ${FIX}`);
                    }
                }
            }),
            validateResourceOfType(ec2.SecurityGroupRule, (r, _args, report) => {
                if (r.type === "ingress" && awsOpen(r.protocol, r.fromPort, r.toPort, [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])])) {
                    report(`Security group rule admits the internet on ${r.protocol} ${r.fromPort}-${r.toPort}: ${FIX}`);
                }
            }),
            validateResourceOfType(vpc.SecurityGroupIngressRule, (r, _args, report) => {
                if (awsOpen(r.ipProtocol, r.fromPort, r.toPort, [r.cidrIpv4, r.cidrIpv6])) {
                    report(`Ingress rule admits the internet on ${r.ipProtocol} ${r.fromPort ?? "all"}-${r.toPort ?? "all"}: ${FIX}`);
                }
            }),
            validateResourceOfType(aznet.NetworkSecurityGroup, (nsg, _args, report) => {
                for (const r of nsg.securityRules ?? []) {
                    if (nsgOpen(r))
                        report(
                            `NSG rule "${r.name}" admits the internet on ${r.protocol} ${String(r.destinationPortRange ?? r.destinationPortRanges)}: ${FIX}`,
                        );
                }
            }),
            validateResourceOfType(aznet.SecurityRule, (r, _args, report) => {
                if (nsgOpen(r)) report(`NSG rule admits the internet on ${r.protocol} ${String(r.destinationPortRange ?? r.destinationPortRanges)}: ${FIX}`);
            }),
            validateResourceOfType(compute.Firewall, (fw, _args, report) => {
                if ((fw.direction ?? "INGRESS") !== "INGRESS" || fw.disabled === true || (fw.allows ?? []).length === 0) return;
                // An ingress rule without any source applies to 0.0.0.0/0.
                // https://cloud.google.com/firewall/docs/firewalls#sources_for_rules
                const noSource = !fw.sourceRanges?.length && !fw.sourceTags?.length && !fw.sourceServiceAccounts?.length;
                if (!noSource && !coversInternet(fw.sourceRanges ?? [])) return;
                const openPorts = (fw.allows ?? []).some((a) => a.protocol !== "tcp" || !onlyLbPortExprs(a.ports));
                if (openPorts) report(`Firewall admits the internet beyond TCP 80/443: ${FIX}`);
            }),
        ],
    },
    {
        name: "gke-cloud-armor",
        description: "Every GKE backend of the app sits behind a Cloud Armor security policy.",
        validateResource: (args, report) => {
            if (args.type !== "kubernetes:networking.gke.io/v1:GCPBackendPolicy") return;
            if (!args.props.spec?.default?.securityPolicy)
                report("GCPBackendPolicy attaches no Cloud Armor policy: set gcp.cloudArmor true (spec.default.securityPolicy).");
        },
    },
    {
        // A stack rule: AGC's WAF needs a SecurityPolicy on the traffic controller and a
        // WebApplicationFirewallPolicy object on the Gateway; with either missing it inspects nothing.
        // https://learn.microsoft.com/azure/web-application-firewall/ag/waf-application-gateway-for-containers-overview
        name: "agc-waf",
        description: "Every Application Gateway for Containers Gateway sits behind a prevention-mode Azure WAF policy with Microsoft's Default Rule Set.",
        validateStack: (args, report) => {
            const controllers = args.resources.filter((r) => r.isType(agc.TrafficControllerInterface));
            const gateways = args.resources.filter((r) => r.type === GATEWAY && r.props.spec?.gatewayClassName === AGC_GATEWAY_CLASS);
            if (controllers.length === 0 && gateways.length === 0) args.notApplicable("no Application Gateway for Containers in this stack");
            const wafFix = "set azure.waf true";
            for (const p of args.resources.filter((r) => r.isType(aznet.WebApplicationFirewallPolicy))) {
                const settings = p.props.policySettings;
                if (settings?.state === "Disabled" || settings?.mode !== "Prevention")
                    report('WAF policy does not block: set policySettings { state: "Enabled", mode: "Prevention" } (Detection only logs).', p.urn);
                if (!(p.props.managedRules?.managedRuleSets ?? []).some((m: any) => m.ruleSetType === "Microsoft_DefaultRuleSet"))
                    report("WAF policy has no Microsoft_DefaultRuleSet (the only managed OWASP rules AGC runs): add it at version 2.1.", p.urn);
            }
            const securityPolicies = args.resources.filter((r) => r.isType(agc.SecurityPoliciesInterface) && r.props.wafPolicy?.id);
            for (const tc of controllers) {
                if (!securityPolicies.some((sp) => sp.dependencies.includes(tc)))
                    report(
                        `Application Gateway for Containers has no SecurityPolicy naming a WAF policy: ${wafFix} (a SecurityPoliciesInterface with wafPolicy.id).`,
                        tc.urn,
                    );
            }
            const attachments = args.resources.filter((r) => r.type === AGC_WAF_CR && r.props.spec?.webApplicationFirewall?.id);
            for (const gw of gateways) {
                const [name, ns] = [gw.props.metadata?.name, nsOf(gw.props.metadata)];
                const guarded = attachments.some((a) => {
                    const t = a.props.spec.targetRef ?? {};
                    return t.kind === "Gateway" && t.name === name && (t.namespace ?? nsOf(a.props.metadata)) === ns && !t.sectionNames?.length;
                });
                if (!guarded)
                    report(
                        `Gateway ${ns}/${name} has no WebApplicationFirewallPolicy over all its listeners: ${wafFix} (targetRef kind Gateway, webApplicationFirewall.id).`,
                        gw.urn,
                    );
            }
        },
    },
];
