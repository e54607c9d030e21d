// Edge guardrails on the AWS Load Balancer Controller's LoadBalancerConfiguration (the ALB the stack's
// Gateway becomes): access logs to S3, AWS WAF in front, HSTS on HTTPS. Presence checks where the value
// is an ARN or a generated name, so they hold in a first preview too, before those exist.
import { ResourceValidationPolicy } from "@pulumi/policy";

const LB_CONFIGURATION = "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration";
/** One year: the least max-age the browsers' HSTS preload list accepts (https://hstspreload.org/). */
export const HSTS_MIN_MAX_AGE = 31536000;

interface Attribute {
    key: string;
    value?: unknown;
}
const has = (o: object | undefined, key: string) => o !== undefined && Object.prototype.hasOwnProperty.call(o, key);

/** The max-age of a Strict-Transport-Security value, or undefined when it has none. */
export function hstsMaxAge(value: string): number | undefined {
    const m = /(?:^|;)\s*max-age=(\d+)\s*(?:;|$)/i.exec(value);
    return m ? Number(m[1]) : undefined;
}

export const edgePolicies: ResourceValidationPolicy[] = [
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
];
