// ACM certificate for the app's domain (and the preview host), DNS-validated in one Route 53 zone; ACM renews it itself.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./tags";

export interface CertificateArgs {
    domain: string;
    /** Further names the certificate covers (subject alternative names), validated in the same zone. */
    alternativeNames: string[];
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
            {
                domainName: args.domain,
                ...(args.alternativeNames.length > 0 ? { subjectAlternativeNames: args.alternativeNames } : {}),
                validationMethod: "DNS",
                keyAlgorithm: "EC_prime256v1",
                tags: { ...args.tags, Name: args.domain },
            },
            { parent: this },
        );
        // One validation record per name, found by its domainName (ACM lists the options in no promised order).
        // https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
        const records = [args.domain, ...args.alternativeNames].map((domain, i) => {
            const option = cert.domainValidationOptions.apply((o) => {
                const hit = o.find((v) => v.domainName === domain);
                if (!hit) throw new Error(`Certificate ${name}: ACM returned no DNS validation record for ${domain}.`);
                return hit;
            });
            return new aws.route53.Record(
                i === 0 ? `${name}-validation` : `${name}-validation-${domain}`,
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
        });
        const validation = new aws.acm.CertificateValidation(
            name,
            { certificateArn: cert.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
            { parent: this },
        );
        this.arn = validation.certificateArn;
        this.registerOutputs({ arn: this.arn });
    }
}
