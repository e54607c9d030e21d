// Scale curve: each cloud's stack file planned offline at 1,000, 10,000 and 100,000 users, with its
// nodes, vCPU, monthly cost at list prices and cost per 1,000 users. The README quotes its output.
//   npm run bench:cost -- [--users 1000,10000,100000] [--markdown]
import Table from "cli-table3";
import { systemPool } from "../model/cost/model";
import { usd } from "./planCost";
import { commandLine, usageError } from "./cli";

const USAGE = `usage: npm run bench:cost -- [--users 1000,10000,100000] [--markdown]

Plans the aws, azure and gcp stack files offline at each user count (targetUsers overridden) and prints
nodes, vCPU, the monthly cost at the price tables' list prices and the cost per 1,000 users.
  --users LIST   comma-separated user counts (default 1000,10000,100000)
  --markdown     a Markdown table (as the README quotes it)
  -h, --help     this help`;

interface Row {
    cloud: string;
    users: number;
    nodes: string;
    vcpu: string;
    monthly: string;
    perThousand: string;
    note: string;
}

const n = (v: number) => v.toLocaleString("en-US");

async function row(stack: string, users: number): Promise<Row> {
    // Loaded here, not at the top: --help and a wrong argument answer without loading Pulumi and the stacks.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildPlan, shortfalls } = require("./planReport") as typeof import("./planReport");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RunError } = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const base = { cloud: stack, users, nodes: "-", vcpu: "-", monthly: "-", perThousand: "-" };
    let plan;
    try {
        plan = await buildPlan(stack, { targetUsers: String(users) }, false);
    } catch (e) {
        if (!RunError.isInstance(e)) throw e;
        // The config refuses what one stack cannot hold; its own sentence (the problem lines) says why.
        const problems = e.message.split("\n").filter((l) => l.startsWith("  - "));
        const why = problems.map((l) => l.replace(/^ {2}- [^:]+: (is too small: )?/, "").split(";")[0]);
        return { ...base, note: `config refuses it: ${why.join("; ")}` };
    }
    const s = plan.sizing;
    const system = systemPool(s.cloud);
    const nodes = s.nodes.desired + (system?.min ?? 0);
    const vcpu = s.nodes.desired * s.nodes.vcpu + (system ? system.min * system.vcpu : 0);
    const short = shortfalls(plan).map((x) => x.replace(/^capacity: /, ""));
    const note = [system ? `incl. ${system.min} system nodes` : "", ...short].filter(Boolean).join("; ");
    if (typeof plan.cost === "string") return { ...base, nodes: n(nodes), vcpu: n(vcpu), note: [plan.cost, note].filter(Boolean).join("; ") };
    return { ...base, nodes: n(nodes), vcpu: n(vcpu), monthly: usd(plan.cost.stack.total.desired), perThousand: usd(plan.cost.stack.perThousandUsers), note };
}

async function main(): Promise<void> {
    const values = commandLine(USAGE, {
        users: { type: "string", default: "1000,10000,100000" },
        markdown: { type: "boolean", default: false },
    });
    if (!values) return;
    const counts = values.users.split(",").map(Number);
    if (counts.some((c) => !Number.isInteger(c) || c <= 0)) usageError(USAGE, `--users takes whole numbers, got "${values.users}"`);
    const rows: Row[] = [];
    for (const stack of ["aws", "azure", "gcp"]) for (const users of counts) rows.push(await row(stack, users));
    const head = ["stack", "users", "nodes", "vCPU", "per month", "per 1,000 users", "note"];
    const cells = (r: Row) => [r.cloud, n(r.users), r.nodes, r.vcpu, r.monthly, r.perThousand, r.note];
    if (values.markdown) {
        console.log(`| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`);
        for (const r of rows) console.log(`| ${cells(r).join(" | ")} |`);
        return;
    }
    const t = new Table({ head, colWidths: [null, null, null, null, null, null, 60], wordWrap: true, style: { head: [], border: [] } });
    rows.forEach((r) => t.push(cells(r)));
    console.log(t.toString());
}

if (require.main === module) void main();
