// The plan's cost section: the stack's monthly bill by component at list prices, the seed's reference
// sizing priced the same way, and the choices that change the bill with their capacity and trade-off.
import Table from "cli-table3";
import { costPicture, type CostPicture } from "../model/cost/choices";
import { MissingPrice, trafficFor, type Declared } from "../model/cost/model";
import { priceTableFor } from "../model/cost/prices";
import { REFERENCE, type Sizing } from "../model/capacity";
import type { StackConfig } from "../model/config";

/** Whole dollars, as the plan and the scale curve print them. */
export const usd = (v: number) => `$${Math.round(v).toLocaleString("en-US")}`;
const table = (head: string[], colWidths: (number | null)[] = []) => new Table({ head, colWidths, wordWrap: true, style: { head: [], border: [] } });

const n = (v: number) => Math.round(v).toLocaleString("en-US");

/** The priced picture; a table without a region or a price says so instead of failing the plan. */
export function priceStack(cfg: StackConfig, sizing: Sizing, resources: Declared[]): CostPicture | string {
    const table = priceTableFor(cfg.cloud, cfg.region);
    if (typeof table === "string") return table;
    try {
        return costPicture(cfg, sizing, resources, table);
    } catch (e) {
        if (e instanceof MissingPrice) return e.message;
        throw e;
    }
}

export function costLines(cost: CostPicture | string, cfg: StackConfig): string[] {
    if (typeof cost === "string") return [`Cost: ${cost}`];
    const { stack, reference, choices, table: t } = cost;
    const u = cfg.usage;
    const out = [
        `Cost: USD per month at on-demand list prices, ${t.cloud} ${t.region}, read ${t.asOf} (each price's source: model/cost/prices/${t.cloud}.ts).`,
        `Nodes are priced at the autoscaler's min / desired / max; everything else does not scale with them. Usage lines are priced at`,
        `the average concurrency; "average..peak" is the same line with the peak every hour. Taxes and support plans are not included.`,
    ];
    const bill = table(["component", "what", "nodes at min", "desired", "max", "average..peak"], [null, 60, null, null, null, null]);
    for (const l of stack.lines)
        bill.push([l.component, l.what, usd(l.usd.min), usd(l.usd.desired), usd(l.usd.max), l.range ? `${usd(l.range.low)}..${usd(l.range.high)}` : ""]);
    bill.push(["total", "", usd(stack.total.min), usd(stack.total.desired), usd(stack.total.max), `${usd(stack.range.low)}..${usd(stack.range.high)}`]);
    out.push(bill.toString());
    const [avg, peak] = [u.averageConcurrency, u.peakConcurrency].map((c) => trafficFor(cfg.targetUsers, u, c));
    out.push(
        `Per 1,000 users: ${usd(stack.perThousandUsers)} a month. Usage (stack config usage.*, an assumption until measured): ` +
            `${n(avg.users)} of ${n(cfg.targetUsers)} users connected on average, ${n(peak.users)} at peak; ${u.requestsPerUserPerMinute} requests/min each ` +
            `(${n(avg.requestsPerSecond)}..${n(peak.requestsPerSecond)} requests/s) of ${u.requestKiB} KiB in and ${u.responseKiB} KiB out, ` +
            `${Math.round(u.egressShare * 100)}% of it to the internet (${n(avg.egressGiBPerMonth)}..${n(peak.egressGiBPerMonth)} GiB a month), ` +
            `${n(avg.logGiBPerMonth)}..${n(peak.logGiBPerMonth)} GiB of logs, ${u.dataStoreKiBPerRequest} KiB to the data stores per request, ` +
            `${u.metricSeriesPerPod} metric series per app pod and ${u.metricSeriesPerNode} per node.`,
    );
    for (const f of stack.future) {
        const now = stack.lines.find((l) => f.component.startsWith(l.component));
        out.push(
            `Later, not in the total: ${f.component}: ${f.what}: ${usd(f.usd.desired)} a month${now ? ` instead of ${usd(now.usd.desired)} (+${usd(f.usd.desired - now.usd.desired)})` : ""}.`,
        );
    }
    if (cost.stale.length)
        out.push(
            `! ${cost.stale.length} price(s) read from sources older than ${cfg.costPolicy.maxPriceAgeDays} days (cost.maxPriceAgeDays): ` +
                cost.stale.map((p) => `${p.key} (${p.date})`).join(", "),
        );
    const compare = table(
        ["this stack and its choices", "nodes (min..max)", "every capacity row ≥ target", "per month", "vs this stack", "trade-off"],
        [30, null, 14, null, null, 50],
    );
    const delta = (v: number) => {
        const d = v - stack.total.desired;
        return `${d > 0 ? "+" : d < 0 ? "−" : "±"}${usd(Math.abs(d))} (${d > 0 ? "+" : d < 0 ? "−" : "±"}${Math.round((Math.abs(d) / stack.total.desired) * 100)}%)`;
    };
    const nodeCell = (n: { desired: number; min: number; max: number }) => `${n.desired} (${n.min}..${n.max})`;
    compare.push(["this stack", nodeCell(stack.nodes), stack.keepsTarget ? "✓" : "✗", usd(stack.total.desired), "", ""]);
    for (const c of choices) compare.push([c.choice, nodeCell(c.nodes), c.keepsTarget ? "✓" : "✗", usd(c.usd), delta(c.usd), c.tradeOff]);
    compare.push([
        `seed reference (${REFERENCE.usersPerNode.toLocaleString("en-US")} users per node)`,
        String(reference.nodes),
        reference.keepsTarget ? "✓" : "✗",
        usd(reference.total.desired),
        delta(reference.total.desired),
        "the same services on the seed's node count: one colour, no rollout or zone-loss headroom",
    ]);
    out.push(compare.toString());
    return out;
}
