// VPC over the stack's availability zones: public subnets (ALB, NAT), private subnets (nodes, pods)
// with a NAT gateway per zone (or one, by config), isolated data subnets (RDS, ElastiCache) with no
// route out of the VPC, the default security group emptied, and VPC flow logs to CloudWatch.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "./iam";
import { subnetPlan } from "../../model/aws/subnets";
import type { Tags } from "./tags";

export interface NetworkArgs {
    region: string;
    vpcCidr: string;
    /** Zone names; the network spans exactly these (the stack picks them from getAvailabilityZones). */
    availabilityZones: pulumi.Input<string[]>;
    zones: number;
    /** One NAT gateway for all zones: cheaper, but a zone outage cuts egress for the others. */
    singleNatGateway: boolean;
    /** EKS cluster name, for the subnet tags the AWS Load Balancer Controller discovers subnets by. */
    clusterName: string;
    logRetentionDays: number;
    tags: Tags;
}

export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly dataSubnetIds: pulumi.Output<string>[];
    public readonly natGatewayCount: number;
    /** Address ranges of the public subnets (the ALB's) and the data subnets (RDS, ElastiCache), per zone. */
    public readonly publicSubnetCidrs: string[];
    public readonly dataSubnetCidrs: string[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:aws:Network", name, {}, opts);
        const plan = subnetPlan(args.vpcCidr, args.zones); // throws on a bad CIDR or zone count
        const parent = { parent: this };
        const tag = (resource: string, extra: Tags = {}) => ({ ...args.tags, Name: `${name}-${resource}`, ...extra });
        const zone = (i: number) => pulumi.output(args.availabilityZones).apply((azs) => azs[i]);

        const vpc = new aws.ec2.Vpc(name, { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tag("vpc") }, parent);
        // CIS AWS 5.4: the default security group allows nothing; every workload gets its own group.
        new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id, tags: tag("default-deny") }, parent);
        const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tag("igw") }, parent);

        // Subnet tags the AWS Load Balancer Controller selects subnets by
        // (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/subnet_discovery/).
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
        const subnets = (kind: keyof typeof plan, extra: Tags) =>
            plan[kind].map(
                (cidr, i) =>
                    new aws.ec2.Subnet(
                        `${name}-${kind}-${i}`,
                        {
                            vpcId: vpc.id,
                            cidrBlock: cidr,
                            availabilityZone: zone(i),
                            mapPublicIpOnLaunch: false,
                            tags: tag(`${kind}-${i}`, { tier: kind, ...extra }),
                        },
                        parent,
                    ),
            );
        const publicSubnets = subnets("public", { "kubernetes.io/role/elb": "1", ...clusterTag });
        const privateSubnets = subnets("private", { "kubernetes.io/role/internal-elb": "1", ...clusterTag });
        const dataSubnets = subnets("data", {});

        const publicRt = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tag("public") },
            parent,
        );
        publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, parent));

        this.natGatewayCount = args.singleNatGateway ? 1 : args.zones;
        const nats = Array.from({ length: this.natGatewayCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tag(`nat-${i}`) }, parent);
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                { allocationId: eip.id, subnetId: publicSubnets[i].id, connectivityType: "public", tags: tag(`nat-${i}`) },
                { parent: this, dependsOn: [igw] },
            );
        });
        // Each zone egresses through its own NAT gateway, so losing a zone does not cut the others off.
        const privateRts = privateSubnets.map((s, i) => {
            const nat = nats[Math.min(i, nats.length - 1)];
            const rt = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tag(`private-${i}`) },
                parent,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: s.id, routeTableId: rt.id }, parent);
            return rt;
        });
        // S3 gateway endpoint (free): image layers from ECR and other S3 traffic bypass the NAT gateways.
        new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: vpc.id,
                serviceName: `com.amazonaws.${args.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: privateRts.map((rt) => rt.id),
                tags: tag("s3-endpoint"),
            },
            parent,
        );
        // Data subnets: only the implicit local route; databases never reach or are reached from outside the VPC.
        const dataRt = new aws.ec2.RouteTable(`${name}-data`, { vpcId: vpc.id, tags: tag("data") }, parent);
        dataSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-data-${i}`, { subnetId: s.id, routeTableId: dataRt.id }, parent));

        this.flowLogs(name, args, vpc);

        this.vpcId = vpc.id;
        this.publicSubnetCidrs = plan.public;
        this.dataSubnetCidrs = plan.data;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.dataSubnetIds = dataSubnets.map((s) => s.id);
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            dataSubnetIds: this.dataSubnetIds,
        });
    }

    /** VPC flow logs (all traffic, 1-minute aggregation) for incident forensics. */
    private flowLogs(name: string, args: NetworkArgs, vpc: aws.ec2.Vpc): void {
        const parent = { parent: this };
        const tag = (resource: string) => ({ ...args.tags, Name: `${name}-${resource}` });
        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: `/zdp/${args.clusterName}/vpc-flow-logs`, retentionInDays: args.logRetentionDays, tags: tag("flow-logs") },
            parent,
        );
        const flowLogRole = serviceRole(
            `${name}-flow-logs`,
            {
                service: "vpc-flow-logs.amazonaws.com",
                inlinePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                            Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
                        },
                    ],
                }),
                tags: tag("flow-logs"),
            },
            parent,
        );
        new aws.ec2.FlowLog(
            name,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroup.arn,
                iamRoleArn: flowLogRole.role.arn,
                maxAggregationInterval: 60,
                tags: tag("flow-logs"),
            },
            { parent: this, dependsOn: flowLogRole.grants },
        );
    }
}

export interface StoreSecurityGroupArgs {
    vpcId: pulumi.Input<string>;
    port: number;
    /** The only source admitted: the EKS cluster security group (nodes and, with the VPC CNI, pods). */
    clientSecurityGroupId: pulumi.Input<string>;
    description: string;
    tags: Tags;
}

/** Security group for a data store: one ingress rule, from the cluster's group on the store's port. */
export function storeSecurityGroup(name: string, args: StoreSecurityGroupArgs, opts: pulumi.CustomResourceOptions): aws.ec2.SecurityGroup {
    // No egress rules: a database or cache never opens connections.
    const group = new aws.ec2.SecurityGroup(name, { vpcId: args.vpcId, description: args.description, tags: { ...args.tags, Name: name } }, opts);
    new aws.vpc.SecurityGroupIngressRule(
        name,
        {
            securityGroupId: group.id,
            referencedSecurityGroupId: args.clientSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: args.port,
            toPort: args.port,
            description: `from the EKS cluster security group on ${args.port}`,
            tags: args.tags,
        },
        { ...opts, parent: group },
    );
    return group;
}
