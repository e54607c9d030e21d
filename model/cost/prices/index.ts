// The dated price tables kept in the repo: one region per cloud, the region its stack file ships.
import type { Cloud } from "../../stackConfig";
import type { PriceTable } from "../priceTable";
import { AWS_EU_WEST_1 } from "./aws";
import { AZURE_EASTUS2 } from "./azure";
import { GCP_EUROPE_WEST1 } from "./gcp";

export const PRICE_TABLES: readonly PriceTable[] = [AWS_EU_WEST_1, AZURE_EASTUS2, GCP_EUROPE_WEST1];

/** The table for a stack's cloud and region, or why there is none (the plan says so; nothing fails). */
export function priceTableFor(cloud: Cloud, region: string | undefined): PriceTable | string {
    if (cloud === "local") return "the dev stack runs on your own cluster: nothing to price";
    const tables = PRICE_TABLES.filter((t) => t.cloud === cloud);
    return (
        tables.find((t) => t.region === region) ??
        `no price table for ${cloud} region ${region ?? "(unset)"}: the repo prices ${tables.map((t) => t.region).join(", ")} (model/cost/prices/)`
    );
}
