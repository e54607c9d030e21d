// aws's rules across keys: what the schema of `aws.*` alone cannot see.
import { rdsRegions } from "../dataTls";
import type { AppConfig, AwsConfig, CloudRules, ConfigIssue } from "../stackConfig";

export const awsRules: CloudRules<AwsConfig> = {
    region: { key: "aws:region", pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, example: "us-east-1" },
    check({ region, domain, settings }) {
        const issues: ConfigIssue[] = [];
        // The app verifies RDS against the region's roots, vendored in model/certs/.
        if (region && !rdsRegions().includes(region))
            issues.push({
                key: "aws:region",
                value: region,
                message: `is not a region this stack knows: it runs where the vendored RDS root CAs (model/certs/rds-global-bundle.pem) cover the region, i.e. ${rdsRegions().join(", ")}; for a region opened since, refresh that bundle from its source URL`,
            });
        if (domain !== undefined && settings && settings.certificateArn === undefined && settings.hostedZoneId === undefined)
            issues.push({
                key: "domain",
                value: domain,
                message: "on aws needs a certificate: set aws.certificateArn, or aws.hostedZoneId to issue one with ACM",
            });
        // ACM certificates are regional; the ALB's listener takes only one from its own region
        // (https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
        const arn = settings?.certificateArn;
        const certRegion = arn?.split(":")[3];
        if (arn && region && certRegion !== region)
            issues.push({
                key: "aws.certificateArn",
                value: arn,
                message: `is an ACM certificate in ${certRegion}, but the load balancer runs in ${region} (aws:region); request or import the certificate in ${region}`,
            });
        return issues;
    },
    apps: appIssues,
};

/** Each app has its own ALB, certificate and target groups (components/aws/albEdge.ts). */
function appIssues(apps: AppConfig[], settings: AwsConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const byToken = new Map<string, string>();
    for (const app of apps) {
        if (app.domain !== undefined && settings.hostedZoneId === undefined)
            issues.push({
                key: `apps.${app.name}.domain`,
                value: app.domain,
                message:
                    "on aws needs aws.hostedZoneId: the stack issues this app's certificate with ACM in that zone (aws.certificateArn is the default app's only)",
            });
        // Target group names keep only alphanumerics (components/monitoring/cloudwatch.ts targetGroupName).
        const token = app.name.replace(/[^a-z0-9]/g, "");
        const other = byToken.get(token);
        if (other !== undefined)
            issues.push({ key: `apps.${app.name}`, message: `names the same ALB target groups as app ${other} (hyphens are dropped from them); rename one` });
        byToken.set(token, app.name);
    }
    return issues;
}
