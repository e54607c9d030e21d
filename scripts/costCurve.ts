// Scale curve: each cloud's stack file planned offline once, then re-sized by the capacity model and
// priced at 1,000, 10,000 and 100,000 users, with its nodes, vCPU, monthly cost at list prices and cost
// per 1,000 users. The README's cost table and docs/cost.md's scale curve are its output (tests/cost.spec.ts).
//   npm run bench:cost -- [--users 1000,10000,100000] [--markdown | --readme]
import Table from "cli-table3";
import { capacityShortfalls, sizingFor } from "../model/capacity";
import { ConfigError, parseConfig } from "../model/config";
import { systemPool, type Declared } from "../model/cost/model";
import { priceStack, usd } from "./planCost";
import { stackConfigMap } from "./pulumiConfig";
import { commandLine, usageError } from "./cli";

const USAGE = `usage: npm run bench:cost -- [--users 1000,10000,100000] [--markdown | --readme]

Plans the aws, azure and gcp stack files offline, re-sizes each at every user count (targetUsers
overridden) and prints nodes, vCPU, the monthly cost at the price tables' list prices and the cost per
1,000 users.
  --users LIST   comma-separated user counts (default 1000,10000,100000)
  --markdown     a Markdown table (as docs/cost.md quotes it)
  --readme       the README's table: a row per stack, a column per user count
  -h, --help     this help`;

export const STACKS = ["aws", "azure", "gcp"] as const;

export interface CurveRow {
    cloud: string;
    users: number;
    /** Why the config refuses the stack at this count (nothing else is set then). */
    refused?: string;
    /** At the desired count, a system pool included. */
    nodes: number;
    vcpu: number;
    systemNodes: number;
    /** The monthly bill and per 1,000 users, or why there is no price. */
    cost: { monthly: number; perThousand: number } | string;
    /** Capacity rows below the target. */
    short: string[];
}

/**
 * A stack's row at `users`: its stack file's config with targetUsers overridden, sized by the capacity
 * model and priced against `resources`, what the stack file's program declares. Nothing the cost model
 * reads from them (counts by type, node disk sizes, rules, the agents) varies with the user count, so
 * the program runs once per stack; tests/cost.spec.ts checks a row against a full plan at that count.
 */
export function curveRow(stack: string, users: number, resources: Declared[]): CurveRow {
    const none = { cloud: stack, users, nodes: 0, vcpu: 0, systemNodes: 0, cost: "", short: [] };
    let cfg;
    try {
        cfg = parseConfig(stackConfigMap(stack, { targetUsers: String(users) }), stack);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        // The config refuses what one stack cannot hold; its own sentence says why.
        return { ...none, refused: e.issues.map((i) => i.message.replace(/^is too small: /, "").split(";")[0]).join("; ") };
    }
    const s = sizingFor(cfg);
    const system = systemPool(s.cloud);
    const picture = priceStack(cfg, s, resources);
    return {
        ...none,
        nodes: s.nodes.desired + (system?.min ?? 0),
        vcpu: s.nodes.desired * s.nodes.vcpu + (system ? system.min * system.vcpu : 0),
        systemNodes: system?.min ?? 0,
        cost: typeof picture === "string" ? picture : { monthly: picture.stack.total.desired, perThousand: picture.stack.perThousandUsers },
        short: capacityShortfalls(s),
    };
}

const n = (v: number) => v.toLocaleString("en-US");

/** The scale curve's columns, as the terminal and docs/cost.md show them. */
export function curveCells(r: CurveRow): string[] {
    if (r.refused) return [r.cloud, n(r.users), "-", "-", "-", "-", `config refuses it: ${r.refused}`];
    const note = [r.systemNodes ? `incl. ${r.systemNodes} system nodes` : "", ...r.short].filter(Boolean);
    const priced = typeof r.cost === "string" ? ["-", "-"] : [usd(r.cost.monthly), usd(r.cost.perThousand)];
    return [r.cloud, n(r.users), n(r.nodes), n(r.vcpu), ...priced, (typeof r.cost === "string" ? [r.cost, ...note] : note).join("; ")];
}

export const CURVE_HEAD = ["stack", "users", "nodes", "vCPU", "per month", "per 1,000 users", "note"];

/** A Markdown table row. */
export const markdownRow = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The README's cell: nodes and the monthly bill with its per-1,000 figure, what falls short, or why the config refuses it. */
export function readmeCell(r: CurveRow): string {
    if (r.refused) return `refused: ${r.refused}`;
    if (typeof r.cost === "string") return `${n(r.nodes)} nodes, not priced`;
    const short = r.short.map((s) => `; ${s.split(" ")[0]} short`).join("");
    return `${n(r.nodes)} nodes, ${usd(r.cost.monthly)} (${usd(r.cost.perThousand)})${short}`;
}

/** The README's table: a row per stack, a column per user count. */
export function readmeTable(rows: CurveRow[], counts: number[]): string[] {
    const head = ["stack", ...counts.map((c) => `${n(c)} users`)];
    return [
        markdownRow(head),
        `|${head.map(() => "---").join("|")}|`,
        ...STACKS.map((stack) => markdownRow([stack, ...counts.map((c) => readmeCell(rows.find((r) => r.cloud === stack && r.users === c)!))])),
    ];
}

async function main(): Promise<void> {
    const values = commandLine(USAGE, {
        users: { type: "string", default: "1000,10000,100000" },
        markdown: { type: "boolean", default: false },
        readme: { type: "boolean", default: false },
    });
    if (!values) return;
    const counts = values.users.split(",").map(Number);
    if (counts.some((c) => !Number.isInteger(c) || c <= 0)) usageError(USAGE, `--users takes whole numbers, got "${values.users}"`);
    // Loaded here, not at the top: --help and a wrong argument answer without loading Pulumi and the stacks.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runStack } = require("./offline/run") as typeof import("./offline/run");
    const rows: CurveRow[] = [];
    for (const stack of STACKS) {
        const { resources } = await runStack(stack, {}, { preview: true });
        for (const users of counts) rows.push(curveRow(stack, users, resources));
    }
    if (values.readme) return console.log(readmeTable(rows, counts).join("\n"));
    if (values.markdown) {
        console.log(`${markdownRow(CURVE_HEAD)}\n|${CURVE_HEAD.map(() => "---").join("|")}|`);
        for (const r of rows) console.log(markdownRow(curveCells(r)));
        return;
    }
    const t = new Table({ head: CURVE_HEAD, colWidths: [null, null, null, null, null, null, 60], wordWrap: true, style: { head: [], border: [] } });
    rows.forEach((r) => t.push(curveCells(r)));
    console.log(t.toString());
}

if (require.main === module) void main();
