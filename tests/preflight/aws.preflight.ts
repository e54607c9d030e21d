// AWS preflight: the real AWS SDK v3 clients against moto's server for what moto implements (STS
// GetCallerIdentity; EC2 DescribeAvailabilityZones, DescribeInstanceTypeOfferings from moto's recorded
// offerings, DescribeInstances, DescribeInstanceTypes, DescribeAddresses, DescribeVpcs,
// DescribeNatGateways; ELBv2 DescribeLoadBalancers), and a loopback server in the documented response
// shape for what moto 5.2.1 lacks: Service Quotas values (moto knows only the vpc defaults and cannot set
// a value), EKS DescribeClusterVersions and DescribeAddonVersions, RDS DescribeOrderableDBInstanceOptions (moto: Aurora and Neptune
// only), ElastiCache DescribeCacheEngineVersions / DescribeReservedCacheNodesOfferings and IAM
// SimulatePrincipalPolicy (not implemented).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { AllocateAddressCommand, CreateSubnetCommand, CreateVpcCommand, RunInstancesCommand, type TagSpecification } from "@aws-sdk/client-ec2";
import { CreateLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateClusterCommand, CreateNodegroupCommand } from "@aws-sdk/client-eks";
import { HANG_MS } from "../hang";
import { ROOT, runStack } from "../harness";
import { sizingFor } from "../../model/capacity";
import { awsChecks, awsClients, type AwsClients } from "../../scripts/preflight/aws";
import { egressAddress, type Row } from "../../scripts/preflight/judge";
import { needsFor, type Needs } from "../../scripts/preflight/needs";
import { serve } from "../localServer";
import { assertFails, row } from "./rows";
import { startMoto } from "./moto";

const creds = { accessKeyId: "testing", secretAccessKey: "testing" };

/** What the served APIs answer in one scenario. */
interface Account {
    quotas: Record<string, number>;
    eksVersions: { clusterVersion: string; versionStatus: string }[];
    /** Add-ons without a default version for the asked minor (they list only an older minor's default). */
    addonsWithoutDefault: string[];
    rdsOptions: { EngineVersion: string; MultiAZCapable: boolean }[];
    cacheEngine: boolean;
    cacheNodeOffered: boolean;
    denied: string[];
    egress: string;
    /** Filled by the server: each SimulatePrincipalPolicy's PolicySourceArn. */
    simulatedFor?: string[];
}

const xml = (action: string, ns: string, body: string) =>
    `<${action}Response xmlns="${ns}"><${action}Result>${body}</${action}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></${action}Response>`;

/** moto's address, where the gap server sends the EKS calls moto implements (DescribeCluster, node groups). */
let motoUrl = "";

/** The APIs moto lacks, answered in their documented shapes; EKS's /clusters paths go on to moto. */
async function gapServer(a: Account): Promise<string> {
    return serve((req, body, res) => {
        if (req.url?.startsWith("/clusters")) {
            const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length"].includes(k))) as Record<string, string>;
            void fetch(`${motoUrl}${req.url}`, { method: req.method, headers, body: body || undefined }).then(async (r) => {
                // moto's headers as they are (x-amzn-errortype names the error the SDK raises), less the framing.
                const back = Object.fromEntries([...r.headers].filter(([k]) => !["content-length", "transfer-encoding", "connection"].includes(k)));
                res.writeHead(r.status, back).end(await r.text());
            });
            return;
        }
        const target = String(req.headers["x-amz-target"] ?? "");
        const form = new URLSearchParams(body);
        if (req.url === "/ip") return res.end(`${a.egress}\n`);
        // Service Quotas GetServiceQuota (awsJson1_1): {Quota: ServiceQuota{ServiceCode, QuotaCode, QuotaName, Value, ...}},
        // https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html
        if (target === "ServiceQuotasV20190624.GetServiceQuota") {
            const { ServiceCode, QuotaCode } = JSON.parse(body);
            res.setHeader("content-type", "application/x-amz-json-1.1");
            return res.end(
                JSON.stringify({ Quota: { ServiceCode, QuotaCode, QuotaName: QuotaCode, Value: a.quotas[`${ServiceCode}/${QuotaCode}`], Adjustable: true } }),
            );
        }
        // EKS DescribeClusterVersions (REST JSON, GET /cluster-versions): {clusterVersions: [ClusterVersionInformation], nextToken},
        // https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeClusterVersions.html
        // EKS DescribeAddonVersions (REST JSON, GET /addons/supported-versions?addonName&kubernetesVersion):
        // {addons: [AddonInfo {addonName, type, addonVersions: [AddonVersionInfo {addonVersion, architecture,
        // compatibilities: [{clusterVersion, platformVersions, defaultVersion}]}], publisher, owner}], nextToken},
        // https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
        if (req.url?.startsWith("/addons/supported-versions")) {
            const q = new URL(req.url, "http://x").searchParams;
            const addonName = q.get("addonName")!;
            const k8s = q.get("kubernetesVersion")!;
            const compat = (clusterVersion: string) => ({ clusterVersion, platformVersions: ["*"], defaultVersion: true });
            res.setHeader("content-type", "application/json");
            return res.end(
                JSON.stringify({
                    addons: [
                        {
                            addonName,
                            type: "networking",
                            publisher: "eks",
                            owner: "aws",
                            addonVersions: [
                                {
                                    addonVersion: "v1.2.0-eksbuild.1",
                                    architecture: ["amd64", "arm64"],
                                    compatibilities: [a.addonsWithoutDefault.includes(addonName) ? { ...compat(k8s), defaultVersion: false } : compat(k8s)],
                                },
                                { addonVersion: "v1.1.0-eksbuild.3", architecture: ["amd64", "arm64"], compatibilities: [compat("1.34")] },
                            ],
                        },
                    ],
                }),
            );
        }
        if (req.url?.startsWith("/cluster-versions")) {
            res.setHeader("content-type", "application/json");
            return res.end(JSON.stringify({ clusterVersions: a.eksVersions.map((v) => ({ clusterType: "eks", ...v })) }));
        }
        res.setHeader("content-type", "text/xml");
        switch (form.get("Action")) {
            // RDS: OrderableDBInstanceOptions of OrderableDBInstanceOption elements,
            // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeOrderableDBInstanceOptions.html
            case "DescribeOrderableDBInstanceOptions":
                return res.end(
                    xml(
                        "DescribeOrderableDBInstanceOptions",
                        "http://rds.amazonaws.com/doc/2014-10-31/",
                        `<OrderableDBInstanceOptions>${a.rdsOptions
                            .map(
                                (o) =>
                                    `<OrderableDBInstanceOption><Engine>postgres</Engine><EngineVersion>${o.EngineVersion}</EngineVersion><DBInstanceClass>${form.get("DBInstanceClass")}</DBInstanceClass><MultiAZCapable>${o.MultiAZCapable}</MultiAZCapable><StorageType>gp3</StorageType></OrderableDBInstanceOption>`,
                            )
                            .join("")}</OrderableDBInstanceOptions>`,
                    ),
                );
            // ElastiCache: CacheEngineVersions of CacheEngineVersion, ReservedCacheNodesOfferings of ReservedCacheNodesOffering,
            // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeCacheEngineVersions.html and
            // https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeReservedCacheNodesOfferings.html
            case "DescribeCacheEngineVersions":
                return res.end(
                    xml(
                        "DescribeCacheEngineVersions",
                        "http://elasticache.amazonaws.com/doc/2015-02-02/",
                        `<CacheEngineVersions>${a.cacheEngine ? `<CacheEngineVersion><Engine>${form.get("Engine")}</Engine><EngineVersion>${form.get("EngineVersion")}</EngineVersion><CacheParameterGroupFamily>valkey8</CacheParameterGroupFamily></CacheEngineVersion>` : ""}</CacheEngineVersions>`,
                    ),
                );
            case "DescribeReservedCacheNodesOfferings":
                return res.end(
                    xml(
                        "DescribeReservedCacheNodesOfferings",
                        "http://elasticache.amazonaws.com/doc/2015-02-02/",
                        `<ReservedCacheNodesOfferings>${a.cacheNodeOffered ? `<ReservedCacheNodesOffering><ReservedCacheNodesOfferingId>438012d3-4052-4cc7-b2e3-8d3372e0e706</ReservedCacheNodesOfferingId><CacheNodeType>${form.get("CacheNodeType")}</CacheNodeType><Duration>31536000</Duration><ProductDescription>valkey</ProductDescription><OfferingType>No Upfront</OfferingType></ReservedCacheNodesOffering>` : ""}</ReservedCacheNodesOfferings>`,
                    ),
                );
            // IAM SimulatePrincipalPolicy: EvaluationResults of member {EvalActionName, EvalResourceName, EvalDecision},
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
            case "SimulatePrincipalPolicy": {
                (a.simulatedFor ??= []).push(form.get("PolicySourceArn")!);
                const actions = [...form.entries()].filter(([k]) => k.startsWith("ActionNames.member.")).map(([, v]) => v);
                return res.end(
                    xml(
                        "SimulatePrincipalPolicy",
                        "https://iam.amazonaws.com/doc/2010-05-08/",
                        `<IsTruncated>false</IsTruncated><EvaluationResults>${actions
                            .map(
                                (x) =>
                                    `<member><EvalActionName>${x}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>${a.denied.includes(x) ? "implicitDeny" : "allowed"}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`,
                            )
                            .join("")}</EvaluationResults>`,
                    ),
                );
            }
        }
        return res.writeHead(400).end(`unexpected request ${req.method} ${req.url} ${target} ${form.get("Action")}`);
    });
}

describe("preflight: AWS (moto + documented shapes)", function () {
    this.timeout(60_000);
    let moto: { url: string; stop: () => void };
    let needs: Needs;
    let addonsPlanned: string[];
    before(async () => {
        moto = await startMoto();
        motoUrl = moto.url;
        const run = await runStack("aws", { "aws.apiPublicAccessCidrs": "198.51.100.0/24" }, { preview: true });
        needs = needsFor(run.config, run.resources, sizingFor(run.config).nodes.vcpu);
        addonsPlanned = run.resources.filter((r) => r.type === "aws:eks/addon:Addon").map((r) => r.inputs.addonName as string);
    });
    after(() => moto?.stop());

    const clients = (region: string, gap: string): AwsClients => {
        const c = awsClients(region, (s) => (["quotas", "eks", "rds", "elasticache", "iam"].includes(s) ? gap : moto.url));
        for (const client of Object.values(c)) client.config.credentials = () => Promise.resolve(creds);
        return c;
    };
    /** What the account already uses in `region` (moto): 2 × m5.xlarge running (8 vCPUs), 2 Elastic IPs, its default VPC. */
    async function seed(c: AwsClients) {
        await c.ec2.send(new RunInstancesCommand({ ImageId: "ami-12c6146b", InstanceType: "m5.xlarge", MinCount: 2, MaxCount: 2 }));
        await c.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
        await c.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    }
    // The plan needs: 3 node groups × (11 + 2 surging in an update) × 4 vCPUs = 156, 3 EIPs and 3 NAT gateways (one per zone), 1 VPC, 1 ALB.
    const enough = (q: { vcpu: number; eip: number; vpc: number; nat: number; alb: number }) => ({
        "ec2/L-1216C47A": q.vcpu,
        "ec2/L-0263D0A3": q.eip,
        "vpc/L-F678F1CE": q.vpc,
        "vpc/L-FE5A380F": q.nat,
        "elasticloadbalancing/L-53DA6B97": q.alb,
    });

    // A sufficient account's answers, each quota exactly at need + what the rest of the account uses.
    const sufficient = (others: { vcpu: number; eip: number; vpc: number; alb: number }): Account => ({
        quotas: enough({ vcpu: 156 + others.vcpu, eip: 3 + others.eip, vpc: 1 + others.vpc, nat: 1, alb: 1 + others.alb }),
        eksVersions: [
            { clusterVersion: "1.36", versionStatus: "STANDARD_SUPPORT" },
            { clusterVersion: "1.35", versionStatus: "STANDARD_SUPPORT" },
        ],
        addonsWithoutDefault: [],
        rdsOptions: [{ EngineVersion: "18.1", MultiAZCapable: true }],
        cacheEngine: true,
        cacheNodeOffered: true,
        denied: [],
        egress: "198.51.100.7",
    });

    it("reads the plan's needs: node groups at their maxima, addresses, versions, the allow-list, the actions", () => {
        assert.deepEqual(
            needs.pools.map((p) => [p.max, p.surge, p.vcpu]),
            [
                [11, 2, 4],
                [11, 2, 4],
                [11, 2, 4],
            ],
        );
        assert.deepEqual([...new Set(needs.pools.map((p) => p.size))], ["m7i.xlarge"]);
        assert.equal(needs.publicAddresses, 3);
        assert.equal(needs.natGateways, 3);
        assert.deepEqual(needs.kubernetes, { version: "1.35" });
        // Every add-on the plan installs (tests/aws.spec.ts names them), vpc-cni among them.
        assert.deepEqual(needs.addons, addonsPlanned);
        assert.ok(needs.addons.includes("vpc-cni"));
        assert.deepEqual(needs.database, { version: "18", size: "db.m7g.2xlarge", ha: "Multi-AZ" });
        assert.deepEqual(needs.cache, { engine: "valkey", version: "8.2", size: "cache.r7g.large" });
        assert.deepEqual(needs.allowList, { key: "aws.apiPublicAccessCidrs", cidrs: ["198.51.100.0/24"] });
        assert.ok(needs.actions.includes("eks:CreateCluster") && needs.actions.includes("iam:PassRole") && needs.actions.includes("rds:CreateDBInstance"));
        assert.deepEqual(needs.unmapped, []);
    });

    it("a sufficient account passes every check", async () => {
        // seed(): 8 vCPUs, 2 Elastic IPs and the default VPC are the account's others.
        const gap = await gapServer(sufficient({ vcpu: 8, eip: 2, vpc: 1, alb: 0 }));
        const c = clients("eu-west-1", gap);
        await seed(c);
        const rows = await awsChecks(c, { needs: { ...needs, region: "eu-west-1" }, egress: { ip: await egressAddress(`${gap}/ip`) } });
        assert.deepEqual(
            rows.filter((r) => r.status !== "ok"),
            [],
        );
        assert.equal(rows.length, 14);
        assert.equal(row(rows, "version: upgrade from the running EKS cluster").detail, "no EKS cluster named zdp-aws: first deployment");
        assert.match(row(rows, "add-ons: EKS default versions for Kubernetes 1.35").detail, /^\S+ v1\.2\.0-eksbuild\.1(, \S+ v1\.2\.0-eksbuild\.1){6}$/);
        assert.match(row(rows, "zones").detail, /^eu-west-1a, eu-west-1b, eu-west-1c$/);
        assert.match(row(rows, "quota: Running On-Demand").detail, /needs 156 vCPUs .*quota 164, 8 in use \(none this stack's own\), 156 free/);
        assert.match(row(rows, "quota: EC2-VPC Elastic IPs").detail, /quota 5, 2 in use/);
        assert.match(row(rows, "quota: VPCs per Region").detail, /quota 2, 1 in use/);
    });

    it("refuses each class: a quota one short, a size missing in a zone, an unsupported minor, a non-orderable DB class, a cache node type not sold, a missing permission, an allow-list without the caller", async () => {
        const gap = await gapServer({
            quotas: enough({ vcpu: 156 + 8 - 1, eip: 3 + 2 - 1, vpc: 1, nat: 0, alb: 0 }),
            eksVersions: [
                { clusterVersion: "1.36", versionStatus: "STANDARD_SUPPORT" },
                { clusterVersion: "1.35", versionStatus: "UNSUPPORTED" },
            ],
            addonsWithoutDefault: ["amazon-cloudwatch-observability"],
            rdsOptions: [
                { EngineVersion: "18.1", MultiAZCapable: false },
                { EngineVersion: "17.6", MultiAZCapable: true },
            ],
            cacheEngine: true,
            cacheNodeOffered: false,
            denied: ["iam:PassRole", "eks:CreateCluster"],
            egress: "192.0.2.44",
        });
        const c = clients("us-east-1", gap);
        await seed(c);
        // moto's recorded offerings: m7i.xlarge is in every us-east-1 zone but us-east-1e.
        const rows = await awsChecks(c, {
            needs: { ...needs, region: "us-east-1" },
            zones: ["us-east-1c", "us-east-1d", "us-east-1e"],
            egress: { ip: await egressAddress(`${gap}/ip`) },
        });
        const fails = (prefix: string, detail: RegExp, fix: RegExp) => assertFails(rows, prefix, detail, fix);
        fails("size: EC2 m7i.xlarge", /not offered in us-east-1e \(of us-east-1c, us-east-1d, us-east-1e\)/, /region/);
        fails(
            "quota: Running On-Demand",
            /needs 156 vCPUs .*; quota 163, 8 in use \(none this stack's own\), 155 free/,
            /--service-code ec2 --quota-code L-1216C47A --desired-value 164/,
        );
        fails("quota: EC2-VPC Elastic IPs", /needs 3 .*quota 4, 2 in use/, /--quota-code L-0263D0A3 --desired-value 5/);
        fails("quota: VPCs per Region", /quota 1, 1 in use \(none this stack's own\), 0 free/, /--quota-code L-F678F1CE --desired-value 2/);
        fails("quota: NAT gateways", /needs 1 /, /L-FE5A380F --desired-value 1/);
        fails("quota: Application Load Balancers", /needs 1 /, /L-53DA6B97 --desired-value 1/);
        fails("version: EKS", /1\.35 is not supported; supported: 1\.36/, /aws\.kubernetesVersion <one of 1\.36>/);
        fails("add-ons: EKS", /no default version for 1\.35: amazon-cloudwatch-observability$/, /aws\.kubernetesVersion/);
        fails("database: RDS", /postgres 18 on db.m7g.2xlarge with Multi-AZ is not orderable/, /aws\.postgresVersion <one of 17>/);
        fails("cache: ElastiCache", /cache\.r7g\.large is not orderable/, /region/);
        fails("permissions", /denied 2 of \d+: eks:CreateCluster, iam:PassRole/, /grant .*eks:CreateCluster, iam:PassRole/);
        fails("allow-list", /192\.0\.2\.44 is not in aws\.apiPublicAccessCidrs \(198\.51\.100\.0\/24\)/, /including 192\.0\.2\.44\/32/);
        assert.equal(row(rows, "zones").status, "ok");
    });

    it("an already deployed stack: its own instances, Elastic IPs, VPC and ALB (its project and stack tags) are inside its need, not counted twice", async () => {
        const gap = await gapServer(sufficient({ vcpu: 2, eip: 1, vpc: 1, alb: 0 }));
        const c = clients("eu-central-1", gap);
        const tagged = (ResourceType: TagSpecification["ResourceType"]): TagSpecification[] => [
            { ResourceType, Tags: Object.entries(needs.ownTags!).map(([Key, Value]) => ({ Key, Value })) },
        ];
        assert.deepEqual(needs.ownTags, { project: "zdp", stack: "aws" });
        // The stack's own: 2 × m5.xlarge (8 vCPUs), 3 NAT addresses, its VPC with an ALB; the account's others: 1 × m5.large (2 vCPUs), 1 address.
        await c.ec2.send(
            new RunInstancesCommand({ ImageId: "ami-12c6146b", InstanceType: "m5.xlarge", MinCount: 2, MaxCount: 2, TagSpecifications: tagged("instance") }),
        );
        await c.ec2.send(new RunInstancesCommand({ ImageId: "ami-12c6146b", InstanceType: "m5.large", MinCount: 1, MaxCount: 1 }));
        for (let i = 0; i < 3; i++) await c.ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagged("elastic-ip") }));
        await c.ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
        const vpc = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16", TagSpecifications: tagged("vpc") }))).Vpc!.VpcId!;
        const subnets = await Promise.all(
            ["a", "b"].map(
                async (z, i) =>
                    (await c.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `eu-central-1${z}` }))).Subnet!
                        .SubnetId!,
            ),
        );
        await c.elbv2.send(
            new CreateLoadBalancerCommand({
                Name: "k8s-zdp-gateway",
                Subnets: subnets,
                Type: "application",
                Tags: Object.entries(needs.ownTags).map(([Key, Value]) => ({ Key, Value })),
            }),
        );
        const rows = await awsChecks(c, { needs: { ...needs, region: "eu-central-1" }, egress: { ip: "198.51.100.7" } });
        assert.match(
            row(rows, "quota: Running On-Demand").detail,
            /needs 156 vCPUs .*; quota 158, 10 in use \(8 of them this stack's own, inside the need\), 156 free$/,
        );
        assert.match(row(rows, "quota: EC2-VPC Elastic IPs").detail, /quota 4, 4 in use \(3 of them this stack's own, inside the need\), 3 free$/);
        assert.match(row(rows, "quota: VPCs per Region").detail, /quota 2, 2 in use \(1 of them this stack's own, inside the need\), 1 free$/);
        assert.match(row(rows, "quota: Application Load Balancers").detail, /quota 1, 1 in use \(1 of them this stack's own, inside the need\), 1 free$/);
        for (const prefix of ["quota: Running On-Demand", "quota: EC2-VPC Elastic IPs", "quota: VPCs per Region", "quota: Application Load Balancers"])
            assert.equal(row(rows, prefix).status, "ok", prefix);
    });

    it("the running cluster (moto, by the name the stack declares): one minor up passes; a downgrade, a skip or a node group behind refuse, naming the key, the version and the allowed minors", async () => {
        assert.deepEqual([needs.cluster.name, needs.cluster.key, needs.cluster.version], ["zdp-aws", "aws.kubernetesVersion", "1.35"]);
        const check = "version: upgrade from the running EKS cluster";
        /** The stack's cluster in `region` on moto at `version`, with node groups at the given versions. */
        async function deployed(region: string, version: string, groups: string[]): Promise<AwsClients> {
            const c = clients(region, await gapServer(sufficient({ vcpu: 0, eip: 0, vpc: 1, alb: 0 })));
            const role = "arn:aws:iam::123456789012:role/zdp-aws-cluster";
            await c.eks.send(new CreateClusterCommand({ name: "zdp-aws", version, roleArn: role, resourcesVpcConfig: { subnetIds: ["subnet-0a1b2c3d"] } }));
            for (const [i, v] of groups.entries())
                await c.eks.send(
                    new CreateNodegroupCommand({
                        clusterName: "zdp-aws",
                        nodegroupName: `zdp-aws-z${i}-20261207`,
                        nodeRole: role,
                        subnets: ["subnet-0a1b2c3d"],
                        version: v,
                    }),
                );
            return c;
        }
        const at = async (c: AwsClients, region: string, configured = "1.35") =>
            row(await awsChecks(c, { needs: { ...needs, region, cluster: { ...needs.cluster, version: configured } }, egress: { ip: "198.51.100.7" } }), check);

        const next = await at(await deployed("us-west-2", "1.34", ["1.34", "1.34"]), "us-west-2");
        assert.deepEqual([next.status, next.detail], ["ok", "aws.kubernetesVersion = 1.35: one minor up from 1.34 on zdp-aws"]);

        const down = await at(await deployed("eu-west-2", "1.36", ["1.36"]), "eu-west-2");
        assert.equal(down.status, "fail");
        assert.match(
            down.detail,
            /^aws\.kubernetesVersion = 1\.35: zdp-aws runs 1\.36: 1\.35 is a downgrade, which the control plane refuses \(EKS's own rollback/,
        );
        assert.equal(down.fix, "pulumi config set --path aws.kubernetesVersion <one of 1.36>");

        const behind = await deployed("eu-north-1", "1.35", ["1.35", "1.34"]);
        assert.equal((await at(behind, "eu-north-1")).status, "ok", "staying at 1.35 rolls the lagging group to it");
        const moving = await at(behind, "eu-north-1", "1.36");
        assert.equal(moving.status, "fail");
        assert.match(moving.detail, /node groups zdp-aws-z1-20261207 \(1\.34\) would trail 1\.36 by more than 1 minor\(s\)/);
        assert.equal(moving.fix, "pulumi config set --path aws.kubernetesVersion <one of 1.35>");

        const skip = await at(await deployed("sa-east-1", "1.34", ["1.34"]), "sa-east-1", "1.36");
        assert.equal(skip.status, "fail");
        assert.match(skip.detail, /zdp-aws runs 1\.34: 1\.36 skips 1 minor\(s\)/);
        assert.equal(skip.fix, "pulumi config set --path aws.kubernetesVersion <one of 1.35>");
    });

    it("--principal: the deploy role's policies are simulated, not the caller's", async () => {
        const account = { ...sufficient({ vcpu: 0, eip: 0, vpc: 1, alb: 0 }), denied: ["iam:PassRole"] };
        const gap = await gapServer(account);
        const principal = "arn:aws:iam::210987654321:role/zdp-deploy";
        const rows = await awsChecks(clients("ca-central-1", gap), { needs: { ...needs, region: "ca-central-1" }, egress: { ip: "198.51.100.7" }, principal });
        assert.deepEqual(account.simulatedFor, [principal]);
        assertFails(
            rows,
            "permissions: the deploy principal's IAM policies",
            new RegExp(`^${principal} is denied 1 of \\d+: iam:PassRole$`),
            /^grant arn:aws:iam::210987654321:role\/zdp-deploy iam:PassRole/,
        );
    });

    /**
     * `npm run preflight` itself (scripts/preflight.ts, as package.json runs it) with the AWS SDK's
     * documented endpoint variables pointing its clients at moto and the gap server; asynchronous, as the
     * gap server answers from this process.
     */
    function preflight(gap: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
        Object.assign(env, {
            AWS_ACCESS_KEY_ID: creds.accessKeyId,
            AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
            AWS_ENDPOINT_URL: moto.url,
            ...Object.fromEntries(["SERVICE_QUOTAS", "EKS", "RDS", "ELASTICACHE", "IAM"].map((id) => [`AWS_ENDPOINT_URL_${id}`, gap])),
        });
        const child = spawn(process.execPath, ["--require", "tsx/cjs", "scripts/preflight.ts", ...args], { cwd: ROOT, env, timeout: HANG_MS });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
    }

    it("the real command: --json prints every row and the summary, exits 0 when nothing fails and 1 on a ✗", async function () {
        this.timeout(HANG_MS * 2);
        // Real values for what pulumi up refuses without, in a region of its own on moto.
        const config = ["aws:region=ap-southeast-2", "aws.apiPublicAccessCidrs=20.1.2.0/24", "alertEmails=oncall@shop.acme-corp.io", "allowPlainHttp=true"];
        const args = ["--stack", "aws", "--json", "--egress-ip", "20.1.2.7", ...config.flatMap((c) => ["--config", c])];
        const passing = await preflight(await gapServer(sufficient({ vcpu: 0, eip: 0, vpc: 1, alb: 0 })), args);
        assert.equal(passing.status, 0, passing.stderr);
        const doc = JSON.parse(passing.stdout) as {
            stack: string;
            cloud: string;
            region: string;
            egress: string;
            permissionsOf: string;
            summary: object;
            rows: Row[];
        };
        assert.deepEqual([doc.stack, doc.cloud, doc.region, doc.egress, doc.permissionsOf], ["aws", "aws", "ap-southeast-2", "20.1.2.7", "the caller"]);
        // zones, size, 5 quotas, version, the running cluster, add-ons, database, cache, permissions, allow-list
        assert.equal(doc.rows.length, 14);
        assert.deepEqual(doc.summary, { ok: 14, fail: 0, unknown: 0 });
        assert.deepEqual(
            doc.rows.filter((r) => r.status !== "ok"),
            [],
        );
        // moto answers GetCallerIdentity for its default user with an sts ARN (AWS: arn:aws:iam::<account>:user/<name>).
        assert.match(row(doc.rows, "permissions: the caller's IAM policies").detail, /^arn:aws:(iam|sts)::123456789012:user\/moto is allowed all \d+ actions$/);

        const short = await preflight(await gapServer({ ...sufficient({ vcpu: 0, eip: 0, vpc: 1, alb: 0 }), denied: ["eks:CreateCluster"] }), args);
        assert.equal(short.status, 1, short.stderr);
        const failed = JSON.parse(short.stdout) as { summary: object; rows: Row[] };
        assert.deepEqual(failed.summary, { ok: 13, fail: 1, unknown: 0 });
        assertFails(failed.rows, "permissions: the caller's IAM policies", /denied 1 of \d+: eks:CreateCluster$/, /eks:CreateCluster/);
    });

    it("an API that fails is 'could not check', never a pass", async () => {
        const gap = await serve((_req, _b, res) =>
            res
                .writeHead(403, { "content-type": "application/x-amz-json-1.1" })
                .end(JSON.stringify({ __type: "AccessDeniedException", message: "not authorized" })),
        );
        const rows = await awsChecks(clients("eu-west-1", gap), { needs: { ...needs, region: "eu-west-1" }, egress: { error: "no echo" } });
        for (const prefix of [
            "quota: Running On-Demand",
            "version: EKS",
            "version: upgrade from the running EKS cluster",
            "add-ons: EKS",
            "database: RDS",
            "permissions",
            "allow-list",
        ])
            assert.equal(row(rows, prefix).status, "unknown", prefix);
        assert.match(row(rows, "quota: Running On-Demand").detail, /the API call failed: AccessDeniedException/);
    });
});
