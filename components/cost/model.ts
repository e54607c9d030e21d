// Monthly on-demand cost of a stack, by component, from a dated price table. Pure (no Pulumi import):
// quantities come from the sizing (nodes, database, Redis: what the autoscaler and the classes make of
// them) and from the resources the program declared (gateways, IPs, alarms, keys), counted by type.
import type { StackConfig } from "../config";
import { evaluateReference, nodeShapes, REFERENCE, type Sizing } from "../capacity";
import type { PriceTable } from "./priceTable";
import { pgStorageGb, SYSTEM_POOL } from "../azure/sizing";

export const HOURS_PER_MONTH = 730;

/**
 * Traffic and log volume, which no config states: assumptions, said once and printed with the cost.
 * A concurrent user sends a request every 10 s (1,000 requests/s at 10,000 users), 20 KiB in and out
 * per request; each request writes ~500 bytes of logs (access and app lines) on top of a fixed
 * 50 GiB/month of control-plane, flow and agent logs; 100 GiB/month leaves through NAT (patches,
 * webhooks, registries outside the cloud). Internet egress is not priced: it is the app's, whatever
 * the sizing.
 */
export const USAGE = {
    requestsPerUserPerSecond: 0.1,
    bytesPerRequest: 20 * 1024,
    logBytesPerRequest: 500,
    fixedLogGiBPerMonth: 50,
    natGiBPerMonth: 100,
} as const;

const GiB = 1024 ** 3;

export interface Traffic {
    requestsPerSecond: number;
    /** Bytes through the load balancer per hour, in GiB. */
    lbGiBPerHour: number;
    logGiBPerMonth: number;
}

export function trafficFor(users: number): Traffic {
    const rps = users * USAGE.requestsPerUserPerSecond;
    return {
        requestsPerSecond: rps,
        lbGiBPerHour: (rps * USAGE.bytesPerRequest * 3600) / GiB,
        logGiBPerMonth: USAGE.fixedLogGiBPerMonth + (rps * USAGE.logBytesPerRequest * 3600 * HOURS_PER_MONTH) / GiB,
    };
}

/** A resource as the program declared it (the plan's recorded registrations): its type token and inputs. */
export interface Declared {
    type: string;
    inputs: Record<string, unknown>;
}

export interface CostLine {
    component: string;
    /** What is priced, with its quantity, e.g. "3 NAT gateways + 100 GiB processed". */
    what: string;
    /** The price table keys this line uses. */
    skus: string[];
    /** USD per month with the nodes at the autoscaler's minimum, desired count and maximum. */
    usd: { min: number; desired: number; max: number };
}

export interface StackCost {
    cloud: PriceTable["cloud"];
    region: string;
    asOf: string;
    lines: CostLine[];
    total: { min: number; desired: number; max: number };
    /** Desired total per 1,000 target users. */
    perThousandUsers: number;
}

type Bound = "min" | "desired" | "max";
const BOUNDS: Bound[] = ["min", "desired", "max"];

/** A line one cloud declares: [sku, quantity per month] pairs, a function of the autoscaler's bound for node-bound items. */
interface Item {
    component: string;
    what: string;
    charges: [string, number][] | ((bound: Bound) => [string, number][]);
}

export class MissingPrice extends Error {
    constructor(
        readonly table: PriceTable,
        readonly skus: string[],
    ) {
        super(`price table ${table.cloud} ${table.region} (${table.asOf}) has no price for ${skus.join(", ")}`);
    }
}

function price(table: PriceTable, items: Item[], users: number): StackCost {
    const missing = new Set<string>();
    const usd = (charges: [string, number][]) =>
        charges.reduce((sum, [sku, qty]) => {
            const p = table.prices[sku];
            if (!p) missing.add(sku);
            return sum + (p?.usd ?? 0) * qty;
        }, 0);
    // An optional item the stack does not declare (no WAF, no Cloud Armor) has no charges and no line.
    const declared = items.filter((item) => typeof item.charges === "function" || item.charges.length > 0);
    const lines = declared.map((item): CostLine => {
        const charges = (b: Bound) => (typeof item.charges === "function" ? item.charges(b) : item.charges);
        const [min, desired, max] = BOUNDS.map((b) => usd(charges(b)));
        return { component: item.component, what: item.what, skus: [...new Set(charges("desired").map(([sku]) => sku))], usd: { min, desired, max } };
    });
    if (missing.size) throw new MissingPrice(table, [...missing]);
    const total = (b: Bound) => lines.reduce((sum, l) => sum + l.usd[b], 0);
    const desired = total("desired");
    return {
        cloud: table.cloud,
        region: table.region,
        asOf: table.asOf,
        lines,
        total: { min: total("min"), desired, max: total("max") },
        perThousandUsers: (desired / users) * 1000,
    };
}

const count = (resources: Declared[], type: string) => resources.filter((r) => r.type === type).length;
/** The length of one list input (rules, rule sets, conditions), added up over the resources of a type. */
const listTotal = (resources: Declared[], type: string, list: (inputs: Record<string, unknown>) => unknown) =>
    resources.filter((r) => r.type === type).reduce((sum, r) => sum + ((list(r.inputs) as unknown[] | undefined)?.length ?? 0), 0);

/** The resource types of each cloud's edge protection (WAF, Cloud Armor): priced when declared, and what turning it off removes. */
export const EDGE_TYPES = {
    aws: { webAcl: "aws:wafv2/webAcl:WebAcl" },
    azure: { securityPolicy: "azure-native:servicenetworking:SecurityPoliciesInterface", wafPolicy: "azure-native:network:WebApplicationFirewallPolicy" },
    gcp: { securityPolicy: "gcp:compute/securityPolicy:SecurityPolicy" },
} as const;
const h = HOURS_PER_MONTH;
const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
const millionRequests = (t: Traffic) => (t.requestsPerSecond * 3600 * h) / 1e6;
const nodeRange = (s: Sizing) => `${s.nodes.min}/${s.nodes.desired}/${s.nodes.max}`;

/**
 * ALB LCUs: the largest of its dimensions; here processed bytes (1 GB an hour to IP targets) or active
 * connections (3,000 a minute, one per user). https://aws.amazon.com/elasticloadbalancing/pricing/
 */
function albLcus(users: number, t: Traffic): number {
    return Math.max(t.lbGiBPerHour * (GiB / 1e9), users / 3000);
}

function awsItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const nats = count(resources, "aws:ec2/natGateway:NatGateway");
    const eips = count(resources, "aws:ec2/eip:Eip");
    const alarms = count(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const dashboards = count(resources, "aws:cloudwatch/dashboard:Dashboard");
    const keys = count(resources, "aws:kms/key:Key");
    const cacheNodes = cfg.aws?.cacheNodes ?? 2;
    const acls = count(resources, EDGE_TYPES.aws.webAcl);
    const aclRules = listTotal(resources, EDGE_TYPES.aws.webAcl, (i) => i.rules);
    const lcus = albLcus(cfg.targetUsers, t);
    const rootGiB = 50; // components/aws/cluster.ts launch template
    return [
        { component: "cluster", what: "EKS control plane", charges: [["eks.cluster", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + ${rootGiB} GiB gp3 each`,
            charges: (b) => [
                [`ec2.${s.nodes.machineType}`, s.nodes[b] * h],
                ["ebs.gp3", s.nodes[b] * rootGiB],
            ],
        },
        {
            component: "NAT",
            what: `${nats} NAT gateway(s) + ${USAGE.natGiBPerMonth} GiB`,
            charges: [
                ["vpc.nat", nats * h],
                ["vpc.natData", USAGE.natGiBPerMonth],
            ],
        },
        {
            component: "load balancer",
            what: `ALB + ${lcus.toFixed(1)} LCU (${n(t.requestsPerSecond)} req/s)`,
            charges: [
                ["elb.alb", h],
                ["elb.albLcu", lcus * h],
            ],
        },
        // The ALB holds a public IPv4 address in each zone; the NAT gateways one each (their EIPs).
        { component: "public IPs", what: `${eips + s.zones} public IPv4 (${eips} NAT, ${s.zones} ALB)`, charges: [["vpc.publicIpv4", (eips + s.zones) * h]] },
        {
            component: "database",
            what: `${s.database.instanceClass} Multi-AZ + ${s.database.storageGiB} GiB gp3`,
            charges: [
                [`rds.postgres.multiAz.${s.database.instanceClass}`, h],
                ["rds.gp3.multiAz", s.database.storageGiB],
            ],
        },
        { component: "redis", what: `${cacheNodes} × ${s.redis.nodeClass} (Valkey)`, charges: [[`elasticache.valkey.${s.redis.nodeClass}`, cacheNodes * h]] },
        {
            component: "WAF",
            what: `${acls} web ACL, ${aclRules} rule groups, ${n(millionRequests(t))} M requests`,
            charges: acls
                ? [
                      ["waf.webAcl", acls],
                      ["waf.rule", aclRules],
                      ["waf.requests", millionRequests(t)],
                  ]
                : [],
        },
        { component: "logs", what: `${n(t.logGiBPerMonth)} GiB ingested`, charges: [["cloudwatch.logsIngest", t.logGiBPerMonth]] },
        {
            component: "monitoring",
            what: `${alarms} alarms, ${dashboards} dashboard(s), ${keys} KMS key(s)`,
            charges: [
                ["cloudwatch.alarm", alarms],
                ["cloudwatch.dashboard", dashboards],
                ["kms.key", keys],
            ],
        },
    ];
}

/**
 * Application Gateway for Containers capacity units. Its pricing page does not define the unit; this
 * takes Application Gateway v2's: the largest of 2,500 persistent connections and 2.22 Mbps throughput
 * (https://learn.microsoft.com/azure/application-gateway/understanding-pricing).
 */
function agcCapacityUnits(users: number, t: Traffic): number {
    const mbps = (t.lbGiBPerHour * GiB * 8) / 3600 / 1e6;
    return Math.max(mbps / 2.22, users / 2500);
}

/**
 * Nodes a stack runs besides the app's pool: AKS's system pool, one x86 4-vCPU node per zone growing to
 * two (components/azure/cluster.ts); EKS and GKE run their add-ons on the app's nodes.
 */
export function systemPool(cloud: StackConfig["cloud"]): { machineType: string; vcpu: number; min: number; max: number } | undefined {
    if (cloud !== "azure") return undefined;
    const node = nodeShapes("azure", "amd64")[0];
    return { machineType: node.machineType, vcpu: node.vcpu, ...SYSTEM_POOL };
}

function azureItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const az = cfg.azure;
    const system = systemPool("azure")!;
    const haFactor = az?.postgresHaMode && az.postgresHaMode !== "Disabled" ? 2 : 1;
    const redisNodes = az?.redisHighAvailability === false ? 1 : 2;
    const ips = count(resources, "azure-native:network:PublicIPAddress");
    const frontends = count(resources, "azure-native:servicenetworking:FrontendsInterface");
    const associations = count(resources, "azure-native:servicenetworking:AssociationsInterface");
    const endpoints = count(resources, "azure-native:network:PrivateEndpoint");
    const zones = count(resources, "azure-native:privatedns:PrivateZone");
    const alerts = count(resources, "azure-native:monitor:MetricAlert");
    const cus = agcCapacityUnits(cfg.targetUsers, t);
    const wafControllers = resources.filter((r) => r.type === EDGE_TYPES.azure.securityPolicy && r.inputs.wafPolicy).length;
    const ruleSets = listTotal(resources, EDGE_TYPES.azure.wafPolicy, (i) => (i.managedRules as { managedRuleSets?: unknown[] } | undefined)?.managedRuleSets);
    const storageGb = pgStorageGb(s.database.storageGiB); // the Premium SSD size the server gets (components/azure/database.ts)
    return [
        { component: "cluster", what: "AKS Standard tier", charges: [["aks.standardTier", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + system pool ${system.min}..${system.max} × ${system.machineType}`,
            charges: (b) => [
                [`vm.${s.nodes.machineType}`, s.nodes[b] * h],
                [`vm.${system.machineType}`, (b === "max" ? system.max : system.min) * h],
            ],
        },
        {
            component: "NAT",
            what: `NAT gateway + ${USAGE.natGiBPerMonth} GiB`,
            charges: [
                ["nat.gateway", h],
                ["nat.data", USAGE.natGiBPerMonth],
            ],
        },
        {
            component: "load balancer",
            what: `Application Gateway for Containers, ${frontends} frontend(s), ${cus.toFixed(1)} capacity units`,
            charges: [
                ["agc.gateway", h],
                ["agc.frontend", frontends * h],
                ["agc.association", associations * h],
                ["agc.capacityUnit", cus * h],
            ],
        },
        { component: "public IPs", what: `${ips} Standard public IPv4`, charges: [["ip.publicStandard", ips * h]] },
        {
            component: "database",
            what: `${s.database.instanceClass} ${haFactor === 2 ? "with HA standby" : "no HA"} + ${storageGb} GiB`,
            charges: [
                [`postgres.gp.${s.database.instanceClass}`, haFactor * h],
                ["postgres.storage", haFactor * storageGb],
                ...(az?.postgresGeoRedundantBackup ? [["postgres.backupGeo", storageGb] as [string, number]] : []),
            ],
        },
        // The price is per node; high availability runs a second one (components/cost/prices/azure.ts notes).
        {
            component: "redis",
            what: `${s.redis.nodeClass}${redisNodes === 2 ? " with HA (2 nodes)" : " (1 node, no HA)"}`,
            charges: [[`redis.${s.redis.nodeClass}`, redisNodes * h]],
        },
        // A SecurityPolicy naming a WAF policy bills the WAF hour on its traffic controller, and every
        // request once per managed rule set (Microsoft's AGC pricing example: requests × $0.75 × 2 rule sets).
        {
            component: "WAF",
            what: `WAF on ${wafControllers} traffic controller(s), ${ruleSets} managed rule sets, ${n(millionRequests(t))} M requests`,
            charges: wafControllers
                ? [
                      ["waf.policy", wafControllers],
                      ["waf.requests", ruleSets * millionRequests(t)],
                  ]
                : [],
        },
        { component: "logs", what: `${n(t.logGiBPerMonth)} GiB ingested`, charges: [["logAnalytics.ingest", t.logGiBPerMonth]] },
        {
            component: "monitoring",
            what: `${alerts} metric alerts, ${endpoints} private endpoint(s), ${zones} private DNS zone(s)`,
            charges: [
                ["monitor.metricAlert", alerts],
                ["privateEndpoint", endpoints * h],
                ["privateDns.zone", zones],
            ],
        },
    ];
}

/**
 * Memorystore for Redis Standard capacity tier by provisioned GB (M2 5-10, M3 11-35, M4 36-100, M5
 * above; M1's 1-4 GB is below the 5 GB that read replicas need, components/capacity.ts).
 */
export function memorystoreTier(gb: number): string {
    return gb <= 10 ? "M2" : gb <= 35 ? "M3" : gb <= 100 ? "M4" : "M5";
}

function gcpItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const bootGiB = 100; // components/gcp/cluster.ts node pool
    const armor = count(resources, EDGE_TYPES.gcp.securityPolicy);
    const armorRules = listTotal(resources, EDGE_TYPES.gcp.securityPolicy, (i) => i.rules);
    const keys = count(resources, "gcp:kms/cryptoKey:CryptoKey");
    const conditions = listTotal(resources, "gcp:monitoring/alertPolicy:AlertPolicy", (i) => i.conditions);
    const replicas = cfg.gcp?.redisReadReplicas ?? 1;
    const lbGiB = t.lbGiBPerHour * h;
    const tier = memorystoreTier(s.redis.memoryGiB);
    return [
        { component: "cluster", what: "GKE Standard (regional)", charges: [["gke.cluster", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + ${bootGiB} GiB pd-balanced each`,
            charges: (b) => [
                [`gce.${s.nodes.machineType}`, s.nodes[b] * h],
                ["pd.balanced", s.nodes[b] * bootGiB],
            ],
        },
        {
            component: "NAT",
            what: `Cloud NAT for the nodes + ${USAGE.natGiBPerMonth} GiB`,
            // Cloud NAT charges per VM-hour up to 32 VMs, flat above.
            charges: (b) => [
                ["nat.vm", Math.min(s.nodes[b], 32) * h],
                ["nat.data", USAGE.natGiBPerMonth],
            ],
        },
        {
            component: "load balancer",
            what: `global external Application LB, ${n(lbGiB)} GiB processed`,
            charges: [
                ["lb.forwardingRule", h],
                ["lb.data", lbGiB],
                ["ip.staticExternal", h],
            ],
        },
        {
            component: "Cloud Armor",
            what: `${armor} policy, ${armorRules} rules, ${n(millionRequests(t))} M requests`,
            charges: armor
                ? [
                      ["cloudArmor.policy", armor],
                      ["cloudArmor.rule", armorRules],
                      ["cloudArmor.requests", millionRequests(t)],
                  ]
                : [],
        },
        {
            component: "database",
            what: `${s.database.vcpu} vCPU / ${s.database.memoryGiB} GiB REGIONAL (HA) + ${s.database.storageGiB} GiB SSD`,
            charges: [
                ["cloudsql.enterprise.vcpu.ha", s.database.vcpu * h],
                ["cloudsql.enterprise.memory.ha", s.database.memoryGiB * h],
                ["cloudsql.ssd.ha", s.database.storageGiB],
            ],
        },
        // The Standard price covers the primary and its one replica; each further read replica is
        // charged here as another copy of the capacity (not confirmed on Google's page: docs/cost.md).
        {
            component: "redis",
            what: `Memorystore Standard ${s.redis.memoryGiB} GB (${tier}), ${replicas} replica(s)`,
            charges: [[`memorystore.standard.${tier}`, s.redis.memoryGiB * replicas * h]],
        },
        { component: "logs", what: `${n(t.logGiBPerMonth)} GiB ingested`, charges: [["logging.ingest", t.logGiBPerMonth]] },
        {
            component: "monitoring",
            what: `${conditions} alert conditions, ${keys} Cloud KMS key(s)`,
            charges: [
                ["monitoring.alertCondition", conditions],
                ["kms.keyVersion", keys],
            ],
        },
    ];
}

const ITEMS = { aws: awsItems, azure: azureItems, gcp: gcpItems } as const;

/** The stack's monthly cost from `table`, with the nodes at the autoscaler's min, desired and max. */
export function stackCost(cfg: StackConfig, s: Sizing, resources: Declared[], table: PriceTable): StackCost {
    if (cfg.cloud === "local") throw new Error("the dev stack runs on your own cluster: nothing to price");
    const items = ITEMS[cfg.cloud](cfg, s, resources, trafficFor(cfg.targetUsers));
    return price(table, items, cfg.targetUsers);
}

/**
 * The seed's reference sizing priced the same way: its 5 nodes per 10,000 users (2,000 users per
 * 4-vCPU node, no zone or rollout headroom, one colour) instead of the model's, every service the same.
 */
export function referenceCost(cfg: StackConfig, s: Sizing, resources: Declared[], table: PriceTable): StackCost & { nodes: number; keepsTarget: boolean } {
    const nodes = Math.ceil(cfg.targetUsers / REFERENCE.usersPerNode);
    // Its steady state, a rolling node replacement (one node down) and a zone loss, as the plan shows for the seed.
    const served = evaluateReference({ ...REFERENCE, nodes });
    const keepsTarget = Object.values(served).every((users) => users >= cfg.targetUsers);
    return { ...stackCost(cfg, { ...s, nodes: { ...s.nodes, min: nodes, desired: nodes, max: nodes } }, resources, table), nodes, keepsTarget };
}
