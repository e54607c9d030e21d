// Azure: the plan's needs against the subscription's read-only Resource Manager APIs (GET only), through
// Azure's maintained Node clients (@azure/arm-compute, arm-network, arm-containerservice,
// arm-postgresql-flexible, arm-resources) with a credential from @azure/identity (DefaultAzureCredential:
// az login, a service principal, workload identity). API references (each client sends its own api-version):
//   Compute usages (regional and per-family vCPUs):  https://learn.microsoft.com/rest/api/compute/usage/list
//   Network usages (Standard public IPs):            https://learn.microsoft.com/rest/api/virtualnetwork/network-usages/list
//   Resource SKUs (sizes, zones, restrictions):      https://learn.microsoft.com/rest/api/compute/resource-skus/list
//   AKS Kubernetes versions by location:             https://learn.microsoft.com/rest/api/aks/managed-clusters/list-kubernetes-versions
//   PostgreSQL flexible server capabilities:         https://learn.microsoft.com/rest/api/postgresql/flexibleserver/location-based-capabilities/execute
//   Resource providers (registrationState):          https://learn.microsoft.com/rest/api/resources/providers/list
//   A provider's resource types and locations:       https://learn.microsoft.com/rest/api/resources/providers/get
//   Permissions of the caller at a scope:            https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group
// The permissions call alone is made by hand, through the SDK's REST-level client (@azure-rest/core-client:
// the same pipeline, token, retries and errors): the REST reference and @azure/arm-authorization cover only a
// resource group's and a resource's scope, and the stack's resource group does not exist before its first up.
// The subscription's scope answers the same Permission list; Microsoft's "Use Resource Manager authentication
// API to access subscriptions" (azure-docs, resource-manager-api-authentication.md, "Check if user can assign
// access to subscription") calls it as GET /subscriptions/{id}/providers/Microsoft.Authorization/permissions.
import type { TokenCredential } from "@azure/core-auth";
import { createRestError, getClient, type Client } from "@azure-rest/core-client";
import { ComputeManagementClient } from "@azure/arm-compute";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { NetworkManagementClient } from "@azure/arm-network";
import { PostgreSQLManagementFlexibleServerClient } from "@azure/arm-postgresql-flexible";
import { ResourceManagementClient } from "@azure/arm-resources";
import { azureProviders, vcpuNeed, type Needs } from "./needs";
import { attempt, closingRows, enabled, offeredInZones, orderable, permissions, quota, serviceOffered, unknown, versionSupported, type Row } from "./judge";

const ARM = "https://management.azure.com";

/** An action pattern of a role definition (`*` wildcards, case-insensitive) matching an operation. */
const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);

/** Operations not granted by any permission entry (an entry grants an action it matches unless its notActions match too). */
export function deniedActions(entries: { actions?: string[]; notActions?: string[] }[], actions: readonly string[]): string[] {
    return actions.filter((a) => !entries.some((e) => (e.actions ?? []).some((p) => matches(p, a)) && !(e.notActions ?? []).some((p) => matches(p, a))));
}

/** The clients every check reads through, for one subscription; `arm` is the REST-level client of the call made by hand. */
export interface AzureClients {
    subscription: string;
    compute: Pick<ComputeManagementClient, "resourceSkus" | "usage">;
    network: Pick<NetworkManagementClient, "usages">;
    aks: Pick<ContainerServiceClient, "managedClusters">;
    postgres: Pick<PostgreSQLManagementFlexibleServerClient, "capabilitiesByLocation">;
    resources: Pick<ResourceManagementClient, "providers">;
    arm: Client;
}

/**
 * The clients on `credential`; `endpoint` replaces Resource Manager's (tests: a loopback https server, whose
 * certificate `ca` is; the clients send a bearer token over https only).
 */
export function azureClients(credential: TokenCredential, subscription: string, at: { endpoint?: string; ca?: string } = {}): AzureClients {
    const o = { ...(at.endpoint && { endpoint: at.endpoint }), ...(at.ca && { tlsOptions: { ca: at.ca } }) };
    return {
        subscription,
        compute: new ComputeManagementClient(credential, subscription, o),
        network: new NetworkManagementClient(credential, subscription, o),
        aks: new ContainerServiceClient(credential, subscription, o),
        postgres: new PostgreSQLManagementFlexibleServerClient(credential, subscription, o),
        resources: new ResourceManagementClient(credential, subscription, o),
        arm: getClient(at.endpoint ?? ARM, credential, { ...o, credentials: { scopes: [`${ARM}/.default`] } }),
    };
}

/** Every item of a paged list (the clients' iterators follow nextLink). */
async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const i of items) out.push(i);
    return out;
}

/** What every check reads: the clients and the plan's needs. */
interface AzureContext {
    c: AzureClients;
    needs: Needs;
}

const quotaFix = (location: string, what: string) => (n: number) =>
    `request ${what} in ${location} to at least ${n}: https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade (or az quota update)`;

/** Each node size offered (not restricted) in every zone; with each size's quota family, from the same SKU list. */
async function sizeChecks({ c, needs }: AzureContext): Promise<{ rows: Row[]; families: Map<string, string> }> {
    const location = needs.region;
    const families = new Map<string, string>();
    const rows: Row[] = [];
    for (const size of [...new Set(needs.pools.map((p) => p.size))]) {
        const check = `size: ${size} offered in each zone`;
        rows.push(
            ...(await attempt(check, "pick another location (azure-native:location)", async () => {
                const skus = await all(c.compute.resourceSkus.list({ filter: `location eq '${location}'` }));
                const sku = skus.find((s) => s.resourceType === "virtualMachines" && s.name === size);
                if (sku?.family) families.set(size, sku.family);
                const listed = new Set(sku?.locationInfo?.find((l) => l.location?.toLowerCase() === location)?.zones ?? []);
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
async function vcpuQuotaChecks({ c, needs }: AzureContext, families: ReadonlyMap<string, string>): Promise<Row[]> {
    const location = needs.region;
    const vcpu = vcpuNeed(needs.pools);
    return attempt(`quota: vCPUs in ${location}`, "grant Microsoft.Compute/locations/usages/read", async () => {
        const usages = await all(c.compute.usage.list(location));
        const find = (n: string) => usages.find((u) => u.name.value?.toLowerCase() === n.toLowerCase());
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
async function publicIpQuotaCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const location = needs.region;
    return attempt(`quota: Standard public IPs in ${location}`, "grant Microsoft.Network/locations/usages/read", async () => {
        const usages = await all(c.network.usages.list(location));
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
async function versionCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const k8s = needs.kubernetes.version ?? "";
    const minor = k8s.split(".").slice(0, 2).join(".");
    return attempt("version: AKS Kubernetes minor", "check https://learn.microsoft.com/azure/aks/supported-kubernetes-versions", async () => {
        const r = await c.aks.managedClusters.listKubernetesVersions(needs.region);
        const supported = (r.values ?? []).filter((v) => !v.isPreview && v.version).map((v) => v.version!);
        return versionSupported("version: AKS Kubernetes minor", minor, supported, "azure.kubernetesVersion");
    });
}

/** The flexible server's version, SKU and HA mode among the location's capabilities. */
async function databaseCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const db = needs.database;
    const dbCheck = `database: PostgreSQL flexible server ${db.version} on ${db.size}, HA ${db.ha}`;
    return attempt(dbCheck, "check the portal's create page for the location", async () => {
        const caps = await all(c.postgres.capabilitiesByLocation.list(needs.region));
        const versions = caps.flatMap((x) => x.supportedServerVersions ?? []).map((v) => v.name ?? "");
        const skus = caps.flatMap((x) => x.supportedServerEditions ?? []).flatMap((e) => e.supportedServerSkus ?? []);
        const sku = skus.find((s) => s.name?.toLowerCase() === db.size.toLowerCase());
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
async function cacheCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const location = needs.region;
    const check = `cache: Azure Managed Redis ${needs.cache.size} in ${location}`;
    return attempt(check, "grant Microsoft.Resources/subscriptions/providers/read", async () => {
        const provider = await c.resources.providers.get("Microsoft.Cache");
        const type = provider.resourceTypes?.find((t) => t.resourceType?.toLowerCase() === "redisenterprise");
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
async function providersCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const providers = azureProviders(needs.actions);
    return attempt("providers: registered in the subscription", "grant Microsoft.Resources/subscriptions/providers/read", async () => {
        const list = await all(c.resources.providers.list());
        const on = new Set(list.filter((p) => p.registrationState === "Registered").map((p) => p.namespace ?? ""));
        return enabled("providers: registered in the subscription", providers, on, (off) => off.map((p) => `az provider register --namespace ${p}`).join("; "));
    });
}

/** The caller's Permission entries at the subscription's scope, every page (by hand: see the head of this file). */
async function callerPermissions({ arm, subscription }: AzureClients): Promise<{ actions?: string[]; notActions?: string[] }[]> {
    type Page = { value?: { actions?: string[]; notActions?: string[] }[]; nextLink?: string };
    const out: NonNullable<Page["value"]> = [];
    let res = await arm
        .pathUnchecked("/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/permissions", subscription)
        .get({ queryParameters: { "api-version": "2022-04-01" } });
    for (;;) {
        if (res.status !== "200") throw createRestError(res);
        const page = res.body as Page;
        out.push(...(page.value ?? []));
        if (!page.nextLink) return out;
        res = await arm.pathUnchecked(page.nextLink).get();
    }
}

/** The caller's permissions on the subscription (its roles' actions and notActions) for every action the plan needs. */
async function permissionsCheck({ c, needs }: AzureContext): Promise<Row[]> {
    const check = "permissions: the caller's roles on the subscription";
    return attempt(check, "grant Microsoft.Authorization/permissions/read (any role has it)", async () => {
        const entries = await callerPermissions(c);
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
export async function azureChecks(c: AzureClients | undefined, { needs, egress }: { needs: Needs; egress: { ip?: string; error?: string } }): Promise<Row[]> {
    if (!c) return [unknown("subscription", "no subscription id", "set AZURE_SUBSCRIPTION_ID (or ARM_SUBSCRIPTION_ID, or azure-native:subscriptionId)")];
    const ctx: AzureContext = { c, needs };
    // Sizes first: the SKU list names each size's quota family and the zones it is offered (not restricted) in.
    const { rows, families } = await sizeChecks(ctx);
    rows.push(...(await vcpuQuotaChecks(ctx, families)));
    rows.push(...(await publicIpQuotaCheck(ctx)));
    rows.push(...(await versionCheck(ctx)));
    rows.push(...(await databaseCheck(ctx)));
    rows.push(...(await cacheCheck(ctx)));
    rows.push(...(await providersCheck(ctx)));
    rows.push(...(await permissionsCheck(ctx)));
    rows.push(...closingRows(needs, egress, "AKS", "VNet"));
    return rows;
}
