// Monthly on-demand cost of a stack, by component, from a dated price table. Pure (no Pulumi import):
// quantities come from the sizing (nodes, database, Redis: what the autoscaler and the classes make of
// them), from the resources the program declared (gateways, IPs, alarms, keys), counted by type, and
// from the stack's usage settings (traffic, egress, logs: model/cost/usage.ts).
import { allApps, type StackConfig } from "../stackConfig";
import { appPods, evaluateReference, nodeShapes, REFERENCE, type Sizing } from "../capacity";
import type { Committable, PriceTable } from "./priceTable";
import { pgStorageGb, SYSTEM_POOL } from "../azure/sizing";
import type { Usage } from "./usage";
import { heldExtraNodes, windowNodeHoursPerMonth } from "../rollbackWindow";

export const HOURS_PER_MONTH = 730;

const GiB = 1024 ** 3;
const KiB = 1024;
const SECONDS_PER_MONTH = 3600 * 730;

/** What the stack's usage (stack config `usage.*`, model/cost/usage.ts) makes of its users at one concurrency. */
export interface Traffic {
    /** Connected users. */
    users: number;
    requestsPerSecond: number;
    /** Bytes into and out of the load balancer per hour, in GiB. */
    lbInGiBPerHour: number;
    lbOutGiBPerHour: number;
    /** Response bytes that leave the cloud to the internet, a month. */
    egressGiBPerMonth: number;
    /** Request and app log lines plus the fixed control-plane and agent logs. */
    logGiBPerMonth: number;
    flowLogGiBPerMonth: number;
    /** Through NAT: the fixed base, plus the logs where they leave through it (the stack's items say). */
    natBaseGiBPerMonth: number;
    /** Between the app and PostgreSQL and Redis, both ways. */
    dataStoreGiBPerMonth: number;
}

/** Traffic at `concurrency` (a share of targetUsers; the peak by default, as the alert thresholds use it). */
export function trafficFor(targetUsers: number, usage: Usage, concurrency = usage.peakConcurrency): Traffic {
    const users = targetUsers * concurrency;
    const rps = (users * usage.requestsPerUserPerMinute) / 60;
    const perMonth = (bytesPerRequest: number) => (rps * bytesPerRequest * SECONDS_PER_MONTH) / GiB;
    return {
        users,
        requestsPerSecond: rps,
        lbInGiBPerHour: (rps * usage.requestKiB * KiB * 3600) / GiB,
        lbOutGiBPerHour: (rps * usage.responseKiB * KiB * 3600) / GiB,
        egressGiBPerMonth: perMonth(usage.responseKiB * KiB * usage.egressShare),
        logGiBPerMonth: usage.fixedLogGiBPerMonth + perMonth(usage.logBytesPerRequest),
        flowLogGiBPerMonth: usage.flowLogGiBPerMonth,
        natBaseGiBPerMonth: usage.natBaseGiBPerMonth,
        dataStoreGiBPerMonth: perMonth(usage.dataStoreKiBPerRequest * KiB),
    };
}

/**
 * Metric series the monitoring agent sends at a bound of the autoscaler: each node's (its own and its
 * agent pods') and each app pod's, the pods at steady state or, at the maximum, the most that run at once.
 */
function metricSeries(s: Sizing, u: Usage, b: Bound, extraNodes = 0): number {
    const pods = appPods({ ...s, ...s.app });
    return (s.nodes[b] + extraNodes) * u.metricSeriesPerNode + (b === "max" ? pods.max : pods.steady) * u.metricSeriesPerPod;
}

/** Share of the app's data-store traffic that crosses zones: the pods outside the single primary's zone. */
const crossZoneShare = (zones: number) => (zones - 1) / zones;

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
    /**
     * A line that depends on the usage assumptions: its desired USD with the users at the average
     * concurrency (low, the figure in the total) and at the peak every hour (high).
     */
    range?: { low: number; high: number };
}

export interface StackCost {
    cloud: PriceTable["cloud"];
    region: string;
    asOf: string;
    lines: CostLine[];
    total: { min: number; desired: number; max: number };
    /** The desired total with the usage lines at their low and high ends. */
    range: { low: number; high: number };
    /** Desired total per 1,000 target users. */
    perThousandUsers: number;
    /** On-demand USD a month a commitment can cover: the nodes at the autoscaler's floor, the database and Redis instances. */
    committable: Record<Committable, number>;
    /** Lines the bill will have later without a change to the stack (EKS extended support), not in the total. */
    future: CostLine[];
}

type Bound = "min" | "desired" | "max";
const BOUNDS: Bound[] = ["min", "desired", "max"];

/** [sku, quantity per month], tagged with what a commitment would cover where one can. */
type Charge = [string, number] | [string, number, Committable];

/** A line one cloud declares: its charges, a function of the autoscaler's bound for node-bound items. */
interface Item {
    component: string;
    what: string;
    charges: Charge[] | ((bound: Bound) => Charge[]);
    /** Not billed today: a price the stack moves to by itself later (shown apart, not in the total). */
    future?: true;
}

export class MissingPrice extends Error {
    constructor(
        readonly table: PriceTable,
        readonly skus: string[],
    ) {
        super(`price table ${table.cloud} ${table.region} (${table.asOf}) has no price for ${skus.join(", ")}`);
    }
}

/** USD for `qty` units of a price, graduated over its bands where it has them (internet egress). */
export function priceOf(p: { usd: number; tiers?: [number, number][] }, qty: number): number {
    if (!p.tiers) return p.usd * qty;
    let from = 0;
    let sum = 0;
    for (const [upTo, rate] of p.tiers) {
        sum += Math.max(0, Math.min(qty, upTo) - from) * rate;
        from = upTo;
        if (qty <= upTo) break;
    }
    return sum;
}

function priceLines(table: PriceTable, items: Item[]): { lines: CostLine[]; committable: Record<Committable, number> } {
    const missing = new Set<string>();
    const usd = (charges: Charge[]) =>
        charges.reduce((sum, [sku, qty]) => {
            const p = table.prices[sku];
            if (!p) missing.add(sku);
            return sum + (p ? priceOf(p, qty) : 0);
        }, 0);
    const committable: Record<Committable, number> = { nodes: 0, database: 0, redis: 0 };
    // An optional item the stack does not declare (no WAF, no Cloud Armor) has no charges and no line.
    const declared = items.filter((item) => typeof item.charges === "function" || item.charges.length > 0);
    const lines = declared.map((item): CostLine => {
        const charges = (b: Bound) => (typeof item.charges === "function" ? item.charges(b) : item.charges);
        const [min, desired, max] = BOUNDS.map((b) => usd(charges(b)));
        // A commitment covers what runs all the time: the nodes at the autoscaler's floor.
        if (!item.future) for (const [sku, qty, kind] of charges("min")) if (kind) committable[kind] += usd([[sku, qty]]);
        return { component: item.component, what: item.what, skus: [...new Set(charges("desired").map(([sku]) => sku))], usd: { min, desired, max } };
    });
    if (missing.size) throw new MissingPrice(table, [...missing]);
    return { lines, committable };
}

const count = (resources: Declared[], type: string) => resources.filter((r) => r.type === type).length;
/** A size every resource of a type declares alike (a node disk), read from what the program declares rather than copied here. */
function declaredSize(resources: Declared[], type: string, size: (inputs: Record<string, unknown>) => unknown): number {
    const sizes = [...new Set(resources.filter((r) => r.type === type).map((r) => size(r.inputs)))];
    if (sizes.length !== 1 || typeof sizes[0] !== "number")
        throw new Error(`cost model: the ${type} resources declare no single size (${JSON.stringify(sizes)})`);
    return sizes[0];
}
/** The length of one list input (rules, rule sets, conditions), added up over the resources of a type. */
const listTotal = (resources: Declared[], type: string, list: (inputs: Record<string, unknown>) => unknown) =>
    resources.filter((r) => r.type === type).reduce((sum, r) => sum + ((list(r.inputs) as unknown[] | undefined)?.length ?? 0), 0);

/** The resource types of each cloud's edge protection (WAF, Cloud Armor): priced when declared, and what turning it off removes. */
export const EDGE_TYPES = {
    aws: { webAcl: "aws:wafv2/webAcl:WebAcl" },
    azure: { securityPolicy: "azure-native:servicenetworking:SecurityPoliciesInterface", wafPolicy: "azure-native:network:WebApplicationFirewallPolicy" },
    gcp: { securityPolicy: "gcp:compute/securityPolicy:SecurityPolicy" },
} as const;
/** The resource types each cloud's cost lines are priced from (a change to one moves that line). */
export const LINE_TYPES: Record<Exclude<StackConfig["cloud"], "local">, Record<string, readonly string[]>> = {
    aws: {
        cluster: ["aws:eks/cluster:Cluster"],
        nodes: ["aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate"],
        NAT: ["aws:ec2/natGateway:NatGateway"],
        "public IPs": ["aws:ec2/eip:Eip"],
        database: ["aws:rds/instance:Instance"],
        redis: ["aws:elasticache/replicationGroup:ReplicationGroup"],
        WAF: [EDGE_TYPES.aws.webAcl],
        logs: ["aws:cloudwatch/logGroup:LogGroup"],
        "flow logs": ["aws:ec2/flowLog:FlowLog"],
        monitoring: ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard", "aws:kms/key:Key"],
    },
    azure: {
        cluster: ["azure-native:containerservice:ManagedCluster"],
        nodes: ["azure-native:containerservice:AgentPool"],
        NAT: ["azure-native:network:NatGateway"],
        "load balancer": [
            "azure-native:servicenetworking:TrafficControllerInterface",
            "azure-native:servicenetworking:FrontendsInterface",
            "azure-native:servicenetworking:AssociationsInterface",
        ],
        "public IPs": ["azure-native:network:PublicIPAddress"],
        database: ["azure-native:dbforpostgresql:Server"],
        redis: ["azure-native:redisenterprise:RedisEnterprise"],
        WAF: Object.values(EDGE_TYPES.azure),
        logs: ["azure-native:operationalinsights:Workspace", "azure-native:monitor:DataCollectionRule"],
        monitoring: ["azure-native:monitor:MetricAlert", "azure-native:network:PrivateEndpoint", "azure-native:privatedns:PrivateZone"],
    },
    gcp: {
        cluster: ["gcp:container/cluster:Cluster"],
        nodes: ["gcp:container/nodePool:NodePool"],
        NAT: ["gcp:compute/routerNat:RouterNat"],
        "load balancer": ["gcp:compute/globalAddress:GlobalAddress"],
        "Cloud Armor": [EDGE_TYPES.gcp.securityPolicy],
        database: ["gcp:sql/databaseInstance:DatabaseInstance"],
        redis: ["gcp:redis/instance:Instance"],
        "flow logs": ["gcp:compute/subnetwork:Subnetwork"],
        monitoring: ["gcp:monitoring/alertPolicy:AlertPolicy", "gcp:kms/cryptoKey:CryptoKey"],
    },
};
const h = HOURS_PER_MONTH;
/** Samples of one metric series a month at one a minute. */
const SAMPLES_PER_SERIES_MONTH = 60 * h;
const n = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
const millionRequests = (t: Traffic) => (t.requestsPerSecond * 3600 * h) / 1e6;
const nodeRange = (s: Sizing) => `${s.nodes.min}/${s.nodes.desired}/${s.nodes.max}`;

/**
 * ALB LCUs: the largest of its dimensions; here processed bytes (1 GB an hour to IP targets) or active
 * connections (3,000 a minute, one per user). https://aws.amazon.com/elasticloadbalancing/pricing/
 */
function albLcus(t: Traffic): number {
    return Math.max((t.lbInGiBPerHour + t.lbOutGiBPerHour) * (GiB / 1e9), t.users / 3000);
}

/**
 * The colour that lost its traffic, held at full size for the rollback window after each promote
 * (model/rollbackWindow.ts): on-demand node-hours above the steady nodes, at least the window each time.
 */
function rollbackWindowItem(cfg: StackConfig, s: Sizing, nodeSku: string): Item {
    const { minutes } = cfg.release.rollbackWindow;
    const releases = cfg.usage.releasesPerMonth;
    const extraNodes = heldExtraNodes(s);
    const hours = windowNodeHoursPerMonth({ minutes, releasesPerMonth: releases, extraNodes });
    return {
        component: "rollback window",
        what: `the idle colour at full size ${minutes} min after each of ${releases} promotes: ${extraNodes} more × ${s.nodes.machineType}`,
        charges: hours > 0 ? [[nodeSku, hours]] : [],
    };
}

function awsItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const nats = count(resources, "aws:ec2/natGateway:NatGateway");
    const eips = count(resources, "aws:ec2/eip:Eip");
    const cacheNodes = cfg.aws?.cacheNodes ?? 2;
    const lcus = albLcus(t);
    const albs = allApps(cfg).length;
    const rootGiB = declaredSize(
        resources,
        "aws:ec2/launchTemplate:LaunchTemplate",
        (i) => (i.blockDeviceMappings as { ebs?: { volumeSize?: unknown } }[] | undefined)?.[0]?.ebs?.volumeSize,
    );
    // The nodes ship their logs to CloudWatch Logs through NAT (the VPC has a gateway endpoint for S3 only).
    const natGiB = t.natBaseGiBPerMonth + t.logGiBPerMonth;
    const crossZoneGiB = t.dataStoreGiBPerMonth * crossZoneShare(s.zones);
    return [
        { component: "cluster", what: "EKS control plane", charges: [["eks.cluster", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + ${rootGiB} GiB gp3 each`,
            charges: (b) => [
                [`ec2.${s.nodes.machineType}`, s.nodes[b] * h, "nodes"],
                ["ebs.gp3", s.nodes[b] * rootGiB],
            ],
        },
        rollbackWindowItem(cfg, s, `ec2.${s.nodes.machineType}`),
        {
            component: "NAT",
            what: `${nats} NAT gateway(s) + ${n(natGiB)} GiB (the logs and ${n(t.natBaseGiBPerMonth)} GiB of patches and pulls)`,
            charges: [
                ["vpc.nat", nats * h],
                ["vpc.natData", natGiB],
            ],
        },
        {
            component: "load balancer",
            // One ALB per app (components/aws/albEdge.ts); the LCUs are the stack's traffic, shared by them.
            what: `${albs > 1 ? `${albs} ALBs (one per app)` : "ALB"} + ${lcus.toFixed(1)} LCU (${n(t.requestsPerSecond)} req/s)`,
            charges: [
                ["elb.alb", albs * h],
                ["elb.albLcu", lcus * h],
            ],
        },
        { component: "internet egress", what: `${n(t.egressGiBPerMonth)} GiB of responses, tiered`, charges: [["ec2.internetEgress", t.egressGiBPerMonth]] },
        // Each byte between zones is billed out of one and into the other.
        {
            component: "inter-zone",
            what: `${n(crossZoneGiB)} GiB between the app and the single-primary database and Redis, both directions billed`,
            charges: [["vpc.interAz", 2 * crossZoneGiB]],
        },
        // Each ALB holds a public IPv4 address in each zone; the NAT gateways one each (their EIPs).
        {
            component: "public IPs",
            what: `${eips + albs * s.zones} public IPv4 (${eips} NAT, ${albs * s.zones} ALB)`,
            charges: [["vpc.publicIpv4", (eips + albs * s.zones) * h]],
        },
        {
            component: "database",
            what: `${s.database.instanceClass} Multi-AZ + ${s.database.storageGiB} GiB gp3`,
            charges: [
                [`rds.postgres.multiAz.${s.database.instanceClass}`, h, "database"],
                ["rds.gp3.multiAz", s.database.storageGiB],
            ],
        },
        {
            component: "redis",
            what: `${cacheNodes} × ${s.redis.nodeClass} (Valkey)`,
            charges: [[`elasticache.valkey.${s.redis.nodeClass}`, cacheNodes * h, "redis"]],
        },
        ...awsOperationsItems(cfg, s, resources, t),
    ];
}

/**
 * Container Insights with enhanced observability, billed per observation: the default of the
 * amazon-cloudwatch-observability add-on (model/cost/prices/aws.ts). Other add-on configurations bill
 * otherwise and are refused rather than priced as the default.
 */
function awsMetricsItem(cfg: StackConfig, s: Sizing, resources: Declared[]): Item {
    const insights = resources.filter((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "amazon-cloudwatch-observability");
    if (insights.some((r) => r.inputs.configurationValues !== undefined))
        throw new Error(
            "cost model: the amazon-cloudwatch-observability add-on declares configurationValues; only its default (Container Insights with enhanced observability) is priced",
        );
    const observations = (b: Bound) => (metricSeries(s, cfg.usage, b) * SAMPLES_PER_SERIES_MONTH) / 1e6;
    return {
        component: "metrics",
        what: `Container Insights (enhanced observability): ${n(metricSeries(s, cfg.usage, "desired"))} series × 1 a minute = ${n(observations("desired"))} M observations`,
        charges: insights.length ? (b) => [["cloudwatch.containerInsightsObservation", observations(b)]] : [],
    };
}

/** The edge WAF, logs, metrics, alarms and keys, and the fee a cluster left on an old Kubernetes version would pay. */
function awsOperationsItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const alarms = count(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const dashboards = count(resources, "aws:cloudwatch/dashboard:Dashboard");
    const keys = count(resources, "aws:kms/key:Key");
    const flowLogs = count(resources, "aws:ec2/flowLog:FlowLog");
    const acls = count(resources, EDGE_TYPES.aws.webAcl);
    const aclRules = listTotal(resources, EDGE_TYPES.aws.webAcl, (i) => i.rules);
    // upgradePolicy STANDARD: EKS upgrades the cluster at the end of standard support instead of moving
    // it to extended support (https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html).
    const autoUpgraded = resources.some(
        (r) => r.type === "aws:eks/cluster:Cluster" && (r.inputs.upgradePolicy as { supportType?: string } | undefined)?.supportType === "STANDARD",
    );
    return [
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
        // Flow logs are vended logs, billed at or below the standard ingestion rate: priced at it.
        {
            component: "flow logs",
            what: `${flowLogs} VPC flow log(s), ${n(t.flowLogGiBPerMonth)} GiB into CloudWatch Logs`,
            charges: flowLogs ? [["cloudwatch.logsIngest", t.flowLogGiBPerMonth]] : [],
        },
        awsMetricsItem(cfg, s, resources),
        {
            component: "monitoring",
            what: `${alarms} alarms, ${dashboards} dashboard(s), ${keys} KMS key(s)`,
            charges: [
                ["cloudwatch.alarm", alarms],
                ["cloudwatch.dashboard", dashboards],
                ["kms.key", keys],
            ],
        },
        {
            component: "cluster in extended support",
            what: `EKS control plane once Kubernetes ${cfg.aws?.kubernetesVersion ?? ""} leaves standard support (14 months after its EKS release), until upgraded`,
            charges: autoUpgraded ? [] : [["eks.clusterExtended", h]],
            future: true,
        },
    ];
}

/**
 * Application Gateway for Containers capacity units. Its pricing page does not define the unit; this
 * takes Application Gateway v2's: the largest of 2,500 persistent connections and 2.22 Mbps throughput
 * (https://learn.microsoft.com/azure/application-gateway/understanding-pricing).
 */
function agcCapacityUnits(t: Traffic): number {
    const mbps = ((t.lbInGiBPerHour + t.lbOutGiBPerHour) * GiB * 8) / 3600 / 1e6;
    return Math.max(mbps / 2.22, t.users / 2500);
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

/**
 * Container Insights' collection interval in minutes, as the stack's data collection rule declares it
 * (the agent's default, one minute, when unset: https://learn.microsoft.com/azure/azure-monitor/containers/container-insights-cost).
 */
function insightsIntervalMinutes(resources: Declared[]): number {
    type Extension = { extensionName?: string; extensionSettings?: { dataCollectionSettings?: { interval?: string } } };
    const intervals = resources
        .filter((r) => r.type === "azure-native:monitor:DataCollectionRule")
        .flatMap((r) =>
            ((r.inputs.dataSources as { extensions?: Extension[] } | undefined)?.extensions ?? []).filter((e) => e.extensionName === "ContainerInsights"),
        )
        .map((e) => e.extensionSettings?.dataCollectionSettings?.interval ?? "1m");
    const m = intervals.length === 1 ? /^(\d+)m$/.exec(intervals[0]) : null;
    if (!m) throw new Error(`cost model: expected one Container Insights data collection rule with an interval in minutes, found ${JSON.stringify(intervals)}`);
    return Number(m[1]);
}

/** Container Insights' metrics, written as rows into Log Analytics and billed as ingested logs. */
function azureMetricsItem(cfg: StackConfig, s: Sizing, resources: Declared[]): Item {
    const system = systemPool("azure")!;
    const on = resources.some(
        (r) =>
            r.type === "azure-native:containerservice:ManagedCluster" &&
            (r.inputs.addonProfiles as { omsagent?: { enabled?: boolean } } | undefined)?.omsagent?.enabled === true,
    );
    const minutes = on ? insightsIntervalMinutes(resources) : 1;
    const series = (b: Bound) => metricSeries(s, cfg.usage, b, b === "max" ? system.max : system.min);
    const gib = (b: Bound) => (series(b) * (SAMPLES_PER_SERIES_MONTH / minutes) * cfg.usage.metricBytesPerSample) / GiB;
    return {
        component: "metrics",
        what: `Container Insights into Log Analytics: ${n(series("desired"))} series every ${minutes} min × ${cfg.usage.metricBytesPerSample} bytes = ${n(gib("desired"))} GiB`,
        charges: on ? (b) => [["logAnalytics.ingest", gib(b)]] : [],
    };
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
    const cus = agcCapacityUnits(t);
    // The agents send logs to Log Analytics through the NAT gateway (no private link to the workspace).
    const natGiB = t.natBaseGiBPerMonth + t.logGiBPerMonth;
    const crossZoneGiB = t.dataStoreGiBPerMonth * crossZoneShare(s.zones);
    const wafControllers = resources.filter((r) => r.type === EDGE_TYPES.azure.securityPolicy && r.inputs.wafPolicy).length;
    const ruleSets = listTotal(resources, EDGE_TYPES.azure.wafPolicy, (i) => (i.managedRules as { managedRuleSets?: unknown[] } | undefined)?.managedRuleSets);
    const storageGb = pgStorageGb(s.database.storageGiB); // the Premium SSD size the server gets (components/azure/database.ts)
    return [
        { component: "cluster", what: "AKS Standard tier", charges: [["aks.standardTier", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + system pool ${system.min}..${system.max} × ${system.machineType}`,
            charges: (b) => [
                [`vm.${s.nodes.machineType}`, s.nodes[b] * h, "nodes"],
                [`vm.${system.machineType}`, (b === "max" ? system.max : system.min) * h, "nodes"],
            ],
        },
        rollbackWindowItem(cfg, s, `vm.${s.nodes.machineType}`),
        {
            component: "NAT",
            what: `NAT gateway + ${n(natGiB)} GiB (the logs and ${n(t.natBaseGiBPerMonth)} GiB of patches and pulls)`,
            charges: [
                ["nat.gateway", h],
                ["nat.data", natGiB],
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
        {
            component: "internet egress",
            what: `${n(t.egressGiBPerMonth)} GiB of responses, tiered`,
            charges: [["bandwidth.internetEgress", t.egressGiBPerMonth]],
        },
        {
            component: "inter-zone",
            what: `${n(crossZoneGiB)} GiB between the app and the single-primary database and Redis (not billed)`,
            charges: [["bandwidth.interZone", crossZoneGiB]],
        },
        { component: "public IPs", what: `${ips} Standard public IPv4`, charges: [["ip.publicStandard", ips * h]] },
        {
            component: "database",
            what: `${s.database.instanceClass} ${haFactor === 2 ? "with HA standby" : "no HA"} + ${storageGb} GiB`,
            charges: [
                [`postgres.gp.${s.database.instanceClass}`, haFactor * h, "database"],
                ["postgres.storage", haFactor * storageGb],
                ...(az?.postgresGeoRedundantBackup ? [["postgres.backupGeo", storageGb] as Charge] : []),
            ],
        },
        // The price is per node; high availability runs a second one (model/cost/prices/azure.ts notes).
        {
            component: "redis",
            what: `${s.redis.nodeClass}${redisNodes === 2 ? " with HA (2 nodes)" : " (1 node, no HA)"}`,
            charges: [[`redis.${s.redis.nodeClass}`, redisNodes * h, "redis"]],
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
        azureMetricsItem(cfg, s, resources),
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
 * above; M1's 1-4 GB is below the 5 GB that read replicas need, model/capacity.ts).
 */
export function memorystoreTier(gb: number): string {
    return gb <= 10 ? "M2" : gb <= 35 ? "M3" : gb <= 100 ? "M4" : "M5";
}

/**
 * GKE's system metrics are free; Managed Service for Prometheus bills every sample it ingests, from a
 * PodMonitoring or a metric package other than SYSTEM_COMPONENTS. The stack declares neither, and the
 * model refuses a stack that does rather than price its samples at nothing (model/cost/prices/gcp.ts).
 */
function gcpMetricsItem(resources: Declared[]): Item {
    const clusters = resources.filter((r) => r.type === "gcp:container/cluster:Cluster");
    const billed = [
        ...clusters.flatMap((r) => {
            const components = (r.inputs.monitoringConfig as { enableComponents?: unknown } | undefined)?.enableComponents;
            if (!Array.isArray(components)) return ["a cluster without monitoringConfig.enableComponents (GKE's defaults)"];
            return components.filter((c) => c !== "SYSTEM_COMPONENTS").map((c) => `metric package ${String(c)}`);
        }),
        ...resources.filter((r) => r.type.includes(":monitoring.googleapis.com/")).map((r) => r.type),
    ];
    if (billed.length)
        throw new Error(`cost model: ${billed.join(", ")} ingest Managed Service for Prometheus samples, which the gcp price table does not price`);
    return {
        component: "metrics",
        what: "GKE system metrics only (free); Managed Service for Prometheus is on with nothing declared for it to scrape",
        charges: clusters.length ? [["monitoring.gkeSystemMetrics", 0]] : [],
    };
}

/** Logs as the gcp stack routes them: ingestion, flow logs, metrics and the stack bucket's retention. */
function gcpLogItems(resources: Declared[], t: Traffic): Item[] {
    const flowLogged = resources.filter((r) => r.type === "gcp:compute/subnetwork:Subnetwork" && r.inputs.logConfig).length;
    // The stack's log bucket (gcp.logRetentionDays): ingestion includes 30 days; each month's logs are kept
    // (days - 30) / 30 months more. The usage model does not tell the load balancer's request lines (left
    // in _Default) from the app's, so they are counted here too: an upper bound.
    const buckets = count(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    const keptDays = buckets ? declaredSize(resources, "gcp:logging/projectBucketConfig:ProjectBucketConfig", (i) => i.retentionDays) : 30;
    const keptGiBMonths = ((t.logGiBPerMonth + t.flowLogGiBPerMonth) * Math.max(0, keptDays - 30)) / 30;
    return [
        { component: "logs", what: `${n(t.logGiBPerMonth)} GiB ingested`, charges: [["logging.ingest", t.logGiBPerMonth]] },
        {
            component: "flow logs",
            what: `${flowLogged} subnet(s) with flow logs, ${n(t.flowLogGiBPerMonth)} GiB`,
            charges: flowLogged ? [["logging.vendedNetwork", t.flowLogGiBPerMonth]] : [],
        },
        gcpMetricsItem(resources),
        {
            component: "log retention",
            what: `the stack's logs kept ${keptDays} days: ${n(keptGiBMonths)} GiB-months beyond the 30 included`,
            charges: keptGiBMonths > 0 ? [["logging.retention", keptGiBMonths]] : [],
        },
    ];
}

function gcpItems(cfg: StackConfig, s: Sizing, resources: Declared[], t: Traffic): Item[] {
    const bootGiB = declaredSize(resources, "gcp:container/nodePool:NodePool", (i) => (i.nodeConfig as { diskSizeGb?: unknown } | undefined)?.diskSizeGb);
    const armor = count(resources, EDGE_TYPES.gcp.securityPolicy);
    const armorRules = listTotal(resources, EDGE_TYPES.gcp.securityPolicy, (i) => i.rules);
    const keys = count(resources, "gcp:kms/cryptoKey:CryptoKey");
    const conditions = listTotal(resources, "gcp:monitoring/alertPolicy:AlertPolicy", (i) => i.conditions);
    const replicas = cfg.gcp?.redisReadReplicas ?? 1;
    const lbInGiB = t.lbInGiBPerHour * h;
    const lbOutGiB = t.lbOutGiBPerHour * h;
    const crossZoneGiB = t.dataStoreGiBPerMonth * crossZoneShare(s.zones);
    const tier = memorystoreTier(s.redis.memoryGiB);
    return [
        { component: "cluster", what: "GKE Standard (regional)", charges: [["gke.cluster", h]] },
        {
            component: "nodes",
            what: `${nodeRange(s)} × ${s.nodes.machineType} + ${bootGiB} GiB pd-balanced each`,
            charges: (b) => [
                [`gce.${s.nodes.machineType}`, s.nodes[b] * h, "nodes"],
                ["pd.balanced", s.nodes[b] * bootGiB],
            ],
        },
        rollbackWindowItem(cfg, s, `gce.${s.nodes.machineType}`),
        {
            component: "NAT",
            // Logs reach Cloud Logging by Private Google Access on the subnet, not through NAT.
            what: `Cloud NAT for the nodes + ${n(t.natBaseGiBPerMonth)} GiB (patches and pulls; logs go by Private Google Access)`,
            // Cloud NAT charges per VM-hour up to 32 VMs, flat above.
            charges: (b) => [
                ["nat.vm", Math.min(s.nodes[b], 32) * h],
                ["nat.data", t.natBaseGiBPerMonth],
            ],
        },
        {
            component: "load balancer",
            // Google bills the data the load balancer processes in both directions.
            what: `global external Application LB, ${n(lbInGiB)} GiB in + ${n(lbOutGiB)} GiB out processed`,
            charges: [
                ["lb.forwardingRule", h],
                ["lb.data", lbInGiB + lbOutGiB],
                ["ip.staticExternal", h],
            ],
        },
        {
            component: "internet egress",
            what: `${n(t.egressGiBPerMonth)} GiB of responses, Premium Tier, tiered`,
            charges: [["network.internetEgress", t.egressGiBPerMonth]],
        },
        {
            component: "inter-zone",
            what: `${n(crossZoneGiB)} GiB between the app and the single-primary database and Redis`,
            charges: [["network.interZone", crossZoneGiB]],
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
                ["cloudsql.enterprise.vcpu.ha", s.database.vcpu * h, "database"],
                ["cloudsql.enterprise.memory.ha", s.database.memoryGiB * h, "database"],
                ["cloudsql.ssd.ha", s.database.storageGiB],
            ],
        },
        // The Standard price covers the primary and its one replica; each further read replica is
        // charged here as another copy of the capacity (not confirmed on Google's page: docs/cost.md).
        {
            component: "redis",
            what: `Memorystore Standard ${s.redis.memoryGiB} GB (${tier}), ${replicas} replica(s)`,
            charges: [[`memorystore.standard.${tier}`, s.redis.memoryGiB * replicas * h, "redis"]],
        },
        ...gcpLogItems(resources, t),
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

/**
 * The stack's monthly cost from `table`, with the nodes at the autoscaler's min, desired and max and
 * the usage lines at the average concurrency; `range` says what they cost with the peak all month.
 */
export function stackCost(cfg: StackConfig, s: Sizing, resources: Declared[], table: PriceTable): StackCost {
    const cloud = cfg.cloud;
    if (cloud === "local") throw new Error("the dev stack runs on your own cluster: nothing to price");
    const at = (concurrency: number) => {
        const items = ITEMS[cloud](cfg, s, resources, trafficFor(cfg.targetUsers, cfg.usage, concurrency));
        return {
            billed: priceLines(
                table,
                items.filter((i) => !i.future),
            ),
            future: priceLines(
                table,
                items.filter((i) => i.future),
            ).lines,
        };
    };
    const average = at(cfg.usage.averageConcurrency);
    const peak = at(cfg.usage.peakConcurrency).billed.lines;
    const lines = average.billed.lines.map((l, i): CostLine => {
        const high = peak[i].usd.desired;
        return Math.abs(high - l.usd.desired) > 0.005 ? { ...l, range: { low: l.usd.desired, high } } : l;
    });
    const total = (b: Bound) => lines.reduce((sum, l) => sum + l.usd[b], 0);
    const desired = total("desired");
    return {
        cloud: table.cloud,
        region: table.region,
        asOf: table.asOf,
        lines,
        total: { min: total("min"), desired, max: total("max") },
        range: { low: desired, high: lines.reduce((sum, l) => sum + (l.range?.high ?? l.usd.desired), 0) },
        perThousandUsers: (desired / cfg.targetUsers) * 1000,
        committable: average.billed.committable,
        future: average.future,
    };
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
