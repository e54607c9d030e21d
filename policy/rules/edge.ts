// Edge guardrails on the AWS Load Balancer Controller's LoadBalancerConfiguration (the ALB the stack's
// Gateway becomes): access logs to S3, AWS WAF in front, HSTS on HTTPS. Presence checks where the value
// is an ARN or a generated name, so they hold in a first preview too, before those exist. On GKE and
// Application Gateway for Containers the HSTS header comes from the HTTPS routes instead (route-hsts).
import type { Policies, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { coversInternet } from "../cidr";
import { nsOf } from "./util";

const LB_CONFIGURATION = "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const WEB_ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
/** Headers that carry credentials and must never reach the WAF logs. */
const CREDENTIAL_HEADERS = ["authorization", "cookie"];
/** One year: the least max-age the browsers' HSTS preload list accepts (https://hstspreload.org/). */
export const HSTS_MIN_MAX_AGE = 31536000;

interface Attribute {
    key: string;
    value?: unknown;
}
/** GatewayClasses that take HSTS from a ResponseHeaderModifier on the routes (the ALB adds its own: alb-hsts). */
const ROUTE_HSTS_CLASSES = ["gke-l7-global-external-managed", "azure-alb-external"];
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const GATEWAY_GROUP = "gateway.networking.k8s.io";

interface HeaderFilter {
    type?: string;
    responseHeaderModifier?: { set?: { name: string; value: string }[]; add?: { name: string; value: string }[] };
}
const has = (o: object | undefined, key: string) => o !== undefined && Object.prototype.hasOwnProperty.call(o, key);

/** The max-age of a Strict-Transport-Security value, or undefined when it has none. */
export function hstsMaxAge(value: string): number | undefined {
    const m = /(?:^|;)\s*max-age=(\d+)\s*(?:;|$)/i.exec(value);
    return m ? Number(m[1]) : undefined;
}

/** The Strict-Transport-Security value a route rule's filters set or add, if any. */
export function routeHsts(filters: HeaderFilter[] | undefined): string | undefined {
    const headers = (filters ?? [])
        .filter((f) => f.type === "ResponseHeaderModifier")
        .flatMap((f) => [...(f.responseHeaderModifier?.set ?? []), ...(f.responseHeaderModifier?.add ?? [])]);
    return headers.find((h) => h.name.toLowerCase() === "strict-transport-security")?.value;
}

/** `namespace/name` → HTTPS listener names of the Gateways whose class takes HSTS from the routes. */
function httpsListeners(resources: PolicyResource[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const gw of resources.filter((r) => r.type === GATEWAY && ROUTE_HSTS_CLASSES.includes(r.props.spec?.gatewayClassName))) {
        const names = (gw.props.spec?.listeners ?? []).filter((l: { protocol?: string }) => l.protocol === "HTTPS").map((l: { name: string }) => l.name);
        out.set(`${nsOf(gw.props.metadata)}/${gw.props.metadata?.name}`, names);
    }
    return out;
}

export const edgePolicies: Policies = [
    {
        name: "alb-access-logs",
        description: "Every ALB the Load Balancer Controller builds writes access logs to S3.",
        validateResource: (args, report) => {
            if (args.type !== LB_CONFIGURATION) return;
            const attrs: Attribute[] = args.props.spec?.loadBalancerAttributes ?? [];
            const enabled = attrs.find((a) => a.key === "access_logs.s3.enabled");
            const bucket = attrs.find((a) => a.key === "access_logs.s3.bucket");
            if (enabled?.value !== "true" || !has(bucket, "value"))
                report(
                    'ALB access logs are off: add loadBalancerAttributes access_logs.s3.enabled "true" and access_logs.s3.bucket (components/aws/accessLogs.ts).',
                );
        },
    },
    {
        name: "alb-waf",
        description: "Every internet-facing ALB sits behind an AWS WAF web ACL.",
        validateResource: (args, report) => {
            if (args.type !== LB_CONFIGURATION || args.props.spec?.scheme === "internal") return;
            if (!has(args.props.spec?.wafV2, "webACL")) report("Internet-facing ALB has no AWS WAF web ACL: set aws.waf true (spec.wafV2.webACL).");
        },
    },
    {
        // A stack rule: the logging configuration is its own resource, tied to its web ACL by dependency.
        name: "alb-waf-rate-limit-logging",
        description: "Every AWS WAF web ACL blocks a flooding source IP with a rate-based rule and logs what it blocks, credentials redacted.",
        validateStack: (args, report) => {
            const acls = args.resources.filter((r) => r.type === WEB_ACL);
            if (acls.length === 0) args.notApplicable("no AWS WAF web ACL in this stack");
            for (const acl of acls) {
                const name = String(acl.props.name ?? acl.name);
                const rules: { action?: object; statement?: { rateBasedStatement?: object } }[] = acl.props.rules ?? [];
                if (!rules.some((r) => r.statement?.rateBasedStatement && has(r.action, "block")))
                    report(
                        `Web ACL ${name} has no blocking rate-based rule: add a rule with statement.rateBasedStatement and action block (components/aws/waf.ts).`,
                    );
                const logging = args.resources.filter((r) => r.type === WEB_ACL_LOGGING && r.dependencies.includes(acl));
                if (logging.length === 0)
                    report(`Web ACL ${name} logs nothing: add a WebAclLoggingConfiguration with resourceArn set to its ARN (an aws-waf-logs-* destination).`);
                for (const l of logging) {
                    const redacted = (l.props.redactedFields ?? []).map((f: { singleHeader?: { name?: string } }) => f.singleHeader?.name?.toLowerCase());
                    const missing = CREDENTIAL_HEADERS.filter((h) => !redacted.includes(h));
                    if (missing.length > 0) report(`Web ACL ${name} writes credentials to its logs: add redactedFields singleHeader ${missing.join(", ")}.`);
                }
            }
        },
    },
    {
        name: "alb-hsts",
        description: `Every HTTPS listener of an ALB sends Strict-Transport-Security with max-age of at least ${HSTS_MIN_MAX_AGE} s.`,
        validateResource: (args, report) => {
            if (args.type !== LB_CONFIGURATION) return;
            for (const l of args.props.spec?.listenerConfigurations ?? []) {
                if (!String(l.protocolPort).startsWith("HTTPS")) continue;
                const hsts = (l.listenerAttributes ?? []).find((a: Attribute) => a.key === "routing.http.response.strict_transport_security.header_value");
                const maxAge = hsts ? hstsMaxAge(String(hsts.value)) : undefined;
                if (maxAge === undefined || maxAge < HSTS_MIN_MAX_AGE)
                    report(
                        `HTTPS listener ${l.protocolPort} sends no HSTS of a year or more (${hsts ? `"${hsts.value}"` : "none"}): add the listener attribute routing.http.response.strict_transport_security.header_value "max-age=${HSTS_MIN_MAX_AGE}; includeSubDomains".`,
                    );
            }
        },
    },
    {
        // A stack rule: whether a route serves HTTPS depends on the listener its parentRef names.
        name: "route-hsts",
        description: `On GKE Gateway and Application Gateway for Containers, every rule of a route on an HTTPS listener sets Strict-Transport-Security with max-age of at least ${HSTS_MIN_MAX_AGE} s.`,
        validateStack: (args, report) => {
            const listeners = httpsListeners(args.resources);
            if (listeners.size === 0) args.notApplicable("no GKE Gateway or Application Gateway for Containers in this stack");
            for (const route of args.resources.filter((r) => r.type === HTTP_ROUTE)) {
                const ns = nsOf(route.props.metadata);
                const onHttps = (route.props.spec?.parentRefs ?? []).some(
                    (p: { group?: string; kind?: string; name: string; namespace?: string; sectionName?: string }) =>
                        (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
                        (p.kind ?? "Gateway") === "Gateway" &&
                        // A parentRef without sectionName attaches to every listener, the HTTPS ones included.
                        (listeners.get(`${p.namespace ?? ns}/${p.name}`) ?? []).some((l) => p.sectionName === undefined || p.sectionName === l),
                );
                if (!onHttps) continue;
                (route.props.spec?.rules ?? []).forEach((rule: { filters?: HeaderFilter[] }, i: number) => {
                    const hsts = routeHsts(rule.filters);
                    const maxAge = hsts === undefined ? undefined : hstsMaxAge(hsts);
                    if (maxAge === undefined || maxAge < HSTS_MIN_MAX_AGE)
                        report(
                            `HTTPRoute ${ns}/${route.props.metadata?.name} rule ${i} serves HTTPS without HSTS of a year or more (${hsts === undefined ? "none" : `"${hsts}"`}): add a ResponseHeaderModifier filter that sets Strict-Transport-Security "max-age=${HSTS_MIN_MAX_AGE}; includeSubDomains".`,
                            route.urn,
                        );
                });
            }
        },
    },
];

const WEB_ACL_RULE = "aws:wafv2/webAclRule:WebAclRule";
const WEB_ACL_RULE_GROUP = "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation";
const AZURE_WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy";
const ARMOR_POLICY = "gcp:compute/securityPolicy:SecurityPolicy";
const ARMOR_RULE = "gcp:compute/securityPolicyRule:SecurityPolicyRule";

interface AwsWafRule {
    name?: string;
    action?: object;
    overrideAction?: object;
}
interface ArmorRule {
    priority: number;
    action: string;
    preview?: boolean;
    match?: { config?: { srcIpRanges?: string[] }; expr?: { expression?: string } };
}

/** Why an AWS WAF rule only counts, or undefined: a rule's action count, or a rule group's override to count. */
function awsCounts(r: AwsWafRule): string | undefined {
    if (has(r.action, "count")) return `rule ${r.name ?? ""} has action count`;
    if (has(r.overrideAction, "count")) return `rule group ${r.name ?? ""} has overrideAction count (every rule in it only counts)`;
    return undefined;
}

/** A Cloud Armor rule that matches every request: all source ranges, or the expression `true`. */
const matchesAll = (r: ArmorRule) => coversInternet(r.match?.config?.srcIpRanges ?? []) || r.match?.expr?.expression?.trim() === "true";

/** Cloud Armor actions that stop a request (https://cloud.google.com/armor/docs/security-policy-overview#actions). */
const blocks = (r: ArmorRule) => /^(deny|rate_based_ban|throttle)/.test(r.action) && r.preview !== true;

/**
 * What keeps a Cloud Armor policy from blocking: its own rules in preview, an allow-everything rule ahead
 * of its denies, or no deny at all. `separate` are SecurityPolicyRule resources (each reports its own preview).
 */
function armorProblems(inline: ArmorRule[], separate: ArmorRule[]): string[] {
    const problems = inline.filter((r) => r.preview === true).map((r) => `rule ${r.priority} is in preview (it only logs what it would ${r.action})`);
    const rules = [...inline, ...separate];
    const denies = rules.filter(blocks);
    if (denies.length === 0) problems.push("no rule denies anything");
    const lastDeny = Math.max(...denies.map((r) => r.priority));
    for (const r of rules.filter((x) => x.action === "allow" && x.preview !== true && matchesAll(x) && x.priority < lastDeny))
        problems.push(`rule ${r.priority} allows every request before the deny rules behind it`);
    return problems;
}

const AWS_FIX = "let it block (action block, or overrideAction none on a managed rule group; components/aws/waf.ts).";

/** Why a web ACL rule resource, or a rule group attached to a web ACL, only counts. */
function awsRuleProblem(r: PolicyResource): string | undefined {
    const p = r.props;
    const problem = r.type === WEB_ACL_RULE ? awsCounts(p) : p.overrideAction === "count" ? "the rule group's overrideAction is count" : undefined;
    return problem && `Web ACL rule ${String(p.name ?? p.ruleName ?? r.name)} does not block, ${problem}: ${AWS_FIX}`;
}

/** Issue 26: a WAF that is there but does not block. */
export const wafBlocks: StackValidationPolicy = {
    // Count mode (AWS), Detection mode (Azure) and preview (Cloud Armor) log what they would block and let
    // it through; the project's firewalls are meant to block. Single signatures tuned in a managed group
    // (AWS ruleActionOverrides, Cloud Armor opt_out_rule_ids) stay allowed: they are reviewed like code.
    // A stack rule: Cloud Armor rules may be resources of their own, tied to their policy by dependency.
    name: "waf-blocks",
    description:
        "Every web application firewall blocks what its rules match: no AWS WAF rule or managed rule group in count mode, every Azure WAF policy Enabled in Prevention mode, no Cloud Armor rule in preview and no allow-everything rule ahead of the deny rules.",
    validateStack: (args, report) => {
        const types = [WEB_ACL, WEB_ACL_RULE, WEB_ACL_RULE_GROUP, AZURE_WAF_POLICY, ARMOR_POLICY, ARMOR_RULE];
        const wafs = args.resources.filter((r) => types.includes(r.type));
        if (wafs.length === 0) args.notApplicable("no web application firewall in this stack");
        for (const r of wafs) {
            const p = r.props;
            if (r.type === WEB_ACL) {
                for (const problem of ((p.rules ?? []) as AwsWafRule[]).map(awsCounts).filter((x) => x !== undefined))
                    report(`Web ACL ${String(p.name ?? r.name)} does not block, its ${problem}: ${AWS_FIX}`, r.urn);
            } else if (r.type === WEB_ACL_RULE || r.type === WEB_ACL_RULE_GROUP) {
                const problem = awsRuleProblem(r);
                if (problem) report(problem, r.urn);
            } else if (r.type === AZURE_WAF_POLICY) {
                const s = p.policySettings;
                if (s?.state === "Disabled" || s?.mode !== "Prevention")
                    report(
                        `WAF policy is ${s?.state ?? "Enabled"} in ${s?.mode ?? "Detection"} mode and blocks nothing: set policySettings { state: "Enabled", mode: "Prevention" } (Detection, the default, only logs).`,
                        r.urn,
                    );
            } else if (r.type === ARMOR_POLICY) {
                const separate = wafs.filter((x) => x.type === ARMOR_RULE && x.dependencies.includes(r)).map((x) => x.props as ArmorRule);
                const problems = armorProblems(p.rules ?? [], separate);
                if (problems.length > 0)
                    report(
                        `Cloud Armor policy ${String(p.name ?? r.name)} does not block: ${problems.join("; ")}. Fix: remove preview, and keep the deny rules ahead of any allow-all rule (components/gcp/cloudArmor.ts).`,
                        r.urn,
                    );
            } else if (p.preview === true) {
                report(`Cloud Armor rule ${String(p.priority)} is in preview and only logs what it would ${String(p.action)}: remove preview: true.`, r.urn);
            }
        }
    },
};
