// The aws stack under mocks: what `pulumi up --stack aws` would declare, asserted property by property.
import * as assert from "assert";
import { X509Certificate } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { ACCESS_LOG_PREFIX, ELB_LOG_ACCOUNTS, elbLogWriter } from "../components/aws/accessLogs";
import { AUTOSCALER_CHART, autoscalerImageTag } from "../components/aws/autoscaler";
import { CONTROL_PLANE_LOGS } from "../components/aws/cluster";
import { nodeGroupScaling } from "../model/upgradeSurge";
import { awsSchema } from "../model/aws/config";
import { postgresFamily } from "../components/aws/database";
import { ALB_CONTROLLER_NAME, GATEWAY_CLASS, LBC, SSL_POLICY, albIdleTimeoutFor, deregistrationDelayFor } from "../components/aws/loadBalancer";
import { subnetPlan } from "../model/aws/subnets";
import { MANAGED_RULE_GROUPS, RATE_LIMIT } from "../components/aws/waf";
import { hstsMaxAge } from "../policy/rules/edge";
import { DEFAULT_POD, sizingFor, type Sizing } from "../model/capacity";
import { APP_DRAIN_SECONDS, APP_KEEP_ALIVE_SECONDS, PRE_STOP_SECONDS, serviceNamesFor } from "../components/k8s/release";
import { buildPlan, renderPlan } from "../scripts/planReport";
import { diffResources } from "../scripts/offline/diff";
import { ROOT, all, find, runStack, waitsFor, type Recorded, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";
import { assertAppDbRole } from "./appDbRoleChecks";
import { ACCOUNT, awsMock } from "../scripts/offline/mocks/aws";
import { runPolicies } from "../policy/offline";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    rtAssoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    flowLog: "aws:ec2/flowLog:FlowLog",
    kms: "aws:kms/key:Key",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    addon: "aws:eks/addon:Addon",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    rds: "aws:rds/instance:Instance",
    rdsParams: "aws:rds/parameterGroup:ParameterGroup",
    rdsSubnets: "aws:rds/subnetGroup:SubnetGroup",
    cacheSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    valkey: "aws:elasticache/replicationGroup:ReplicationGroup",
    cert: "aws:acm/certificate:Certificate",
    helm: "kubernetes:helm.sh/v3:Release",
    configFile: "kubernetes:yaml/v2:ConfigFile",
    k8sProvider: "pulumi:providers:kubernetes",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    gatewayClass: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    lbConfig: "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration",
    tgConfig: "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration",
    bucket: "aws:s3/bucket:Bucket",
    webAcl: "aws:wafv2/webAcl:WebAcl",
};

const one = (run: StackRun, type: string) => find(run, type);
const pemsOf = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
/** The outputs the mocks gave a recorded resource (ids, ARNs: what other resources' inputs refer to). */
const stateOf = (r: Recorded): Record<string, any> =>
    awsMock.newResource?.({ type: r.type, name: r.name, inputs: r.inputs, custom: true }, { preview: false, generatedSecrets: [] }) ?? {};
const idOf = (r: Recorded): string => stateOf(r).id ?? `${r.name}-id`;
const subnetsOf = (run: StackRun, tier: string) => all(run, T.subnet).filter((s) => s.inputs.tags.tier === tier);
describe("aws subnet plan (pure)", () => {
    it("gives each zone a large private subnet and small public and data subnets, all disjoint, inside the VPC", () => {
        assert.deepStrictEqual(subnetPlan("10.0.0.0/16", 3), {
            private: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
            public: ["10.0.192.0/22", "10.0.196.0/22", "10.0.200.0/22"],
            data: ["10.0.208.0/22", "10.0.212.0/22", "10.0.216.0/22"],
        });
        assert.deepStrictEqual(subnetPlan("172.16.16.0/20", 3).public, ["172.16.28.0/26", "172.16.28.64/26", "172.16.28.128/26"]);
    });

    it("refuses a CIDR with host bits set and zone counts it has no room for", () => {
        assert.throws(() => subnetPlan("10.0.1.0/16", 3), /host bits set; use 10\.0\.0\.0\/16/);
        assert.throws(() => subnetPlan("10.0.0.0/16", 4), /1 to 3/);
        assert.throws(() => subnetPlan("10.0.0.0/24", 3), /\/16 to \/20/);
    });
});

describe("aws pure helpers", () => {
    it("per-zone node groups add up to the capacity model's totals", () => {
        const sizing = sizingFor({ ...baseConfigFor10k() });
        const s = nodeGroupScaling(sizing.nodes, sizing.zones);
        assert.strictEqual(s.minSize * sizing.zones, sizing.nodes.min);
        assert.ok(s.maxSize * sizing.zones >= sizing.nodes.max, "zones together reach the model's maximum");
        assert.ok(s.maxSize * (sizing.zones - 1) >= sizing.nodes.min, "after a zone loss the others can hold the floor");
    });

    it("the ALB's deregistration delay ends before the pods' preStop and within the app's drain time", () => {
        const d = deregistrationDelayFor(PRE_STOP_SECONDS);
        assert.ok(d > 0 && d < PRE_STOP_SECONDS && d <= APP_DRAIN_SECONDS, `${d}s`);
        assert.throws(() => deregistrationDelayFor(5), /no time to drain/);
    });

    it("maps versions to the parameter group family and the autoscaler image", () => {
        assert.strictEqual(postgresFamily("18"), "postgres18");
        assert.strictEqual(postgresFamily("17.6"), "postgres17");
        assert.strictEqual(autoscalerImageTag("1.35"), "v1.35.0");
    });

    it("validates aws.* keys with messages naming what is allowed", () => {
        // The defaults Pulumi.yaml declares arrive with every stack; three values here are out of range.
        const defaults = {
            kubernetesVersion: "1.35",
            singleNatGateway: "false",
            postgresVersion: "18",
            valkeyVersion: "8.2",
            logRetentionDays: "90",
            waf: "true",
        };
        const bad = awsSchema.safeParse({
            ...defaults,
            apiPublicAccessCidrs: "203.0.113.0/24",
            backupRetentionDays: "3",
            cacheNodes: "1",
            vpcCidr: "10.0.0.0/8",
        });
        assert.ok(!bad.success);
        const keys = bad.error.issues.map((i) => String(i.path[0])).sort();
        assert.deepStrictEqual(keys, ["backupRetentionDays", "cacheNodes", "vpcCidr"]);
        const missing = awsSchema.safeParse({});
        assert.ok(!missing.success && /is required: .*EKS API/.test(missing.error.issues.find((i) => i.path[0] === "apiPublicAccessCidrs")!.message));
    });
});

function baseConfigFor10k() {
    // sizingFor reads targetUsers, cloud, the pod, the release strategy and the other apps.
    return {
        targetUsers: 10_000,
        cloud: "aws",
        pod: DEFAULT_POD,
        apps: [],
        release: { strategy: "blueGreen", inactiveScale: "full" },
    } as unknown as Parameters<typeof sizingFor>[0];
}

describe("aws stack (mocks)", function () {
    let run: StackRun;
    let sizing: Sizing;
    before(async () => {
        run = await runStack("aws");
        sizing = sizingFor(run.config);
    });

    describe("network", () => {
        it("spans three zones with public, private and data subnets in each", () => {
            assert.strictEqual(sizing.zones, 3);
            for (const tier of ["public", "private", "data"]) {
                const subnets = subnetsOf(run, tier);
                assert.strictEqual(subnets.length, 3, tier);
                assert.deepStrictEqual(subnets.map((s) => s.inputs.availabilityZone).sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"], tier);
                assert.ok(
                    subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false),
                    `${tier} subnets assign no public IPs`,
                );
            }
            assert.strictEqual(one(run, T.vpc).inputs.cidrBlock, run.config.aws!.vpcCidr);
            // Chosen on the first run and kept: a zone reported impaired later cannot shift the subnets.
            const zones = all(run, "pulumi:index:Stash").find((r) => r.name === "zdp-aws-zones")!;
            assert.deepStrictEqual([zones.inputs.input, zones.ignoreChanges], [["eu-west-1a", "eu-west-1b", "eu-west-1c"], ["input"]]);
        });

        it("tags subnets for the Load Balancer Controller: public for internet-facing, private for internal", () => {
            for (const s of subnetsOf(run, "public")) assert.strictEqual(s.inputs.tags["kubernetes.io/role/elb"], "1");
            for (const s of subnetsOf(run, "private")) assert.strictEqual(s.inputs.tags["kubernetes.io/role/internal-elb"], "1");
            for (const s of subnetsOf(run, "data"))
                assert.ok(!("kubernetes.io/role/elb" in s.inputs.tags) && !("kubernetes.io/role/internal-elb" in s.inputs.tags));
        });

        it("routes each private subnet through a NAT gateway in its own zone; data subnets have no route out", () => {
            const nats = all(run, T.nat);
            assert.strictEqual(nats.length, 3);
            const natIds = nats.map((n) => idOf(n));
            const privateTables = all(run, T.routeTable).filter((t) => /-private-\d$/.test(t.name));
            assert.strictEqual(privateTables.length, 3);
            assert.deepStrictEqual(privateTables.map((t) => t.inputs.routes[0].natGatewayId).sort(), natIds.sort(), "one NAT per zone, none shared");
            const data = all(run, T.routeTable).find((t) => t.name.endsWith("-data"))!;
            assert.deepStrictEqual(data.inputs.routes ?? [], []);
            const dataAssocs = all(run, T.rtAssoc).filter((a) => a.inputs.routeTableId === idOf(data));
            assert.strictEqual(dataAssocs.length, 3);
        });

        it("sends S3 traffic (ECR image layers) from the private subnets through a gateway endpoint, not the NAT", () => {
            const endpoint = one(run, "aws:ec2/vpcEndpoint:VpcEndpoint").inputs;
            assert.strictEqual(endpoint.serviceName, "com.amazonaws.eu-west-1.s3");
            assert.strictEqual(endpoint.vpcEndpointType, "Gateway");
            const privateTables = all(run, T.routeTable)
                .filter((t) => /-private-\d$/.test(t.name))
                .map((t) => idOf(t));
            assert.deepStrictEqual([...endpoint.routeTableIds].sort(), privateTables.sort());
        });

        it("keeps all traffic in VPC flow logs and empties the default security group", () => {
            const flow = one(run, T.flowLog).inputs;
            assert.strictEqual(flow.trafficType, "ALL");
            assert.strictEqual(flow.logDestinationType, "cloud-watch-logs");
            const def = one(run, T.defaultSg).inputs;
            assert.ok(!def.ingress?.length && !def.egress?.length);
        });

        it("can share one NAT gateway when asked to", async () => {
            const cheap = await runStack("aws", { "aws.singleNatGateway": "true" });
            assert.strictEqual(all(cheap, T.nat).length, 1);
            const tables = all(cheap, T.routeTable).filter((t) => /-private-\d$/.test(t.name));
            assert.strictEqual(new Set(tables.map((t) => t.inputs.routes[0].natGatewayId)).size, 1);
        });
    });

    describe("EKS", () => {
        it("runs the configured version with a private endpoint and an allow-listed public one", () => {
            const c = one(run, T.cluster).inputs;
            assert.strictEqual(c.version, run.config.aws!.kubernetesVersion);
            assert.strictEqual(c.vpcConfig.endpointPrivateAccess, true);
            assert.deepStrictEqual(c.vpcConfig.publicAccessCidrs, run.config.aws!.apiPublicAccessCidrs);
            assert.ok(!c.vpcConfig.publicAccessCidrs.includes("0.0.0.0/0"), "the stack file does not open the API to the internet");
            const privateIds = subnetsOf(run, "private").map((s) => idOf(s));
            assert.deepStrictEqual([...c.vpcConfig.subnetIds].sort(), privateIds.sort());
        });

        it("stays on standard support: EKS upgrades an expiring minor instead of billing extended support", () => {
            assert.deepStrictEqual(one(run, T.cluster).inputs.upgradePolicy, { supportType: "STANDARD" });
        });

        it("logs every control-plane component, encrypts Secrets with the rotated KMS key, uses access entries", () => {
            const c = one(run, T.cluster).inputs;
            assert.deepStrictEqual(c.enabledClusterLogTypes, CONTROL_PLANE_LOGS);
            assert.deepStrictEqual(c.encryptionConfig.resources, ["secrets"]);
            const key = one(run, T.kms);
            assert.ok(c.encryptionConfig.provider.keyArn.includes(":kms:"), c.encryptionConfig.provider.keyArn);
            assert.strictEqual(key.inputs.enableKeyRotation, true);
            assert.strictEqual(c.accessConfig.authenticationMode, "API");
            assert.strictEqual(c.deletionProtection, true);
        });

        it("has one managed node group per zone, in private subnets, sized by the capacity model", () => {
            const groups = all(run, T.nodeGroup);
            assert.strictEqual(groups.length, sizing.zones);
            const privateIds = new Set(subnetsOf(run, "private").map((s) => idOf(s)));
            const used = groups.flatMap((g) => g.inputs.subnetIds);
            assert.strictEqual(new Set(used).size, sizing.zones, "each group in a different zone");
            assert.ok(
                used.every((id: string) => privateIds.has(id)),
                "nodes live in private subnets only",
            );
            for (const g of groups) {
                assert.deepStrictEqual(g.inputs.instanceTypes, [sizing.nodes.machineType]);
                assert.strictEqual(g.inputs.instanceTypes[0], "m7i.xlarge");
                assert.deepStrictEqual(g.inputs.scalingConfig, nodeGroupScaling(sizing.nodes, sizing.zones));
                assert.ok(g.ignoreChanges.includes("scalingConfig.desiredSize"), "the autoscaler owns the live size");
                assert.strictEqual(g.inputs.nodeRepairConfig.enabled, true);
            }
            const total = (k: "minSize" | "maxSize") => groups.reduce((n, g) => n + g.inputs.scalingConfig[k], 0);
            assert.strictEqual(total("minSize"), sizing.nodes.min);
            assert.ok(total("maxSize") >= sizing.nodes.max);
        });

        it("boots nodes with IMDSv2 only, hop limit 1 (pods off the host network cannot reach the node role), and an encrypted gp3 root volume", () => {
            const lt = one(run, T.launchTemplate);
            assert.deepStrictEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            for (const g of all(run, T.nodeGroup)) assert.strictEqual(g.inputs.launchTemplate.id, idOf(lt), `${g.name} uses the launch template`);
            assert.strictEqual(lt.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
            assert.strictEqual(lt.inputs.blockDeviceMappings[0].ebs.volumeType, "gp3");
        });

        it("gives the VPC CNI its own Pod Identity role with AmazonEKS_CNI_Policy; the node role keeps only what the kubelet needs", () => {
            const roles = all(run, "aws:iam/role:Role");
            const attachments = all(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            const policiesOf = (role: Recorded) =>
                attachments
                    .filter((a) => a.parent === role.urn)
                    .map((a) => a.inputs.policyArn.split("/").pop())
                    .sort();
            const roleByArn = (roleArn: string) => roles.find((r) => stateOf(r).arn === roleArn)!;
            const nodeRole = roleByArn(all(run, T.nodeGroup)[0].inputs.nodeRoleArn);
            assert.deepStrictEqual(policiesOf(nodeRole), ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy"]);
            const cni = all(run, T.addon).find((a) => a.inputs.addonName === "vpc-cni")!;
            assert.strictEqual(cni.inputs.podIdentityAssociations.length, 1);
            assert.strictEqual(cni.inputs.podIdentityAssociations[0].serviceAccount, "aws-node");
            const cniRole = roleByArn(cni.inputs.podIdentityAssociations[0].roleArn);
            assert.deepStrictEqual(policiesOf(cniRole), ["AmazonEKS_CNI_Policy"]);
            assert.strictEqual(JSON.parse(cniRole.inputs.assumeRolePolicy).Statement[0].Principal.Service, "pods.eks.amazonaws.com");
            // The association and the agent serving it exist before the first node (and its aws-node pod) starts.
            const agent = all(run, T.addon).find((a) => a.inputs.addonName === "eks-pod-identity-agent")!;
            assert.ok(cni.dependsOn.includes(agent.urn), "vpc-cni after the Pod Identity agent");
            for (const g of all(run, T.nodeGroup)) assert.ok(g.dependsOn.includes(cni.urn) && g.dependsOn.includes(agent.urn), `${g.name} after both`);
        });

        it("installs the managed add-ons, giving the AWS-calling ones Pod Identity roles", () => {
            const addons = Object.fromEntries(all(run, T.addon).map((a) => [a.inputs.addonName, a.inputs]));
            assert.deepStrictEqual(Object.keys(addons).sort(), [
                "amazon-cloudwatch-observability",
                "aws-ebs-csi-driver",
                "coredns",
                "eks-pod-identity-agent",
                "kube-proxy",
                "metrics-server",
                "vpc-cni",
            ]);
            assert.strictEqual(addons["aws-ebs-csi-driver"].podIdentityAssociations[0].serviceAccount, "ebs-csi-controller-sa");
            assert.strictEqual(addons["amazon-cloudwatch-observability"].podIdentityAssociations[0].serviceAccount, "cloudwatch-agent");
            assert.strictEqual(one(run, T.cluster).inputs.bootstrapSelfManagedAddons, false);
        });

        it("installs a metrics server (EKS has none), so the HPAs get CPU metrics, after the nodes it runs on", () => {
            const ms = all(run, T.addon).find((a) => a.inputs.addonName === "metrics-server")!;
            for (const g of all(run, T.nodeGroup)) assert.ok(ms.dependsOn.includes(g.urn), `metrics-server after ${g.name}`);
        });

        it("node groups and every add-on follow aws.kubernetesVersion, through the cluster's version", async () => {
            const bumped = await runStack("aws", { "aws.kubernetesVersion": "1.36" });
            for (const r of [run, bumped]) {
                const v = r.config.aws!.kubernetesVersion;
                for (const g of all(r, T.nodeGroup)) assert.strictEqual(g.inputs.version, v, g.name);
                // The mock answers getAddonVersion with a version per Kubernetes minor (EKS's default for it).
                for (const a of all(r, T.addon)) assert.strictEqual(a.inputs.addonVersion, `v${v}.0-eksbuild.1`, a.inputs.addonName);
            }
        });

        it("pre-creates the Container Insights and RDS log groups with the stack's retention (the agent and RDS would set none)", () => {
            const groups = all(run, "aws:cloudwatch/logGroup:LogGroup");
            const days = run.config.aws!.logRetentionDays;
            const wanted = [
                ...["application", "dataplane", "host", "performance"].map((g) => `/aws/containerinsights/zdp-aws/${g}`),
                "/aws/rds/instance/zdp-aws-pg/postgresql",
                "/aws/rds/instance/zdp-aws-pg/upgrade",
            ];
            for (const name of wanted) assert.strictEqual(groups.find((g) => g.inputs.name === name)?.inputs.retentionInDays, days, name);
            const observability = all(run, T.addon).find((a) => a.inputs.addonName === "amazon-cloudwatch-observability")!;
            const rds = one(run, T.rds);
            for (const g of groups.filter((g) => wanted.includes(g.inputs.name)))
                assert.ok((g.inputs.name.includes("/rds/") ? rds : observability).dependsOn.includes(g.urn), `${g.inputs.name} exists before its writer`);
            assert.deepStrictEqual(
                groups.filter((g) => g.inputs.retentionInDays === undefined).map((g) => g.inputs.name),
                [],
            );
        });

        it("CoreDNS waits for the nodes; nodes wait for the CNI", () => {
            const coredns = all(run, T.addon).find((a) => a.inputs.addonName === "coredns")!;
            const cni = all(run, T.addon).find((a) => a.inputs.addonName === "vpc-cni")!;
            for (const g of all(run, T.nodeGroup)) {
                assert.ok(coredns.dependsOn.includes(g.urn), `coredns after ${g.name}`);
                assert.ok(g.dependsOn.includes(cni.urn), `${g.name} after vpc-cni`);
            }
        });

        it("runs the Cluster Autoscaler matching the cluster version, discovering this cluster's groups, via Pod Identity", () => {
            const ca = all(run, T.helm).find((h) => h.inputs.chart === AUTOSCALER_CHART.chart)!;
            assert.strictEqual(ca.inputs.version, AUTOSCALER_CHART.version);
            assert.strictEqual(ca.inputs.values.image.tag, `v${run.config.aws!.kubernetesVersion}.0`);
            assert.strictEqual(ca.inputs.values.autoDiscovery.clusterName, "zdp-aws");
            assert.strictEqual(ca.inputs.values.extraArgs["balance-similar-node-groups"], true);
            const assoc = all(run, T.podIdentity).find((p) => p.inputs.serviceAccount === "cluster-autoscaler")!;
            assert.strictEqual(assoc.inputs.namespace, "kube-system");
            const policy = JSON.parse(all(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.includes("autoscaler"))!.inputs.policy);
            const write = policy.Statement.find((s: any) => s.Action.includes("autoscaling:SetDesiredCapacity"));
            assert.deepStrictEqual(write.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/zdp-aws": "owned" } });
        });

        it("builds every in-cluster object through one kubernetes provider authenticating with aws eks get-token", () => {
            const providers = all(run, T.k8sProvider);
            assert.strictEqual(providers.length, 1);
            const kubeconfig = JSON.parse(providers[0].inputs.kubeconfig);
            assert.strictEqual(kubeconfig.users[0].user.exec.command, "aws");
            assert.deepStrictEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "zdp-aws"]);
            assert.ok(providers[0].secretPaths.includes("kubeconfig"));
            const k8sObjects = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
            assert.ok(k8sObjects.length > 10);
            for (const r of k8sObjects) assert.ok(r.provider?.startsWith(providers[0].urn), `${r.type} ${r.name} uses the EKS provider`);
        });
    });

    describe("destroy order", () => {
        it("whatever uses an IAM role also depends on the role's policies, so `pulumi destroy` removes those last", () => {
            const roles = all(run, "aws:iam/role:Role");
            assert.ok(roles.length >= 8, `${roles.length} roles`);
            let checked = 0;
            for (const role of roles) {
                const grants = run.resources.filter(
                    (r) => r.parent === role.urn && ["aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy"].includes(r.type),
                );
                assert.ok(grants.length > 0, `${role.name} has no policy`);
                const users = run.resources.filter((r) => r.dependsOn.includes(role.urn) && r.parent !== role.urn);
                assert.ok(users.length > 0, `nothing uses ${role.name}`);
                for (const user of users)
                    for (const grant of grants) {
                        assert.ok(waitsFor(run, user, grant), `${user.type} ${user.name} uses ${role.name} but not ${grant.name}`);
                        checked++;
                    }
            }
            // The controller that deletes the ALB outlives its policy only if it depends on it.
            const lbc = all(run, T.helm).find((h) => h.inputs.chart === LBC.chart)!;
            const lbcPolicy = all(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.includes("-lb-"))!;
            assert.ok(waitsFor(run, lbc, lbcPolicy));
            assert.ok(checked >= 10, `${checked} role uses checked`);
        });
    });

    describe("load balancer", () => {
        it("installs AWS Load Balancer Controller v3 from eks-charts with Pod Identity and explicit region/VPC", () => {
            const lbc = all(run, T.helm).find((h) => h.inputs.chart === LBC.chart)!;
            assert.strictEqual(lbc.inputs.version, "3.5.0");
            assert.strictEqual(lbc.inputs.repositoryOpts.repo, "https://aws.github.io/eks-charts");
            assert.strictEqual(lbc.inputs.values.clusterName, "zdp-aws");
            assert.strictEqual(lbc.inputs.values.region, "eu-west-1");
            assert.strictEqual(lbc.inputs.values.vpcId, idOf(one(run, T.vpc)));
            const assoc = all(run, T.podIdentity).find((p) => p.inputs.serviceAccount === lbc.inputs.values.serviceAccount.name)!;
            assert.strictEqual(assoc.inputs.namespace, "kube-system");
            const policy = JSON.parse(all(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.includes("-lb-"))!.inputs.policy);
            const actions = policy.Statement.flatMap((s: any) => s.Action);
            for (const a of [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:RegisterTargets",
                "ec2:AuthorizeSecurityGroupIngress",
                "elasticloadbalancing:SetRulePriorities",
            ])
                assert.ok(actions.includes(a), a);
        });

        it("applies the Gateway API and LBC gateway CRDs from the vendored release manifests before the controller", () => {
            const files = all(run, T.configFile)
                .map((f) => f.inputs.file)
                .sort();
            assert.deepStrictEqual(files, [LBC.gatewayApiCrds, LBC.lbcGatewayCrds].sort());
            const kinds = (file: string) =>
                parseAllDocuments(fs.readFileSync(path.join(ROOT, file), "utf8"))
                    .map((d) => d.toJS())
                    .filter((o) => o)
                    .map((o) => `${o.kind}/${o.metadata.name}`);
            const gatewayApi = kinds(LBC.gatewayApiCrds);
            for (const crd of ["gatewayclasses", "gateways", "httproutes", "referencegrants"])
                assert.ok(gatewayApi.includes(`CustomResourceDefinition/${crd}.gateway.networking.k8s.io`), crd);
            assert.match(fs.readFileSync(path.join(ROOT, LBC.gatewayApiCrds), "utf8"), /gateway\.networking\.k8s\.io\/bundle-version: v1\.6\.0/);
            assert.deepStrictEqual(kinds(LBC.lbcGatewayCrds).sort(), [
                "CustomResourceDefinition/listenerruleconfigurations.gateway.k8s.aws",
                "CustomResourceDefinition/loadbalancerconfigurations.gateway.k8s.aws",
                "CustomResourceDefinition/targetgroupconfigurations.gateway.k8s.aws",
            ]);
            const lbc = all(run, T.helm).find((h) => h.inputs.chart === LBC.chart)!;
            for (const f of all(run, T.configFile)) assert.ok(lbc.dependsOn.includes(f.urn), `controller after ${f.name}`);
        });

        it("offers GatewayClass alb for the ALB controller, configured internet-facing; the release's Gateway uses it", () => {
            const gc = one(run, T.gatewayClass).inputs;
            assert.strictEqual(gc.metadata.name, GATEWAY_CLASS);
            assert.strictEqual(gc.spec.controllerName, ALB_CONTROLLER_NAME);
            assert.deepStrictEqual(gc.spec.parametersRef, {
                group: "gateway.k8s.aws",
                kind: "LoadBalancerConfiguration",
                name: one(run, T.lbConfig).inputs.metadata.name,
                namespace: run.config.app.namespace,
            });
            // The vendored GatewayClass CRD caps the description (64 characters in v1.6.0).
            const crd = parseAllDocuments(fs.readFileSync(path.join(ROOT, LBC.gatewayApiCrds), "utf8"))
                .map((d) => d.toJS())
                .find((o) => o?.metadata?.name === "gatewayclasses.gateway.networking.k8s.io");
            for (const version of crd.spec.versions) {
                const max = version.schema.openAPIV3Schema.properties.spec.properties.description.maxLength;
                assert.ok(gc.spec.description.length <= max, `description has ${gc.spec.description.length} characters; ${version.name} allows ${max}`);
            }
            const lbConfig = one(run, T.lbConfig).inputs.spec;
            assert.strictEqual(lbConfig.scheme, "internet-facing");
            assert.ok(!lbConfig.listenerConfigurations, "no HTTPS listener without a certificate");
            assert.strictEqual(one(run, T.gateway).inputs.spec.gatewayClassName, GATEWAY_CLASS);
        });

        it("closes idle connections before the app does: the ALB's idle timeout is below the app's keep-alive", () => {
            const attrs = one(run, T.lbConfig).inputs.spec.loadBalancerAttributes;
            const idle = Number(attrs.find((a: any) => a.key === "idle_timeout.timeout_seconds").value);
            assert.ok(idle > 0 && idle < APP_KEEP_ALIVE_SECONDS, `ALB idle ${idle}s, app keep-alive ${APP_KEEP_ALIVE_SECONDS}s`);
            assert.throws(() => albIdleTimeoutFor(5), /keep-alive of 5s/);
        });

        it("configures every release Service's target group: IP targets, health checks on healthPath, drain shorter than preStop", () => {
            const tgcs = all(run, T.tgConfig);
            assert.deepStrictEqual(tgcs.map((t) => t.inputs.spec.targetReference.name).sort(), serviceNamesFor(run.config).sort());
            const services = all(run, "kubernetes:core/v1:Service")
                .map((s) => s.inputs.metadata.name)
                .sort();
            assert.deepStrictEqual(tgcs.map((t) => t.inputs.metadata.name).sort(), services, "one per Service the release creates");
            for (const t of tgcs) {
                const c = t.inputs.spec.defaultConfiguration;
                assert.strictEqual(c.targetType, "ip");
                assert.strictEqual(c.healthCheckConfig.healthCheckPath, run.config.app.healthPath);
                const delay = Number(c.targetGroupAttributes.find((a: any) => a.key === "deregistration_delay.timeout_seconds").value);
                assert.strictEqual(delay, deregistrationDelayFor(PRE_STOP_SECONDS));
                assert.ok(delay < PRE_STOP_SECONDS);
            }
        });

        it("gives every (route, Service) target group its own name: no two of the controller's target groups share one", async () => {
            // The controller builds one target group per (route, Service) and names it from the Service's
            // TargetGroupConfiguration: the exact kind:namespace:name route entry, else defaultConfiguration
            // (LBC v3.5.0 mergeWithLongestMatch); unnamed, it generates a name from the route and Service.
            const fixedNames = (r: StackRun) => {
                const tgcs = new Map(all(r, T.tgConfig).map((t) => [t.inputs.spec.targetReference.name, t.inputs.spec]));
                return all(r, T.route).flatMap((route) =>
                    route.inputs.spec.rules.flatMap((rule: any) =>
                        (rule.backendRefs ?? []).map((b: any) => {
                            const spec = tgcs.get(b.name)!;
                            const entry = (spec.routeConfigurations ?? []).find(
                                (c: any) =>
                                    c.routeIdentifier.kind === "HTTPRoute" &&
                                    c.routeIdentifier.namespace === route.inputs.metadata.namespace &&
                                    c.routeIdentifier.name === route.inputs.metadata.name,
                            );
                            return [
                                `${route.inputs.metadata.name}/${b.name}`,
                                entry?.targetGroupProps.targetGroupName ?? spec.defaultConfiguration.targetGroupName,
                            ];
                        }),
                    ),
                );
            };
            const preview = await runStack("aws", { previewHost: "preview.example.com" });
            for (const r of [run, preview]) {
                const pairs = fixedNames(r);
                // The idle colour is behind the live route and the preview route(s): 2-3 target groups for one Service.
                assert.ok(pairs.filter(([pair]) => pair.endsWith("/app-green")).length >= 2, JSON.stringify(pairs));
                const named = pairs.filter(([, n]) => n !== undefined).map(([, n]) => n);
                assert.deepStrictEqual(named.length, new Set(named).size, `target groups sharing a name: ${JSON.stringify(pairs)}`);
                // The live route's target groups keep the names the dashboard searches for.
                assert.deepStrictEqual(
                    pairs
                        .filter(([pair]) => pair.startsWith("app/"))
                        .map(([, n]) => n)
                        .sort(),
                    ["zdpawsappblue", "zdpawsappgreen"],
                );
            }
            assert.deepStrictEqual(validateK8s(preview.resources).errors, []);
        });

        it("creates the target group settings before the routes, and the Gateway after the controller", () => {
            const route = find(run, T.route, "app-route");
            const gateway = one(run, T.gateway);
            const lbc = all(run, T.helm).find((h) => h.inputs.chart === LBC.chart)!;
            for (const t of all(run, T.tgConfig)) assert.ok(waitsFor(run, route, t), `route after ${t.name}`);
            assert.ok(waitsFor(run, gateway, lbc), "gateway after the controller");
        });

        it("tags what the controller creates in AWS (ALB, target groups, security groups) like the rest of the stack", () => {
            const lbc = all(run, T.helm).find((h) => h.inputs.chart === LBC.chart)!;
            assert.deepStrictEqual(lbc.inputs.values.defaultTags, { project: "zdp", stack: "aws", component: "load-balancer", "managed-by": "pulumi" });
        });

        it("lets the controller gate pod readiness on ALB target health in the app namespace", () => {
            const ns = one(run, T.namespace).inputs.metadata;
            assert.strictEqual(ns.name, run.config.app.namespace);
            assert.strictEqual(ns.labels["elbv2.k8s.aws/pod-readiness-gate-inject"], "enabled");
        });
    });

    describe("edge: access logs and AWS WAF", () => {
        const attributesOf = (r: StackRun) =>
            Object.fromEntries(one(r, T.lbConfig).inputs.spec.loadBalancerAttributes.map((a: { key: string; value: string }) => [a.key, a.value]));

        it("writes ALB access logs to a private, SSE-S3, TLS-only bucket that expires them after aws.logRetentionDays", () => {
            const bucket = one(run, T.bucket);
            const attrs = attributesOf(run);
            assert.strictEqual(attrs["access_logs.s3.enabled"], "true");
            assert.strictEqual(attrs["access_logs.s3.bucket"], stateOf(bucket).bucket);
            assert.strictEqual(attrs["access_logs.s3.prefix"], ACCESS_LOG_PREFIX);
            const setting = (type: string) => one(run, `aws:s3/${type}:${type[0].toUpperCase()}${type.slice(1)}`).inputs;
            assert.deepStrictEqual(setting("bucketServerSideEncryptionConfiguration").rules, [
                { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ]);
            const block = setting("bucketPublicAccessBlock");
            assert.deepStrictEqual(
                [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
                [true, true, true, true],
            );
            assert.strictEqual(setting("bucketOwnershipControls").rule.objectOwnership, "BucketOwnerEnforced");
            const [rule] = setting("bucketLifecycleConfiguration").rules;
            assert.deepStrictEqual(
                [rule.status, rule.filter.prefix, rule.expiration.days],
                ["Enabled", `${ACCESS_LOG_PREFIX}/`, run.config.aws!.logRetentionDays],
            );
            for (const t of ["bucketServerSideEncryptionConfiguration", "bucketPublicAccessBlock", "bucketLifecycleConfiguration", "bucketPolicy"])
                assert.strictEqual(setting(t).bucket, idOf(bucket), `${t} is on the log bucket`);
        });

        it("lets only the region's ELB log writer put objects, under the prefix and this account, and the ALB waits for that policy", () => {
            const bucketArn = stateOf(one(run, T.bucket)).arn;
            const policyResource = one(run, "aws:s3/bucketPolicy:BucketPolicy");
            const policy = JSON.parse(policyResource.inputs.policy);
            const allow = policy.Statement.filter((st: any) => st.Effect === "Allow");
            assert.deepStrictEqual(allow, [
                {
                    Sid: "AlbAccessLogDelivery",
                    Effect: "Allow",
                    // eu-west-1 predates August 2022: its Elastic Load Balancing account writes the logs.
                    Principal: { AWS: "arn:aws:iam::156460612806:root" },
                    Action: "s3:PutObject",
                    Resource: `${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${ACCOUNT}/*`,
                },
            ]);
            const deny = policy.Statement.find((st: any) => st.Effect === "Deny");
            assert.deepStrictEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.ok(waitsFor(run, one(run, T.lbConfig), policyResource), "LoadBalancerConfiguration after the bucket policy");
        });

        it("names the ELB account of regions that predate August 2022 and the log delivery service everywhere else", () => {
            assert.deepStrictEqual(elbLogWriter("us-east-1"), { AWS: "arn:aws:iam::127311923021:root" });
            assert.deepStrictEqual(elbLogWriter("eu-central-2"), { Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
            assert.deepStrictEqual(
                Object.entries(ELB_LOG_ACCOUNTS).filter(([region, account]) => !/^[a-z]{2}-[a-z]+-\d$/.test(region) || !/^\d{12}$/.test(account)),
                [],
            );
        });

        it("blocks a source IP past its rate limit before any other rule, and logs what WAF blocks or counts to aws-waf-logs-*, credentials redacted", () => {
            const acl = one(run, T.webAcl);
            const first = [...acl.inputs.rules].sort((a: any, b: any) => a.priority - b.priority)[0];
            assert.deepStrictEqual(first.action, { block: {} });
            assert.deepStrictEqual(first.statement.rateBasedStatement, { aggregateKeyType: "IP", limit: RATE_LIMIT.requests, evaluationWindowSec: 300 });
            assert.ok(RATE_LIMIT.requests >= 10 && RATE_LIMIT.requests <= 2_000_000_000, "WAF's accepted limits");
            const logging = one(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
            assert.strictEqual(logging.inputs.resourceArn, stateOf(acl).arn);
            const group = all(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => logging.dependsOn.includes(g.urn))!;
            // WAF accepts only destinations whose name starts with aws-waf-logs-.
            assert.match(group.inputs.name, /^aws-waf-logs-/);
            assert.strictEqual(group.inputs.retentionInDays, run.config.aws!.logRetentionDays);
            assert.deepStrictEqual(
                logging.inputs.redactedFields.map((f: any) => f.singleHeader.name),
                ["authorization", "cookie", run.config.release.previewHeader],
            );
            const filter = logging.inputs.loggingFilter;
            assert.strictEqual(filter.defaultBehavior, "DROP", "allowed requests are in the ALB access logs already");
            const kept = filter.filters.flatMap((f: any) => f.conditions.map((c: any) => c.actionCondition.action));
            assert.ok(kept.includes("BLOCK") && !kept.includes("ALLOW"), JSON.stringify(kept));
        });

        it("puts the ALB behind a regional AWS WAF web ACL of AWS managed rule groups, each blocking; aws.waf false removes it", async () => {
            const acl = one(run, T.webAcl);
            assert.strictEqual(acl.inputs.scope, "REGIONAL");
            assert.deepStrictEqual(acl.inputs.defaultAction, { allow: {} });
            const managed = acl.inputs.rules.filter((r: any) => r.statement.managedRuleGroupStatement);
            assert.deepStrictEqual(
                managed.map((r: any) => [r.statement.managedRuleGroupStatement.vendorName, r.statement.managedRuleGroupStatement.name]),
                ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"].map((g) => ["AWS", g]),
            );
            for (const r of managed) {
                assert.deepStrictEqual(r.overrideAction, { none: {} }, `${r.name} blocks, not only counts`);
                assert.strictEqual(r.visibilityConfig.cloudwatchMetricsEnabled, true);
            }
            assert.strictEqual(new Set(acl.inputs.rules.map((r: any) => r.priority)).size, MANAGED_RULE_GROUPS.length + 1, "distinct priorities");
            assert.strictEqual(one(run, T.lbConfig).inputs.spec.wafV2.webACL, stateOf(acl).arn);

            const off = await runStack("aws", { "aws.waf": "false" });
            assert.strictEqual(all(off, T.webAcl).length, 0);
            assert.strictEqual(one(off, T.lbConfig).inputs.spec.wafV2, undefined);
            const report = runPolicies(off.resources, off.config);
            assert.deepStrictEqual([...new Set(report.violations.filter((v) => v.level === "mandatory").map((v) => v.rule))], ["alb-waf"]);
        });
    });

    describe("HTTPS", () => {
        let https: StackRun;
        before(async () => {
            https = await runStack("aws", { domain: "shop.example.com", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ" });
        });

        it("issues a DNS-validated ACM certificate and puts it on an HTTPS:443 listener with a TLS 1.3 policy", () => {
            const cert = one(https, T.cert).inputs;
            assert.strictEqual(cert.domainName, "shop.example.com");
            assert.strictEqual(cert.validationMethod, "DNS");
            const listeners = one(https, T.lbConfig).inputs.spec.listenerConfigurations;
            assert.strictEqual(listeners.length, 1);
            assert.strictEqual(listeners[0].protocolPort, "HTTPS:443");
            assert.match(listeners[0].defaultCertificate, /^arn:aws:acm:eu-west-1:\d{12}:certificate\//);
            assert.strictEqual(listeners[0].sslPolicy, SSL_POLICY);
        });

        it("sends HSTS (a year, subdomains included) from the HTTPS listener, and the pack finds nothing to report", () => {
            const [listener] = one(https, T.lbConfig).inputs.spec.listenerConfigurations;
            const [hsts] = listener.listenerAttributes;
            assert.strictEqual(hsts.key, "routing.http.response.strict_transport_security.header_value");
            assert.ok(hstsMaxAge(hsts.value)! >= 365 * 24 * 3600, hsts.value);
            assert.match(hsts.value, /;\s*includeSubDomains/);
            assert.deepStrictEqual(
                runPolicies(https.resources, https.config).violations.filter((v) => v.level === "mandatory"),
                [],
            );
        });

        it("serves the app on HTTPS and redirects HTTP to it", () => {
            const listeners = one(https, T.gateway).inputs.spec.listeners.map((l: any) => `${l.protocol}:${l.port}`);
            assert.deepStrictEqual(listeners.sort(), ["HTTP:80", "HTTPS:443"]);
            const redirect = all(https, T.route).find((r) =>
                r.inputs.spec.rules.some((rule: any) => rule.filters?.some((f: any) => f.type === "RequestRedirect")),
            );
            assert.ok(redirect, "an HTTP→HTTPS redirect route");
        });

        it("covers previewHost on the certificate (a SAN validated in the zone), since the HTTPS listener serves it too", async () => {
            const preview = await runStack("aws", {
                domain: "shop.example.com",
                "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ",
                previewHost: "preview.shop.example.com",
            });
            const cert = one(preview, T.cert);
            assert.strictEqual(cert.inputs.domainName, "shop.example.com");
            assert.deepStrictEqual(cert.inputs.subjectAlternativeNames, ["preview.shop.example.com"]);
            const records = all(preview, "aws:route53/record:Record").filter((r) => r.parent === cert.parent);
            assert.deepStrictEqual(records.map((r) => r.inputs.name.split(".").slice(1).join(".")).sort(), ["preview.shop.example.com.", "shop.example.com."]);
            const validation = one(preview, "aws:acm/certificateValidation:CertificateValidation");
            assert.strictEqual(validation.inputs.validationRecordFqdns.length, 2);
            // Without previewHost nothing changes: the same certificate, one record.
            assert.strictEqual(one(https, T.cert).inputs.subjectAlternativeNames, undefined);
            assert.strictEqual(all(https, "aws:route53/record:Record").length, 1);
        });

        it("refuses a domain with no way to get a certificate", async () => {
            await assert.rejects(runStack("aws", { domain: "shop.example.com" }), /aws\.certificateArn, or aws\.hostedZoneId/);
        });
    });

    describe("PostgreSQL (RDS)", () => {
        it("is Multi-AZ, KMS-encrypted gp3 with autoscaling storage, sized by the capacity model", () => {
            const db = one(run, T.rds);
            assert.strictEqual(db.inputs.engine, "postgres");
            assert.strictEqual(db.inputs.engineVersion, run.config.aws!.postgresVersion);
            assert.strictEqual(db.inputs.multiAz, true);
            assert.strictEqual(db.inputs.storageEncrypted, true);
            assert.ok(db.inputs.kmsKeyId.includes(":kms:"));
            assert.strictEqual(db.inputs.storageType, "gp3");
            assert.strictEqual(db.inputs.instanceClass, sizing.database.instanceClass);
            assert.strictEqual(db.inputs.instanceClass, "db.m7g.2xlarge");
            assert.strictEqual(db.inputs.allocatedStorage, sizing.database.storageGiB);
            assert.ok(db.inputs.maxAllocatedStorage > db.inputs.allocatedStorage);
            assert.strictEqual(db.inputs.performanceInsightsEnabled, true);
            assert.strictEqual(db.inputs.autoMinorVersionUpgrade, true);
        });

        it("is private: not publicly accessible, in the data subnets", () => {
            const db = one(run, T.rds).inputs;
            assert.strictEqual(db.publiclyAccessible, false);
            const dataIds = subnetsOf(run, "data")
                .map((s) => idOf(s))
                .sort();
            assert.deepStrictEqual([...one(run, T.rdsSubnets).inputs.subnetIds].sort(), dataIds);
        });

        it("forces TLS through its parameter group", () => {
            const pg = one(run, T.rdsParams).inputs;
            assert.strictEqual(pg.family, "postgres18");
            assert.deepStrictEqual(
                pg.parameters.find((p: any) => p.name === "rds.force_ssl"),
                { name: "rds.force_ssl", value: "1" },
            );
        });

        it("keeps backups for at least 7 days, refuses deletion, and leaves a final snapshot", () => {
            const db = one(run, T.rds);
            assert.ok(db.inputs.backupRetentionPeriod >= 7);
            assert.strictEqual(db.inputs.backupRetentionPeriod, run.config.aws!.backupRetentionDays);
            assert.strictEqual(db.inputs.deletionProtection, true);
            assert.strictEqual(db.inputs.skipFinalSnapshot, false);
            assert.strictEqual(db.inputs.finalSnapshotIdentifier, "zdp-aws-pg-final");
            assert.strictEqual(db.protect, true);
        });

        it("holds its master password only as a Pulumi secret", () => {
            const db = one(run, T.rds);
            assert.ok(db.secretPaths.includes("password"));
            assert.ok(!db.inputs.manageMasterUserPassword, "an RDS-rotated secret would go stale in the app's Secret");
        });
    });

    describe("Valkey (ElastiCache)", () => {
        it("is a Multi-AZ replication group with automatic failover, primary and replica in different zones", () => {
            const rg = one(run, T.valkey).inputs;
            assert.strictEqual(rg.engine, "valkey");
            assert.strictEqual(rg.engineVersion, run.config.aws!.valkeyVersion);
            assert.strictEqual(rg.multiAzEnabled, true);
            assert.strictEqual(rg.automaticFailoverEnabled, true);
            assert.strictEqual(rg.numCacheClusters, 2);
            assert.strictEqual(new Set(rg.preferredCacheClusterAzs).size, 2);
            assert.strictEqual(rg.nodeType, sizing.redis.nodeClass);
            assert.strictEqual(rg.nodeType, "cache.r7g.large");
        });

        it("requires TLS, encrypts at rest with KMS, authenticates with a secret token", () => {
            const rg = one(run, T.valkey);
            assert.strictEqual(rg.inputs.transitEncryptionEnabled, true);
            assert.strictEqual(rg.inputs.transitEncryptionMode, "required");
            assert.strictEqual(rg.inputs.atRestEncryptionEnabled, true);
            assert.ok(rg.inputs.kmsKeyId.includes(":kms:"));
            assert.ok(rg.secretPaths.includes("authToken"));
            assert.ok(rg.inputs.authToken.length >= 32);
        });

        it("is private, keeps snapshots, leaves a final snapshot and is protected", () => {
            const rg = one(run, T.valkey);
            const dataIds = subnetsOf(run, "data")
                .map((s) => idOf(s))
                .sort();
            assert.deepStrictEqual([...one(run, T.cacheSubnets).inputs.subnetIds].sort(), dataIds);
            assert.ok(rg.inputs.snapshotRetentionLimit >= 7);
            assert.ok(rg.inputs.finalSnapshotIdentifier);
            assert.strictEqual(rg.protect, true);
        });

        it("delivers its slow log and engine log to CloudWatch log groups with the stack's retention", () => {
            const deliveries = one(run, T.valkey).inputs.logDeliveryConfigurations ?? [];
            assert.deepStrictEqual(deliveries.map((d: any) => d.logType).sort(), ["engine-log", "slow-log"]);
            const groups = all(run, "aws:cloudwatch/logGroup:LogGroup");
            for (const d of deliveries) {
                assert.strictEqual(d.destinationType, "cloudwatch-logs");
                const group = groups.find((g) => g.inputs.name === d.destination);
                assert.ok(group, `${d.logType} goes to a log group this stack manages`);
                assert.strictEqual(group.inputs.retentionInDays, run.config.aws!.logRetentionDays);
            }
        });
    });

    describe("security groups of the data stores", () => {
        it("admit only the EKS cluster security group, each on its own port, and nothing else", () => {
            const clusterSg = stateOf(one(run, T.cluster)).vpcConfig.clusterSecurityGroupId;
            const rules = all(run, T.ingress);
            const ports = rules.map((r) => r.inputs.fromPort).sort();
            assert.deepStrictEqual(ports, [5432, 6379]);
            for (const r of rules) {
                assert.strictEqual(r.inputs.referencedSecurityGroupId, clusterSg, r.name);
                assert.strictEqual(r.inputs.fromPort, r.inputs.toPort);
                assert.ok(!r.inputs.cidrIpv4 && !r.inputs.cidrIpv6 && !r.inputs.prefixListId, `${r.name} has no CIDR source`);
            }
            assert.strictEqual(new Set(rules.map((r) => r.inputs.referencedSecurityGroupId)).size, 1, "the same source: the cluster's group");
            for (const sg of all(run, T.sg)) assert.ok(!sg.inputs.ingress?.length && !sg.inputs.egress?.length, `${sg.name}: no inline rules`);
            const rds = one(run, T.rds).inputs.vpcSecurityGroupIds;
            const cache = one(run, T.valkey).inputs.securityGroupIds;
            assert.strictEqual(rds.length, 1);
            assert.strictEqual(cache.length, 1);
            assert.notStrictEqual(rds[0], cache[0]);
        });
    });

    describe("wiring, outputs and secrets", () => {
        it("gives the app the private endpoints and credentials through its Secret, all of it secret", () => {
            const secret = find(run, T.secret, "app");
            const data = secret.inputs.stringData;
            assert.match(data.DATABASE_HOST, /\.rds\.amazonaws\.com$/);
            assert.strictEqual(data.DATABASE_PORT, "5432");
            assert.match(data.REDIS_HOST, /^master\..*\.cache\.amazonaws\.com$/);
            assert.strictEqual(data.REDIS_TLS, "true");
            assert.ok(secret.secretPaths.includes("stringData"));
            assert.strictEqual(data.REDIS_PASSWORD, one(run, T.valkey).inputs.authToken);
        });

        it("verifies RDS fully against the region's roots of the CA the instance is set to, and Valkey against the OS store", () => {
            const data = find(run, T.secret, "app").inputs.stringData;
            const rds = one(run, T.rds).inputs;
            assert.strictEqual(data.DATABASE_SSLMODE, "verify-full");
            // The host the app checks the certificate's name against is the instance endpoint itself.
            assert.strictEqual(
                data.DATABASE_HOST,
                awsMock.newResource?.({ type: T.rds, name: one(run, T.rds).name, inputs: rds, custom: true }, { preview: false, generatedSecrets: [] })
                    ?.address,
            );
            assert.strictEqual(rds.caCertIdentifier, "rds-ca-rsa2048-g1");
            const certs = pemsOf(data.DATABASE_CA_CERT);
            const names = certs.map((c) => c.subject.split("\n").find((l) => l.startsWith("CN=")));
            assert.deepStrictEqual(names.sort(), ["ECC384", "RSA2048", "RSA4096"].map((f) => `CN=Amazon RDS ${run.config.region} Root CA ${f} G1`).sort());
            for (const c of certs) assert.ok(c.ca && c.checkIssued(c) && c.verify(c.publicKey), `${c.subject} is a self-signed root`);
            assert.ok(Buffer.byteLength(data.DATABASE_CA_CERT) < 128 * 1024, "one environment variable holds at most 128 KiB on Linux");
            assert.strictEqual(data.REDIS_CA_CERT, undefined);
            assert.strictEqual(one(run, T.valkey).inputs.transitEncryptionEnabled, true);
        });

        it("connects the app as its own role, made by a Job that alone holds the master credentials", () => {
            const rds = one(run, T.rds).inputs;
            assertAppDbRole(run, { user: rds.username, password: rds.password, database: rds.dbName });
        });

        it("outputs a secret kubeconfig, the ALB hostname, the store endpoints and the active colour", () => {
            assert.strictEqual(run.outputs.kubeconfig.secret, true);
            assert.match(String(run.outputs.endpoint.value), /\.eu-west-1\.elb\.amazonaws\.com$/);
            assert.match(String(run.outputs.databaseHost.value), /\.rds\.amazonaws\.com$/);
            assert.match(String(run.outputs.redisHost.value), /\.cache\.amazonaws\.com$/);
            assert.strictEqual(run.outputs.activeColor.value, "blue");
            const plaintext = Object.entries(run.outputs)
                .filter(([, o]) => !o.secret)
                .filter(([, o]) => run.generatedSecrets.some((s) => JSON.stringify(o.value ?? "").includes(s)));
            assert.deepStrictEqual(plaintext, []);
        });

        it("protects the stateful resources (RDS, ElastiCache, KMS key, access-log bucket) and lets a throwaway stack opt out", async () => {
            assert.deepStrictEqual(
                run.resources
                    .filter((r) => r.protect)
                    .map((r) => r.type)
                    .sort(),
                [T.valkey, T.kms, T.rds, T.bucket].sort(),
            );
            assert.strictEqual(one(run, T.bucket).inputs.forceDestroy, false, "a protected stack never empties the log bucket");
            const throwaway = await runStack("aws", { protectStateful: "false" });
            assert.deepStrictEqual(
                throwaway.resources.filter((r) => r.protect),
                [],
            );
            assert.strictEqual(one(throwaway, T.rds).inputs.deletionProtection, false);
            assert.strictEqual(one(throwaway, T.bucket).inputs.forceDestroy, true, "pulumi destroy can delete a bucket holding logs");
        });

        it("tags every taggable AWS resource with project, stack and component", () => {
            const untaggable = new Set([
                "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                "aws:kms/alias:Alias",
                "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                "aws:acm/certificateValidation:CertificateValidation",
                "aws:route53/record:Record",
                // Settings of a (tagged) bucket: no tags argument of their own.
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "aws:s3/bucketPolicy:BucketPolicy",
                // No tags argument in @pulumi/aws for these.
                "aws:cloudwatch/dashboard:Dashboard",
                "aws:sns/topicSubscription:TopicSubscription",
                "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
            ]);
            const awsResources = run.resources.filter((r) => r.custom && r.type.startsWith("aws:") && !untaggable.has(r.type));
            assert.ok(awsResources.length > 40);
            for (const r of awsResources) {
                assert.strictEqual(r.inputs.tags?.project, "zdp", `${r.type} ${r.name}`);
                assert.strictEqual(r.inputs.tags?.stack, "aws", `${r.type} ${r.name}`);
                assert.ok(r.inputs.tags?.component, `${r.type} ${r.name}`);
            }
        });
    });

    describe("Kubernetes objects and releases", () => {
        it("every in-cluster object is schema-valid, the LBC's own CRs against its vendored v3.5.0 CRDs", () => {
            const report = validateK8s(run.resources);
            assert.deepStrictEqual(report.errors, []);
            assert.ok(report.validated.some((v) => v.includes("GatewayClass")));
            assert.deepStrictEqual(report.validated.filter((v) => v.startsWith(T.lbConfig) || v.startsWith(T.tgConfig)).length, 3);
            assert.deepStrictEqual(report.skipped, []);
        });

        it("promote with inactiveScale full changes exactly the live route and the preview route, and replaces nothing", async () => {
            const full = await runStack("aws", { inactiveScale: "full" });
            const green = await runStack("aws", { inactiveScale: "full", activeColor: "green" });
            const diff = diffResources(full.resources, green.resources);
            assert.deepStrictEqual(diff.added, []);
            assert.deepStrictEqual(diff.removed, []);
            assert.deepStrictEqual(diff.changed.map((c) => `${c.type} ${c.name}`).sort(), [`${T.route} app-preview-token-route`, `${T.route} app-route`]);
            assert.ok(diff.changed.every((c) => !c.replaces));
            assert.strictEqual(green.outputs.activeColor.value, "green");
        });

        it("promote as the stack file ships it (inactiveScale minimal) also writes green's full floor and hands blue to its HPA; nothing replaced", async () => {
            const green = await runStack("aws", { activeColor: "green" });
            const diff = diffResources(run.resources, green.resources);
            assert.deepStrictEqual([diff.added, diff.removed], [[], []]);
            const changed = Object.fromEntries(diff.changed.map((c) => [`${c.type.split(":").pop()} ${c.name}`, c.paths.join(",")]));
            assert.deepStrictEqual(Object.keys(changed).sort(), [
                "Deployment app-blue",
                "Deployment app-green",
                "HTTPRoute app-preview-token-route",
                "HTTPRoute app-route",
                "HorizontalPodAutoscaler app-blue",
                "HorizontalPodAutoscaler app-green",
            ]);
            // Green is scaled to its floor (and waited for) before the route moves; blue is not clamped down.
            assert.match(changed["Deployment app-green"], /spec\.replicas/);
            assert.doesNotMatch(changed["Deployment app-blue"], /spec\.replicas/);
            assert.ok(diff.changed.every((c) => !c.replaces));
        });

        it("a new greenVersion changes only the green Deployment; a canary step only the route (ALB settings untouched)", async () => {
            const rollout = diffResources(run.resources, (await runStack("aws", { greenVersion: "6.9.2" })).resources);
            assert.deepStrictEqual(
                rollout.changed.map((c) => `${c.type} ${c.name}`),
                ["kubernetes:apps/v1:Deployment app-green"],
            );
            assert.deepStrictEqual([...rollout.added, ...rollout.removed], []);
            const canary = (w: number) => runStack("aws", { releaseStrategy: "canary", greenVersion: "6.9.2", canaryWeight: String(w), inactiveScale: "full" });
            const step = diffResources((await canary(10)).resources, (await canary(50)).resources);
            assert.deepStrictEqual(
                step.changed.map((c) => `${c.type} ${c.name}`),
                [`${T.route} app-route`],
            );
            assert.ok([...rollout.changed, ...step.changed].every((c) => !c.replaces));
        });

        it("`npm run plan -- --stack aws` prints the whole tree and the capacity table", async () => {
            const out = renderPlan(await buildPlan("aws", {}, false));
            for (const expected of [
                T.vpc,
                T.nat,
                T.flowLog,
                T.cluster,
                T.nodeGroup,
                T.addon,
                T.rds,
                T.valkey,
                T.kms,
                T.helm,
                T.tgConfig,
                T.route,
                "m7i.xlarge",
                "4/zone × 3 = 12, autoscaler 12..33",
                "db.m7g.2xlarge",
                "cache.r7g.large",
                "after losing 1 of 3 zones",
                "0 mandatory violations",
                "kubeconfig: [secret]",
            ])
                assert.ok(out.includes(expected), `plan output lacks ${expected}`);
        });

        it("previews without waiting on unknown values", async () => {
            const preview = await runStack("aws", {}, { preview: true });
            assert.deepStrictEqual(preview.resources.map((r) => r.urn).sort(), run.resources.map((r) => r.urn).sort());
        });

        it("a missing API allow-list is a config error naming the key", async () => {
            await assert.rejects(runStack("aws", { "aws.apiPublicAccessCidrs": "" }), (e: unknown) => {
                assert.ok(e instanceof Error && /aws\.apiPublicAccessCidrs/.test(e.message), String(e));
                return true;
            });
        });
    });
});
