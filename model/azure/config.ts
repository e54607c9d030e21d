// Project keys `azure.<name>` (Pulumi.yaml declares each with its default). Values arrive as strings.
// Pure: no Pulumi import.
import { z } from "zod";
import { boolean, privateCidr, cidrList, cidrsOverlap, integer, oneOf } from "../configValues";
import { AKS_POD_CIDR, AKS_SERVICE_CIDR } from "./addressing";

const guidList = z
    .string({ error: "is required: the Entra group object IDs (lower-case GUIDs) whose members may run pulumi up and kubectl as cluster-admin" })
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(,[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})*$/, {
        error: "must be a comma-separated list of Entra object IDs (lower-case GUIDs)",
    })
    .transform((s) => s.split(","));

/**
 * ALB Controller Helm chart versions that exist and implement Gateway API v1.5.1 or later, from the
 * release notes' tables (checked 2026-12-07; 1.12.x and 1.13.0 need Kubernetes 1.32+, AKS here is 1.35+):
 * https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes
 */
export const ALB_CONTROLLER_VERSIONS = ["1.11.1", "1.11.3", "1.12.1", "1.12.2", "1.12.4", "1.13.0"] as const;

/** stable and rapid move the minor too: once AKS has, the configured one would be a downgrade it refuses, so the channel owns the version after creation. */
export const channelOwnsMinor = (upgradeChannel: string): boolean => upgradeChannel === "stable" || upgradeChannel === "rapid";

// AKS minor versions GA in 2026-11: 1.35 (EOL Mar 2027), 1.36 (EOL Jun 2027), 1.37 (EOL Oct 2027).
// https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar
export const AKS_VERSIONS = ["1.35", "1.36", "1.37"] as const;

export const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
// How clients reach the AKS API server: its public endpoint behind apiServerAuthorizedIpRanges, or a
// private cluster (no public endpoint; reached from inside the VNet, docs/delivery.md). Authorized IP
// ranges cannot be used with private clusters. https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
export const API_ACCESS = ["allowList", "private"] as const;
const AUTHORIZED_RANGES = "the CIDRs (operators, CI runners) allowed to reach the AKS API server";

export const azureSchema = z
    .object({
        kubernetesVersion: z.string().regex(new RegExp(`^(${AKS_VERSIONS.map((v) => v.replace(".", "\\.")).join("|")})(\\.\\d+)?$`), {
            error: "must be a Kubernetes minor AKS supports, 1.35 to 1.37, as major.minor (e.g. 1.36) or major.minor.patch",
        }),
        // `patch` keeps the configured minor and applies its patches; minors move only by config.
        upgradeChannel: z.enum(["patch", "stable", "rapid", "node-image"], { error: "must be one of patch, stable, rapid, node-image" }),
        nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch"], { error: "must be NodeImage or SecurityPatch" }),
        maintenanceDay: z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(", ")}` }),
        maintenanceStartHourUtc: integer(0, 23),
        apiAccess: oneOf(API_ACCESS),
        // Required with allowList: unset, AKS serves its API to the whole internet (Entra ID still authenticates).
        apiServerAuthorizedIpRanges: cidrList(AUTHORIZED_RANGES).optional(),
        // Required: the Entra groups given cluster-admin (aadProfile and an Azure RBAC grant); whoever applies
        // Kubernetes objects (operators, the CI identity) must be a member, since local accounts are off.
        adminGroupObjectIds: guidList,
        kubeloginMode: z.enum(["azurecli", "workloadidentity", "spn", "msi", "azd"], {
            error: "must be one of azurecli, workloadidentity, spn, msi, azd (kubelogin --login modes)",
        }),
        vnetCidr: privateCidr(16, 16, "10.40.0.0/16").refine((v) => !cidrsOverlap(v, AKS_POD_CIDR) && !cidrsOverlap(v, AKS_SERVICE_CIDR), {
            error: `must not overlap the AKS overlay pod range ${AKS_POD_CIDR} or service range ${AKS_SERVICE_CIDR}`,
        }),
        // kubernetes.io/tls Secret in the app namespace (yours, or cert-manager's) for the HTTPS listener of `domain`.
        tlsSecretName: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a Kubernetes Secret name, e.g. app-tls" })
            .optional(),
        // Azure WAF (Default Rule Set 2.1 + Bot Manager 1.1, prevention mode) on the AGC frontend (components/azure/waf.ts).
        waf: boolean,
        albControllerVersion: oneOf(ALB_CONTROLLER_VERSIONS),
        logRetentionDays: integer(30, 730),
        // Azure standard support: 16 to Nov 2028, 17 to Nov 2029, 18 to Nov 2030.
        // https://learn.microsoft.com/azure/postgresql/configure-maintain/concepts-version-policy
        postgresVersion: z.enum(["16", "17", "18"], { error: "must be 16, 17 or 18" }),
        postgresHaMode: z.enum(["ZoneRedundant", "SameZone", "Disabled"], { error: "must be ZoneRedundant, SameZone or Disabled" }),
        postgresBackupRetentionDays: integer(7, 35),
        postgresGeoRedundantBackup: boolean,
        redisHighAvailability: boolean,
        resourceLocks: boolean,
    })
    .strict()
    // A version channel moves the patch itself; a pinned patch would then ask AKS for a downgrade,
    // which it refuses, and every later `pulumi up` would fail.
    .superRefine((c, ctx) => {
        if (c.apiAccess === "allowList" && !c.apiServerAuthorizedIpRanges)
            ctx.addIssue({ code: "custom", path: ["apiServerAuthorizedIpRanges"], message: `is required with apiAccess allowList: ${AUTHORIZED_RANGES}` });
        if (c.apiAccess === "private" && c.apiServerAuthorizedIpRanges)
            ctx.addIssue({
                code: "custom",
                path: ["apiServerAuthorizedIpRanges"],
                message: "must be unset with apiAccess private: AKS takes no authorized IP ranges on a private cluster (its API has no public endpoint)",
            });
        if (/^\d+\.\d+\.\d+$/.test(c.kubernetesVersion) && c.upgradeChannel !== "node-image")
            ctx.addIssue({
                code: "custom",
                path: ["kubernetesVersion"],
                message: `must be major.minor (e.g. ${c.kubernetesVersion.split(".").slice(0, 2).join(".")}) with upgrade channel ${c.upgradeChannel}, which picks the patch`,
            });
    });
