// The plan's cost picture: this stack, the seed's reference sizing and the choices that change the
// bill, each re-sized by the capacity model and checked against every capacity row. Pure.
import type { StackConfig } from "../config";
import { capacityFor, capacityRows, layoutFor, nodeShapes, NODE_ARCHS, type Layout, type NodeShape, type Sizing } from "../capacity";
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

export interface CostPicture {
    table: Pick<PriceTable, "cloud" | "region" | "asOf">;
    stack: StackCost & { nodes: Sizing["nodes"]; keepsTarget: boolean };
    /** The seed's reference sizing: its node count and its bill with every other service the same. */
    reference: StackCost & { nodes: number; keepsTarget: boolean };
    choices: Choice[];
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

export function costPicture(cfg: StackConfig, sizing: Sizing, resources: Declared[], table: PriceTable): CostPicture {
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
    // AKS or GKE pool means a new pool (components/capacity.ts sizingFor).
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
            keepsTarget: capacityRows(sizing).every((r) => r.ok),
            usd: stackCost(cfg, sizing, without, table).total.desired,
        });
    }
    return {
        table: { cloud: table.cloud, region: table.region, asOf: table.asOf },
        stack: { ...stackCost(cfg, sizing, resources, table), nodes: sizing.nodes, keepsTarget: capacityRows(sizing).every((r) => r.ok) },
        reference: referenceCost(cfg, sizing, resources, table),
        choices,
    };
}
