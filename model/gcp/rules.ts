// gcp's rules across keys: what the schema of `gcp.*` alone cannot see.
import type { CloudRules, ConfigIssue, GcpConfig } from "../stackConfig";
import { GCP_REGIONS, gcpZonesOf } from "./regions";

const REGIONS_LIST = "Compute Engine's regions and zones (https://cloud.google.com/compute/docs/regions-zones, read 2026-12-07; model/gcp/regions.ts)";

export const gcpRules: CloudRules<GcpConfig> = {
    region: { key: "gcp:region", pattern: /^[a-z]+-[a-z]+\d+$/, example: "europe-west1" },
    check({ raw, region, nodeArch, settings }) {
        const issues: ConfigIssue[] = [];
        if (nodeArch === "arm64")
            issues.push({
                key: "nodeArch",
                value: "arm64",
                message:
                    "is amd64 on gcp: GKE taints Arm nodes and this project does not tolerate them yet; arm64 is offered on aws (Graviton) and azure (Ampere)",
            });
        const project = raw["gcp:project"];
        if (project === undefined) issues.push({ key: "gcp:project", message: "is required for cloud gcp (your GCP project id)" });
        // https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
        else if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(project))
            issues.push({
                key: "gcp:project",
                value: project,
                message: "must be a GCP project id: 6 to 30 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen",
            });
        const regionZones = region && gcpZonesOf(region);
        if (region && !regionZones)
            issues.push({
                key: "gcp:region",
                value: region,
                message: `is not a region in ${REGIONS_LIST}; use one of ${GCP_REGIONS.join(", ")} (a region opened since: add it there)`,
            });
        const zones = settings?.zones;
        if (zones && region && zones.some((z) => !z.startsWith(`${region}-`)))
            issues.push({ key: "gcp.zones", value: zones.join(","), message: `must be zones of gcp:region ${region}, e.g. ${region}-b` });
        else if (zones && regionZones && zones.some((z) => !regionZones.includes(z)))
            issues.push({
                key: "gcp.zones",
                value: zones.join(","),
                message: `must be zones ${region} has: ${regionZones.join(", ")} (${REGIONS_LIST}); it has no ${zones.filter((z) => !regionZones.includes(z)).join(", ")}`,
            });
        return issues;
    },
};
