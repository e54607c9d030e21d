// ACM certificate for the app's domain, DNS-validated in its Route 53 zone; ACM renews it itself.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";

export interface CertificateArgs {
    domain: string;
    hostedZoneId: string;
    tags: Tags;
}

export class Certificate extends pulumi.ComponentResource {
    /** ARN of the certificate once validated: listeners using it never see a pending certificate. */
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: CertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Certificate", name, {}, opts);
        const cert = new aws.acm.Certificate(
            name,
            { domainName: args.domain, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", tags: { ...args.tags, Name: args.domain } },
            { parent: this },
        );
        const option = cert.domainValidationOptions.apply((o) => o[0]);
        const record = new aws.route53.Record(
            `${name}-validation`,
            {
                zoneId: args.hostedZoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
                allowOverwrite: true,
            },
            { parent: this },
        );
        const validation = new aws.acm.CertificateValidation(name, { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] }, { parent: this });
        this.arn = validation.certificateArn;
        this.registerOutputs({ arn: this.arn });
    }
}
