// AWS: what the account already runs against each quota the stack draws on, and the part of it that is
// this stack's own (tagged with its project and stack, components/aws/tags.ts): an existing stack's
// nodes, addresses, NAT gateways, VPC and ALB are inside its need, not beside it. Read-only Describe calls.
import {
    DescribeAddressesCommand,
    DescribeInstancesCommand,
    DescribeInstanceTypesCommand,
    DescribeNatGatewaysCommand,
    DescribeSubnetsCommand,
    DescribeVpcsCommand,
    EC2Client,
    type Tag,
} from "@aws-sdk/client-ec2";
import { DescribeLoadBalancersCommand, DescribeTagsCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";

/** The clients these reads use (a subset of aws.ts AwsClients). */
interface Clients {
    ec2: EC2Client;
    elbv2: ElasticLoadBalancingV2Client;
}

/** In use against a quota: everything the account runs, and how much of it is this stack's. */
export interface Usage {
    used: number;
    own: number;
}

/** Every page of a paginated Describe call. */
export async function all<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
        const { items, next } = await page(token);
        out.push(...items);
        token = next;
    } while (token);
    return out;
}

/** Carries every one of the stack's own tags. */
const isOwn = (tags: Pick<Tag, "Key" | "Value">[] | undefined, own: Record<string, string>) =>
    Object.entries(own).every(([k, v]) => (tags ?? []).some((t) => t.Key === k && t.Value === v));

const count = <T>(items: T[], own: (item: T) => boolean): Usage => ({ used: items.length, own: items.filter(own).length });

/** The instance families L-1216C47A counts (its name lists them). */
const STANDARD_FAMILY = /^[acdhimrtz]/;

/** vCPUs of the pending and running Standard-family instances. */
export async function vcpusInUse(c: Clients, own: Record<string, string>): Promise<Usage> {
    const instances = await all(async (NextToken) => {
        const r = await c.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }], NextToken }));
        return { items: (r.Reservations ?? []).flatMap((x) => x.Instances ?? []), next: r.NextToken };
    });
    const standard = instances.filter((i) => STANDARD_FAMILY.test(i.InstanceType!));
    if (standard.length === 0) return { used: 0, own: 0 };
    const unique = [...new Set(standard.map((i) => i.InstanceType!))];
    const vcpus = new Map<string, number>();
    for (let i = 0; i < unique.length; i += 100) {
        const r = await c.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: unique.slice(i, i + 100) }));
        for (const t of r.InstanceTypes ?? []) vcpus.set(t.InstanceType!, t.VCpuInfo?.DefaultVCpus ?? NaN);
    }
    const sum = (list: typeof standard) => list.reduce((a, i) => a + (vcpus.get(i.InstanceType!) ?? NaN), 0);
    return { used: sum(standard), own: sum(standard.filter((i) => isOwn(i.Tags, own))) };
}

/** NAT gateways (pending or available) in the one of `zones` with the most that are not the stack's. */
export async function natPerZoneInUse(c: Clients, zones: string[], own: Record<string, string>): Promise<Usage> {
    const nats = await all(async (NextToken) => {
        const r = await c.ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: "state", Values: ["pending", "available"] }], NextToken }));
        return { items: r.NatGateways ?? [], next: r.NextToken };
    });
    if (nats.length === 0) return { used: 0, own: 0 };
    const { Subnets = [] } = await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...new Set(nats.map((n) => n.SubnetId!))] }));
    const zoneOf = new Map(Subnets.map((s) => [s.SubnetId, s.AvailabilityZone]));
    const perZone = zones.map((z) =>
        count(
            nats.filter((n) => zoneOf.get(n.SubnetId) === z),
            (n) => isOwn(n.Tags, own),
        ),
    );
    return perZone.reduce((a, b) => (b.used - b.own > a.used - a.own ? b : a), { used: 0, own: 0 });
}

export async function elasticIpsInUse(c: Clients, own: Record<string, string>): Promise<Usage> {
    const r = await c.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: "domain", Values: ["vpc"] }] }));
    return count(r.Addresses ?? [], (a) => isOwn(a.Tags, own));
}

export async function vpcsInUse(c: Clients, own: Record<string, string>): Promise<Usage> {
    const vpcs = await all(async (NextToken) => {
        const r = await c.ec2.send(new DescribeVpcsCommand({ NextToken }));
        return { items: r.Vpcs ?? [], next: r.NextToken };
    });
    return count(vpcs, (v) => isOwn(v.Tags, own));
}

/** Application Load Balancers; the stack's own carry its tags (the Load Balancer Controller's defaultTags). */
export async function albsInUse(c: Clients, own: Record<string, string>): Promise<Usage> {
    const albs = await all(async (Marker) => {
        const r = await c.elbv2.send(new DescribeLoadBalancersCommand({ Marker }));
        return { items: (r.LoadBalancers ?? []).filter((l) => l.Type === "application"), next: r.NextMarker };
    });
    const ours = new Set<string>();
    // DescribeTags takes up to 20 ARNs a call.
    for (let i = 0; i < albs.length; i += 20) {
        const r = await c.elbv2.send(new DescribeTagsCommand({ ResourceArns: albs.slice(i, i + 20).map((l) => l.LoadBalancerArn!) }));
        for (const d of r.TagDescriptions ?? []) if (isOwn(d.Tags, own)) ours.add(d.ResourceArn!);
    }
    return { used: albs.length, own: ours.size };
}
