// GCP preflight: Google's real Node clients (gcpClients: @google-cloud/compute, container, sql, service-usage,
// resource-manager over their REST transport, and google-auth-library's request for Memorystore's locations),
// sharing a real OAuth2Client that holds a fixed token, against one loopback server answering each API's own
// path in its documented response shape. No Google endpoint. The clients ask for `$alt=json;enum-encoding=int`;
// the shapes give enums by name, as the references do, which proto3 JSON parsers accept too.
import assert from "node:assert/strict";
import { OAuth2Client } from "google-auth-library";
import { runStack } from "../harness";
import { sizingFor } from "../../model/capacity";
import { gcpChecks, gcpClients } from "../../scripts/preflight/gcp";
import { egressAddress } from "../../scripts/preflight/judge";
import { gcpServices, needsFor, type Needs } from "../../scripts/preflight/needs";
import { serve } from "../localServer";
import { assertFails, row } from "./rows";

interface Project {
    quotas: Record<string, { limit: number; usage: number }>;
    /** Zones that offer the node machine type. */
    machineTypeIn: string[];
    channels: string[];
    tiers: { tier: string; region: string[] }[];
    /** The PostgreSQL versions Cloud SQL's flags apply to. */
    postgresVersions: string[];
    /** Memorystore for Redis zones in the region; undefined: the region is not a Memorystore location. */
    redisZones?: string[];
    enabled: string[];
    denied: string[];
    egress: string;
}

const REGION = "europe-west1";

async function gcpServer(p: Project, seen: { auth: string[] }): Promise<string> {
    return serve((req, body, res) => {
        const u = new URL(req.url!, "http://x");
        if (u.pathname !== "/ip") seen.auth.push(String(req.headers.authorization));
        const json = (status: number, doc: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(doc));
        if (u.pathname === "/ip") return res.end(p.egress);
        let m: RegExpExecArray | null;
        // compute regions.get: Region {name, status, zones[] (URLs), quotas[] {metric, limit, usage}},
        // https://cloud.google.com/compute/docs/reference/rest/v1/regions/get
        if ((m = /^\/compute\/v1\/projects\/zdp-prod\/regions\/([a-z0-9-]+)$/.exec(u.pathname)))
            return json(200, {
                kind: "compute#region",
                name: m[1],
                status: "UP",
                zones: ["b", "c", "d"].map((z) => `https://www.googleapis.com/compute/v1/projects/zdp-prod/zones/${m![1]}-${z}`),
                quotas: Object.entries(p.quotas).map(([metric, q]) => ({ metric, ...q })),
            });
        // compute machineTypes.get: MachineType {name, guestCpus, memoryMb, zone}, or a 404 error where the zone has none,
        // https://cloud.google.com/compute/docs/reference/rest/v1/machineTypes/get
        if ((m = /^\/compute\/v1\/projects\/zdp-prod\/zones\/([a-z0-9-]+)\/machineTypes\/([a-z0-9-]+)$/.exec(u.pathname)))
            return p.machineTypeIn.includes(m[1])
                ? json(200, { kind: "compute#machineType", name: m[2], guestCpus: 4, memoryMb: 16384, zone: m[1] })
                : json(404, {
                      error: {
                          code: 404,
                          message: `The resource 'projects/zdp-prod/zones/${m[1]}/machineTypes/${m[2]}' was not found`,
                          errors: [{ reason: "notFound" }],
                      },
                  });
        // GKE getServerConfig: ServerConfig {defaultClusterVersion, validMasterVersions, channels[] {channel, defaultVersion, validVersions}},
        // https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/ServerConfig
        if (u.pathname === `/v1/projects/zdp-prod/locations/${REGION}/serverConfig`)
            return json(200, {
                defaultClusterVersion: "1.35.4-gke.1200000",
                channels: p.channels.map((channel) => ({ channel, defaultVersion: "1.35.4-gke.1200000", validVersions: ["1.35.4-gke.1200000"] })),
            });
        // Cloud SQL tiers.list: {kind: "sql#tiersList", items[] Tier {tier, RAM, DiskQuota, region[]}},
        // https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/tiers/list
        if (u.pathname === "/v1/projects/zdp-prod/tiers")
            return json(200, {
                kind: "sql#tiersList",
                items: p.tiers.map((t) => ({ kind: "sql#tier", RAM: "34359738368", DiskQuota: "65923719462912", ...t })),
            });
        // Cloud SQL flags.list: {kind: "sql#flagsList", items[] Flag {name, type, appliesTo[] (database versions), requiresRestart, kind: "sql#flag"}},
        // https://cloud.google.com/sql/docs/postgres/admin-api/rest/v1/flags/list
        if (u.pathname === "/v1/flags")
            return json(200, {
                kind: "sql#flagsList",
                items: [
                    { kind: "sql#flag", name: "log_checkpoints", type: "BOOLEAN", appliesTo: p.postgresVersions, requiresRestart: false },
                    { kind: "sql#flag", name: "general_log", type: "BOOLEAN", appliesTo: ["MYSQL_8_0", "MYSQL_8_4"], requiresRestart: false },
                ],
            });
        // Memorystore for Redis projects.locations.list: {locations[] Location {name, locationId, displayName, metadata
        // {"@type": LocationMetadata, availableZones: {zone: {}}}}, nextPageToken} (two pages here),
        // https://cloud.google.com/memorystore/docs/redis/reference/rest/v1/projects.locations/list
        if (u.pathname === "/v1/projects/zdp-prod/locations") {
            const location = (id: string, zones: string[]) => ({
                name: `projects/zdp-prod/locations/${id}`,
                locationId: id,
                displayName: id,
                metadata: {
                    "@type": "type.googleapis.com/google.cloud.redis.v1.LocationMetadata",
                    availableZones: Object.fromEntries(zones.map((z) => [z, {}])),
                },
            });
            if (u.searchParams.get("pageToken") !== "p2")
                return json(200, { locations: [location("asia-east1", ["asia-east1-a", "asia-east1-b"])], nextPageToken: "p2" });
            return json(200, { locations: p.redisZones ? [location(REGION, p.redisZones)] : [] });
        }
        // Service Usage services.list: {services[] {name, parent, config {name, title}, state}, nextPageToken},
        // https://cloud.google.com/service-usage/docs/reference/rest/v1/services/list (filtered by state:ENABLED; two pages here)
        if (u.pathname === "/v1/projects/zdp-prod/services") {
            assert.equal(u.searchParams.get("filter"), "state:ENABLED");
            const page = u.searchParams.get("pageToken") === "p2" ? p.enabled.slice(3) : p.enabled.slice(0, 3);
            return json(200, {
                services: page.map((name) => ({
                    name: `projects/123456789012/services/${name}`,
                    parent: "projects/123456789012",
                    config: { name },
                    state: "ENABLED",
                })),
                ...(u.searchParams.get("pageToken") ? {} : { nextPageToken: "p2" }),
            });
        }
        // Resource Manager v3 projects.testIamPermissions: {permissions[]}: the subset the caller holds,
        // https://cloud.google.com/resource-manager/reference/rest/v3/projects/testIamPermissions
        if (u.pathname === "/v3/projects/zdp-prod:testIamPermissions" && req.method === "POST") {
            const asked: string[] = JSON.parse(body).permissions;
            return json(200, { permissions: asked.filter((x) => !p.denied.includes(x)) });
        }
        return json(404, { error: { code: 404, message: `unexpected ${req.method} ${u.pathname}` } });
    });
}

describe("preflight: GCP (documented shapes through Google's Node clients)", function () {
    this.timeout(60_000);
    let needs: Needs;
    before(async () => {
        const run = await runStack("gcp", { "gcp:project": "zdp-prod", "gcp.masterAuthorizedNetworks": "198.51.100.0/24" }, { preview: true });
        needs = { ...needsFor(run.config, run.resources, sizingFor(run.config).nodes.vcpu, "zdp-prod") };
    });
    const auth = () => {
        const a = new OAuth2Client();
        a.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
        return a;
    };
    const clients = (url: string) => gcpClients(auth(), url);
    // The plan: 33 × n2-standard-4 and 3 surging (maxSurge 1 per zone) = 144 vCPUs, 34 × 100 GB pd-balanced, 1 NAT address; the stack
    // enables its APIs itself, so only Service Usage and Resource Manager must be on beforehand.
    const zones = ["europe-west1-b", "europe-west1-c", "europe-west1-d"];
    const sufficient = (): Project => ({
        quotas: {
            CPUS: { limit: 212, usage: 68 },
            N2_CPUS: { limit: 152, usage: 8 },
            IN_USE_ADDRESSES: { limit: 8, usage: 7 },
            SSD_TOTAL_GB: { limit: 4396, usage: 796 },
        },
        machineTypeIn: zones,
        channels: ["RAPID", "REGULAR", "STABLE"],
        tiers: [{ tier: "db-custom-8-32768", region: ["europe-west1", "us-central1"] }],
        postgresVersions: ["POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17", "POSTGRES_18"],
        redisZones: zones,
        enabled: ["cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com"],
        denied: [],
        egress: "198.51.100.7",
    });

    it("reads the plan's needs: the node pool's maximum, its disks, the channel, the tier, the APIs", () => {
        assert.deepEqual(needs.pools, [{ size: "n2-standard-4", vcpu: 4, max: 33, surge: 3 }]);
        assert.equal(needs.nodeDiskGb, 100);
        assert.deepEqual(needs.kubernetes, { channel: "REGULAR" });
        assert.deepEqual(needs.database, { version: "POSTGRES_17", size: "db-custom-8-32768", ha: "REGIONAL" });
        assert.deepEqual(needs.allowList, { key: "gcp.masterAuthorizedNetworks", cidrs: ["198.51.100.0/24"] });
        assert.ok(gcpServices(needs.actions).includes("container.googleapis.com") && gcpServices(needs.actions).includes("sqladmin.googleapis.com"));
        assert.ok(needs.enablesApis!.includes("servicenetworking.googleapis.com"), "the stack enables its APIs itself");
        // The stack's log bucket, sink and exclusion among them (logging.buckets.create, logging.sinks.create,
        // logging.exclusions.create).
        assert.deepEqual(needs.unmapped, []);
        assert.ok(["logging.buckets.create", "logging.sinks.create", "logging.exclusions.create"].every((p) => needs.actions.includes(p)));
    });

    it("a sufficient project passes every check (quotas exactly at need + usage)", async () => {
        const seen = { auth: [] as string[] };
        const url = await gcpServer(sufficient(), seen);
        const rows = await gcpChecks(clients(url), { needs, egress: { ip: await egressAddress(`${url}/ip`) } });
        // What no read-only API answers is "could not check", never ✓: REGIONAL for a Cloud SQL version, a Memorystore version.
        assert.deepEqual(
            rows.filter((r) => r.status !== "ok").map((r) => [r.check, r.status]),
            [
                ["database: REGIONAL (HA) for POSTGRES_17 in europe-west1", "unknown"],
                ["cache: Memorystore REDIS_7_2", "unknown"],
            ],
        );
        assert.match(row(rows, "database: REGIONAL").detail, /no read-only Cloud SQL Admin API call answers it/);
        assert.match(row(rows, "cache: Memorystore REDIS_7_2").detail, /lists no versions/);
        assert.equal(rows.length, 15);
        assert.match(row(rows, "database: Cloud SQL POSTGRES_17").detail, /POSTGRES_17 is supported/);
        assert.match(
            row(rows, "cache: Memorystore STANDARD_HA").detail,
            /STANDARD_HA in europe-west1 \(zones europe-west1-b, europe-west1-c, europe-west1-d\) is orderable/,
        );
        assert.equal(row(rows, "zones").detail, zones.join(", "));
        assert.match(row(rows, "quota: CPUS").detail, /needs 144 .*quota 212, 68 in use, 144 free/);
        assert.match(row(rows, "quota: SSD_TOTAL_GB").detail, /needs 3600 .*quota 4396, 796 in use/);
        assert.ok(seen.auth.length >= 8 && seen.auth.every((a) => a === "Bearer test-token"), seen.auth.join());
    });

    it("refuses each class: quotas one short, a machine type missing in a zone, a channel not offered, a tier not in the region, a PostgreSQL version not offered, no Memorystore in the region, an API the stack cannot enable itself disabled, a missing permission, an allow-list without the caller", async () => {
        const p = sufficient();
        p.quotas = {
            CPUS: { limit: 211, usage: 68 },
            N2_CPUS: { limit: 151, usage: 8 },
            IN_USE_ADDRESSES: { limit: 8, usage: 8 },
            SSD_TOTAL_GB: { limit: 4395, usage: 796 },
        };
        p.machineTypeIn = ["europe-west1-b", "europe-west1-c"];
        p.channels = ["RAPID", "STABLE"];
        p.tiers = [{ tier: "db-custom-8-32768", region: ["us-central1"] }];
        p.postgresVersions = ["POSTGRES_15", "POSTGRES_16", "POSTGRES_18"];
        p.redisZones = undefined;
        p.enabled = ["serviceusage.googleapis.com"];
        p.denied = ["container.clusters.create", "iam.serviceAccounts.actAs"];
        p.egress = "192.0.2.44";
        const url = await gcpServer(p, { auth: [] });
        const rows = await gcpChecks(clients(url), { needs, egress: { ip: await egressAddress(`${url}/ip`) } });
        const fails = (prefix: string, detail: RegExp, fix: RegExp) => assertFails(rows, prefix, detail, fix);
        fails("quota: CPUS", /143 free/, /request CPUS in europe-west1 to at least 212/);
        fails("quota: N2_CPUS", /143 free/, /N2_CPUS .* at least 152/);
        fails("quota: IN_USE_ADDRESSES", /needs 1 .*0 free/, /at least 9/);
        fails("quota: SSD_TOTAL_GB", /3599 free/, /at least 4396/);
        fails("size: n2-standard-4", /not offered in europe-west1-d/, /gcp\.zones/);
        fails("version: GKE release channel", /REGULAR is not supported; supported: RAPID, STABLE/, /gcp\.releaseChannel/);
        fails("database: Cloud SQL tier", /tier db-custom-8-32768 in europe-west1 is not orderable/, /gcp:region/);
        fails("database: Cloud SQL POSTGRES_17", /POSTGRES_17 is not supported; supported: POSTGRES_15, POSTGRES_16, POSTGRES_18/, /gcp\.postgresVersion/);
        fails("cache: Memorystore STANDARD_HA", /Memorystore for Redis in europe-west1 is not orderable/, /gcp:region/);
        fails("APIs", /not enabled: cloudresourcemanager\.googleapis\.com/, /gcloud services enable cloudresourcemanager\.googleapis\.com --project zdp-prod/);
        fails("permissions: the caller", /denied 2 of \d+: container\.clusters\.create, iam\.serviceAccounts\.actAs/, /container\.clusters\.create/);
        fails("allow-list", /192\.0\.2\.44 is not in gcp\.masterAuthorizedNetworks/, /including 192\.0\.2\.44\/32/);
    });

    it("refuses STANDARD_HA where Memorystore lists a single zone in the region (the replica needs another)", async () => {
        const p = { ...sufficient(), redisZones: ["europe-west1-b"] };
        const rows = await gcpChecks(clients(await gcpServer(p, { auth: [] })), { needs, egress: { ip: p.egress } });
        assertFails(rows, "cache: Memorystore STANDARD_HA", /STANDARD_HA in europe-west1 \(zones europe-west1-b\) is not orderable/, /two zones or more/);
    });

    it("a PostgreSQL version the client's protos predate: 'could not check', neither ✓ nor a false ✗", async () => {
        // A database version newer than @google-cloud/sql's enum decodes as SQL_DATABASE_VERSION_UNSPECIFIED.
        const p = { ...sufficient(), postgresVersions: ["POSTGRES_16", "POSTGRES_99"] };
        const rows = await gcpChecks(clients(await gcpServer(p, { auth: [] })), { needs, egress: { ip: p.egress } });
        const r = row(rows, "database: Cloud SQL POSTGRES_17");
        assert.equal(r.status, "unknown", r.detail);
        assert.match(r.detail, /POSTGRES_17 is not among the versions this client knows \(POSTGRES_16\)/);
        assert.match(r.fix!, /update @google-cloud\/sql/);
    });

    it("a failed call is 'could not check'; an unset project checks nothing", async () => {
        // Google's error body, https://cloud.google.com/apis/design/errors#http_mapping
        const url = await serve((_req, _b, res) =>
            res
                .writeHead(403, { "content-type": "application/json" })
                .end(JSON.stringify({ error: { code: 403, message: "Permission denied", status: "PERMISSION_DENIED" } })),
        );
        const rows = await gcpChecks(clients(url), { needs, egress: { error: "no echo" } });
        assert.deepEqual(
            rows.filter((r) => r.status !== "unknown").map((r) => r.check),
            [],
        );
        assert.match(row(rows, "APIs").detail, /the API call failed: .*Permission denied/);
        const none = await gcpChecks(clients(url), { needs: { ...needs, project: undefined }, egress: {} });
        assert.deepEqual(
            none.map((r) => r.status),
            ["unknown"],
        );
    });
});
