// Data-at-rest guardrails beyond the data stores: the keys that encrypt them rotate, and no S3 bucket
// (the ALB's access logs hold every client address and URL) is readable by the public.
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { coversInternet } from "../cidr";
import { listOf, statementsOf, type Statement } from "./util";

/**
 * Longest rotation period accepted: a year, AWS KMS's default period for automatic rotation
 * (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html). The stacks rotate every
 * 365 days on AWS and every 90 on GCP (components/gcp/secretsKey.ts).
 */
export const MAX_ROTATION_DAYS = 365;
const DAY = 24 * 3600;

/** Days in an ISO 8601 duration of years, months, weeks and days ("P90D", "P1Y"), as Key Vault writes them; undefined otherwise. */
export function isoDays(duration: string | undefined): number | undefined {
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration ?? "");
    if (!m || m.slice(1).every((g) => g === undefined)) return undefined;
    const [y, mo, w, d] = m.slice(1).map((g) => Number(g ?? 0));
    return y * 365 + mo * 30 + w * 7 + d;
}

type Props = Record<string, any>;

/** For each key type: why the key does not rotate at least yearly, or undefined (keys that cannot rotate automatically pass). */
const ROTATION: Readonly<Record<string, (p: Props) => string | undefined>> = {
    "aws:kms/key:Key": (p) => {
        // Automatic rotation exists only for symmetric encryption keys whose material KMS holds.
        if (
            (p.keyUsage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT" ||
            (p.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT" ||
            p.customKeyStoreId
        )
            return undefined;
        if (p.enableKeyRotation !== true) return "KMS key does not rotate: set enableKeyRotation: true.";
        if ((p.rotationPeriodInDays ?? MAX_ROTATION_DAYS) > MAX_ROTATION_DAYS)
            return `KMS key rotates every ${p.rotationPeriodInDays} days: set rotationPeriodInDays <= ${MAX_ROTATION_DAYS}.`;
        return undefined;
    },
    "gcp:kms/cryptoKey:CryptoKey": (p) => {
        // Only symmetric encryption keys rotate on a schedule (https://cloud.google.com/kms/docs/key-rotation).
        if ((p.purpose ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT") return undefined;
        const seconds = /^(\d+(?:\.\d+)?)s$/.exec(String(p.rotationPeriod ?? ""))?.[1];
        if (seconds === undefined) return `Cloud KMS key has no rotationPeriod: set one of at most ${MAX_ROTATION_DAYS * DAY}s (${MAX_ROTATION_DAYS} days).`;
        if (Number(seconds) > MAX_ROTATION_DAYS * DAY)
            return `Cloud KMS key rotates every ${p.rotationPeriod}: set rotationPeriod <= ${MAX_ROTATION_DAYS * DAY}s.`;
        return undefined;
    },
    "azure-native:keyvault:Key": (p) => {
        // https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation
        const rotate = (p.properties?.rotationPolicy?.lifetimeActions ?? []).filter(
            (a: { action?: { type?: string } }) => String(a.action?.type ?? "").toLowerCase() === "rotate",
        );
        if (rotate.length === 0)
            return 'Key Vault key has no rotation policy: add properties.rotationPolicy.lifetimeActions [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } }].';
        const days = rotate.map((a: { trigger?: { timeAfterCreate?: string } }) => isoDays(a.trigger?.timeAfterCreate));
        if (days.every((d: number | undefined) => d === undefined || d > MAX_ROTATION_DAYS))
            return `Key Vault key does not rotate within ${MAX_ROTATION_DAYS} days of creation: set the rotate action's trigger.timeAfterCreate to at most P${MAX_ROTATION_DAYS}D.`;
        return undefined;
    },
};

/** Issue 26: encryption keys rotate. */
export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: `Every customer-managed encryption key rotates automatically at least every ${MAX_ROTATION_DAYS} days (AWS KMS, Cloud KMS, Azure Key Vault; keys that cannot rotate automatically are exempt).`,
    validateResource: (args, report) => {
        const check = ROTATION[args.type] ?? args.notApplicable();
        const problem = check(args.props);
        if (problem) report(problem);
    },
};

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const BUCKET_ACLS = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const BLOCK_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
/** The grantee groups "everyone" and "any AWS account". */
const PUBLIC_GROUPS = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

/**
 * Condition keys that make an Allow to everyone non-public when fixed (no wildcard), as S3 judges it
 * (PublicAccessBlockConfiguration, "The meaning of public"):
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
const NARROWING_KEYS = [
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "aws:userid",
];

const toEveryone = (principal: unknown) =>
    principal === "*" || (typeof principal === "object" && principal !== null && listOf((principal as { AWS?: unknown }).AWS).includes("*"));

/** An Allow to everyone that no fixed condition narrows (aws:SourceIp narrows only to less than the internet). */
function publicStatement(s: Statement): boolean {
    if (s.Effect !== "Allow" || !toEveryone(s.Principal)) return false;
    const conditions = Object.values(s.Condition ?? {}).flatMap((byKey) => Object.entries(byKey ?? {}));
    const narrowed = conditions.some(([key, value]) => {
        const k = key.toLowerCase();
        const values = listOf(value);
        if (k === "aws:sourceip") return values.length > 0 && !coversInternet(values);
        return NARROWING_KEYS.includes(k) && values.length > 0 && values.every((v) => !v.includes("*"));
    });
    return !narrowed;
}

/** Why a bucket policy document is public, or undefined. */
export function publicPolicy(doc: unknown): string | undefined {
    if (doc === undefined || doc === null || doc === "") return undefined;
    const statements = statementsOf(doc);
    if (statements === undefined) return "its policy is not JSON";
    const found = statements.find(publicStatement);
    return found ? `its policy allows ${listOf(found.Action).join(",") || "actions"} to everyone` : undefined;
}

/** Why an ACL (canned or a list of grants) is public, or undefined. */
function publicAcl(acl: unknown, grants: { uri?: string; grantee?: { uri?: string } }[] | undefined): string | undefined {
    if (PUBLIC_CANNED_ACLS.includes(String(acl))) return `its ACL is ${String(acl)}`;
    const grant = (grants ?? []).find((g) => PUBLIC_GROUPS.test(g.uri ?? g.grantee?.uri ?? ""));
    return grant ? `its ACL grants ${grant.uri ?? grant.grantee?.uri}` : undefined;
}

/** Issue 26: no public bucket, the ALB's access log bucket first. */
export const bucketNotPublic: StackValidationPolicy = {
    // A stack rule: the public access block, ACL and policy are resources of their own, tied to the bucket by dependency.
    name: "bucket-not-public",
    description:
        "Every S3 bucket blocks public access with all four switches (its own public access block, or the account's), and no ACL or bucket policy grants anything to everyone.",
    validateStack: (args, report) => {
        const buckets = args.resources.filter((r) => BUCKETS.includes(r.type));
        if (buckets.length === 0) args.notApplicable("no S3 bucket in this stack");
        const blocksAll = (r: { props: Record<string, any> }) => BLOCK_SETTINGS.every((k) => r.props[k] === true);
        const accountBlocks = args.resources.some((r) => r.type === ACCOUNT_PUBLIC_ACCESS_BLOCK && blocksAll(r));
        const fix = "keep the bucket private (components/aws/accessLogs.ts): a BucketPublicAccessBlock with all four switches true, no public ACL or policy.";
        for (const b of buckets) {
            const blocks = args.resources.filter((r) => r.type === PUBLIC_ACCESS_BLOCK && r.dependencies.includes(b));
            if (!accountBlocks && !blocks.some(blocksAll))
                report(`S3 bucket ${b.name} does not block public access (${BLOCK_SETTINGS.join(", ")} must all be true): ${fix}`, b.urn);
            const own = publicAcl(b.props.acl, b.props.grants) ?? publicPolicy(b.props.policy);
            if (own) report(`S3 bucket ${b.name} is public, ${own}: ${fix}`, b.urn);
        }
        for (const r of args.resources) {
            const problem = BUCKET_ACLS.includes(r.type)
                ? publicAcl(r.props.acl, r.props.accessControlPolicy?.grants)
                : r.type === BUCKET_POLICY
                  ? publicPolicy(r.props.policy)
                  : undefined;
            if (problem) report(`${r.name} makes its bucket public, ${problem}: ${fix}`, r.urn);
        }
    },
};
