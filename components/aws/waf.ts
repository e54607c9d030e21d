// AWS WAF in front of the ALB: a regional web ACL with a per-IP rate limit and AWS managed rule groups,
// each blocking what it matches, everything else allowed. Metrics and sampled requests per rule in
// CloudWatch/the console; what WAF blocks or counts logged to a CloudWatch Logs group with the stack's
// retention (every request is already in the ALB's access logs: logging the allowed ones again would
// bill millions of log records a day for nothing the access logs lack).
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

/**
 * Requests one source IP may send in 5 minutes before WAF blocks it (until its rate falls below):
 * 20 requests/s sustained, far above one person's browsing, so an office behind one NAT address keeps
 * working while a single flooding client is cut off. Rate-based rule statement, 5-minute window:
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html
 */
export const RATE_LIMIT = { requests: 6000, windowSeconds: 300 } as const;

/** Headers kept out of the WAF logs (they carry credentials): lower-case names, as WAF matches them. */
export const REDACTED_HEADERS = ["authorization", "cookie"] as const;

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

export interface WebAclArgs {
    aclName: string;
    logRetentionDays: number;
    /** Further headers to redact in the logs (the preview header carries the stack's secret token). */
    redactHeaders: string[];
    tags: Tags;
}

/** A REGIONAL web ACL (the scope an ALB takes); its ARN goes into the LoadBalancerConfiguration's wafV2. */
export function albWebAcl(name: string, args: WebAclArgs, opts: pulumi.CustomResourceOptions): aws.wafv2.WebAcl {
    const { aclName, tags } = args;
    const acl = new aws.wafv2.WebAcl(
        name,
        {
            name: aclName,
            description: "zdp: per-IP rate limit and AWS managed rule groups in front of the app's ALB",
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            rules: [
                {
                    name: "rate-limit-per-ip",
                    priority: 0,
                    action: { block: {} },
                    statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: RATE_LIMIT.requests, evaluationWindowSec: RATE_LIMIT.windowSeconds } },
                    visibilityConfig: visibility(`${aclName}-rate-limit-per-ip`),
                },
                ...MANAGED_RULE_GROUPS.map((group, i) => ({
                    name: group,
                    priority: i + 1,
                    // "none": the group's own actions (block) apply; "count" would only report.
                    overrideAction: { none: {} },
                    statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
                    visibilityConfig: visibility(`${aclName}-${group}`),
                })),
            ],
            visibilityConfig: visibility(aclName),
            tags,
        },
        opts,
    );
    // WAF logs only to destinations named aws-waf-logs-* and creates the log group's resource policy itself
    // (https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html).
    const logs = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: `aws-waf-logs-${aclName}`, retentionInDays: args.logRetentionDays, tags },
        { ...opts, parent: acl },
    );
    new aws.wafv2.WebAclLoggingConfiguration(
        `${name}-logs`,
        {
            resourceArn: acl.arn,
            logDestinationConfigs: [logs.arn],
            redactedFields: [...REDACTED_HEADERS, ...args.redactHeaders].map((header) => ({ singleHeader: { name: header } })),
            loggingFilter: {
                defaultBehavior: "DROP",
                filters: [
                    {
                        behavior: "KEEP",
                        requirement: "MEETS_ANY",
                        conditions: ["BLOCK", "COUNT", "EXCLUDED_AS_COUNT"].map((action) => ({ actionCondition: { action } })),
                    },
                ],
            },
        },
        { ...opts, parent: acl },
    );
    return acl;
}
