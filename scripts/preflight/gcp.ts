// GCP: the plan's needs against the project's read-only APIs, through Google's maintained Node clients
// (@google-cloud/compute, container, sql, service-usage, resource-manager) over their REST transport
// (`fallback: true`, the one the loopback tests serve), all sharing one authenticated client
// (Application Default Credentials). Every call reads: a GET, or testIamPermissions. API references:
//   compute regions.get (quotas with limit and usage):       https://cloud.google.com/compute/docs/reference/rest/v1/regions/get
//   compute machineTypes.get per zone:                        https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes/get
//   GKE projects.locations.getServerConfig (channels):        https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations/getServerConfig
//   Cloud SQL tiers.list (tier names and regions):            https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/tiers/list
//   Cloud SQL flags.list (each flag's appliesTo versions):     https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/flags/list
//   Memorystore for Redis projects.locations.list:           https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations/list
//   Service Usage services.list, filter state:ENABLED:        https://cloud.google.com/service-usage/docs/reference/rest/v1/services/list
//   Resource Manager v3 projects.testIamPermissions:          https://cloud.google.com/resource-manager/reference/rest/v3/projects/testIamPermissions
// Memorystore's locations.list alone is called by hand (google-auth-library's request): @google-cloud/redis's
// listLocations over REST cannot decode a location's metadata, a google.protobuf.Any of
// google.cloud.redis.v1.LocationMetadata that the Locations mixin's protos lack ("googleProtobufAnyFromProto3JSON:
// cannot find type", open as googleapis/google-cloud-node#4366), and that metadata holds the zones the check reads.
import type { AuthClient } from "google-auth-library";
// The v1 entry point: the package's main also loads its 31 MB protos.js for v1beta and v1small (~3× slower to load).
import { MachineTypesClient, RegionsClient } from "@google-cloud/compute/build/src/v1";
import { ClusterManagerClient } from "@google-cloud/container";
import { ProjectsClient } from "@google-cloud/resource-manager";
import { ServiceUsageClient } from "@google-cloud/service-usage";
import { SqlFlagsServiceClient, SqlTiersServiceClient } from "@google-cloud/sql";
import { PRE_ENABLED_APIS } from "../../components/gcp/prerequisites";
import { gcpServices, vcpuNeed, type Needs } from "./needs";
import { attempt, closingRows, enabled, offeredInZones, orderable, permissions, quota, unknown, versionSupported, type Row } from "./judge";

const REDIS = "https://redis.googleapis.com/v1";
/** google.rpc.Code NOT_FOUND, the code the clients give an HTTP 404 (https://cloud.google.com/apis/design/errors#handling_errors). */
const NOT_FOUND = 5;

/** The clients every check reads through; `redis` is the Memorystore API's base URL for the one call made by hand. */
export interface GcpClients {
    regions: Pick<RegionsClient, "get">;
    machineTypes: Pick<MachineTypesClient, "get">;
    clusters: Pick<ClusterManagerClient, "getServerConfig">;
    tiers: Pick<SqlTiersServiceClient, "list">;
    flags: Pick<SqlFlagsServiceClient, "list">;
    services: Pick<ServiceUsageClient, "listServicesAsync">;
    projects: Pick<ProjectsClient, "testIamPermissions">;
    auth: Pick<AuthClient, "request">;
    redis: string;
}

/**
 * The clients on `auth`; `endpoint` (e.g. http://127.0.0.1:8080, for tests) replaces every API's host, each
 * client then asking its own documented paths there.
 */
export function gcpClients(auth: AuthClient, endpoint?: string): GcpClients {
    const at = endpoint ? new URL(endpoint) : undefined;
    const o: ConstructorParameters<typeof RegionsClient>[0] = {
        fallback: true,
        authClient: auth,
        ...(at && { apiEndpoint: at.hostname, port: Number(at.port), protocol: at.protocol.replace(":", "") }),
    };
    return {
        regions: new RegionsClient(o),
        machineTypes: new MachineTypesClient(o),
        clusters: new ClusterManagerClient(o),
        tiers: new SqlTiersServiceClient(o),
        flags: new SqlFlagsServiceClient(o),
        // These two still pin google-gax 5, whose options name google-auth-library 10's AuthClient type; they send
        // the same client's token (the loopback tests check the header each request carries).
        services: new ServiceUsageClient(o as never),
        projects: new ProjectsClient(o as never),
        auth,
        redis: at ? `${at.origin}/v1` : REDIS,
    };
}

interface Quota {
    metric?: string | null;
    limit?: number | null;
    usage?: number | null;
}

// Per-family CPU quotas besides the regional CPUS one (https://cloud.google.com/compute/resource-usage#cpu_quota):
// N1 and E2 count only toward CPUS.
const FAMILY_CPU_QUOTA = /^(n2|n2d|n4|c2|c2d|c3|c3d|c4|m1|m2|m3|t2d|t2a|a2|a3|g2)$/;

const quotaFix = (project: string, region: string, metric: string) => (n: number) =>
    `request ${metric} in ${region} to at least ${n}: https://console.cloud.google.com/iam-admin/quotas?project=${project}`;

/** What every check reads: the clients, the plan's needs and its project. */
interface GcpContext {
    c: GcpClients;
    needs: Needs;
    project: string;
}

const regionFix = (region: string) => `check the project can read compute.regions.get in ${region}`;

/**
 * The region's zones (those the stack names, else the first standard ones it would pick) with their row, and the
 * region's quotas; no zones and no quotas when the region could not be read.
 */
async function regionCheck(ctx: GcpContext): Promise<{ rows: Row[]; zones: string[]; quotas?: Quota[] }> {
    const { needs, project } = ctx;
    const region = needs.region;
    let zones = needs.zones ?? [];
    let quotas: Quota[] | undefined;
    const rows = await attempt("zones: the stack's zones", regionFix(region), async () => {
        const [r] = await ctx.c.regions.get({ project, region });
        quotas = r.quotas ?? [];
        if (!needs.zones)
            zones = (r.zones ?? [])
                .map((z) => z.split("/").pop()!)
                .filter((z) => new RegExp(`^${region}-[a-z]$`).test(z))
                .sort()
                .slice(0, needs.zoneCount);
        return zones.length >= needs.zoneCount
            ? { check: "zones: the stack's zones", status: "ok", detail: zones.join(", ") }
            : unknown("zones: the stack's zones", `${region} lists ${zones.length} standard zones; the stack needs ${needs.zoneCount}`, "pick another region");
    });
    return { rows, zones, quotas };
}

/** Each regional quota the stack draws on against the region's `quotas` (undefined: the region could not be read). */
function quotaRows({ needs, project }: GcpContext, quotas: Quota[] | undefined): Row[] {
    const region = needs.region;
    const vcpu = vcpuNeed(needs.pools);
    const nodes = needs.pools.reduce((a, p) => a + p.max + p.surge, 0);
    const family = needs.pools[0].size.split("-")[0];
    const wanted: [string, number, string][] = [
        ["CPUS", vcpu, "vCPUs (node pool at its autoscaler maximum while an upgrade surges it)"],
        ...(FAMILY_CPU_QUOTA.test(family) ? [[`${family.toUpperCase()}_CPUS`, vcpu, `${family} vCPUs`] as [string, number, string]] : []),
        ["IN_USE_ADDRESSES", needs.publicAddresses, "external addresses (Cloud NAT)"],
        // pd-balanced boot disks count toward SSD_TOTAL_GB (https://cloud.google.com/compute/resource-usage#disk_quota).
        ["SSD_TOTAL_GB", nodes * (needs.nodeDiskGb ?? 0), `GB of node boot disks (${nodes} × ${needs.nodeDiskGb} GB pd-balanced)`],
    ];
    return wanted.map(([metric, need, unit]) => {
        const check = `quota: ${metric} in ${region}`;
        if (!quotas) return unknown(check, "the region could not be read", regionFix(region));
        const q = quotas.find((x) => x.metric === metric);
        return quota({ check, need, limit: q?.limit ?? undefined, used: q?.usage ?? undefined, unit, increase: quotaFix(project, region, metric) });
    });
}

/** Each node machine type offered in every one of `zones`. */
async function sizeChecks(ctx: GcpContext, zones: string[]): Promise<Row[]> {
    const rows: Row[] = [];
    for (const size of [...new Set(ctx.needs.pools.map((p) => p.size))]) {
        const check = `size: ${size} offered in each zone`;
        rows.push(
            ...(await attempt(check, "pick zones that offer it (gcp.zones)", async () => {
                const offered = new Set<string>();
                for (const z of zones) {
                    try {
                        await ctx.c.machineTypes.get({ project: ctx.project, zone: z, machineType: size });
                        offered.add(z);
                    } catch (e) {
                        // HTTP 404, which the client reports as gRPC code 5 (NOT_FOUND): the zone has no such machine type;
                        // anything else is a failed call.
                        if ((e as { code?: number }).code !== NOT_FOUND) throw e;
                    }
                }
                return offeredInZones(check, size, zones, offered, "pulumi config set --path gcp.zones <three zones of the region that offer it>");
            })),
        );
    }
    return rows;
}

/** The stack's GKE release channel among those the region offers a default version on. */
async function channelCheck(ctx: GcpContext): Promise<Row[]> {
    const channel = ctx.needs.kubernetes.channel ?? "";
    return attempt("version: GKE release channel", "check https://cloud.google.com/kubernetes-engine/docs/release-notes", async () => {
        const [cfg] = await ctx.c.clusters.getServerConfig({ name: `projects/${ctx.project}/locations/${ctx.needs.region}` });
        const offered = (cfg.channels ?? []).filter((c) => c.defaultVersion).map((c) => String(c.channel));
        return versionSupported("version: GKE release channel", channel, offered, "gcp.releaseChannel");
    });
}

/** The Cloud SQL tier offered in the region, the PostgreSQL version offered, and what no API answers: REGIONAL for it. */
async function databaseChecks(ctx: GcpContext): Promise<Row[]> {
    const { needs } = ctx;
    const db = needs.database;
    const tierCheck = `database: Cloud SQL tier ${db.size} in ${needs.region}`;
    const rows = await attempt(tierCheck, "check the Cloud SQL console for the region", async () => {
        const [tiers] = await ctx.c.tiers.list({ project: ctx.project });
        const tier = (tiers.items ?? []).find((t) => t.tier === db.size);
        return orderable(
            tierCheck,
            `tier ${db.size} in ${needs.region}`,
            !!tier?.region?.includes(needs.region),
            `pulumi config set gcp:region <a region where Cloud SQL offers ${db.size}>`,
        );
    });
    // No Cloud SQL call lists the versions it offers; every flag names the versions it applies to, so the
    // versions flags.list mentions are the ones offered (what `gcloud sql flags list` shows by version).
    const versionCheck = `database: Cloud SQL ${db.version} offered`;
    rows.push(
        ...(await attempt(versionCheck, "check https://cloud.google.com/sql/docs/postgres/db-versions", async () => {
            const [flags] = await ctx.c.flags.list({});
            const named = [...new Set((flags.items ?? []).flatMap((f) => f.appliesTo ?? []).map(String))];
            const offered = named.filter((v) => v.startsWith("POSTGRES_")).sort();
            // A version newer than the client's protos decodes as SQL_DATABASE_VERSION_UNSPECIFIED (or its number):
            // then a version missing from the list may be that one, and only a newer @google-cloud/sql can say.
            if (!offered.includes(db.version) && named.some((v) => !/^(POSTGRES|MYSQL|SQLSERVER)_/.test(v)))
                return unknown(
                    versionCheck,
                    `${db.version} is not among the versions this client knows (${offered.join(", ")}); Cloud SQL also lists versions newer than it`,
                    "update @google-cloud/sql, or check https://cloud.google.com/sql/docs/postgres/db-versions",
                );
            return versionSupported(versionCheck, db.version, offered, "gcp.postgresVersion");
        })),
    );
    if (db.ha === "REGIONAL")
        rows.push(
            unknown(
                `database: ${db.ha} (HA) for ${db.version} in ${needs.region}`,
                "no read-only Cloud SQL Admin API call answers it (tiers.list gives each tier's regions, flags.list the versions; neither says HA)",
                "the first pulumi up creates the instance and says so; https://cloud.google.com/sql/docs/postgres/high-availability",
            ),
        );
    return rows;
}

/**
 * Memorystore for Redis in the region with a second zone, which STANDARD_HA's replica needs (the stack's
 * instance is STANDARD_HA with read replicas, components/gcp/redis.ts), and what no API answers: the version.
 */
async function cacheChecks(ctx: GcpContext): Promise<Row[]> {
    const { needs, project } = ctx;
    const [tier] = needs.cache.size.split(" ");
    const check = `cache: Memorystore ${tier} with read replicas in ${needs.region}`;
    const rows = await attempt(
        check,
        `enable redis.googleapis.com to check before the first up (gcloud services enable redis.googleapis.com --project ${project})`,
        async () => {
            type Location = { locationId?: string; metadata?: { availableZones?: Record<string, object> } };
            let found: Location | undefined;
            let pageToken = "";
            do {
                // By hand: see the head of this file.
                const url = `${ctx.c.redis}/projects/${project}/locations${pageToken ? `?pageToken=${pageToken}` : ""}`;
                const r = (await ctx.c.auth.request<{ locations?: Location[]; nextPageToken?: string }>({ url })).data;
                found = (r.locations ?? []).find((l) => l.locationId === needs.region) ?? found;
                pageToken = r.nextPageToken ?? "";
            } while (pageToken && !found);
            const zones = Object.keys(found?.metadata?.availableZones ?? {}).sort();
            const what = found ? `${tier} in ${needs.region} (zones ${zones.join(", ") || "none listed"})` : `Memorystore for Redis in ${needs.region}`;
            const fix = "pulumi config set gcp:region <a region where Memorystore for Redis lists two zones or more>";
            return orderable(check, what, !!found && (tier !== "STANDARD_HA" || zones.length >= 2), fix);
        },
    );
    rows.push(
        unknown(
            `cache: Memorystore ${needs.cache.version}`,
            "the Memorystore for Redis API lists no versions (a location's metadata holds only its available zones)",
            "check gcp.redisVersion against https://cloud.google.com/memorystore/docs/redis/supported-versions",
        ),
    );
    return rows;
}

/** The APIs the stack uses and cannot enable itself, enabled in the project. */
async function apisCheck(ctx: GcpContext): Promise<Row[]> {
    const { needs, project } = ctx;
    // The stack enables the APIs it uses (gcp:projects/service); those it cannot enable must be on already.
    const services = [...new Set([...PRE_ENABLED_APIS, ...gcpServices(needs.actions)])].filter((s) => !needs.enablesApis?.includes(s)).sort();
    return attempt("APIs: enabled in the project", "grant serviceusage.services.list", async () => {
        const on = new Set<string>();
        // The async iterator follows nextPageToken (autoPaginate, which it ignores, off: else google-gax warns on stderr).
        const request = { parent: `projects/${project}`, filter: "state:ENABLED", pageSize: 200 };
        for await (const s of ctx.c.services.listServicesAsync(request, { autoPaginate: false })) if (s.config?.name) on.add(s.config.name);
        return enabled("APIs: enabled in the project", services, on, (off) => `gcloud services enable ${off.join(" ")} --project ${project}`);
    });
}

/** The caller's IAM permissions on the project (testIamPermissions) for every permission the plan needs. */
async function permissionsCheck({ c, needs, project }: GcpContext): Promise<Row[]> {
    const check = "permissions: the caller's IAM on the project";
    return attempt(check, "grant resourcemanager.projects.get", async () => {
        const [r] = await c.projects.testIamPermissions({ resource: `projects/${project}`, permissions: needs.actions });
        const granted = new Set(r.permissions ?? []);
        const missing = needs.actions.filter((p) => !granted.has(p));
        return permissions(
            check,
            "the caller",
            needs.actions,
            missing,
            `grant a role holding ${missing.join(", ")} on project ${project} (https://cloud.google.com/iam/docs/permissions-reference)`,
        );
    });
}

/** Every check, one after the other (each row says ✓, ✗ or could not check). */
export async function gcpChecks(c: GcpClients, { needs, egress }: { needs: Needs; egress: { ip?: string; error?: string } }): Promise<Row[]> {
    const project = needs.project ?? "";
    if (!project) return [unknown("project", "gcp:project is unset", "pulumi config set gcp:project <your project id>")];
    const ctx: GcpContext = { c, needs, project };
    // Region first: its quotas, and its zones when the stack names none (the stack picks the first three standard ones).
    const { rows, zones, quotas } = await regionCheck(ctx);
    rows.push(...quotaRows(ctx, quotas));
    rows.push(...(await sizeChecks(ctx, zones)));
    rows.push(...(await channelCheck(ctx)));
    rows.push(...(await databaseChecks(ctx)));
    rows.push(...(await cacheChecks(ctx)));
    rows.push(...(await apisCheck(ctx)));
    rows.push(...(await permissionsCheck(ctx)));
    rows.push(...closingRows(needs, egress, "GKE", "VPC"));
    return rows;
}
