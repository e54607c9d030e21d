// Project keys `aws.<name>` (values arrive as strings). Pulumi.yaml declares each key's default (the
// only place defaults live); Pulumi.aws.yaml holds the 10k-user production values.
import { z } from "zod";
import { boolean, privateCidr, cidrList, integer, oneOf } from "../configValues";

const arnList = z
    .string()
    .transform((s) =>
        s
            .split(",")
            .map((c) => c.trim())
            .filter((c) => c !== ""),
    )
    .refine((l) => l.every((a) => /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/.test(a)), {
        error: "must be a comma-separated list of IAM role or user ARNs",
    });

/**
 * Versions checked 2026-11 (the schema enforces the shape; AWS decides availability):
 * - EKS 1.35: standard support until 2027-03-27 (1.36 is also available)
 *   https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 * - RDS PostgreSQL 18 (18.1+ GA); a major-only version lets RDS pick and auto-upgrade the minor
 *   https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html
 * - ElastiCache Valkey 8.2 (8.0-9.1 offered)
 *   https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
 */
// The only retentions CloudWatch Logs accepts (PutRetentionPolicy retentionInDays,
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
export const LOG_RETENTION_DAYS = [
    "1",
    "3",
    "5",
    "7",
    "14",
    "30",
    "60",
    "90",
    "120",
    "150",
    "180",
    "365",
    "400",
    "545",
    "731",
    "1096",
    "1827",
    "2192",
    "2557",
    "2922",
    "3288",
    "3653",
] as const;

export const EKS_VERSIONS = ["1.35", "1.36"] as const;
export const VALKEY_VERSIONS = ["7.2", "8.0", "8.1", "8.2", "9.0", "9.1"] as const;

export const awsSchema = z
    .object({
        // EKS minors in standard support on 2026-12-07 (1.34's ended 2026-12-02). Standard only: the
        // cluster's upgradePolicy is STANDARD (components/aws/cluster.ts), never extended-support pricing.
        // https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
        kubernetesVersion: oneOf(EKS_VERSIONS),
        // The subnet plan carves 3 private /18-equivalents and small public/data subnets out of it.
        vpcCidr: privateCidr(16, 20, "10.0.0.0/16"),
        singleNatGateway: boolean,
        // No default: the public API endpoint is open only to the CIDRs the stack names.
        // EKS accepts at most 40 public access CIDRs per cluster (Amazon EKS service quotas).
        apiPublicAccessCidrs: cidrList("the CIDRs (operators, CI runners) allowed to reach the public EKS API endpoint", 40),
        adminPrincipalArns: arnList.default([]),
        // RDS for PostgreSQL majors in standard support on 2026-12-07 (13 is in paid Extended Support).
        // https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
        postgresVersion: z.string().regex(/^1[4-8](\.\d+)?$/, {
            error: "must be an RDS for PostgreSQL major in standard support, 14 to 18 (e.g. 18), or major.minor to pin (e.g. 18.1)",
        }),
        // ElastiCache for Valkey engine versions on 2026-12-07.
        // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
        valkeyVersion: oneOf(VALKEY_VERSIONS),
        // Primary + replicas; 2 is the minimum for Multi-AZ automatic failover.
        cacheNodes: integer(2, 6, "a node count"),
        backupRetentionDays: integer(7, 35, "a number of days"),
        logRetentionDays: z
            .string()
            .refine((v) => (LOG_RETENTION_DAYS as readonly string[]).includes(v), {
                error: `must be a retention CloudWatch Logs accepts: one of ${LOG_RETENTION_DAYS.join(", ")} days`,
            })
            .transform(Number),
        // AWS WAF with AWS managed rule groups in front of the ALB (components/aws/waf.ts).
        waf: boolean,
        certificateArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, { error: "must be an ACM certificate ARN" })
            .optional(),
        hostedZoneId: z
            .string()
            .regex(/^Z[A-Z0-9]{1,31}$/, { error: "must be a Route 53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ" })
            .optional(),
    })
    .strict();

export type AwsSettings = z.infer<typeof awsSchema>;
