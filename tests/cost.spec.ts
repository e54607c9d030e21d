import * as assert from "assert";
import { ConfigError, parseConfig, type StackConfig } from "../model/config";
import { capacityFor, capacityRows, DB_VCPU_STEPS, nodeShapes, sizingFor, type Layout } from "../model/capacity";
import { NODE_ARCHS } from "../model/stackConfig";
import { costPicture, stalePrices, type CostPicture } from "../model/cost/choices";
import { MissingPrice, priceOf, referenceCost, stackCost, systemPool, trafficFor, type Declared } from "../model/cost/model";
import { parse as parseYaml } from "yaml";
import { PRICE_TABLES, priceTableFor } from "../model/cost/prices";
import type { PriceTable } from "../model/cost/priceTable";
import { pgStorageGb } from "../model/azure/sizing";
import { heldExtraNodes } from "../model/rollbackWindow";
import { buildPlan, planJson, renderPlan } from "../scripts/planReport";
import { curveCells, curveRow, markdownRow, readmeTable } from "../scripts/costCurve";
import { priceStack, usd } from "../scripts/planCost";
import { signedUsd } from "../model/cost/change";
import * as fs from "fs";
import * as path from "path";
import { ROOT, stackConfigMap } from "./harness";

const CLOUDS = ["aws", "azure", "gcp"] as const;
// Each stack file's plan, built once for the specs that read it.
const plans = new Map<string, ReturnType<typeof buildPlan>>();
const planOf = (stack: string) => plans.get(stack) ?? plans.set(stack, buildPlan(stack, {}, false)).get(stack)!;
const config = (stack: string, overrides: Record<string, string> = {}): StackConfig => parseConfig(stackConfigMap(stack, overrides), stack);
const tableOf = (cfg: StackConfig) => {
    const t = priceTableFor(cfg.cloud, cfg.region);
    if (typeof t === "string") assert.fail(t);
    return t;
};
// The node disks the model reads its sizes from (as the stacks declare them).
const NODE_DISKS: Declared[] = [
    { type: "aws:ec2/launchTemplate:LaunchTemplate", inputs: { blockDeviceMappings: [{ ebs: { volumeSize: 50 } }] } },
    { type: "gcp:container/nodePool:NodePool", inputs: { nodeConfig: { diskSizeGb: 100 } } },
];
// The monitoring agents as the stacks declare them: the EKS observability add-on, AKS's Container
// Insights and its data collection rule, GKE's system metrics with Managed Service for Prometheus on.
const DCR = "azure-native:monitor:DataCollectionRule";
const GKE = "gcp:container/cluster:Cluster";
const insightsRule = (interval: string): Declared => ({
    type: DCR,
    inputs: { dataSources: { extensions: [{ extensionName: "ContainerInsights", extensionSettings: { dataCollectionSettings: { interval } } }] } },
});
const AGENTS: Declared[] = [
    { type: "aws:eks/addon:Addon", inputs: { addonName: "amazon-cloudwatch-observability" } },
    { type: "azure-native:containerservice:ManagedCluster", inputs: { addonProfiles: { omsagent: { enabled: true } } } },
    insightsRule("1m"),
    { type: GKE, inputs: { monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } } } },
];
// The optional edge resources the model prices only when declared (each with two rules).
const DECLARED: Declared[] = [
    ...NODE_DISKS,
    ...AGENTS,
    { type: "aws:ec2/flowLog:FlowLog", inputs: {} },
    { type: "gcp:compute/subnetwork:Subnetwork", inputs: { logConfig: { flowSampling: 0.5 } } },
    { type: "gcp:compute/securityPolicy:SecurityPolicy", inputs: { rules: [{}, {}] } },
    { type: "gcp:logging/projectBucketConfig:ProjectBucketConfig", inputs: { retentionDays: 90 } },
    { type: "aws:wafv2/webAcl:WebAcl", inputs: { rules: [{}, {}] } },
    { type: "azure-native:servicenetworking:SecurityPoliciesInterface", inputs: { wafPolicy: { id: "/waf" } } },
    { type: "azure-native:network:WebApplicationFirewallPolicy", inputs: { managedRules: { managedRuleSets: [{}, {}] } } },
];
// Users from the model's floor to its ceiling: every database step and Redis class is chosen somewhere.
const SWEEP = Array.from({ length: 120 }, (_, i) => Math.round(100 * 10_000 ** (i / 119)));

describe("cost: the price tables", () => {
    for (const table of PRICE_TABLES)
        describe(`${table.cloud} ${table.region}`, () => {
            it("is dated, and every price is a positive USD amount with its https source", () => {
                assert.match(table.asOf, /^\d{4}-\d{2}-\d{2}$/);
                assert.ok(Object.keys(table.prices).length > 10);
                for (const [sku, p] of Object.entries(table.prices)) {
                    assert.ok(Number.isFinite(p.usd) && p.usd >= 0, `${sku}: ${p.usd}`);
                    assert.match(p.source, /^https:\/\/\S+$/, sku);
                }
            });

            it("prices every SKU the stacks can choose, and holds no price the model never uses", () => {
                const cfg = config(table.cloud);
                const used = new Set<string>();
                const dbClasses = new Set<string>();
                const redisClasses = new Set<string>();
                const layouts: Layout[] = ["single", "warm", "minimal"];
                for (const arch of NODE_ARCHS)
                    for (const node of nodeShapes(table.cloud, arch))
                        for (const layout of layouts)
                            for (const users of SWEEP) {
                                const s = capacityFor(users, table.cloud, layout, node);
                                dbClasses.add(s.database.instanceClass);
                                redisClasses.add(s.redis.nodeClass);
                                // Throws MissingPrice naming the SKU when the table lacks one.
                                {
                                    const cost = stackCost({ ...cfg, targetUsers: users }, s, DECLARED, table);
                                    for (const line of [...cost.lines, ...cost.future]) line.skus.forEach((k) => used.add(k));
                                }
                            }
                // The sweep reached every class the model can pick, so "every SKU" is not "the few at 10,000 users".
                assert.strictEqual(dbClasses.size, DB_VCPU_STEPS.length, [...dbClasses].join(", "));
                assert.ok(redisClasses.size >= 5, `${redisClasses.size} Redis classes`);
                assert.deepStrictEqual(
                    Object.keys(table.prices).filter((k) => !used.has(k)),
                    [],
                    "prices nothing prices: remove them or price what they are for",
                );
            });
        });

    it("a missing price is an error naming the SKU, not a cheaper bill", () => {
        const cfg = config("aws");
        const table = tableOf(cfg);
        const prices = Object.fromEntries(Object.entries(table.prices).filter(([sku]) => sku !== "vpc.nat"));
        const broken: PriceTable = { ...table, prices };
        assert.throws(
            () => stackCost(cfg, sizingFor(cfg), NODE_DISKS, broken),
            (e: unknown) => e instanceof MissingPrice && /vpc\.nat/.test(e.message),
        );
    });

    it("a region without a table is said, naming the regions the repo prices", () => {
        const t = priceTableFor("aws", "ap-south-1");
        assert.strictEqual(typeof t, "string");
        assert.match(t as string, /no price table for aws region ap-south-1: the repo prices eu-west-1/);
        assert.match(priceTableFor("local", undefined) as string, /nothing to price/);
    });
});

describe("cost: a stack's bill", () => {
    for (const cloud of CLOUDS)
        it(`${cloud}: lines add up to the total, nodes scale with the autoscaler's bound, the rest does not`, () => {
            const cfg = config(cloud);
            const s = sizingFor(cfg);
            const cost = stackCost(cfg, s, DECLARED, tableOf(cfg));
            for (const b of ["min", "desired", "max"] as const) assert.ok(Math.abs(cost.lines.reduce((sum, l) => sum + l.usd[b], 0) - cost.total[b]) < 1e-6, b);
            const nodes = cost.lines.find((l) => l.component === "nodes")!;
            assert.ok(s.nodes.max > s.nodes.min);
            assert.ok(nodes.usd.max > nodes.usd.desired && nodes.usd.desired >= nodes.usd.min && nodes.usd.min > 0);
            // NAT per node-hour on gcp; the metrics of every node and pod.
            for (const l of cost.lines.filter((l) => !["nodes", "NAT", "metrics"].includes(l.component))) assert.strictEqual(l.usd.min, l.usd.max, l.component);
            for (const c of ["cluster", "nodes", "NAT", "load balancer", "database", "redis", "logs"])
                assert.ok((cost.lines.find((l) => l.component === c)?.usd.desired ?? 0) > 0, `${c} is priced`);
            assert.ok(Math.abs(cost.perThousandUsers - (cost.total.desired / cfg.targetUsers) * 1000) < 1e-6);
        });

    it("aws: the EC2 line is the instance price times the node count (nothing else hides in it)", () => {
        const cfg = config("aws");
        const s = sizingFor(cfg);
        const table = tableOf(cfg);
        const nodes = stackCost(cfg, s, NODE_DISKS, table).lines.find((l) => l.component === "nodes")!;
        const perNode = table.prices[`ec2.${s.nodes.machineType}`].usd * 730 + table.prices["ebs.gp3"].usd * 50;
        assert.ok(Math.abs(nodes.usd.desired - perNode * s.nodes.desired) < 1e-6);
    });

    it("azure: a database without HA costs half the compute and storage of one with a standby", () => {
        const ha = config("azure");
        const solo = config("azure", { "azure.postgresHaMode": "Disabled", "azure.postgresGeoRedundantBackup": "false" });
        const db = (cfg: StackConfig) => stackCost(cfg, sizingFor(cfg), NODE_DISKS, tableOf(cfg)).lines.find((l) => l.component === "database")!.usd.desired;
        const geo = tableOf(ha).prices["postgres.backupGeo"].usd * pgStorageGb(sizingFor(ha).database.storageGiB);
        assert.ok(Math.abs(db(ha) - geo - 2 * db(solo)) < 1e-6);
    });

    it("the seed's reference is priced with its own 5 nodes per 10,000 users and every other line the same", () => {
        const cfg = config("aws");
        const s = sizingFor(cfg);
        const table = tableOf(cfg);
        const ours = stackCost(cfg, s, NODE_DISKS, table);
        const ref = referenceCost(cfg, s, NODE_DISKS, table);
        assert.strictEqual(ref.nodes, 5);
        assert.strictEqual(ref.keepsTarget, false, "the seed falls short in a rolling update and after a zone loss");
        for (const l of ref.lines.filter((l) => l.component !== "nodes"))
            assert.strictEqual(l.usd.desired, ours.lines.find((o) => o.component === l.component)!.usd.desired, l.component);
    });
});

describe("cost: the default is the cheapest layout that keeps every capacity row", () => {
    for (const cloud of CLOUDS)
        it(`${cloud}: the stack file's inactiveScale minimal keeps every row and costs less than full`, () => {
            const cfg = config(cloud);
            assert.strictEqual(cfg.release.inactiveScale, "minimal");
            const picture = costPicture(cfg, sizingFor(cfg), NODE_DISKS, tableOf(cfg));
            assert.ok(picture.stack.keepsTarget);
            const full = picture.choices.find((c) => c.choice === "inactiveScale full")!;
            assert.ok(full.keepsTarget);
            assert.ok(full.nodes.desired > picture.stack.nodes.desired, `${full.nodes.desired} vs ${picture.stack.nodes.desired}`);
            assert.ok(full.usd > picture.stack.total.desired);
            // Capacity rows are the model's, re-checked here from the sizing itself.
            assert.ok(capacityRows(capacityFor(cfg.targetUsers, cloud, "warm")).every((r) => r.ok));
        });
});

describe("cost: what the edge protection costs", () => {
    for (const [cloud, key, line] of [
        ["aws", "aws.waf false", "WAF"],
        ["azure", "azure.waf false", "WAF"],
        ["gcp", "gcp.cloudArmor false", "Cloud Armor"],
    ] as const)
        it(`${cloud}: "${key}" saves exactly the ${line} line of the stack file's plan`, async () => {
            const plan = await planOf(cloud);
            if (typeof plan.cost === "string") assert.fail(plan.cost);
            const edge = plan.cost.stack.lines.find((l) => l.component === line);
            assert.ok(edge && edge.usd.desired > 0, `${line} is priced`);
            const choice = plan.cost.choices.find((c) => c.choice === key)!;
            assert.ok(Math.abs(plan.cost.stack.total.desired - choice.usd - edge.usd.desired) < 1e-6);
        });
});

describe("cost: in the plan", () => {
    it("aws: the text plan prints the bill with its date, the per-1,000 figure, the choices and the seed; --json carries it", async () => {
        const plan = await planOf("aws");
        const text = renderPlan(plan);
        assert.match(text, /Cost: USD per month at on-demand list prices, aws eu-west-1, read \d{4}-\d{2}-\d{2}/);
        assert.match(text, /Per 1,000 users: \$[\d,]+ a month/);
        assert.match(text, /inactiveScale full .* \+\$[\d,]+ \(\+\d+%\)/);
        assert.match(text, /seed reference \(2,000 users/);
        const doc = JSON.parse(planJson(plan, {}));
        assert.strictEqual(doc.cost.table.region, "eu-west-1");
        assert.ok(doc.cost.stack.total.desired > 0);
        assert.strictEqual(doc.cost.stack.lines.length, plan.cost && typeof plan.cost !== "string" ? plan.cost.stack.lines.length : -1);
    });

    it("aws: the text plan prints the egress line, the commitment rows and the stale prices with the model's figures", async () => {
        const plan = await planOf("aws");
        if (typeof plan.cost === "string") assert.fail(plan.cost);
        const { stack, choices, stale } = plan.cost;
        const text = renderPlan(plan);
        const esc = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const cell = (v: string) => `│ ${esc(v)} +`;
        const egress = stack.lines.find((l) => l.component === "internet egress")!;
        assert.ok(egress.range && egress.usd.desired > 0);
        const money = [egress.usd.min, egress.usd.desired, egress.usd.max].map((v) => cell(usd(v))).join("");
        const egressRow = `^${cell("internet egress")}${cell(egress.what)}${money}${cell(`${usd(egress.range.low)}..${usd(egress.range.high)}`)}│$`;
        assert.match(text, new RegExp(egressRow, "m"));
        for (const term of ["1 year", "3 years"]) {
            const c = choices.find((x) => x.choice.startsWith(`${term} commitment`))!;
            const saved = stack.total.desired - c.usd;
            assert.ok(saved > 0, term);
            const delta = `−${usd(saved)} (−${Math.round((saved / stack.total.desired) * 100)}%)`;
            const nodes = `${c.nodes.desired} (${c.nodes.min}..${c.nodes.max})`;
            assert.match(text, new RegExp(`^│ ${term} commitment: .*│ ${esc(nodes)} +│ ✓ +│ ${esc(usd(c.usd))} +│ ${esc(delta)} +│`, "m"));
        }
        // The table's reserved-instance rates come from a 2025 copy: only older with time.
        assert.ok(stale.length > 0);
        const heading = `! ${stale.length} price(s) read from sources older than ${plan.run.config.costPolicy.maxPriceAgeDays} days`;
        const warning = text.split("\n").find((l) => l.startsWith(heading));
        assert.ok(warning, "no stale-price warning naming the count and cost.maxPriceAgeDays");
        for (const p of stale) assert.ok(warning.includes(`${p.key} (${p.date})`), p.key);
    });

    it("the README's cost table is npm run bench:cost's, every column: 1,000, 10,000 and 100,000 users", async () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n");
        const header = readme.findIndex((l) => l.startsWith("| stack | 1,000 users |"));
        assert.ok(header >= 0, "README has no cost table");
        const counts = [1000, 10_000, 100_000];
        const rows = [];
        for (const cloud of CLOUDS) for (const users of counts) rows.push(curveRow(cloud, users, (await planOf(cloud)).run.resources));
        assert.deepStrictEqual(
            readme.slice(header, header + 2 + CLOUDS.length),
            readmeTable(rows, counts),
            "run npm run bench:cost -- --readme and update the README",
        );
    });

    it("the scale curve re-prices the stack file's resources exactly as a full plan at that user count does", async () => {
        const full = await buildPlan("aws", { targetUsers: "1000" }, false);
        if (typeof full.cost === "string") assert.fail(full.cost);
        const row = curveRow("aws", 1000, (await planOf("aws")).run.resources);
        assert.deepStrictEqual(row.cost, { monthly: full.cost.stack.total.desired, perThousand: full.cost.stack.perThousandUsers });
        assert.strictEqual(row.nodes, full.sizing.nodes.desired);
        assert.ok(full.sizing.nodes.desired < (await planOf("aws")).sizing.nodes.desired, "a different size than the stack file's");
    });

    it("docs/cost.md: every dollar figure it attributes to a stack or a line is the model's, and every rate is a table's", async () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs/cost.md"), "utf8");
        const claims = await costDocClaims();
        const checked: [number, number][] = [];
        const wrong: string[] = [];
        for (const { what, re, expected } of claims) {
            const found = [...doc.matchAll(new RegExp(re.source, "gm"))];
            assert.strictEqual(found.length, 1, `docs/cost.md: ${what}: ${found.length} matches of ${re}`);
            const [m] = found;
            checked.push([m.index, m.index + m[0].length]);
            if (JSON.stringify(m.slice(1)) !== JSON.stringify(expected))
                wrong.push(`${what}: docs say ${m.slice(1).join(" ")}, the model ${expected.join(" ")}`);
        }
        assert.deepStrictEqual(wrong, [], "update docs/cost.md from the plans (npm run plan, npm run bench:cost -- --markdown)");
        // Every whole-dollar figure lies in a checked claim; every rate (with cents) is a price or tier of a table.
        const rates = new Set(PRICE_TABLES.flatMap((t) => Object.values(t.prices).flatMap((p) => [p.usd, ...(p.tiers ?? []).map(([, r]) => r)])));
        const unchecked = [...doc.matchAll(/\$(\d[\d,]*(?:\.\d+)?)/g)].filter((m) =>
            m[1].includes(".") ? !rates.has(Number(m[1])) : !checked.some(([from, to]) => m.index >= from && m.index < to),
        );
        assert.deepStrictEqual(
            unchecked.map((m) => `line ${doc.slice(0, m.index).split("\n").length}: ${m[0]}`),
            [],
            "a figure no claim in tests/cost.spec.ts checks",
        );
    });

    it("dev: the plan says there is nothing to price", async () => {
        const plan = await planOf("dev");
        assert.strictEqual(plan.cost, "the dev stack runs on your own cluster: nothing to price");
        assert.match(renderPlan(plan), /Cost: the dev stack runs on your own cluster/);
    });
});

/** A figure docs/cost.md states (the capture groups of `re`, matched once) and what the model makes of it. */
interface DocClaim {
    what: string;
    re: RegExp;
    expected: string[];
}

const pct = (d: number, of: number) => {
    const p = (Math.abs(d) / of) * 100;
    return `${d > 0 ? "+" : "−"}${p < 1 ? p.toFixed(1) : Math.round(p)}%`;
};

/** The claims docs/cost.md makes, each with the model's figures: the stack files' plans at 10,000 users, a diff, the scale curve. */
async function costDocClaims(): Promise<DocClaim[]> {
    const pics = {} as Record<(typeof CLOUDS)[number], CostPicture>;
    for (const cloud of CLOUDS) {
        const plan = await planOf(cloud);
        if (typeof plan.cost === "string") assert.fail(plan.cost);
        pics[cloud] = plan.cost;
    }
    const aws = pics.aws;
    const lineOf = (pic: CostPicture, component: string) => pic.stack.lines.find((l) => l.component === component)!;
    const range = (pic: CostPicture, component: string) => {
        const r = lineOf(pic, component).range!;
        return [usd(r.low), usd(r.high)];
    };
    const choice = (pic: CostPicture, starts: string) => pic.choices.find((c) => c.choice.startsWith(starts))!;
    const saving = (pic: CostPicture, starts: string) => usd(Math.abs(choice(pic, starts).usd - pic.stack.total.desired));
    const cache3 = config("aws", { "aws.cacheNodes": "3" });
    const withCache3 = priceStack(cache3, sizingFor(cache3), (await planOf("aws")).run.resources);
    if (typeof withCache3 === "string") assert.fail(withCache3);
    const policy = config("aws").costPolicy;
    // The stack's cluster without its upgradePolicy: the one that would enter extended support.
    const awsResources = (await planOf("aws")).run.resources.map((r) =>
        r.type === "aws:eks/cluster:Cluster" ? { ...r, inputs: { ...r.inputs, upgradePolicy: undefined } } : r,
    );
    const unmanaged = priceStack(config("aws"), sizingFor(config("aws")), awsResources);
    if (typeof unmanaged === "string") assert.fail(unmanaged);
    // A row of the choices table: nodes, ✓/✗, the monthly bill, and its difference from the default.
    const row = (label: string, c: { nodes: string; keepsTarget: boolean; usd: number }, tail = ""): DocClaim => {
        const d = c.usd - aws.stack.total.desired;
        return {
            what: `choices table: ${label}`,
            re: new RegExp(
                `^\\| ${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\| (.+?) \\| (✓|✗) \\| (\\$[\\d,]+) \\| (?:([+−]\\$[\\d,]+) \\(([+−][\\d.]+%)\\))?${tail}`,
            ),
            expected: [
                c.nodes,
                c.keepsTarget ? "✓" : "✗",
                usd(c.usd),
                ...(d === 0 ? [undefined, undefined] : [signedUsd(d), pct(d, aws.stack.total.desired)]),
            ] as string[],
        };
    };
    const nodes = (n: { desired: number; min: number; max: number }) => `${n.desired} (${n.min}..${n.max})`;
    const tableRow = (label: string, starts: string, tail = "") => {
        const c = choice(aws, starts);
        return row(label, { nodes: nodes(c.nodes), keepsTarget: c.keepsTarget, usd: c.usd }, tail);
    };
    const rows = CLOUDS.flatMap((cloud) => [1000, 10_000, 100_000].map((users) => ({ cloud, users })));
    const curve = await Promise.all(rows.map(async ({ cloud, users }) => curveRow(cloud, users, (await planOf(cloud)).run.resources)));
    return [
        {
            what: "aws egress, average..peak",
            re: /GiB at\s+the peak: (\$[\d,]+)\.\.(\$[\d,]+) on aws/,
            expected: range(aws, "internet egress"),
        },
        {
            what: "metrics at the autoscaler's min, desired, max",
            re: /(\$[\d,]+), (\$[\d,]+) and (\$[\d,]+) a month on aws at 10,000 users, (\$[\d,]+), (\$[\d,]+) and (\$[\d,]+) on\s+azure/,
            expected: [aws, pics.azure].flatMap((p) => (["min", "desired", "max"] as const).map((b) => usd(lineOf(p, "metrics").usd[b]))),
        },
        {
            what: "EKS extended support, later",
            re: /\$[\d.]+ per cluster-hour instead of \$[\d.]+ until it is upgraded: the plan\s+prints it as a later line, (\$[\d,]+) a month instead of (\$[\d,]+)\./,
            expected: [usd(unmanaged.stack.future[0].usd.desired), usd(lineOf(aws, "cluster").usd.desired)],
        },
        {
            what: "rollback window line",
            re: /\((\d+) × (m7i\.xlarge) on aws at 10,000 users\)[\s\S]*?on demand, (\$[\d,]+) a month on aws/,
            expected: [
                String(heldExtraNodes(sizingFor(config("aws")))),
                sizingFor(config("aws")).nodes.machineType,
                usd(lineOf(aws, "rollback window").usd.desired),
            ],
        },
        {
            what: "aws total, average..peak",
            re: /the total's range \((\$[\d,]+)\.\.(\$[\d,]+)\s+on aws at 10,000 users\)/,
            expected: [usd(aws.stack.range.low), usd(aws.stack.range.high)],
        },
        {
            what: "commitments",
            re: /At 10,000 users: aws (\$[\d,]+) \((−\$[\d,]+)\) for one year and (\$[\d,]+) \((−\$[\d,]+)\) for three; azure\s+(\$[\d,]+) and (\$[\d,]+); gcp (\$[\d,]+) and (\$[\d,]+)\./,
            expected: [
                usd(choice(aws, "1 year").usd),
                signedUsd(choice(aws, "1 year").usd - aws.stack.total.desired),
                usd(choice(aws, "3 years").usd),
                signedUsd(choice(aws, "3 years").usd - aws.stack.total.desired),
                ...[pics.azure, pics.gcp].flatMap((p) => [usd(choice(p, "1 year").usd), usd(choice(p, "3 years").usd)]),
            ],
        },
        {
            what: "aws --diff --config aws.cacheNodes=3",
            re: /\(`(\$[\d,]+) → (\$[\d,]+) \(([+−±]\$[\d,]+) a month\)`\)/,
            expected: [usd(aws.stack.total.desired), usd(withCache3.stack.total.desired), signedUsd(withCache3.stack.total.desired - aws.stack.total.desired)],
        },
        {
            what: "cost check thresholds",
            re: /\(default (\$[\d,]+) a month\) is marked, above `cost.failIncreaseUsd` \(default (\$[\d,]+)\)/,
            expected: [usd(policy.warnIncreaseUsd), usd(policy.failIncreaseUsd)],
        },
        row("**default: `inactiveScale minimal`**", { nodes: nodes(aws.stack.nodes), keepsTarget: aws.stack.keepsTarget, usd: aws.stack.total.desired }),
        tableRow("`inactiveScale full` (the default before)", "inactiveScale full"),
        tableRow("`nodeArch arm64` (Graviton)", "nodeArch arm64"),
        tableRow("8-vCPU nodes (m7i.2xlarge)", "8-vCPU"),
        tableRow("16-vCPU nodes (m7i.4xlarge)", "16-vCPU"),
        tableRow("`aws.waf false`", "aws.waf false", ": gives up the WAF"),
        tableRow("1-year commitment (EC2 RIs, RDS, ElastiCache)", "1 year"),
        tableRow("3-year commitment (EC2 RIs, ElastiCache)", "3 years"),
        row(`seed reference (${aws.reference.nodes} nodes)`, {
            nodes: String(aws.reference.nodes),
            keepsTarget: aws.reference.keepsTarget,
            usd: aws.reference.total.desired,
        }),
        {
            what: "inactiveScale minimal against full",
            re: /the bill is \*\*(\$[\d,]+) a month lower\*\* than with\s+both colours at full size \(the earlier default, \d+ nodes\): (\$[\d,]+) instead of (\$[\d,]+),/,
            expected: [saving(aws, "inactiveScale full"), usd(aws.stack.total.desired), usd(choice(aws, "inactiveScale full").usd)],
        },
        {
            what: "the AWS WAF at the average and the peak",
            re: /The AWS WAF added in issue 15 costs (\$[\d,]+) at the average\s+600 requests\/s \((\$[\d,]+) with the peak all month\)/,
            expected: range(aws, "WAF"),
        },
        {
            what: "azure and gcp: inactiveScale minimal against full",
            re: /Azure and GCP save about the same \((\$[\d,]+) and (\$[\d,]+)\)/,
            expected: [saving(pics.azure, "inactiveScale full"), saving(pics.gcp, "inactiveScale full")],
        },
        {
            what: "edge protection, average..peak",
            re: /AWS WAF (\$[\d,]+)\.\.(\$[\d,]+), Azure's AGC WAF\s+(\$[\d,]+)\.\.(\$[\d,]+) \(each request billed once per managed rule set, two here\), Cloud Armor (\$[\d,]+)\.\.(\$[\d,]+)\./,
            expected: [...range(aws, "WAF"), ...range(pics.azure, "WAF"), ...range(pics.gcp, "Cloud Armor")],
        },
        {
            what: "egress on each cloud, average..peak",
            re: /aws (\$[\d,]+)\.\.(\$[\d,]+), azure (\$[\d,]+)\.\.(\$[\d,]+), gcp (\$[\d,]+)\.\.(\$[\d,]+)\): a CDN/,
            expected: CLOUDS.flatMap((c) => range(pics[c], "internet egress")),
        },
        {
            what: "azure logs, average..peak",
            re: /Log Analytics at \$[\d.]+\/GiB:\s+(\$[\d,]+) a month for [\d,]+ GiB at the average, (\$[\d,]+) at the peak/,
            expected: range(pics.azure, "logs"),
        },
        ...curve.map((r) => ({
            what: `scale curve: ${r.cloud} at ${r.users}`,
            re: new RegExp(`^(\\| ${r.cloud} \\| ${r.users.toLocaleString("en-US")} \\| .*\\|)$`),
            expected: [markdownRow(curveCells(r))],
        })),
    ];
}

describe("cost: usage, egress and the lines the audit found missing", () => {
    const line = (cfg: StackConfig, component: string) => stackCost(cfg, sizingFor(cfg), DECLARED, tableOf(cfg)).lines.find((l) => l.component === component);

    it("graduated prices: each band's rate on the GiB inside it (AWS: 100 GiB free, then $0.09, then $0.085)", () => {
        const p = tableOf(config("aws")).prices["ec2.internetEgress"];
        assert.strictEqual(priceOf(p, 50), 0);
        assert.ok(Math.abs(priceOf(p, 30_000) - (10_140 * 0.09 + 19_760 * 0.085)) < 1e-6);
        assert.ok(Math.abs(priceOf(p, 200_000) - (10_140 * 0.09 + 40_960 * 0.085 + 102_400 * 0.07 + 46_400 * 0.05)) < 1e-6);
    });

    for (const cloud of CLOUDS)
        it(`${cloud}: internet egress is priced from the usage, and grows with egressShare`, () => {
            const cfg = config(cloud);
            const t = trafficFor(cfg.targetUsers, cfg.usage, cfg.usage.averageConcurrency);
            const egress = line(cfg, "internet egress")!;
            const sku = egress.skus[0];
            assert.ok(Math.abs(egress.usd.desired - priceOf(tableOf(cfg).prices[sku], t.egressGiBPerMonth)) < 1e-6);
            assert.ok(egress.usd.desired > 1000, `${cloud}: ${egress.usd.desired}`);
            assert.ok(line(config(cloud, { "usage.egressShare": "0.2" }), "internet egress")!.usd.desired < egress.usd.desired / 3);
            assert.ok(egress.range && egress.range.high > egress.range.low, "a usage line carries its average..peak range");
        });

    it("gcp: the load balancer's data is billed in both directions", () => {
        const cfg = config("gcp");
        const noUpload = config("gcp", { "usage.requestKiB": "0" });
        const t = trafficFor(cfg.targetUsers, cfg.usage, cfg.usage.averageConcurrency);
        const inbound = line(cfg, "load balancer")!.usd.desired - line(noUpload, "load balancer")!.usd.desired;
        assert.ok(Math.abs(inbound - tableOf(cfg).prices["lb.data"].usd * t.lbInGiBPerHour * 730) < 1e-6);
        assert.ok(inbound > 0);
    });

    for (const cloud of ["aws", "azure"] as const)
        it(`${cloud}: NAT carries at least every log byte (the agents ship them through it)`, () => {
            const cfg = config(cloud);
            const t = trafficFor(cfg.targetUsers, cfg.usage, cfg.usage.averageConcurrency);
            const dataSku = cloud === "aws" ? "vpc.natData" : "nat.data";
            const nat = line(cfg, "NAT")!;
            const noLogs = line(config(cloud, { "usage.logBytesPerRequest": "0", "usage.fixedLogGiBPerMonth": "0" }), "NAT")!;
            assert.ok(Math.abs(nat.usd.desired - noLogs.usd.desired - tableOf(cfg).prices[dataSku].usd * t.logGiBPerMonth) < 1e-6);
        });

    it("aws: inter-zone traffic to the single primaries is billed out of one zone and into the other", () => {
        const cfg = config("aws");
        const s = sizingFor(cfg);
        const t = trafficFor(cfg.targetUsers, cfg.usage, cfg.usage.averageConcurrency);
        const expected = 2 * 0.01 * t.dataStoreGiBPerMonth * ((s.zones - 1) / s.zones);
        assert.ok(Math.abs(line(cfg, "inter-zone")!.usd.desired - expected) < 1e-6);
        assert.strictEqual(line(config("azure"), "inter-zone")!.usd.desired, 0, "Azure stopped billing inter-zone traffic");
    });

    it("flow logs are priced only where the stack declares them", () => {
        const cfg = config("aws");
        const without = stackCost(cfg, sizingFor(cfg), NODE_DISKS, tableOf(cfg));
        assert.ok(!without.lines.some((l) => l.component === "flow logs"));
        assert.ok(line(cfg, "flow logs")!.usd.desired > 0);
    });

    it("gcp: logs kept beyond the 30 days ingestion includes are priced from the declared bucket's retention, and only then", () => {
        const cfg = config("gcp");
        const t = trafficFor(cfg.targetUsers, cfg.usage, cfg.usage.averageConcurrency);
        // 90 days: each month's logs are kept two months more, at $0.01 per GiB-month.
        const expected = (t.logGiBPerMonth + t.flowLogGiBPerMonth) * 2 * 0.01;
        assert.ok(expected > 0);
        assert.ok(Math.abs(line(cfg, "log retention")!.usd.desired - expected) < 1e-6);
        const kept = (days: number) => [
            ...DECLARED.filter((d) => !d.type.startsWith("gcp:logging/")),
            { type: "gcp:logging/projectBucketConfig:ProjectBucketConfig", inputs: { retentionDays: days } },
        ];
        for (const declared of [kept(30), NODE_DISKS])
            assert.ok(!stackCost(cfg, sizingFor(cfg), declared, tableOf(cfg)).lines.some((l) => l.component === "log retention"));
    });

    it("aws: EKS extended support is a later line ($0.60 a cluster-hour), not in the total", () => {
        const cfg = config("aws");
        const cost = stackCost(cfg, sizingFor(cfg), DECLARED, tableOf(cfg));
        assert.deepStrictEqual(
            cost.future.map((f) => [f.component, Math.round(f.usd.desired)]),
            [["cluster in extended support", 438]],
        );
        assert.ok(Math.abs(cost.lines.reduce((s, l) => s + l.usd.desired, 0) - cost.total.desired) < 1e-6);
        // A cluster with upgradePolicy STANDARD is upgraded by EKS instead: no later fee.
        const standard: Declared = { type: "aws:eks/cluster:Cluster", inputs: { upgradePolicy: { supportType: "STANDARD" } } };
        assert.deepStrictEqual(stackCost(cfg, sizingFor(cfg), [...DECLARED, standard], tableOf(cfg)).future, []);
    });

    it("the usage range: the bill at the average concurrency, the high end at the peak every hour", () => {
        const cfg = config("aws");
        const cost = stackCost(cfg, sizingFor(cfg), DECLARED, tableOf(cfg));
        assert.strictEqual(cost.range.low, cost.total.desired);
        assert.ok(cost.range.high > cost.total.desired * 1.2, `${cost.range.high} vs ${cost.total.desired}`);
        const flat = config("aws", { "usage.averageConcurrency": "1" });
        const flatCost = stackCost(flat, sizingFor(flat), DECLARED, tableOf(flat));
        assert.ok(flatCost.lines.every((l) => !l.range));
        assert.ok(Math.abs(flatCost.total.desired - cost.range.high) < 1e-6, "average = peak prices the high end");
    });

    it("usage config: a bad value names the key, the value and what is allowed; peak below average is refused", () => {
        const issues = (overrides: Record<string, string>) => {
            try {
                config("aws", overrides);
            } catch (e) {
                if (e instanceof ConfigError) return e.issues;
                throw e;
            }
            return [];
        };
        assert.deepStrictEqual(issues({ "usage.egressShare": "1.5" }), [
            { key: "usage.egressShare", value: "1.5", message: "must be a share of the response bytes from 0 to 1" },
        ]);
        const [peak] = issues({ "usage.averageConcurrency": "0.9", "usage.peakConcurrency": "0.5" });
        assert.strictEqual(peak.key, "usage.peakConcurrency");
        assert.match(peak.message, /at least usage.averageConcurrency/);
        assert.strictEqual(issues({ "usage.requestsPerMinute": "6" })[0].key, "usage.requestsPerMinute");
        assert.strictEqual(issues({ "cost.failIncreaseUsd": "100" })[0].key, "cost.failIncreaseUsd", "fail below the default warn of 500");
    });

    it("Pulumi.yaml is the one source of the usage, cost and aws defaults", () => {
        const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default: unknown }> };
        const cfg = config("aws");
        const parsed = { usage: cfg.usage, cost: cfg.costPolicy, aws: cfg.aws! } as Record<string, Record<string, unknown>>;
        const declared = Object.entries(project.config).filter(([k, v]) => /^(usage|cost|aws)\./.test(k) && v.default !== "");
        assert.ok(declared.length > 20, `${declared.length} defaults`);
        // Pulumi.aws.yaml sets some aws keys itself; the rest arrive as Pulumi.yaml declares them.
        const stackFile = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.aws.yaml"), "utf8")).config["zdp:aws"] ?? {};
        for (const [key, { default: d }] of declared) {
            const [group, field] = key.split(".");
            if (group === "aws" && field in stackFile) continue;
            assert.strictEqual(String(parsed[group][field]), String(d), key);
        }
        // Without the project file's defaults the parser has none of its own: it names each missing key.
        const raw = { ...stackConfigMap("aws"), "zdp:usage": "{}", "zdp:cost": "{}" };
        assert.throws(
            () => parseConfig(raw, "aws"),
            (e: ConfigError) => {
                const missing = e.issues.filter((i) => /is required \(Pulumi.yaml declares its default/.test(i.message)).map((i) => i.key);
                assert.deepStrictEqual(
                    missing.sort(),
                    [...Object.keys(cfg.usage).map((k) => `usage.${k}`), ...Object.keys(cfg.costPolicy).map((k) => `cost.${k}`)].sort(),
                );
                return true;
            },
        );
    });
});

describe("cost: the monitoring agents' metrics", () => {
    const metrics = (cfg: StackConfig, resources = DECLARED) =>
        stackCost(cfg, sizingFor(cfg), resources, tableOf(cfg)).lines.find((l) => l.component === "metrics");
    // Each node's series and each app pod's (the full-size colours and the idle colour's), one sample a minute for 730 hours.
    const samples = (cfg: StackConfig, nodes: number) => {
        const s = sizingFor(cfg);
        const pods = s.colours * s.app.replicas + s.idlePods;
        return (nodes * cfg.usage.metricSeriesPerNode + pods * cfg.usage.metricSeriesPerPod) * 60 * 730;
    };

    it("aws: Container Insights bills an observation per series a minute, every node's and app pod's", () => {
        const cfg = config("aws");
        const m = metrics(cfg)!;
        const perMillion = tableOf(cfg).prices["cloudwatch.containerInsightsObservation"].usd;
        assert.ok(Math.abs(m.usd.desired - (samples(cfg, sizingFor(cfg).nodes.desired) / 1e6) * perMillion) < 1e-6);
        assert.ok(m.usd.max > m.usd.desired, "more nodes and pods at the autoscaler's maximum");
        assert.ok(metrics(config("aws", { "usage.metricSeriesPerPod": "100" }))!.usd.desired > m.usd.desired);
        assert.strictEqual(metrics(cfg, NODE_DISKS), undefined, "no observability add-on, no line");
        const configured: Declared = { type: "aws:eks/addon:Addon", inputs: { addonName: "amazon-cloudwatch-observability", configurationValues: "{}" } };
        assert.throws(() => metrics(cfg, [...NODE_DISKS, configured]), /configurationValues; only its default .* is priced/);
    });

    it("azure: Container Insights' metric rows are Log Analytics ingestion, system pool included, at the rule's interval", () => {
        const cfg = config("azure");
        const m = metrics(cfg)!;
        const rows = samples(cfg, sizingFor(cfg).nodes.desired + systemPool("azure")!.min);
        const gib = (rows * cfg.usage.metricBytesPerSample) / 1024 ** 3;
        assert.ok(Math.abs(m.usd.desired - gib * tableOf(cfg).prices["logAnalytics.ingest"].usd) < 1e-6);
        const everyFive = DECLARED.map((r) => (r.type === DCR ? insightsRule("5m") : r));
        assert.ok(Math.abs(metrics(cfg, everyFive)!.usd.desired * 5 - m.usd.desired) < 1e-6);
        assert.throws(() => metrics(cfg, [...DECLARED, insightsRule("30s")]), /one Container Insights data collection rule with an interval in minutes/);
    });

    it("gcp: GKE system metrics are free; a billed metric package or a PodMonitoring is refused, not priced at nothing", () => {
        const cfg = config("gcp");
        assert.strictEqual(metrics(cfg)!.usd.desired, 0);
        const withPackage = DECLARED.map((r) =>
            r.type === GKE ? { type: GKE, inputs: { monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS", "CADVISOR"] } } } : r,
        );
        assert.throws(() => metrics(cfg, withPackage), /metric package CADVISOR ingest Managed Service for Prometheus samples/);
        const scrape: Declared = { type: "kubernetes:monitoring.googleapis.com/v1:PodMonitoring", inputs: {} };
        assert.throws(() => metrics(cfg, [...DECLARED, scrape]), /PodMonitoring ingest/);
    });

    for (const cloud of CLOUDS)
        it(`${cloud}: the stack file's plan prices the metrics of the agent it runs`, async () => {
            const plan = await planOf(cloud);
            if (typeof plan.cost === "string") assert.fail(plan.cost);
            const m = plan.cost.stack.lines.find((l) => l.component === "metrics");
            assert.ok(m, `${cloud}: no metrics line`);
            if (cloud === "gcp") assert.strictEqual(m.usd.desired, 0);
            else assert.ok(m.usd.desired > 10, `${cloud}: ${m.usd.desired}`);
        });
});

describe("cost: commitments and stale prices", () => {
    for (const cloud of CLOUDS)
        it(`${cloud}: 1- and 3-year rows save each rate's discount on the nodes at the floor (and the data stores where offered)`, () => {
            const cfg = config(cloud);
            const s = sizingFor(cfg);
            const table = tableOf(cfg);
            const picture = costPicture(cfg, s, DECLARED, table);
            for (const term of ["1 year", "3 years"]) {
                const row = picture.choices.find((c) => c.choice.startsWith(`${term} commitment`))!;
                const rates = table.commitments.filter((c) => c.term === term);
                assert.ok(
                    rates.some((c) => c.appliesTo === "nodes"),
                    `${cloud} ${term} covers the nodes`,
                );
                const saving = rates.reduce((sum, c) => sum + c.discount * picture.stack.committable[c.appliesTo], 0);
                assert.ok(Math.abs(picture.stack.total.desired - row.usd - saving) < 1e-6);
                assert.ok(saving > 0.1 * picture.stack.lines.find((l) => l.component === "nodes")!.usd.min);
            }
            const one = picture.choices.find((c) => c.choice.startsWith("1 year"))!.usd;
            const three = picture.choices.find((c) => c.choice.startsWith("3 years"))!.usd;
            assert.ok(three < one, "three years commit for more");
        });

    it("aws: the committed nodes are the instance price at the autoscaler's floor, disks and surge excluded", () => {
        const cfg = config("aws");
        const s = sizingFor(cfg);
        const table = tableOf(cfg);
        const cost = stackCost(cfg, s, NODE_DISKS, table);
        assert.ok(Math.abs(cost.committable.nodes - table.prices[`ec2.${s.nodes.machineType}`].usd * 730 * s.nodes.min) < 1e-6);
        assert.ok(Math.abs(cost.committable.database - table.prices[`rds.postgres.multiAz.${s.database.instanceClass}`].usd * 730) < 1e-6);
    });

    it("a price whose source is older than cost.maxPriceAgeDays is listed with its date; the table's asOf dates the rest", () => {
        const table = tableOf(config("aws"));
        const stale = stalePrices(table, new Date("2026-12-07"), 180);
        assert.ok(stale.some((p) => p.key === "vpc.interAz" && p.date === "2026-03-15" && p.days === 267));
        assert.ok(!stale.some((p) => p.key === "eks.cluster"), "dated by the table's asOf, 6 days old");
        assert.deepStrictEqual(stalePrices(table, new Date("2026-12-07"), 3650), []);
        assert.strictEqual(stalePrices(table, new Date("2027-12-07"), 180).length, Object.keys(table.prices).length + table.commitments.length);
    });
});
