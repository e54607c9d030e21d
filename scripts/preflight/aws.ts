// AWS: the plan's needs against the account's read-only APIs, through the AWS SDK v3 clients.
// Every call is a Describe/Get/List/Simulate: nothing is created. API references:
//   EC2 DescribeAvailabilityZones, DescribeInstanceTypeOfferings, DescribeInstances, DescribeInstanceTypes,
//     DescribeAddresses, DescribeVpcs, DescribeNatGateways, DescribeSubnets: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/
//   Service Quotas GetServiceQuota / GetAWSDefaultServiceQuota: https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/
//   EKS DescribeClusterVersions: https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeClusterVersions.html
//   EKS DescribeAddonVersions: https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
//   RDS DescribeOrderableDBInstanceOptions: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeOrderableDBInstanceOptions.html
//   ElastiCache DescribeCacheEngineVersions, DescribeReservedCacheNodesOfferings: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/
//   IAM SimulatePrincipalPolicy, GetRole: https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
//   STS GetCallerIdentity, ELBv2 DescribeLoadBalancers.
import { DescribeAvailabilityZonesCommand, DescribeInstanceTypeOfferingsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeCacheEngineVersionsCommand, DescribeReservedCacheNodesOfferingsCommand, ElastiCacheClient } from "@aws-sdk/client-elasticache";
import { DescribeAddonVersionsCommand, DescribeClusterVersionsCommand, EKSClient } from "@aws-sdk/client-eks";
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { DescribeOrderableDBInstanceOptionsCommand, RDSClient } from "@aws-sdk/client-rds";
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { vcpuNeed, type Needs } from "./needs";
import { deployedVersionCheck, eksDeployed } from "./deployedVersion";
import { albsInUse, all, elasticIpsInUse, natPerZoneInUse, vcpusInUse, vpcsInUse, type Usage } from "./awsUsage";
import { attempt, closingRows, defaultVersions, offeredInZones, orderable, permissions, quota, unknown, versionSupported, type Row } from "./judge";

export interface AwsClients {
    ec2: EC2Client;
    quotas: ServiceQuotasClient;
    eks: EKSClient;
    rds: RDSClient;
    elasticache: ElastiCacheClient;
    iam: IAMClient;
    sts: STSClient;
    elbv2: ElasticLoadBalancingV2Client;
}

/** Clients on the SDK's default credential chain; `endpoint` (tests) points all of them at one server. */
export function awsClients(region: string, endpoint?: (service: keyof AwsClients) => string | undefined): AwsClients {
    const opts = (s: keyof AwsClients) => ({ region, maxAttempts: 2, ...(endpoint?.(s) ? { endpoint: endpoint(s) } : {}) });
    return {
        ec2: new EC2Client(opts("ec2")),
        quotas: new ServiceQuotasClient(opts("quotas")),
        eks: new EKSClient(opts("eks")),
        rds: new RDSClient(opts("rds")),
        elasticache: new ElastiCacheClient(opts("elasticache")),
        iam: new IAMClient(opts("iam")),
        sts: new STSClient(opts("sts")),
        elbv2: new ElasticLoadBalancingV2Client(opts("elbv2")),
    };
}

// Quota codes, as Service Quotas names them (console "AWS services" pages; the VPC ones also in
// https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html, the ALB one in
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html).
const QUOTAS = {
    vcpu: { service: "ec2", code: "L-1216C47A", name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, vCPUs" },
    eip: { service: "ec2", code: "L-0263D0A3", name: "EC2-VPC Elastic IPs" },
    vpc: { service: "vpc", code: "L-F678F1CE", name: "VPCs per Region" },
    nat: { service: "vpc", code: "L-FE5A380F", name: "NAT gateways per Availability Zone" },
    alb: { service: "elasticloadbalancing", code: "L-53DA6B97", name: "Application Load Balancers per Region" },
} as const;

async function quotaValue(c: AwsClients, q: (typeof QUOTAS)[keyof typeof QUOTAS]): Promise<number | undefined> {
    try {
        return (await c.quotas.send(new GetServiceQuotaCommand({ ServiceCode: q.service, QuotaCode: q.code }))).Quota?.Value;
    } catch (e) {
        // No applied value: the account has the default (GetServiceQuota's documented NoSuchResourceException).
        if ((e as Error).name !== "NoSuchResourceException") throw e;
        return (await c.quotas.send(new GetAWSDefaultServiceQuotaCommand({ ServiceCode: q.service, QuotaCode: q.code }))).Quota?.Value;
    }
}

const quotaRow = (region: string, q: (typeof QUOTAS)[keyof typeof QUOTAS], need: number, limit: number | undefined, usage: Usage, unit: string) =>
    quota({
        check: `quota: ${q.name} (${q.service} ${q.code})`,
        need,
        limit,
        ...usage,
        unit,
        increase: (n) =>
            `aws service-quotas request-service-quota-increase --region ${region} --service-code ${q.service} --quota-code ${q.code} --desired-value ${n}`,
    });

/** The zones the stack picks on its first run (stacks/aws.ts): the first available ones that need no opt-in. */
async function stackZones(c: AwsClients, n: number): Promise<string[]> {
    const { AvailabilityZones = [] } = await c.ec2.send(
        new DescribeAvailabilityZonesCommand({
            Filters: [
                { Name: "state", Values: ["available"] },
                { Name: "opt-in-status", Values: ["opt-in-not-required"] },
                { Name: "zone-type", Values: ["availability-zone"] },
            ],
        }),
    );
    return AvailabilityZones.map((z) => z.ZoneName!)
        .sort()
        .slice(0, n);
}

/** The IAM principal behind the caller: an assumed role's role (with its path), or the user itself. */
async function principalArn(c: AwsClients, arn: string): Promise<string> {
    const role = /^arn:(aws[a-z-]*):sts::\d{12}:assumed-role\/([^/]+)\//.exec(arn);
    if (!role) return arn;
    return (await c.iam.send(new GetRoleCommand({ RoleName: role[2] }))).Role!.Arn!;
}

export interface AwsInput {
    needs: Needs;
    /** Zones to check instead of the ones the stack would pick (a stack that already chose them). */
    zones?: string[];
    egress: { ip?: string; error?: string };
    /**
     * The IAM role or user whose policies to simulate instead of the caller's: the deploy role, when
     * preflight runs as a read-only identity (the preview workflow). The caller needs
     * iam:SimulatePrincipalPolicy on that principal.
     */
    principal?: string;
}

/** What every check after the zones reads: the clients, the plan's needs and the zones the stack uses. */
interface AwsContext {
    c: AwsClients;
    needs: Needs;
    zones: string[];
}

const ZONE_FIX = "pick another region (aws:region) or name zones that offer it";

/** The zones given, or those the stack would pick, with their row; no zones when the call failed. */
async function zonesCheck(c: AwsClients, needs: Needs, given?: string[]): Promise<{ zones: string[]; rows: Row[] }> {
    const check = "zones: the stack's availability zones";
    let zones = given ?? [];
    const rows = await attempt(check, ZONE_FIX, async () => {
        if (!given) zones = await stackZones(c, needs.zoneCount);
        return zones.length >= needs.zoneCount
            ? { check, status: "ok", detail: `${zones.join(", ")}` }
            : unknown(check, `${needs.region} has ${zones.length} zones without opt-in; the stack needs ${needs.zoneCount}`, ZONE_FIX);
    });
    return { zones, rows };
}

/** Each node size offered in every zone. */
async function sizeChecks({ c, needs, zones }: AwsContext): Promise<Row[]> {
    const rows: Row[] = [];
    for (const size of [...new Set(needs.pools.map((p) => p.size))]) {
        const check = `size: EC2 ${size} offered in each zone`;
        rows.push(
            ...(await attempt(check, ZONE_FIX, async () => {
                const offers = await all(async (NextToken) => {
                    const r = await c.ec2.send(
                        new DescribeInstanceTypeOfferingsCommand({
                            LocationType: "availability-zone",
                            Filters: [{ Name: "instance-type", Values: [size] }],
                            NextToken,
                        }),
                    );
                    return { items: r.InstanceTypeOfferings ?? [], next: r.NextToken };
                });
                return offeredInZones(check, size, zones, new Set(offers.map((o) => o.Location!)), `${ZONE_FIX}, or nodeArch for another family`);
            })),
        );
    }
    return rows;
}

/** Each quota the stack draws on: what it needs at its maxima against the quota and what is in use. */
async function quotaChecks({ c, needs, zones }: AwsContext): Promise<Row[]> {
    const own = needs.ownTags ?? {};
    const checks: [keyof typeof QUOTAS, number, string, () => Promise<Usage>][] = [
        ["vcpu", vcpuNeed(needs.pools), "vCPUs (node groups at their autoscaler maxima, surging in an update)", () => vcpusInUse(c, own)],
        ["eip", needs.publicAddresses, "Elastic IPs (one per NAT gateway)", () => elasticIpsInUse(c, own)],
        ["vpc", 1, "VPC", () => vpcsInUse(c, own)],
        ["nat", Math.ceil(needs.natGateways / Math.max(1, needs.zoneCount)), "NAT gateway(s) per zone", () => natPerZoneInUse(c, zones, own)],
        ["alb", 1, "ALB (the AWS Load Balancer Controller's, for the Gateway)", () => albsInUse(c, own)],
    ];
    const rows: Row[] = [];
    for (const [k, need, unit, inUse] of checks) {
        const q = QUOTAS[k];
        rows.push(
            ...(await attempt(`quota: ${q.name} (${q.service} ${q.code})`, `check ${q.code} in the Service Quotas console`, async () =>
                quotaRow(needs.region, q, need, await quotaValue(c, q), await inUse(), unit),
            )),
        );
    }
    return rows;
}

/** The stack's Kubernetes minor among those EKS supports now. */
async function versionCheck({ c, needs }: AwsContext): Promise<Row[]> {
    const k8s = needs.kubernetes.version!;
    return attempt("version: EKS Kubernetes minor", "check https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html", async () => {
        const versions = await all(async (nextToken) => {
            const r = await c.eks.send(new DescribeClusterVersionsCommand({ nextToken }));
            return { items: r.clusterVersions ?? [], next: r.nextToken };
        });
        const supported = versions.filter((v) => v.versionStatus && v.versionStatus !== "UNSUPPORTED").map((v) => v.clusterVersion!);
        return versionSupported("version: EKS Kubernetes minor", k8s, supported, "aws.kubernetesVersion");
    });
}

/**
 * Each managed add-on has a default version for the cluster's minor: components/aws/cluster.ts resolves
 * every add-on's version with getAddonVersion (no mostRecent), which fails `pulumi up` without one.
 */
async function addonsCheck({ c, needs }: AwsContext): Promise<Row[]> {
    const k8s = needs.kubernetes.version!;
    const check = `add-ons: EKS default versions for Kubernetes ${k8s}`;
    const fix = "pulumi config set --path aws.kubernetesVersion <a minor every add-on has a default for>";
    return attempt(check, "grant eks:DescribeAddonVersions", async () => {
        const defaults = new Map<string, string | undefined>();
        for (const addonName of needs.addons ?? []) {
            const infos = await all(async (nextToken) => {
                const r = await c.eks.send(new DescribeAddonVersionsCommand({ addonName, kubernetesVersion: k8s, nextToken }));
                return { items: r.addons ?? [], next: r.nextToken };
            });
            const version = infos
                .flatMap((a) => a.addonVersions ?? [])
                .find((v) => (v.compatibilities ?? []).some((x) => x.clusterVersion === k8s && x.defaultVersion));
            defaults.set(addonName, version?.addonVersion);
        }
        return defaultVersions(check, k8s, defaults, fix);
    });
}

/** The RDS class orderable with the stack's PostgreSQL version, Multi-AZ where the stack asks for it. */
async function databaseCheck({ c, needs }: AwsContext): Promise<Row[]> {
    const db = needs.database;
    const dbCheck = `database: RDS PostgreSQL ${db.version} on ${db.size}, ${db.ha}`;
    return attempt(dbCheck, "check the RDS console's create page for the region", async () => {
        const options = await all(async (Marker) => {
            const r = await c.rds.send(new DescribeOrderableDBInstanceOptionsCommand({ Engine: "postgres", DBInstanceClass: db.size, Marker }));
            return { items: r.OrderableDBInstanceOptions ?? [], next: r.Marker };
        });
        // The stack's version is a major ("18") or major.minor ("18.1"); RDS picks the newest minor of a major.
        const match = options.filter((o) => o.EngineVersion === db.version || o.EngineVersion?.startsWith(`${db.version}.`));
        const found = match.some((o) => db.ha !== "Multi-AZ" || o.MultiAZCapable);
        const versions = [...new Set(options.filter((o) => o.MultiAZCapable).map((o) => o.EngineVersion!.split(".")[0]))].sort();
        return orderable(
            dbCheck,
            `postgres ${db.version} on ${db.size}${db.ha === "Multi-AZ" ? " with Multi-AZ" : ""}`,
            found,
            versions.length
                ? `pulumi config set --path aws.postgresVersion <one of ${versions.join(", ")}> (orderable on ${db.size} with Multi-AZ)`
                : `${db.size} is not orderable for postgres in ${needs.region}: pick another region`,
        );
    });
}

/** The cache engine version and node type ElastiCache offers in the region. */
async function cacheCheck({ c, needs }: AwsContext): Promise<Row[]> {
    const cache = needs.cache;
    const check = `cache: ElastiCache ${cache.engine} ${cache.version} on ${cache.size}`;
    return attempt(check, "check the ElastiCache console for the region", async () => {
        const engines = await c.elasticache.send(new DescribeCacheEngineVersionsCommand({ Engine: cache.engine, EngineVersion: cache.version }));
        // No API lists node types per region; the reserved-node offerings of a type exist only where it is sold.
        const offers = await c.elasticache.send(new DescribeReservedCacheNodesOfferingsCommand({ CacheNodeType: cache.size, MaxRecords: 20 }));
        const engineOk = (engines.CacheEngineVersions ?? []).length > 0;
        const nodeOk = (offers.ReservedCacheNodesOfferings ?? []).length > 0;
        return orderable(
            check,
            [!engineOk ? `${cache.engine} ${cache.version}` : "", !nodeOk ? cache.size : ""].filter(Boolean).join(" and ") ||
                `${cache.engine} ${cache.version} on ${cache.size}`,
            engineOk && nodeOk,
            !engineOk ? "pulumi config set --path aws.valkeyVersion <a version DescribeCacheEngineVersions lists>" : `pick a region that offers ${cache.size}`,
        );
    });
}

/** The caller's IAM policies (or `principal`'s), simulated for every action the plan needs. */
async function permissionsCheck({ c, needs }: AwsContext, principal?: string): Promise<Row[]> {
    const check = principal ? "permissions: the deploy principal's IAM policies" : "permissions: the caller's IAM policies";
    const access = principal ? `iam:SimulatePrincipalPolicy on ${principal}` : "iam:SimulatePrincipalPolicy and iam:GetRole";
    return attempt(check, `run with credentials that may call ${access}`, async () => {
        const arn = principal ?? (await principalArn(c, (await c.sts.send(new GetCallerIdentityCommand({}))).Arn!));
        const results = await all(async (Marker) => {
            const r = await c.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: needs.actions, Marker }));
            return { items: r.EvaluationResults ?? [], next: r.IsTruncated ? r.Marker : undefined };
        });
        const allowed = new Set(results.filter((r) => r.EvalDecision === "allowed").map((r) => r.EvalActionName));
        const missing = needs.actions.filter((a) => !allowed.has(a));
        return permissions(check, arn, needs.actions, missing, `grant ${arn} ${missing.join(", ")} (an IAM policy on the role or user)`);
    });
}

/** Every check, one after the other (each row says ✓, ✗ or could not check). */
export async function awsChecks(c: AwsClients, { needs, zones: given, egress, principal }: AwsInput): Promise<Row[]> {
    const { zones, rows } = await zonesCheck(c, needs, given);
    const ctx: AwsContext = { c, needs, zones };
    rows.push(...(await sizeChecks(ctx)));
    rows.push(...(await quotaChecks(ctx)));
    rows.push(...(await versionCheck(ctx)));
    rows.push(...(await deployedVersionCheck("EKS", needs.cluster, () => eksDeployed(c.eks, needs.cluster.name!))));
    rows.push(...(await addonsCheck(ctx)));
    rows.push(...(await databaseCheck(ctx)));
    rows.push(...(await cacheCheck(ctx)));
    rows.push(...(await permissionsCheck(ctx, principal)));
    rows.push(...closingRows(needs, egress, "EKS", "VPC"));
    return rows;
}
