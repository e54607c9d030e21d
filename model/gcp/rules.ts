// gcp's rules across keys: what the schema of `gcp.*` alone cannot see.
import type { CloudRules, ConfigIssue, GcpConfig } from "../stackConfig";

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
        if (raw["gcp:project"] === undefined) issues.push({ key: "gcp:project", message: "is required for cloud gcp (your GCP project id)" });
        const zones = settings?.zones;
        if (zones && region && zones.some((z) => !z.startsWith(`${region}-`)))
            issues.push({ key: "gcp.zones", value: zones.join(","), message: `must be zones of gcp:region ${region}, e.g. ${region}-b` });
        return issues;
    },
};
