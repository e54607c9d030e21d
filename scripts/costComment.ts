// The pull request's cost comment: each cloud stack planned on the base and on the head (`npm run plan
// -- --stack S --json`), compared line by line, with each changed resource and the cost line it is
// priced in, and the verdict against the head's cost.warnIncreaseUsd / cost.failIncreaseUsd.
//   npx tsx scripts/costComment.ts --base DIR --head DIR [--out FILE]
// DIR holds <stack>.json per stack. Prints the Markdown (or writes FILE); exits 1 when a stack fails.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { attribute, costChange, signedUsd, verdict, type CostChange, type PricedLines, type Verdict } from "../model/cost/change";
import { LINE_TYPES } from "../model/cost/model";
import type { CostPolicy } from "../model/cost/usage";
import { diffResources } from "./offline/diff";
import type { Recorded } from "./offline/run";
import { usd } from "./planCost";

/** The hidden first line the workflow finds the comment by, to update it instead of adding another. */
export const MARKER = "<!-- zdp-cost-comment -->";
export const STACKS = ["aws", "azure", "gcp"] as const;

/** What the comment reads from one `plan --json` document. */
export interface PlanDoc {
    cloud: string;
    resources: { type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[];
    cost: { stack: PricedLines } | { unavailable: string };
    /** The head's thresholds (in its config); absent in plans from before they existed. */
    costPolicy?: Pick<CostPolicy, "warnIncreaseUsd" | "failIncreaseUsd">;
}

export interface StackComparison {
    stack: string;
    /** Why there is no comparison (a side's plan failed or is unpriced), or the change and its resources. */
    unavailable?: string;
    change?: CostChange;
    verdict?: Verdict;
    thresholds?: Pick<CostPolicy, "warnIncreaseUsd" | "failIncreaseUsd">;
    resources?: ReturnType<typeof attribute>;
}

// plan --json carries no URNs: the type, parent and name identify a resource across the two plans.
const asRecorded = (r: PlanDoc["resources"][number]): Recorded =>
    ({
        urn: `${r.parent ?? ""}|${r.type}|${r.name}`,
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        replaceOnChanges: [],
        ignoreChanges: [],
    }) as unknown as Recorded;

const DEFAULT_THRESHOLDS = { warnIncreaseUsd: 500, failIncreaseUsd: 2000 };

export function compare(stack: string, base: PlanDoc | undefined, head: PlanDoc | undefined): StackComparison {
    if (!base || !head) return { stack, unavailable: `the ${base ? "head" : "base"} plan failed (see the job log)` };
    if ("unavailable" in base.cost) return { stack, unavailable: `base: ${base.cost.unavailable}` };
    if ("unavailable" in head.cost) return { stack, unavailable: `head: ${head.cost.unavailable}` };
    const change = costChange(base.cost.stack, head.cost.stack);
    const thresholds = head.costPolicy ?? DEFAULT_THRESHOLDS;
    const diff = diffResources(base.resources.map(asRecorded), head.resources.map(asRecorded));
    const lineTypes = LINE_TYPES[head.cloud as keyof typeof LINE_TYPES] ?? {};
    return { stack, change, verdict: verdict(change.delta, thresholds), thresholds, resources: attribute(diff, lineTypes) };
}

const ICON: Record<Verdict, string> = { ok: "✅", warn: "⚠️", fail: "❌" };
const MAX_RESOURCES = 30;

/** The comment's Markdown: one summary row per stack, then each stack's changed lines and resources. */
export function renderComment(comparisons: StackComparison[]): string {
    const out = [MARKER, "### Monthly cost of this change (list prices, usage at the stack's `usage.averageConcurrency`)", ""];
    out.push("| stack | base | head | change | check |", "|---|---:|---:|---:|---|");
    for (const c of comparisons) {
        if (!c.change) out.push(`| ${c.stack} | - | - | - | not priced: ${c.unavailable} |`);
        else {
            const t = c.thresholds!;
            const check = `${ICON[c.verdict!]} ${c.verdict === "ok" ? "within" : "above"} ${c.verdict === "fail" ? `fail $${t.failIncreaseUsd.toLocaleString("en-US")}` : `warn $${t.warnIncreaseUsd.toLocaleString("en-US")}`}`;
            out.push(`| ${c.stack} | ${usd(c.change.base)} | ${usd(c.change.head)} | ${signedUsd(c.change.delta)} | ${check} |`);
        }
    }
    for (const c of comparisons.filter((c) => c.change && (c.change.lines.length || c.resources?.length))) {
        out.push("", `#### ${c.stack}`, "", "| line | base | head | change |", "|---|---:|---:|---:|");
        for (const l of c.change!.lines) out.push(`| ${l.component} | ${usd(l.base)} | ${usd(l.head)} | ${signedUsd(l.delta)} |`);
        if (!c.change!.lines.length) out.push("| (no line moves) | | | |");
        const resources = c.resources ?? [];
        if (resources.length) {
            out.push("", "| resource | | priced in |", "|---|---|---|");
            for (const r of resources.slice(0, MAX_RESOURCES)) out.push(`| \`${r.type}\` ${r.name} | ${r.change} | ${r.line ?? "no line of its own"} |`);
            if (resources.length > MAX_RESOURCES) out.push(`| … ${resources.length - MAX_RESOURCES} more (the job log's plan) | | |`);
        }
    }
    return out.join("\n") + "\n";
}

function readPlan(dir: string, stack: string): PlanDoc | undefined {
    const file = path.join(dir, `${stack}.json`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PlanDoc;
    } catch {
        return undefined; // a plan that failed to run leaves an empty or missing file
    }
}

function main(): void {
    const { values } = parseArgs({ options: { base: { type: "string" }, head: { type: "string" }, out: { type: "string" } } });
    if (!values.base || !values.head) {
        process.stderr.write("usage: npx tsx scripts/costComment.ts --base DIR --head DIR [--out FILE]\n");
        process.exit(2);
    }
    const comparisons = STACKS.map((s) => compare(s, readPlan(values.base!, s), readPlan(values.head!, s)));
    const markdown = renderComment(comparisons);
    if (values.out) fs.writeFileSync(values.out, markdown);
    else process.stdout.write(markdown);
    const failed = comparisons.filter((c) => c.verdict === "fail").map((c) => c.stack);
    if (failed.length) {
        process.stderr.write(`cost check failed for ${failed.join(", ")}: the monthly increase is above cost.failIncreaseUsd\n`);
        process.exitCode = 1;
    }
}

if (require.main === module) main();
