// Network guardrails: nothing is open to the internet except the load balancer's HTTP/HTTPS listeners.
import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as aznet from "@pulumi/azure-native/network";
import * as agc from "@pulumi/azure-native/servicenetworking";
import * as compute from "@pulumi/gcp/compute";
import type { Policies, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { ALL_PORTS, DATA_PORTS, describePorts, internetOpenings, portText, publicDataPorts, type Grant, type PortRange } from "./ingress";
import { distinct, nsOf, portRange } from "./util";

const FIX = "open only TCP 80/443 to the internet (the load balancer); admit everything else from the VPC or a security group.";

/** A prop the analyzer does not know during preview reads as undefined here (its proxy throws on the read). */
function whenKnown<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof Error && "unknownTypeSentinel" in e) return undefined;
        throw e;
    }
}

/** Lower-case protocol, "all" for every protocol: AWS "-1", Azure "*", GCP "all"; IANA numbers 6/17/1 by name. */
function protocolOf(p: string | number | undefined): string {
    const s = String(p ?? "all").toLowerCase();
    return ({ "-1": "all", "*": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" } as Record<string, string>)[s] ?? s;
}

/** Port ranges from expressions ("443", "80-443", "*"); none listed, or one unreadable, means every port (fail closed). */
function portsOf(exprs: (string | number | undefined)[]): PortRange[] {
    const listed = exprs.filter((e): e is string | number => e !== undefined && e !== "");
    if (listed.length === 0) return [ALL_PORTS];
    const ranges = listed.map(portRange).filter((r): r is PortRange => r !== undefined);
    return ranges.length === listed.length ? ranges : [ALL_PORTS];
}

/** The first dependency of one of these types (the group, NSG or network a rule belongs to), else a key from the named prop. */
function owner(r: PolicyResource, types: Parameters<PolicyResource["isType"]>[0][], prop: string): string {
    const dep = r.dependencies.find((d) => types.some((t) => d.isType(t)));
    if (dep) return dep.urn;
    const named = whenKnown(() => r.props[prop]);
    return named === undefined ? r.urn : `${prop}=${String(named)}`;
}

interface AwsRule {
    protocol: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

function awsGrant(
    target: string,
    resource: string,
    protocol: string,
    from: number | undefined,
    to: number | undefined,
    sources: (string | undefined)[],
): Grant {
    const p = protocolOf(protocol);
    // For all protocols AWS ignores the ports; an unset port on a vpc ingress rule means all of them.
    const ports: PortRange[] = p === "all" || from === undefined || to === undefined || from < 0 ? [ALL_PORTS] : [[from, to]];
    return { target, resource, protocol: p, ports, sources: sources.filter((c): c is string => !!c) };
}

const SECURITY_GROUPS: Parameters<PolicyResource["isType"]>[0][] = [ec2.SecurityGroup, ec2.DefaultSecurityGroup];

/** AWS: inline ingress of (default) security groups, SecurityGroupRule and vpc.SecurityGroupIngressRule, each on its group. */
function awsGrants(resources: PolicyResource[]): Grant[] {
    const grants: Grant[] = [];
    for (const r of resources) {
        if (SECURITY_GROUPS.some((t) => r.isType(t))) {
            for (const i of (r.props.ingress ?? []) as AwsRule[])
                grants.push(awsGrant(r.urn, r.urn, i.protocol, i.fromPort, i.toPort, [...(i.cidrBlocks ?? []), ...(i.ipv6CidrBlocks ?? [])]));
        } else if (r.isType(ec2.SecurityGroupRule) && r.props.type === "ingress") {
            const p = r.props;
            grants.push(
                awsGrant(owner(r, SECURITY_GROUPS, "securityGroupId"), r.urn, p.protocol, p.fromPort, p.toPort, [
                    ...(p.cidrBlocks ?? []),
                    ...(p.ipv6CidrBlocks ?? []),
                ]),
            );
        } else if (r.isType(vpc.SecurityGroupIngressRule)) {
            const p = r.props;
            grants.push(awsGrant(owner(r, SECURITY_GROUPS, "securityGroupId"), r.urn, p.ipProtocol, p.fromPort, p.toPort, [p.cidrIpv4, p.cidrIpv6]));
        }
    }
    // An instance, database or cache in several groups is open to what they admit together.
    const groupUrns = new Set(resources.filter((r) => SECURITY_GROUPS.some((t) => r.isType(t))).map((r) => r.urn));
    const isRule = (r: PolicyResource) => r.isType(ec2.SecurityGroupRule) || r.isType(vpc.SecurityGroupIngressRule);
    const combined = new Set<string>();
    for (const r of resources.filter((x) => !isRule(x) && !groupUrns.has(x.urn))) {
        const groups = [...new Set(r.dependencies.filter((d) => groupUrns.has(d.urn)).map((d) => d.urn))].sort();
        if (groups.length > 1) combined.add(groups.join(" + "));
    }
    for (const key of combined) {
        const members = key.split(" + ");
        grants.push(...grants.filter((g) => members.includes(g.target)).map((g) => ({ ...g, target: key })));
    }
    return grants;
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

/** Azure service tags for the internet, and those that name no public address (the VNet, Azure's load balancer probe). */
const AZURE_INTERNET_TAGS = ["internet", "*", "any"];
const AZURE_PRIVATE_TAGS = ["virtualnetwork", "azureloadbalancer"];

function nsgGrant(target: string, resource: string, r: NsgRule): Grant[] {
    if (r.direction !== "Inbound" || r.access !== "Allow") return [];
    // Other service tags (AzureCloud, Storage, ...) are public addresses but not the whole internet: they stay
    // as names, which the union ignores and the public check counts as public.
    const sources = [r.sourceAddressPrefix, ...(r.sourceAddressPrefixes ?? [])]
        .filter((s): s is string => !!s)
        .filter((s) => !AZURE_PRIVATE_TAGS.includes(s.toLowerCase()))
        .map((s) => (AZURE_INTERNET_TAGS.includes(s.toLowerCase()) ? "internet" : s));
    return [{ target, resource, protocol: protocolOf(r.protocol), ports: portsOf([r.destinationPortRange, ...(r.destinationPortRanges ?? [])]), sources }];
}

/** Azure: the inline rules of each NSG and the SecurityRule resources on it. */
function azureGrants(resources: PolicyResource[]): Grant[] {
    return resources.flatMap((r) => {
        if (r.isType(aznet.NetworkSecurityGroup)) return ((r.props.securityRules ?? []) as NsgRule[]).flatMap((rule) => nsgGrant(r.urn, r.urn, rule));
        if (r.isType(aznet.SecurityRule)) return nsgGrant(owner(r, [aznet.NetworkSecurityGroup], "networkSecurityGroupName"), r.urn, r.props as NsgRule);
        return [];
    });
}

/**
 * GCP: a firewall applies to the instances of its network that carry one of its target tags or run as
 * one of its target service accounts (all of them with neither). An instance can carry every tag but
 * has one service account, so the worst case per network is: the untargeted and tag-targeted rules,
 * plus those targeting one service account (or none). https://cloud.google.com/firewall/docs/firewalls#rule_assignment
 */
function gcpGrants(resources: PolicyResource[]): Grant[] {
    const firewalls = resources.filter(
        (r) => r.isType(compute.Firewall) && (r.props.direction ?? "INGRESS") === "INGRESS" && r.props.disabled !== true && (r.props.allows ?? []).length > 0,
    );
    const grants: Grant[] = [];
    for (const [network, list] of groupByNetwork(firewalls)) {
        const accounts = distinct(list.flatMap((f) => f.props.targetServiceAccounts ?? []));
        for (const account of [undefined, ...accounts]) {
            const target = `${network} as ${account ?? "any service account"}`;
            for (const f of list.filter((x) => !x.props.targetServiceAccounts?.length || x.props.targetServiceAccounts.includes(account))) {
                // An ingress rule without any source applies to 0.0.0.0/0 (https://cloud.google.com/firewall/docs/firewalls#sources_for_rules).
                const p = f.props;
                const noSource = !p.sourceRanges?.length && !p.sourceTags?.length && !p.sourceServiceAccounts?.length;
                const sources: string[] = noSource ? ["0.0.0.0/0"] : (p.sourceRanges ?? []);
                for (const a of p.allows as { protocol: string; ports?: string[] }[])
                    grants.push({ target, resource: f.urn, protocol: protocolOf(a.protocol), ports: portsOf(a.ports ?? []), sources });
            }
        }
    }
    return grants;
}

function groupByNetwork(firewalls: PolicyResource[]): Map<string, PolicyResource[]> {
    const out = new Map<string, PolicyResource[]>();
    for (const f of firewalls) {
        const key = owner(f, [compute.Network], "network");
        out.set(key, [...(out.get(key) ?? []), f]);
    }
    return out;
}

const ingressGrants = (resources: PolicyResource[]) => [...awsGrants(resources), ...azureGrants(resources), ...gcpGrants(resources)];

/** Resources that hold inbound rules. */
const RULE_TYPES: Parameters<PolicyResource["isType"]>[0][] = [
    ec2.SecurityGroup,
    ec2.DefaultSecurityGroup,
    ec2.SecurityGroupRule,
    vpc.SecurityGroupIngressRule,
    aznet.NetworkSecurityGroup,
    aznet.SecurityRule,
    compute.Firewall,
];

/** The GatewayClass of Application Gateway for Containers (the ALB Controller installs it). */
const AGC_GATEWAY_CLASS = "azure-alb-external";
const AGC_WAF_CR = "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

export const networkPolicies: Policies = [
    {
        // A stack rule: rules add up. Two rules admitting 0.0.0.0/1 and 128.0.0.0/1 on one group, NSG or
        // network are the internet as surely as one rule admitting 0.0.0.0/0.
        name: "network-no-public-ingress",
        description:
            "No security group, NSG or firewall admits the internet, alone or together with the other rules on the same target, except TCP 80/443 for the load balancer.",
        validateStack: (args, report) => {
            if (!args.resources.some((r) => RULE_TYPES.some((t) => r.isType(t)))) args.notApplicable("no security group, NSG or firewall in this stack");
            const name = new Map(args.resources.map((r) => [r.urn, r.name]));
            // A group open alone is open in every combination with others: say so once per resource and port.
            const said = new Set<string>();
            for (const o of internetOpenings(ingressGrants(args.resources))) {
                const contributors = [...new Set(o.grants.map((g) => g.resource))];
                const where = describePorts(o.protocol, o.ports);
                const detail = o.grants.map((g) => `${g.sources.join(",")} on ${name.get(g.resource)}`).join("; ");
                const what = contributors.length > 1 ? `${contributors.length} rules together admit` : "admits";
                for (const urn of contributors.filter((u) => !said.has(`${u} ${where}`))) {
                    said.add(`${urn} ${where}`);
                    report(`${name.get(urn)} ${what} the internet on ${where} (${detail}): ${FIX}`, urn);
                }
            }
        },
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
        description: "Every Application Gateway for Containers Gateway sits behind an Azure WAF policy with Microsoft's Default Rule Set.",
        validateStack: (args, report) => {
            const controllers = args.resources.filter((r) => r.isType(agc.TrafficControllerInterface));
            const gateways = args.resources.filter((r) => r.type === GATEWAY && r.props.spec?.gatewayClassName === AGC_GATEWAY_CLASS);
            if (controllers.length === 0 && gateways.length === 0) args.notApplicable("no Application Gateway for Containers in this stack");
            const wafFix = "set azure.waf true";
            // Whether the policy blocks (mode Prevention) is waf-blocks', with the other clouds' firewalls.
            for (const p of args.resources.filter((r) => r.isType(aznet.WebApplicationFirewallPolicy))) {
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

/** Issue 26: a public source on a data port, whether or not it adds up to the internet. */
export const networkDataPortsPrivate: StackValidationPolicy = {
    // A stack rule, as above: the same grants, each on its own. Any public source is too many on a data port.
    name: "network-data-ports-private",
    description: `No security group, NSG or firewall rule admits any public address to a data-store port (${DATA_PORTS.map((d) => portText(d.ports)).join(", ")}), not even a range short of the internet.`,
    validateStack: (args, report) => {
        if (!args.resources.some((r) => RULE_TYPES.some((t) => r.isType(t)))) args.notApplicable("no security group, NSG or firewall in this stack");
        const seen = new Set<string>();
        for (const g of ingressGrants(args.resources)) {
            const ports = publicDataPorts(g);
            const key = `${g.resource} ${g.sources.join(",")} ${ports.join(",")}`;
            if (ports.length === 0 || seen.has(key)) continue;
            seen.add(key);
            report(
                `Rule admits public sources (${g.sources.join(", ")}) to data port ${ports.join(", ")}: admit only the cluster's private ranges, its security group or its service account.`,
                g.resource,
            );
        }
    },
};
