// ALB access logs: an S3 bucket the load balancer writes to (SSE-S3, the only encryption ALB log
// delivery supports), private, TLS only, expiring objects after the stack's log retention.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_APP } from "../../model/appSpec";
import type { Tags } from "./tags";

/**
 * The Elastic Load Balancing account of each region that existed before August 2022; its root is the
 * principal that writes the logs there. Regions opened since write as the service principal
 * logdelivery.elasticloadbalancing.amazonaws.com. Table from the AWS page above (the same values as
 * hashicorp/terraform-provider-aws internal/service/elb/service_account_data_source.go); commercial
 * partition only, like the rest of the stack.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-south-1": "718504428378",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-south-1": "635631232127",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
};
export const ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com";

/** Who writes ALB access logs in `region`, as a bucket-policy principal. */
export function elbLogWriter(region: string): { AWS: string } | { Service: string } {
    const account = ELB_LOG_ACCOUNTS[region];
    return account ? { AWS: `arn:aws:iam::${account}:root` } : { Service: ELB_LOG_DELIVERY_SERVICE };
}

/** The key prefix the ALB writes under (it appends AWSLogs/<account>/elasticloadbalancing/<region>/...). */
export const ACCESS_LOG_PREFIX = "alb";

export interface AccessLogBucketArgs {
    region: string;
    retentionDays: number;
    /** protectStateful: `protect` the bucket; when off, `pulumi destroy` also empties it. */
    protect: boolean;
    /** The stack's apps: each one other than the default writes under its own prefix, alb/<app>. */
    apps?: string[];
    tags: Tags;
}

export class AccessLogBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly prefix = ACCESS_LOG_PREFIX;
    private readonly apps: string[];
    /** The bucket policy: the ALB checks it can write when access logging is turned on. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:AccessLogBucket", name, {}, opts);
        this.apps = (args.apps ?? []).filter((app) => app !== DEFAULT_APP);
        const parent = { parent: this };
        // No versioning: log objects are written once, and expiry should delete them, not keep old versions.
        const bucket = new aws.s3.Bucket(name, { forceDestroy: !args.protect, tags: args.tags }, { parent: this, protect: args.protect });
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            parent,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            name,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            parent,
        );
        // ACLs off: the bucket owner owns every log object.
        new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: { prefix: `${ACCESS_LOG_PREFIX}/` },
                        expiration: { days: args.retentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            parent,
        );
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        // The lifecycle rule's alb/ filter covers every app's prefix.
        const writable = [ACCESS_LOG_PREFIX, ...this.apps.map((app) => this.prefixFor(app))].map(
            (prefix) => pulumi.interpolate`${bucket.arn}/${prefix}/AWSLogs/${account}/*`,
        );
        const policy = new aws.s3.BucketPolicy(
            name,
            {
                bucket: bucket.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "AlbAccessLogDelivery",
                            Effect: "Allow",
                            Principal: elbLogWriter(args.region),
                            Action: "s3:PutObject",
                            Resource: writable.length === 1 ? writable[0] : writable,
                        },
                        {
                            Sid: "TlsOnly",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                }),
            },
            // Last: the ALB tests its write access when logging is switched on, so the bucket is finished first.
            { parent: this, dependsOn: [publicAccess, encryption] },
        );
        this.bucketName = bucket.bucket;
        this.ready = [policy];
        this.registerOutputs({ bucketName: this.bucketName });
    }

    /** The prefix an app's ALB writes under: the default app's is alb, as it has always been. */
    prefixFor(app: string): string {
        if (app === DEFAULT_APP) return ACCESS_LOG_PREFIX;
        if (!this.apps.includes(app))
            throw new Error(`App ${app}: the access-log bucket lets only [${this.apps.join(", ")}] write besides ${DEFAULT_APP} (pass every app to it).`);
        return `${ACCESS_LOG_PREFIX}/${app}`;
    }
}
