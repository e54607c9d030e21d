// The shape of a dated price table: list prices (on-demand, pay-as-you-go, USD) of one cloud region,
// each with the page it was read from. Pure data; model/cost/model.ts prices a stack with it.
import type { Cloud } from "../stackConfig";

export type PriceUnit =
    /** per resource-hour (an instance, a node, a gateway, an IP) */
    | "hour"
    /** per resource-month */
    | "month"
    /** per GiB stored for a month */
    | "GiB-month"
    /** per GiB processed or ingested */
    | "GiB"
    /** per vCPU-hour (Cloud SQL) */
    | "vCPU-hour"
    /** per GiB of memory or capacity per hour (Cloud SQL memory, Memorystore capacity) */
    | "GiB-hour"
    /** per load balancer capacity unit-hour (ALB LCU, AGC capacity unit) */
    | "capacity-unit-hour"
    /** per million requests */
    | "million-requests"
    /** per million metric samples (CloudWatch calls them observations) */
    | "million-samples";

export interface Price {
    usd: number;
    unit: PriceUnit;
    /** The page (or price API) the number was read from. */
    source: string;
    /** What the price includes or assumes, where that is not obvious (e.g. "both nodes of an HA pair"). */
    note?: string;
    /** The date of the copy the number was read from, where it is older than the table's asOf (YYYY-MM-DD). */
    sourceDate?: string;
    /**
     * A graduated price (internet egress): [GiB up to which the rate applies, USD per unit] per band,
     * the last band's bound Infinity; `usd` is then the first paid band's rate.
     */
    tiers?: [number, number][];
}

/** The part of the stack a commitment discounts: the nodes at the autoscaler's floor, the database, Redis. */
export type Committable = "nodes" | "database" | "redis";

/** A 1- or 3-year commitment's published discount on one part of the bill, against the on-demand price. */
export interface Commitment {
    term: "1 year" | "3 years";
    /** What is bought, e.g. "EC2 Standard Reserved Instances, no upfront". */
    name: string;
    appliesTo: Committable;
    /** Fraction off the on-demand price (0.338 = 33.8 % less). */
    discount: number;
    source: string;
    note?: string;
    sourceDate?: string;
}

export interface PriceTable {
    cloud: Exclude<Cloud, "local">;
    region: string;
    currency: "USD";
    /** The date the prices were read (YYYY-MM-DD): list prices change, so every figure says when. */
    asOf: string;
    prices: Record<string, Price>;
    commitments: Commitment[];
}
