// Cloud Armor in front of the app's backend services: OWASP CRS 3.3 rules Google maintains, each
// answering 403 on a match, at sensitivity 1 (the highest-confidence signatures, the fewest false
// positives). https://cloud.google.com/armor/docs/waf-rules, https://cloud.google.com/armor/docs/rule-tuning
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export const WAF_RULES = [
    "sqli-v33-stable",
    "xss-v33-stable",
    "lfi-v33-stable",
    "rfi-v33-stable",
    "rce-v33-stable",
    "methodenforcement-v33-stable",
    "scannerdetection-v33-stable",
    "protocolattack-v33-stable",
    "sessionfixation-v33-stable",
] as const;
/**
 * Signatures opted out of a rule. CRS 911100 (the only method-enforcement signature at sensitivity 1,
 * https://cloud.google.com/armor/docs/waf-rules) allows GET, HEAD, POST and OPTIONS only (CRS's default
 * tx.allowed_methods): every PUT, PATCH and DELETE the app serves would get 403. The app's own router
 * answers methods it does not serve. Syntax: https://cloud.google.com/armor/docs/rule-tuning#opt_out_rule_signatures
 */
export const OPT_OUT: Partial<Record<(typeof WAF_RULES)[number], string[]>> = {
    "methodenforcement-v33-stable": ["owasp-crs-v030301-id911100-methodenforcement"],
};

/** The match expression of a preconfigured rule at sensitivity 1, with its opted-out signatures. */
export function wafExpression(rule: (typeof WAF_RULES)[number]): string {
    const optOut = OPT_OUT[rule];
    const options = optOut ? `{'sensitivity': 1, 'opt_out_rule_ids': [${optOut.map((id) => `'${id}'`).join(", ")}]}` : `{'sensitivity': 1}`;
    return `evaluatePreconfiguredWaf('${rule}', ${options})`;
}

/** The rule every security policy ends with (the API adds it when absent; declared so it never drifts). */
export const DEFAULT_RULE_PRIORITY = 2147483647;

/** A backend security policy; its name goes into each GCPBackendPolicy (`securityPolicy`). */
export function cloudArmorPolicy(name: string, policyName: string, opts: pulumi.CustomResourceOptions): gcp.compute.SecurityPolicy {
    return new gcp.compute.SecurityPolicy(
        name,
        {
            name: policyName,
            description: "zdp: OWASP CRS 3.3 preconfigured WAF rules in front of the app",
            type: "CLOUD_ARMOR",
            rules: [
                ...WAF_RULES.map((rule, i) => ({
                    priority: 1000 + i,
                    action: "deny(403)",
                    description: `OWASP CRS 3.3 ${rule}`,
                    match: { expr: { expression: wafExpression(rule) } },
                })),
                {
                    priority: DEFAULT_RULE_PRIORITY,
                    action: "allow",
                    description: "everything the rules above let through",
                    match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
                },
            ],
        },
        opts,
    );
}
