// The plan's cost section: the stack's monthly bill by component at list prices, the seed's reference
// sizing priced the same way, and the choices that change the bill with their capacity and trade-off.
import Table from "cli-table3";
import type { CostPicture } from "../components/cost/choices";
import { USAGE, trafficFor } from "../components/cost/model";
import { REFERENCE } from "../components/capacity";

/** Whole dollars, as the plan and the scale curve print them. */
export const usd = (v: number) => `$${Math.round(v).toLocaleString("en-US")}`;
const table = (head: string[], colWidths: (number | null)[] = []) => new Table({ head, colWidths, wordWrap: true, style: { head: [], border: [] } });

export function costLines(cost: CostPicture | string, targetUsers: number): string[] {
    if (typeof cost === "string") return [`Cost: ${cost}`];
    const { stack, reference, choices, table: t } = cost;
    const out = [
        `Cost: USD per month at on-demand list prices, ${t.cloud} ${t.region}, read ${t.asOf} (each price's source: components/cost/prices/${t.cloud}.ts).`,
        `Nodes are priced at the autoscaler's min / desired / max; everything else does not scale with them. Taxes, support plans,`,
        `discounts and internet egress are not included.`,
    ];
    const bill = table(["component", "what", "nodes at min", "desired", "max"]);
    for (const l of stack.lines) bill.push([l.component, l.what, usd(l.usd.min), usd(l.usd.desired), usd(l.usd.max)]);
    bill.push(["total", "", usd(stack.total.min), usd(stack.total.desired), usd(stack.total.max)]);
    out.push(bill.toString());
    const traffic = trafficFor(targetUsers);
    out.push(
        `Per 1,000 users: ${usd(stack.perThousandUsers)} a month. Usage assumed (components/cost/model.ts USAGE): ` +
            `${Math.round(traffic.requestsPerSecond).toLocaleString("en-US")} requests/s of ${USAGE.bytesPerRequest / 1024} KiB, ` +
            `${Math.round(traffic.logGiBPerMonth).toLocaleString("en-US")} GiB of logs, ${USAGE.natGiBPerMonth} GiB through NAT.`,
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
