// The shape of a dated price table: list prices (on-demand, pay-as-you-go, USD) of one cloud region,
// each with the page it was read from. Pure data; components/cost/model.ts prices a stack with it.
import type { Cloud } from "../config";

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
    | "million-requests";

export interface Price {
    usd: number;
    unit: PriceUnit;
    /** The page (or price API) the number was read from. */
    source: string;
    /** What the price includes or assumes, where that is not obvious (e.g. "both nodes of an HA pair"). */
    note?: string;
}

export interface PriceTable {
    cloud: Exclude<Cloud, "local">;
    region: string;
    currency: "USD";
    /** The date the prices were read (YYYY-MM-DD): list prices change, so every figure says when. */
    asOf: string;
    prices: Record<string, Price>;
}
