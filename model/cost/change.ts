// What a change does to a stack's monthly bill: the total and each line before and after, and whether
// the increase passes the stack's thresholds (cost.warnIncreaseUsd, cost.failIncreaseUsd). Pure: the
// plan's --diff and the pull request's cost comment both use it.
import type { CostPolicy } from "./usage";

/** The part of a priced plan a comparison needs (what `npm run plan -- --json` carries under cost.stack). */
export interface PricedLines {
    total: { desired: number };
    lines: { component: string; usd: { desired: number } }[];
}

export interface LineChange {
    component: string;
    base: number;
    head: number;
    delta: number;
}

export interface CostChange {
    base: number;
    head: number;
    delta: number;
    /** Lines whose monthly USD moved by at least a cent, in the head's order (then the removed ones). */
    lines: LineChange[];
}

export function costChange(base: PricedLines, head: PricedLines): CostChange {
    const before = new Map(base.lines.map((l) => [l.component, l.usd.desired]));
    const after = new Map(head.lines.map((l) => [l.component, l.usd.desired]));
    const components = [...new Set([...after.keys(), ...before.keys()])];
    const lines = components
        .map((component) => {
            const [b, h] = [before.get(component) ?? 0, after.get(component) ?? 0];
            return { component, base: b, head: h, delta: h - b };
        })
        .filter((l) => Math.abs(l.delta) >= 0.01);
    return { base: base.total.desired, head: head.total.desired, delta: head.total.desired - base.total.desired, lines };
}

export type Verdict = "ok" | "warn" | "fail";

/** An increase above the fail threshold fails, above the warn threshold warns; a decrease is always ok. */
export function verdict(delta: number, policy: Pick<CostPolicy, "warnIncreaseUsd" | "failIncreaseUsd">): Verdict {
    if (delta > policy.failIncreaseUsd) return "fail";
    if (delta > policy.warnIncreaseUsd) return "warn";
    return "ok";
}

/** Signed whole dollars: +$142, −$1,007, ±$0. */
export function signedUsd(v: number): string {
    // Under a dollar (an alarm, a key) shows cents, so a real change never reads as ±$0.
    const r = Math.abs(v) < 1 ? Math.round(v * 100) / 100 : Math.round(v);
    if (r === 0) return "±$0";
    const digits = Math.abs(v) < 1 ? { minimumFractionDigits: 2 } : {};
    return `${r > 0 ? "+" : r < 0 ? "−" : "±"}$${Math.abs(r).toLocaleString("en-US", digits)}`;
}

/** The cost line a resource type is priced in, if any. */
export const lineOf = (type: string, lineTypes: Record<string, readonly string[]>) => Object.entries(lineTypes).find(([, types]) => types.includes(type))?.[0];

/** A resource the change adds, removes or changes, and the bill's line priced from its type (if any). */
export interface Attribution {
    change: "+" | "-" | "~";
    type: string;
    name: string;
    line?: string;
}

/**
 * Each added, removed or changed resource with the cost line its type feeds (`lineTypes`: line →
 * resource types, model/cost/model.ts LINE_TYPES). A resource no line prices says so: free, or
 * priced only through usage.
 */
export function attribute(
    diff: { added: { type: string; name: string }[]; removed: { type: string; name: string }[]; changed: { type: string; name: string }[] },
    lineTypes: Record<string, readonly string[]>,
): Attribution[] {
    const rows = (change: Attribution["change"], list: { type: string; name: string }[]) =>
        list.map((r): Attribution => ({ change, type: r.type, name: r.name, line: lineOf(r.type, lineTypes) }));
    return [...rows("+", diff.added), ...rows("-", diff.removed), ...rows("~", diff.changed)];
}
