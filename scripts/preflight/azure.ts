// Azure: the plan's needs against the subscription's read-only Resource Manager APIs (GET only), with a
// token from @azure/identity (DefaultAzureCredential: az login, a service principal, workload identity).
// API references (api-version in each path):
//   Compute usages (regional and per-family vCPUs):  https://learn.microsoft.com/rest/api/compute/usage/list
//   Network usages (Standard public IPs):            https://learn.microsoft.com/rest/api/virtualnetwork/network-usages/list
//   Resource SKUs (sizes, zones, restrictions):      https://learn.microsoft.com/rest/api/compute/resource-skus/list
//   AKS Kubernetes versions by location:             https://learn.microsoft.com/rest/api/aks/managed-clusters/list-kubernetes-versions
//   PostgreSQL flexible server capabilities:         https://learn.microsoft.com/rest/api/postgresql/flexibleserver/location-based-capabilities/execute
//   Resource providers (registrationState):          https://learn.microsoft.com/rest/api/resources/providers/list
//   A provider's resource types and locations:       https://learn.microsoft.com/rest/api/resources/providers/get
//   Permissions of the caller at a scope:            https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group
import type { TokenCredential } from "@azure/core-auth";
import { azureProviders, vcpuNeed, type Needs } from "./needs";
import { aksDeployed, deployedVersionCheck } from "./deployedVersion";
import { attempt, closingRows, enabled, offeredInZones, orderable, permissions, quota, serviceOffered, unknown, versionSupported, type Row } from "./judge";

export const ARM = "https://management.azure.com";

interface Usage {
    name: { value: string; localizedValue?: string };
    currentValue: number;
    limit: number;
}
interface Sku {
    resourceType: string;
    name: string;
    family?: string;
    locationInfo?: { location: string; zones?: string[] }[];
    restrictions?: { type: "Location" | "Zone"; reasonCode?: string; restrictionInfo?: { locations?: string[]; zones?: string[] } }[];
}

/** An action pattern of a role definition (`*` wildcards, case-insensitive) matching an operation. */
const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);

/** Operations not granted by any permission entry (an entry grants an action it matches unless its notActions match too). */
export function deniedActions(entries: { actions?: string[]; notActions?: string[] }[], actions: readonly string[]): string[] {
    return actions.filter((a) => !entries.some((e) => (e.actions ?? []).some((p) => matches(p, a)) && !(e.notActions ?? []).some((p) => matches(p, a))));
}

/** Reads of the Resource Manager API, each with a token from the credential. */
interface Arm {
    /** One document: a path under the endpoint, or a whole URL (a nextLink). */
    get<T>(path: string): Promise<T>;
    /** Every page of a `value` list (nextLink). */
    list<T>(path: string): Promise<T[]>;
}

function armReader(credential: TokenCredential, endpoint: string): Arm {
    const get = async <T>(path: string): Promise<T> => {
        const token = await credential.getToken(`${ARM}/.default`);
        if (!token) throw new Error("no token from the Azure credential");
        const res = await fetch(path.startsWith("http") ? path : `${endpoint}${path}`, {
            headers: { authorization: `Bearer ${token.token}` },
            signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } };
        if (!res.ok) throw new Error(`${res.status} ${body.error?.code ?? ""} ${body.error?.message ?? ""}`.trim());
        return body;
    };
    const list = async <T>(path: string): Promise<T[]> => {
        const out: T[] = [];
        let next: string | undefined = path;
        while (next) {
            const page: { value?: T[]; nextLink?: string } = await get(next);
            out.push(...(page.value ?? []));
            next = page.nextLink;
        }
        return out;
    };
    return { get, list };
}

/** What every check reads: the API, the plan's needs and the subscription's path (`/subscriptions/<id>`). */
interface AzureContext {
    arm: Arm;
    needs: Needs;
    sub: string;
}

const quotaFix = (location: string, what: string) => (n: number) =>
    `request ${what} in ${location} to at least ${n}: https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade (or az quota update)`;

/** Each node size offered (not restricted) in every zone; with each size's quota family, from the same SKU list. */
async function sizeChecks({ arm, needs, sub }: AzureContext): Promise<{ rows: Row[]; families: Map<string, string> }> {
    const location = needs.region;
    const families = new Map<string, string>();
    const rows: Row[] = [];
    for (const size of [...new Set(needs.pools.map((p) => p.size))]) {
        const check = `size: ${size} offered in each zone`;
        rows.push(
            ...(await attempt(check, "pick another location (azure-native:location)", async () => {
                const skus = await arm.list<Sku>(
                    `${sub}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=${encodeURIComponent(`location eq '${location}'`)}`,
                );
                const sku = skus.find((s) => s.resourceType === "virtualMachines" && s.name === size);
                if (sku?.family) families.set(size, sku.family);
                const listed = new Set(sku?.locationInfo?.find((l) => l.location.toLowerCase() === location)?.zones ?? []);
                for (const r of sku?.restrictions ?? []) {
                    if (r.type === "Location") listed.clear();
                    for (const z of r.type === "Zone" ? (r.restrictionInfo?.zones ?? []) : []) listed.delete(z);
                }
                return offeredInZones(
                    check,
                    size,
                    needs.zones ?? [],
                    listed,
                    `pick another location or size: ${size} is restricted or absent there for this subscription`,
                );
            })),
        );
    }
    return { rows, families };
}

/** The regional vCPU quota and each size's family quota (`families`: size → quota family, from the size checks). */
async function vcpuQuotaChecks({ arm, needs, sub }: AzureContext, families: ReadonlyMap<string, string>): Promise<Row[]> {
    const location = needs.region;
    const vcpu = vcpuNeed(needs.pools);
    return attempt(`quota: vCPUs in ${location}`, "grant Microsoft.Compute/locations/usages/read", async () => {
        const usages = await arm.list<Usage>(`${sub}/providers/Microsoft.Compute/locations/${location}/usages?api-version=2024-07-01`);
        const find = (n: string) => usages.find((u) => u.name.value.toLowerCase() === n.toLowerCase());
        const cores = find("cores");
        const out = [
            quota({
                check: `quota: Total Regional vCPUs (cores) in ${location}`,
                need: vcpu,
                limit: cores?.limit,
                used: cores?.currentValue,
                unit: "vCPUs (node pools at their autoscaler maxima, one surging)",
                increase: quotaFix(location, "Total Regional vCPUs"),
            }),
        ];
        for (const [size, family] of families) {
            const f = find(family);
            const need = vcpuNeed(needs.pools.filter((p) => p.size === size));
            out.push(
                quota({
                    check: `quota: ${family} vCPUs in ${location}`,
                    need,
                    limit: f?.limit,
                    used: f?.currentValue,
                    unit: `${size} vCPUs`,
                    increase: quotaFix(location, family),
                }),
            );
        }
        if (families.size === 0)
            out.push(unknown(`quota: family vCPUs in ${location}`, "the size's quota family is unknown (its SKU was not found)", "see the size row"));
        return out;
    });
}

/** The Standard public IP quota, for the NAT gateway's address. */
async function publicIpQuotaCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const location = needs.region;
    return attempt(`quota: Standard public IPs in ${location}`, "grant Microsoft.Network/locations/usages/read", async () => {
        const usages = await arm.list<Usage>(`${sub}/providers/Microsoft.Network/locations/${location}/usages?api-version=2024-05-01`);
        const ips = usages.find((u) => u.name.value === "StandardSkuPublicIpAddresses");
        return quota({
            check: `quota: Standard public IPs (StandardSkuPublicIpAddresses) in ${location}`,
            need: needs.publicAddresses,
            limit: ips?.limit,
            used: ips?.currentValue,
            unit: "public IP (the NAT gateway's)",
            increase: quotaFix(location, "Public IP Addresses - Standard"),
        });
    });
}

/**
 * The stack's Kubernetes minor among the AKS versions of the location (previews left out). Its add-ons
 * (omsagent for Container Insights, azurepolicy) and security profile features need no further check:
 * no read-only API lists their availability per version. ListKubernetesVersions gives each minor's
 * capabilities (support plans) only, and AKS's one version-dependent add-on catalogue,
 * ListMeshRevisionProfiles (the Istio add-on's revisions and the minors each supports), is for a mesh
 * the stack does not enable.
 */
async function versionCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const k8s = needs.kubernetes.version ?? "";
    const minor = k8s.split(".").slice(0, 2).join(".");
    return attempt("version: AKS Kubernetes minor", "check https://learn.microsoft.com/azure/aks/supported-kubernetes-versions", async () => {
        const r = await arm.get<{ values?: { version: string; isPreview?: boolean }[] }>(
            `${sub}/providers/Microsoft.ContainerService/locations/${needs.region}/kubernetesVersions?api-version=2024-09-01`,
        );
        const supported = (r.values ?? []).filter((v) => !v.isPreview).map((v) => v.version);
        return versionSupported("version: AKS Kubernetes minor", minor, supported, "azure.kubernetesVersion");
    });
}

/** The flexible server's version, SKU and HA mode among the location's capabilities. */
async function databaseCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const db = needs.database;
    const dbCheck = `database: PostgreSQL flexible server ${db.version} on ${db.size}, HA ${db.ha}`;
    return attempt(dbCheck, "check the portal's create page for the location", async () => {
        const caps = await arm.list<{
            supportedServerVersions?: { name: string }[];
            supportedServerEditions?: { name: string; supportedServerSkus?: { name: string; supportedHaMode?: string[] }[] }[];
        }>(`${sub}/providers/Microsoft.DBforPostgreSQL/locations/${needs.region}/capabilities?api-version=2024-08-01`);
        const versions = caps.flatMap((c) => c.supportedServerVersions ?? []).map((v) => v.name);
        const skus = caps.flatMap((c) => c.supportedServerEditions ?? []).flatMap((e) => e.supportedServerSkus ?? []);
        const sku = skus.find((s) => s.name.toLowerCase() === db.size.toLowerCase());
        const haOk = db.ha === "Disabled" || !!sku?.supportedHaMode?.includes(db.ha);
        const versionOk = versions.includes(db.version);
        const problems = [!versionOk ? `version ${db.version}` : "", !sku ? db.size : !haOk ? `${db.size} with HA ${db.ha}` : ""].filter(Boolean);
        return orderable(
            dbCheck,
            problems.length ? problems.join(" and ") : `${db.version} on ${db.size} with HA ${db.ha}`,
            versionOk && !!sku && haOk,
            !versionOk
                ? `pulumi config set --path azure.postgresVersion <one of ${versions.join(", ")}>`
                : `pick another location, or pulumi config set --path azure.postgresHaMode SameZone (loses zone redundancy)`,
        );
    });
}

/**
 * Azure Managed Redis (Microsoft.Cache/redisEnterprise) offered in the location, from the provider's
 * resource types (Providers - Get: each type's locations, as display names). No read-only API lists its
 * SKUs per location before a cluster exists (List SKUs for Scaling needs one; the Resource SKUs API is
 * Compute's), and a size's regional capacity shows only at create
 * (https://learn.microsoft.com/azure/redis/troubleshoot-insufficient-capacity): the row says so.
 */
async function cacheCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const location = needs.region;
    const check = `cache: Azure Managed Redis ${needs.cache.size} in ${location}`;
    return attempt(check, "grant Microsoft.Resources/subscriptions/providers/read", async () => {
        const provider = await arm.get<{ resourceTypes?: { resourceType: string; locations?: string[] }[] }>(
            `${sub}/providers/Microsoft.Cache?api-version=2021-04-01`,
        );
        const type = provider.resourceTypes?.find((t) => t.resourceType.toLowerCase() === "redisenterprise");
        const offered = (type?.locations ?? []).some((l) => l.replace(/\s+/g, "").toLowerCase() === location.toLowerCase());
        return serviceOffered(
            check,
            "Azure Managed Redis (Microsoft.Cache/redisEnterprise)",
            location,
            offered,
            `no API lists its sizes per location, so ${needs.cache.size}'s capacity shows only at create`,
            "pick a location that offers Azure Managed Redis (azure-native:location): https://azure.microsoft.com/explore/global-infrastructure/products-by-region/",
        );
    });
}

/** The resource providers the plan's resources belong to, registered in the subscription. */
async function providersCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const providers = azureProviders(needs.actions);
    return attempt("providers: registered in the subscription", "grant Microsoft.Resources/subscriptions/providers/read", async () => {
        const all = await arm.list<{ namespace: string; registrationState?: string }>(`${sub}/providers?api-version=2021-04-01`);
        const on = new Set(all.filter((p) => p.registrationState === "Registered").map((p) => p.namespace));
        return enabled("providers: registered in the subscription", providers, on, (off) => off.map((p) => `az provider register --namespace ${p}`).join("; "));
    });
}

/** The caller's permissions on the subscription (its roles' actions and notActions) for every action the plan needs. */
async function permissionsCheck({ arm, needs, sub }: AzureContext): Promise<Row[]> {
    const check = "permissions: the caller's roles on the subscription";
    return attempt(check, "grant Microsoft.Authorization/permissions/read (any role has it)", async () => {
        const entries = await arm.list<{ actions?: string[]; notActions?: string[] }>(
            `${sub}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
        );
        const missing = deniedActions(entries, needs.actions);
        return permissions(
            check,
            "the caller",
            needs.actions,
            missing,
            `assign a role holding ${missing.join(", ")} (Owner, or Contributor plus User Access Administrator for role assignments and locks)`,
        );
    });
}

/** Every check, one after the other (each row says ✓, ✗ or could not check). */
export async function azureChecks(
    credential: TokenCredential,
    { needs, subscription, egress, endpoint = ARM }: { needs: Needs; subscription?: string; egress: { ip?: string; error?: string }; endpoint?: string },
): Promise<Row[]> {
    if (!subscription)
        return [unknown("subscription", "no subscription id", "set AZURE_SUBSCRIPTION_ID (or ARM_SUBSCRIPTION_ID, or azure-native:subscriptionId)")];
    const ctx: AzureContext = { arm: armReader(credential, endpoint), needs, sub: `/subscriptions/${subscription}` };
    // Sizes first: the SKU list names each size's quota family and the zones it is offered (not restricted) in.
    const { rows, families } = await sizeChecks(ctx);
    rows.push(...(await vcpuQuotaChecks(ctx, families)));
    rows.push(...(await publicIpQuotaCheck(ctx)));
    rows.push(...(await versionCheck(ctx)));
    rows.push(...(await deployedVersionCheck("AKS", needs.cluster, () => aksDeployed((path) => ctx.arm.list(path), ctx.sub, needs.cluster.tags!))));
    rows.push(...(await databaseCheck(ctx)));
    rows.push(...(await cacheCheck(ctx)));
    rows.push(...(await providersCheck(ctx)));
    rows.push(...(await permissionsCheck(ctx)));
    rows.push(...closingRows(needs, egress, "AKS", "VNet"));
    return rows;
}
