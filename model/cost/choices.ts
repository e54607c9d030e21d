// The plan's cost picture: this stack, the seed's reference sizing and the choices that change the
// bill, each re-sized by the capacity model and checked against every capacity row. Pure.
import { NODE_ARCHS, type StackConfig } from "../stackConfig";
import { capacityFor, capacityRows, layoutFor, nodeShapes, type Layout, type NodeShape, type Sizing } from "../capacity";
import { EDGE_TYPES, referenceCost, stackCost, type Declared, type StackCost } from "./model";
import type { PriceTable } from "./priceTable";

export interface Choice {
    /** What to set (or that no key sets it). */
    choice: string;
    tradeOff: string;
    nodes: Sizing["nodes"];
    /** Every capacity row (steady state, each rollout step, the switch, a zone loss, data stores) ≥ target. */
    keepsTarget: boolean;
    usd: number;
}

/** A price (or commitment rate) read from a source older than the stack's `cost.maxPriceAgeDays`. */
export interface StalePrice {
    key: string;
    date: string;
    days: number;
}

export interface CostPicture {
    table: Pick<PriceTable, "cloud" | "region" | "asOf">;
    stack: StackCost & { nodes: Sizing["nodes"]; keepsTarget: boolean };
    /** The seed's reference sizing: its node count and its bill with every other service the same. */
    reference: StackCost & { nodes: number; keepsTarget: boolean };
    choices: Choice[];
    stale: StalePrice[];
}

const DAY_MS = 24 * 3600 * 1000;

/** The prices and commitment rates whose source date (or the table's asOf) is more than `maxAgeDays` before `today`. */
export function stalePrices(table: PriceTable, today: Date, maxAgeDays: number): StalePrice[] {
    const dated: [string, string][] = [
        ...Object.entries(table.prices).map(([key, p]): [string, string] => [key, p.sourceDate ?? table.asOf]),
        ...table.commitments.map((c): [string, string] => [`${c.term} ${c.name} (${c.appliesTo})`, c.sourceDate ?? table.asOf]),
    ];
    return dated.map(([key, date]) => ({ key, date, days: Math.floor((today.getTime() - Date.parse(date)) / DAY_MS) })).filter((p) => p.days > maxAgeDays);
}

const TRADE_OFFS: Record<Layout, string> = {
    single: "rolling only: no second colour to switch to",
    warm: "both colours at full size: instant rollback at any time",
    minimal: "idle colour at one pod per zone: a rollback after ~5 min first scales it up (minutes, not seconds)",
};

/** The config key that removes each cloud's edge protection, and the resource types it removes from the bill. */
const EDGE: Partial<Record<StackConfig["cloud"], { key: string; types: string[] }>> = {
    aws: { key: "aws.waf false", types: Object.values(EDGE_TYPES.aws) },
    azure: { key: "azure.waf false", types: Object.values(EDGE_TYPES.azure) },
    gcp: { key: "gcp.cloudArmor false", types: Object.values(EDGE_TYPES.gcp) },
};

export function costPicture(cfg: StackConfig, sizing: Sizing, resources: Declared[], table: PriceTable, today = new Date()): CostPicture {
    const stack = stackCost(cfg, sizing, resources, table);
    const keepsTarget = capacityRows(sizing).every((r) => r.ok);
    const layout = layoutFor(cfg.release);
    const shape = nodeShapes(cfg.cloud, cfg.nodeArch)[0];
    // The stack with its layout or node shape changed, re-sized by the model and priced.
    const alternative = (choice: string, tradeOff: string, change: { layout?: Layout; node?: NodeShape }): Choice => {
        const s = capacityFor(cfg.targetUsers, cfg.cloud, change.layout ?? layout, change.node ?? shape);
        return { choice, tradeOff, nodes: s.nodes, keepsTarget: capacityRows(s).every((r) => r.ok), usd: stackCost(cfg, s, resources, table).total.desired };
    };
    const choices: Choice[] = [];
    if (layout !== "single") {
        const other: Layout = layout === "warm" ? "minimal" : "warm";
        choices.push(alternative(`inactiveScale ${other === "warm" ? "full" : "minimal"}`, TRADE_OFFS[other], { layout: other }));
    }
    for (const arch of NODE_ARCHS.filter((a) => a !== cfg.nodeArch)) {
        const node = nodeShapes(cfg.cloud, arch)[0];
        if (!node) continue; // not offered on this cloud (config refuses it)
        choices.push(alternative(`nodeArch ${arch}`, arch === "arm64" ? "the app image must be multi-arch (linux/arm64)" : "x86 nodes: any image", { node }));
    }
    // Larger nodes keep a smaller share for the system; no key chooses them, since resizing a running
    // AKS or GKE pool means a new pool (model/capacity.ts sizingFor).
    for (const node of nodeShapes(cfg.cloud, cfg.nodeArch).slice(1))
        choices.push(
            alternative(`${node.vcpu}-vCPU nodes (${node.machineType}), no config key`, "a lost node takes more pods with it; a new node pool", { node }),
        );
    // The edge's managed rules bill per request; what turning them off saves, as the security trade-off it is.
    const edge = EDGE[cfg.cloud];
    if (edge && resources.some((r) => edge.types.includes(r.type))) {
        const without = resources.filter((r) => !edge.types.includes(r.type));
        choices.push({
            choice: edge.key,
            tradeOff: "no managed rules in front of the app: a security default given up (mandatory policy rule fails)",
            nodes: sizing.nodes,
            keepsTarget,
            usd: stackCost(cfg, sizing, without, table).total.desired,
        });
    }
    // Commitments cover what runs all the time (the nodes at the autoscaler's floor, the database and
    // Redis instances); the surge above the floor and every usage line stay on demand.
    for (const term of ["1 year", "3 years"] as const) {
        const rates = table.commitments.filter((c) => c.term === term);
        if (!rates.length) continue;
        const saving = rates.reduce((sum, c) => sum + c.discount * stack.committable[c.appliesTo], 0);
        choices.push({
            choice: `${term} commitment: ${rates.map((c) => `${c.name} (${c.appliesTo}, −${Math.round(c.discount * 100)}%)`).join("; ")}`,
            tradeOff: `paid for ${term} whether used or not: ${rates.map((c) => (c.appliesTo === "nodes" ? `${sizing.nodes.min} nodes` : c.appliesTo)).join(", ")}; a resize or a new class needs an exchange`,
            nodes: sizing.nodes,
            keepsTarget,
            usd: stack.total.desired - saving,
        });
    }
    return {
        table: { cloud: table.cloud, region: table.region, asOf: table.asOf },
        stack: { ...stack, nodes: sizing.nodes, keepsTarget },
        reference: referenceCost(cfg, sizing, resources, table),
        choices,
        stale: stalePrices(table, today, cfg.costPolicy.maxPriceAgeDays),
    };
}
