// Realistic aws provider outputs: ids, ARNs and endpoints shaped as AWS returns them, and the
// invokes the aws stack uses (availability zones).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceMock } from "./types";

export const ACCOUNT = "123456789012";
const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const region = () => pulumi.runtime.allConfig()["aws:region"] ?? "eu-west-1";
const arn = (service: string, resource: string, r: string = region()) => `arn:aws:${service}:${r}:${ACCOUNT}:${resource}`;

/** Short region code as ElastiCache endpoints spell it (eu-west-1 -> euw1). */
const shortRegion = (r: string) => r.replace(/^([a-z]{2})-([a-z])[a-z]+-(\d)$/, "$1$2$3");

/** Outputs of the VPC, its subnets, gateways, security groups, logs, IAM and KMS. */
function networkOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, any> | undefined {
    switch (type) {
        case "aws:ec2/vpc:Vpc": {
            const id = `vpc-0${hex(name, 16)}`;
            return {
                id,
                arn: arn("ec2", `vpc/${id}`),
                defaultSecurityGroupId: `sg-0${hex(`${name}-default`, 16)}`,
                mainRouteTableId: `rtb-0${hex(`${name}-main`, 16)}`,
            };
        }
        case "aws:ec2/subnet:Subnet": {
            const id = `subnet-0${hex(name, 16)}`;
            return { id, arn: arn("ec2", `subnet/${id}`) };
        }
        case "aws:ec2/internetGateway:InternetGateway":
            return { id: `igw-0${hex(name, 16)}` };
        case "aws:ec2/eip:Eip":
            return {
                id: `eipalloc-0${hex(name, 16)}`,
                allocationId: `eipalloc-0${hex(name, 16)}`,
                publicIp: `52.${parseInt(hex(name, 2), 16)}.${parseInt(hex(`${name}b`, 2), 16)}.10`,
            };
        case "aws:ec2/natGateway:NatGateway":
            return { id: `nat-0${hex(name, 16)}` };
        case "aws:ec2/routeTable:RouteTable":
            return { id: `rtb-0${hex(name, 16)}` };
        case "aws:ec2/routeTableAssociation:RouteTableAssociation":
            return { id: `rtbassoc-0${hex(name, 16)}` };
        case "aws:ec2/securityGroup:SecurityGroup":
        case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {
            const id = `sg-0${hex(name, 16)}`;
            return { id, arn: arn("ec2", `security-group/${id}`) };
        }
        case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
            return { id: `sgr-0${hex(name, 16)}` };
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            return { id: `vpce-0${hex(name, 16)}`, prefixListId: `pl-${hex(name, 8)}` };
        case "aws:ec2/flowLog:FlowLog":
            return { id: `fl-0${hex(name, 16)}` };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { id: `lt-0${hex(name, 16)}`, latestVersion: 1, defaultVersion: 1 };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: arn("logs", `log-group:${inputs.name ?? name}`) };
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: roleName, name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, uniqueId: `AROA${hex(name, 17).toUpperCase()}` };
        }
        case "aws:kms/key:Key": {
            const keyId = `${hex(name, 8)}-${hex(`${name}1`, 4)}-${hex(`${name}2`, 4)}-${hex(`${name}3`, 4)}-${hex(`${name}4`, 12)}`;
            return { id: keyId, keyId, arn: arn("kms", `key/${keyId}`) };
        }
    }
    return undefined;
}

/** Outputs of EKS and the data stores. */
function computeOutputs(type: string, name: string, inputs: Record<string, any>, r: string): Record<string, any> | undefined {
    switch (type) {
        case "aws:eks/cluster:Cluster": {
            const clusterName = inputs.name ?? name;
            return {
                id: clusterName,
                name: clusterName,
                arn: arn("eks", `cluster/${clusterName}`),
                endpoint: `https://${hex(clusterName, 32).toUpperCase()}.gr7.${r}.eks.amazonaws.com`,
                certificateAuthority: {
                    data: Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2g${hex(clusterName, 40)}\n-----END CERTIFICATE-----\n`).toString("base64"),
                },
                vpcConfig: {
                    ...inputs.vpcConfig,
                    clusterSecurityGroupId: `sg-0${hex(`${clusterName}-cluster`, 16)}`,
                    vpcId: `vpc-0${hex(clusterName, 16)}`,
                },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.${r}.amazonaws.com/id/${hex(clusterName, 32).toUpperCase()}` }] }],
                platformVersion: "eks.8",
                status: "ACTIVE",
            };
        }
        case "aws:eks/nodeGroup:NodeGroup": {
            const ngName = `${inputs.nodeGroupNamePrefix ?? name}${hex(name, 8)}`;
            return {
                id: `${inputs.clusterName}:${ngName}`,
                nodeGroupName: ngName,
                arn: arn("eks", `nodegroup/${inputs.clusterName}/${ngName}/${hex(name, 32)}`),
                status: "ACTIVE",
            };
        }
        case "aws:eks/addon:Addon":
            return {
                id: `${inputs.clusterName}:${inputs.addonName}`,
                arn: arn("eks", `addon/${inputs.clusterName}/${inputs.addonName}/${hex(name, 32)}`),
                addonVersion: "v1.0.0-eksbuild.1",
            };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
            return { associationId: `a-${hex(name, 17)}`, associationArn: arn("eks", `podidentityassociation/${inputs.clusterName}/a-${hex(name, 17)}`) };
        case "aws:rds/instance:Instance": {
            const address = `${inputs.identifier}.c${hex(name, 11)}.${r}.rds.amazonaws.com`;
            return {
                address,
                endpoint: `${address}:${inputs.port ?? 5432}`,
                arn: arn("rds", `db:${inputs.identifier}`),
                resourceId: `db-${hex(name, 26).toUpperCase()}`,
                engineVersionActual: `${inputs.engineVersion}.1`,
            };
        }
        case "aws:sns/topic:Topic":
            return { id: arn("sns", inputs.name ?? name), arn: arn("sns", inputs.name ?? name) };
        case "aws:rds/subnetGroup:SubnetGroup":
        case "aws:rds/parameterGroup:ParameterGroup": {
            const groupName = inputs.name ?? `${name}-${hex(name, 7)}`;
            return { id: groupName, name: groupName, arn: arn("rds", `${type.includes("subnet") ? "subgrp" : "pg"}:${groupName}`) };
        }
        case "aws:elasticache/subnetGroup:SubnetGroup":
            return { id: inputs.name ?? name, name: inputs.name ?? name, arn: arn("elasticache", `subnetgroup:${inputs.name ?? name}`) };
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const id = inputs.replicationGroupId;
            return {
                id,
                arn: arn("elasticache", `replicationgroup:${id}`),
                primaryEndpointAddress: `master.${id}.${hex(name, 6)}.${shortRegion(r)}.cache.amazonaws.com`,
                readerEndpointAddress: `replica.${id}.${hex(name, 6)}.${shortRegion(r)}.cache.amazonaws.com`,
                memberClusters: Array.from({ length: inputs.numCacheClusters ?? 2 }, (_, i) => `${id}-00${i + 1}`),
            };
        }
    }
    return undefined;
}

/** Outputs of the certificate, access-log bucket, WAF and DNS. */
function edgeOutputs(type: string, name: string, inputs: Record<string, any>, r: string): Record<string, any> | undefined {
    switch (type) {
        case "aws:acm/certificate:Certificate": {
            const certArn = arn("acm", `certificate/${hex(name, 8)}-${hex(`${name}1`, 4)}-${hex(`${name}2`, 4)}-${hex(`${name}3`, 4)}-${hex(`${name}4`, 12)}`);
            return {
                id: certArn,
                arn: certArn,
                // One per name on the certificate (the domain and each subject alternative name).
                domainValidationOptions: [inputs.domainName, ...(inputs.subjectAlternativeNames ?? [])].map((domainName: string) => ({
                    domainName,
                    resourceRecordName: `_${hex(`${name}${domainName}`, 32)}.${domainName}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${hex(`${name}${domainName}v`, 32)}.xlfgrmvvlj.acm-validations.aws.`,
                })),
            };
        }
        case "aws:acm/certificateValidation:CertificateValidation":
            return { id: inputs.certificateArn };
        case "aws:s3/bucket:Bucket": {
            // Pulumi autonames a bucket: the resource name and a random suffix, lower case.
            const bucket = inputs.bucket ?? `${name}-${hex(name, 7)}`;
            return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, region: r };
        }
        case "aws:wafv2/webAcl:WebAcl": {
            const id = `${hex(name, 8)}-${hex(`${name}1`, 4)}-${hex(`${name}2`, 4)}-${hex(`${name}3`, 4)}-${hex(`${name}4`, 12)}`;
            return { id, arn: arn("wafv2", `regional/webacl/${inputs.name}/${id}`) };
        }
        case "aws:route53/record:Record":
            return { fqdn: String(inputs.name).replace(/\.$/, "") };
    }
    return undefined;
}

export const awsMock: ResourceMock = {
    newResource({ type, name, inputs, id }) {
        const r = region();
        // Reading back a Gateway the AWS Load Balancer Controller has programmed: the ALB's DNS name.
        if (type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" && id && pulumi.runtime.allConfig()["aws:region"])
            return {
                status: {
                    addresses: [
                        { type: "Hostname", value: `k8s-${hex(String(id), 8)}-app-${hex(name, 10)}-${parseInt(hex(name, 8), 16)}.${r}.elb.amazonaws.com` },
                    ],
                },
            };
        return networkOutputs(type, name, inputs) ?? computeOutputs(type, name, inputs, r) ?? edgeOutputs(type, name, inputs, r);
    },
    call({ token, inputs }) {
        // A version per add-on and Kubernetes minor, so tests see it follow the cluster's version.
        if (token === "aws:eks/getAddonVersion:getAddonVersion")
            return {
                id: inputs.addonName,
                addonName: inputs.addonName,
                kubernetesVersion: inputs.kubernetesVersion,
                version: `v${inputs.kubernetesVersion}.0-eksbuild.1`,
            };
        if (token === "aws:index/getCallerIdentity:getCallerIdentity")
            return { id: ACCOUNT, accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/pulumi`, userId: "AIDAEXAMPLE" };
        if (token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
            const r = region();
            const zoneIds = { "eu-west-1": "euw1", "us-east-1": "use1" } as Record<string, string>;
            const code = zoneIds[r] ?? shortRegion(r);
            return {
                id: r,
                names: ["a", "b", "c"].map((s) => `${r}${s}`),
                zoneIds: [1, 2, 3].map((n) => `${code}-az${n}`),
                groupNames: [r],
                state: "available",
            };
        }
        return undefined;
    },
};
