// AWS WAF in front of the ALB: a regional web ACL with AWS managed rule groups, each blocking what it
// matches, everything else allowed. Metrics and sampled requests per rule group in CloudWatch/the console.
// Rule groups: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
// and https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";

export const MANAGED_RULE_GROUPS = [
    // Core rule set: OWASP Top 10 classes (XSS, LFI/RFI, SSRF, bad bots, oversize bodies and headers).
    "AWSManagedRulesCommonRuleSet",
    // Request patterns of known exploits (Log4j/Log4Shell, Java deserialization, localhost Host headers).
    "AWSManagedRulesKnownBadInputsRuleSet",
    // Source addresses Amazon threat intelligence lists (bots, reconnaissance, DDoS sources).
    "AWSManagedRulesAmazonIpReputationList",
] as const;

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/** A REGIONAL web ACL (the scope an ALB takes); its ARN goes into the LoadBalancerConfiguration's wafV2. */
export function albWebAcl(name: string, aclName: string, tags: Tags, opts: pulumi.CustomResourceOptions): aws.wafv2.WebAcl {
    return new aws.wafv2.WebAcl(
        name,
        {
            name: aclName,
            description: "zdp: AWS managed rule groups in front of the app's ALB",
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            rules: MANAGED_RULE_GROUPS.map((group, i) => ({
                name: group,
                priority: i,
                // "none": the group's own actions (block) apply; "count" would only report.
                overrideAction: { none: {} },
                statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
                visibilityConfig: visibility(`${aclName}-${group}`),
            })),
            visibilityConfig: visibility(aclName),
            tags,
        },
        opts,
    );
}
