// Google Cloud regions and their standard zones, from Compute Engine's "Available regions and zones" table
// (https://cloud.google.com/compute/docs/regions-zones, read 2026-12-07). AI zones (e.g. us-west4-ai2b) are
// not standard zones and never picked by this stack. Pure.
// What only Google Cloud can say: whether the project may use a region, and which zones offer the node
// machine type, Cloud SQL's tier and Memorystore: `npm run preflight` asks Compute, Cloud SQL and Memorystore.

const abc = ["a", "b", "c"];

/** Region → its standard zones' letters. */
const ZONE_LETTERS: Record<string, string[]> = {
    "africa-south1": abc,
    "asia-east1": abc,
    "asia-east2": abc,
    "asia-northeast1": abc,
    "asia-northeast2": abc,
    "asia-northeast3": abc,
    "asia-south1": abc,
    "asia-south2": abc,
    "asia-southeast1": abc,
    "asia-southeast2": abc,
    "asia-southeast3": abc,
    "australia-southeast1": abc,
    "australia-southeast2": abc,
    "europe-central2": abc,
    "europe-north1": abc,
    "europe-north2": abc,
    "europe-southwest1": abc,
    "europe-west1": ["b", "c", "d"],
    "europe-west2": abc,
    "europe-west3": abc,
    "europe-west4": abc,
    "europe-west6": abc,
    "europe-west8": abc,
    "europe-west9": abc,
    "europe-west10": abc,
    "europe-west12": abc,
    "me-central1": abc,
    "me-central2": abc,
    "me-west1": abc,
    "northamerica-northeast1": abc,
    "northamerica-northeast2": abc,
    "northamerica-south1": abc,
    "southamerica-east1": abc,
    "southamerica-west1": abc,
    "us-central1": ["a", "b", "c", "f"],
    "us-east1": ["b", "c", "d"],
    "us-east4": abc,
    "us-east5": abc,
    "us-south1": abc,
    "us-west1": abc,
    "us-west2": abc,
    "us-west3": abc,
    "us-west4": abc,
};

export const GCP_REGIONS = Object.keys(ZONE_LETTERS);

/** The region's standard zones, or undefined for a region not in the list. */
export const gcpZonesOf = (region: string): string[] | undefined => ZONE_LETTERS[region]?.map((z) => `${region}-${z}`);
