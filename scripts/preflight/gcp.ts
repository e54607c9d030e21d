// GCP: the plan's needs against the project's read-only REST APIs, called through google-auth-library's
// authenticated client (Application Default Credentials). Every call is a GET, or testIamPermissions,
// which reads. API references:
//   compute regions.get (quotas with limit and usage):       https://cloud.google.com/compute/docs/reference/rest/v1/regions/get
//   compute machineTypes.get per zone:                        https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes/get
//   GKE projects.locations.getServerConfig (channels):        https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations/getServerConfig
//   Cloud SQL tiers.list (tier names and regions):            https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/tiers/list
//   Service Usage services.list, filter state:ENABLED:        https://cloud.google.com/service-usage/docs/reference/rest/v1/services/list
//   Resource Manager projects.testIamPermissions:             https://cloud.google.com/resource-manager/reference/rest/v1/projects/testIamPermissions
import type { AuthClient } from "google-auth-library";
import { PRE_ENABLED_APIS } from "../../components/gcp/prerequisites";
import { gcpServices, vcpuNeed, type Needs } from "./needs";
import { attempt, closingRows, enabled, offeredInZones, orderable, permissions, quota, unknown, versionSupported, type Row } from "./judge";

export const GCP_ENDPOINTS = {
    compute: "https://compute.googleapis.com/compute/v1",
    container: "https://container.googleapis.com/v1",
    sqladmin: "https://sqladmin.googleapis.com/v1",
    serviceusage: "https://serviceusage.googleapis.com/v1",
    resourcemanager: "https://cloudresourcemanager.googleapis.com/v1",
};
export type GcpEndpoints = typeof GCP_ENDPOINTS;

interface Quota {
    metric: string;
    limit: number;
    usage: number;
}

// Per-family CPU quotas besides the regional CPUS one (https://cloud.google.com/compute/resource-usage#cpu_quota):
// N1 and E2 count only toward CPUS.
const FAMILY_CPU_QUOTA = /^(n2|n2d|n4|c2|c2d|c3|c3d|c4|m1|m2|m3|t2d|t2a|a2|a3|g2)$/;

const quotaFix = (project: string, region: string, metric: string) => (n: number) =>
    `request ${metric} in ${region} to at least ${n}: https://console.cloud.google.com/iam-admin/quotas?project=${project}`;

export async function gcpChecks(
    auth: Pick<AuthClient, "request">,
    { needs, egress, endpoints = GCP_ENDPOINTS }: { needs: Needs; egress: { ip?: string; error?: string }; endpoints?: GcpEndpoints },
): Promise<Row[]> {
    const project = needs.project ?? "";
    const region = needs.region;
    const get = async <T>(url: string): Promise<T> => (await auth.request<T>({ url })).data;
    const rows: Row[] = [];
    if (!project) return [unknown("project", "gcp:project is unset", "pulumi config set gcp:project <your project id>")];

    // Region first: its quotas, and its zones when the stack names none (the stack picks the first three standard ones).
    let zones = needs.zones ?? [];
    let quotas: Quota[] | undefined;
    const regionFix = `check the project can read compute.regions.get in ${region}`;
    rows.push(
        ...(await attempt("zones: the stack's zones", regionFix, async () => {
            const r = await get<{ quotas?: Quota[]; zones?: string[] }>(`${endpoints.compute}/projects/${project}/regions/${region}`);
            quotas = r.quotas ?? [];
            if (!needs.zones)
                zones = (r.zones ?? [])
                    .map((z) => z.split("/").pop()!)
                    .filter((z) => new RegExp(`^${region}-[a-z]$`).test(z))
                    .sort()
                    .slice(0, needs.zoneCount);
            return zones.length >= needs.zoneCount
                ? { check: "zones: the stack's zones", status: "ok", detail: zones.join(", ") }
                : unknown(
                      "zones: the stack's zones",
                      `${region} lists ${zones.length} standard zones; the stack needs ${needs.zoneCount}`,
                      "pick another region",
                  );
        })),
    );

    const vcpu = vcpuNeed(needs.pools);
    const nodes = needs.pools.reduce((a, p) => a + p.max, 0) + 1;
    const family = needs.pools[0].size.split("-")[0];
    const wanted: [string, number, string][] = [
        ["CPUS", vcpu, "vCPUs (node pool at its autoscaler maximum, one surging)"],
        ...(FAMILY_CPU_QUOTA.test(family) ? [[`${family.toUpperCase()}_CPUS`, vcpu, `${family} vCPUs`] as [string, number, string]] : []),
        ["IN_USE_ADDRESSES", needs.publicAddresses, "external addresses (Cloud NAT)"],
        // pd-balanced boot disks count toward SSD_TOTAL_GB (https://cloud.google.com/compute/resource-usage#disk_quota).
        ["SSD_TOTAL_GB", nodes * (needs.nodeDiskGb ?? 0), `GB of node boot disks (${nodes} × ${needs.nodeDiskGb} GB pd-balanced)`],
    ];
    for (const [metric, need, unit] of wanted) {
        const check = `quota: ${metric} in ${region}`;
        if (!quotas) {
            rows.push(unknown(check, "the region could not be read", regionFix));
            continue;
        }
        const q = quotas.find((x) => x.metric === metric);
        rows.push(quota({ check, need, limit: q?.limit, used: q?.usage, unit, increase: quotaFix(project, region, metric) }));
    }

    for (const size of [...new Set(needs.pools.map((p) => p.size))]) {
        const check = `size: ${size} offered in each zone`;
        rows.push(
            ...(await attempt(check, "pick zones that offer it (gcp.zones)", async () => {
                const offered = new Set<string>();
                for (const z of zones) {
                    try {
                        await get(`${endpoints.compute}/projects/${project}/zones/${z}/machineTypes/${size}`);
                        offered.add(z);
                    } catch (e) {
                        // 404: the zone has no such machine type; anything else is a failed call.
                        if ((e as { status?: number }).status !== 404) throw e;
                    }
                }
                return offeredInZones(check, size, zones, offered, "pulumi config set --path gcp.zones <three zones of the region that offer it>");
            })),
        );
    }

    const channel = needs.kubernetes.channel ?? "";
    rows.push(
        ...(await attempt("version: GKE release channel", "check https://cloud.google.com/kubernetes-engine/docs/release-notes", async () => {
            const cfg = await get<{ channels?: { channel: string; defaultVersion?: string }[] }>(
                `${endpoints.container}/projects/${project}/locations/${region}/serverConfig`,
            );
            const offered = (cfg.channels ?? []).filter((c) => c.defaultVersion).map((c) => c.channel);
            return versionSupported("version: GKE release channel", channel, offered, "gcp.releaseChannel");
        })),
    );

    const db = needs.database;
    const dbCheck = `database: Cloud SQL ${db.version} on ${db.size}, ${db.ha}`;
    rows.push(
        ...(await attempt(dbCheck, "check the Cloud SQL console for the region", async () => {
            const tiers = await get<{ items?: { tier: string; region?: string[] }[] }>(`${endpoints.sqladmin}/projects/${project}/tiers`);
            const tier = (tiers.items ?? []).find((t) => t.tier === db.size);
            return orderable(dbCheck, `tier ${db.size} in ${region}`, !!tier?.region?.includes(region), `pick a region where Cloud SQL offers ${db.size}`);
        })),
    );

    // The stack enables the APIs it uses (gcp:projects/service); those it cannot enable must be on already.
    const services = [...new Set([...PRE_ENABLED_APIS, ...gcpServices(needs.actions)])].filter((s) => !needs.enablesApis?.includes(s)).sort();
    rows.push(
        ...(await attempt("APIs: enabled in the project", "grant serviceusage.services.list", async () => {
            const on = new Set<string>();
            let pageToken = "";
            do {
                const r = await get<{ services?: { config?: { name?: string } }[]; nextPageToken?: string }>(
                    `${endpoints.serviceusage}/projects/${project}/services?filter=state:ENABLED&pageSize=200${pageToken ? `&pageToken=${pageToken}` : ""}`,
                );
                for (const s of r.services ?? []) if (s.config?.name) on.add(s.config.name);
                pageToken = r.nextPageToken ?? "";
            } while (pageToken);
            return enabled("APIs: enabled in the project", services, on, (off) => `gcloud services enable ${off.join(" ")} --project ${project}`);
        })),
    );

    rows.push(
        ...(await attempt("permissions: the caller's IAM on the project", "grant resourcemanager.projects.get", async () => {
            const r = (
                await auth.request<{ permissions?: string[] }>({
                    url: `${endpoints.resourcemanager}/projects/${project}:testIamPermissions`,
                    method: "POST",
                    data: { permissions: needs.actions },
                })
            ).data;
            const granted = new Set(r.permissions ?? []);
            const missing = needs.actions.filter((p) => !granted.has(p));
            return permissions(
                "permissions: the caller's IAM on the project",
                "the caller",
                needs.actions,
                missing,
                `grant a role holding ${missing.join(", ")} on project ${project} (https://cloud.google.com/iam/docs/permissions-reference)`,
            );
        })),
    );
    rows.push(...closingRows(needs, egress, "GKE", "VPC"));
    return rows;
}
