// Azure preflight: Azure's real Node clients (azureClients: @azure/arm-compute, arm-network,
// arm-containerservice, arm-postgresql-flexible, arm-resources, and @azure-rest/core-client for the
// permissions call) with a TokenCredential (the interface @azure/identity's credentials implement), against a
// loopback https server (a throwaway certificate: the clients send bearer tokens over https only) answering
// each API in its documented response shape. No Azure endpoint.
import assert from "node:assert/strict";
import type { TokenCredential } from "@azure/core-auth";
import { runStack } from "../harness";
import { sizingFor } from "../../model/capacity";
import { azureChecks, azureClients, deniedActions } from "../../scripts/preflight/azure";
import { azureProviders, needsFor, type Needs } from "../../scripts/preflight/needs";
import { localCert, serve } from "../localServer";
import { assertFails, row } from "./rows";

const SUB = "3f2c6a51-7d0e-4b8a-9c1d-2e5f6a7b8c9d";
const LOC = "eastus2";

interface Subscription {
    usages: Record<string, { currentValue: number; limit: number }>;
    ipUsage: { currentValue: number; limit: number };
    /** Zones of eastus2 where Standard_D4ds_v5 is restricted for this subscription. */
    restrictedZones: string[];
    aksVersions: string[];
    pgVersions: string[];
    pgHaModes: string[];
    registered: string[];
    /** Locations (display names) of Microsoft.Cache/redisEnterprise. */
    redisLocations: string[];
    permissions: { actions: string[]; notActions: string[] }[];
    egress: string;
}

async function armServer(s: Subscription, seen: string[], tls: { key: string; cert: string }): Promise<string> {
    const url = await serve((req, _body, res) => {
        const u = new URL(req.url!, "http://x");
        const json = (status: number, doc: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(doc));
        seen.push(String(req.headers.authorization));
        const p = u.pathname.replace(`/subscriptions/${SUB}`, "");
        // Compute usages: {value[] Usage {unit, currentValue, limit, name {value, localizedValue}}, nextLink},
        // https://learn.microsoft.com/rest/api/compute/usage/list (two pages here, through nextLink)
        if (p === `/providers/Microsoft.Compute/locations/${LOC}/usages`) {
            const all = Object.entries(s.usages).map(([value, q]) => ({ unit: "Count", ...q, name: { value, localizedValue: value } }));
            return u.searchParams.get("page") === "2"
                ? json(200, { value: all.slice(1) })
                : json(200, { value: all.slice(0, 1), nextLink: `${url}${u.pathname}?api-version=${u.searchParams.get("api-version")}&page=2` });
        }
        // Network usages: {value[] {id, name {value: "StandardSkuPublicIpAddresses", localizedValue: "Public IP Addresses - Standard"}, currentValue, limit, unit}},
        // https://learn.microsoft.com/rest/api/virtualnetwork/network-usages/list
        if (p === `/providers/Microsoft.Network/locations/${LOC}/usages`)
            return json(200, {
                value: [
                    { name: { value: "PublicIPAddresses", localizedValue: "Public IP Addresses" }, currentValue: 0, limit: 1000, unit: "Count" },
                    { name: { value: "StandardSkuPublicIpAddresses", localizedValue: "Public IP Addresses - Standard" }, ...s.ipUsage, unit: "Count" },
                ],
            });
        // Resource SKUs: {value[] ResourceSku {resourceType, name, tier, size, family, locations, locationInfo[] {location, zones},
        // restrictions[] {type, values, restrictionInfo {locations, zones}, reasonCode}}}, https://learn.microsoft.com/rest/api/compute/resource-skus/list
        if (p === "/providers/Microsoft.Compute/skus") {
            assert.equal(u.searchParams.get("$filter"), `location eq '${LOC}'`);
            return json(200, {
                value: [
                    {
                        resourceType: "virtualMachines",
                        name: "Standard_D4ds_v5",
                        tier: "Standard",
                        size: "D4ds_v5",
                        family: "standardDDSv5Family",
                        locations: [LOC],
                        locationInfo: [{ location: LOC, zones: ["2", "1", "3"] }],
                        restrictions: s.restrictedZones.length
                            ? [
                                  {
                                      type: "Zone",
                                      values: [LOC],
                                      restrictionInfo: { locations: [LOC], zones: s.restrictedZones },
                                      reasonCode: "NotAvailableForSubscription",
                                  },
                              ]
                            : [],
                    },
                ],
            });
        }
        // AKS kubernetesVersions: {values[] {version, isDefault, isPreview, capabilities {supportPlan[]}, patchVersions {}}},
        // https://learn.microsoft.com/rest/api/aks/managed-clusters/list-kubernetes-versions
        if (p === `/providers/Microsoft.ContainerService/locations/${LOC}/kubernetesVersions`)
            return json(200, {
                values: s.aksVersions.map((version) => ({
                    version,
                    capabilities: { supportPlan: ["KubernetesOfficial"] },
                    patchVersions: { [`${version}.2`]: { upgrades: [] } },
                })),
            });
        // PostgreSQL flexible server capabilities: {value[] {name, supportedServerEditions[] {name, supportedServerSkus[] {name, vCores,
        // supportedZones, supportedHaMode}}, supportedServerVersions[] {name}}}, as in azure-rest-api-specs
        // specification/postgresql/resource-manager/Microsoft.DBforPostgreSQL/stable/2025-08-01/examples/CapabilitiesByLocationList.json
        // (2025-08-01: the api-version @azure/arm-postgresql-flexible 9.0.0 sends)
        if (p === `/providers/Microsoft.DBforPostgreSQL/locations/${LOC}/capabilities`)
            return json(200, {
                value: [
                    {
                        name: "FlexibleServerCapabilities",
                        supportedServerEditions: [
                            {
                                name: "GeneralPurpose",
                                defaultSkuName: "Standard_D4ds_v5",
                                supportedServerSkus: [{ name: "Standard_D8ds_v5", vCores: 8, supportedZones: ["1", "2", "3"], supportedHaMode: s.pgHaModes }],
                            },
                        ],
                        supportedServerVersions: s.pgVersions.map((name) => ({ name })),
                        zoneRedundantHaSupported: s.pgHaModes.includes("ZoneRedundant") ? "Enabled" : "Disabled",
                    },
                ],
            });
        // Providers - Get: Provider {id, namespace, registrationState, resourceTypes[] {resourceType, locations (display
        // names), apiVersions, capabilities}}, https://learn.microsoft.com/rest/api/resources/providers/get and
        // azure-rest-api-specs specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/examples/GetProvider.json
        if (p === "/providers/Microsoft.Cache")
            return json(200, {
                id: `/subscriptions/${SUB}/providers/Microsoft.Cache`,
                namespace: "Microsoft.Cache",
                registrationState: "Registered",
                resourceTypes: [
                    {
                        resourceType: "Redis",
                        locations: ["East US", "East US 2", "West Europe"],
                        apiVersions: ["2024-11-01"],
                        capabilities: "SupportsTags, SupportsLocation",
                    },
                    {
                        resourceType: "redisEnterprise",
                        locations: s.redisLocations,
                        apiVersions: ["2025-07-01"],
                        capabilities: "SupportsTags, SupportsLocation",
                    },
                ],
            });
        // Providers: {value[] {id, namespace, registrationState, resourceTypes}}, https://learn.microsoft.com/rest/api/resources/providers/list
        if (p === "/providers")
            return json(200, {
                value: s.registered.map((namespace) => ({ id: `/subscriptions/${SUB}/providers/${namespace}`, namespace, registrationState: "Registered" })),
            });
        // Permissions: {value[] Permission {actions, notActions, dataActions, notDataActions}, nextLink},
        // https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group (one entry a page here)
        if (p === "/providers/Microsoft.Authorization/permissions") {
            const page = Number(u.searchParams.get("page") ?? 0);
            const next = page + 1 < s.permissions.length ? { nextLink: `${url}${u.pathname}?api-version=2022-04-01&page=${page + 1}` } : {};
            return json(200, { value: [{ ...s.permissions[page], dataActions: [], notDataActions: [] }], ...next });
        }
        return json(404, { error: { code: "NotFound", message: `unexpected ${u.pathname}` } });
    }, tls);
    return url;
}

describe("preflight: Azure (documented shapes through Azure's Node clients)", function () {
    this.timeout(60_000);
    let needs: Needs;
    let tls: { key: string; cert: string };
    const clients = (url: string) => azureClients(credential, SUB, { endpoint: url, ca: tls.cert });
    before(async () => {
        tls = localCert();
        const run = await runStack("azure", { "azure.apiServerAuthorizedIpRanges": "198.51.100.0/24" }, { preview: true });
        needs = needsFor(run.config, run.resources, sizingFor(run.config).nodes.vcpu);
    });
    const credential: TokenCredential = { getToken: () => Promise.resolve({ token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
    // The plan: system pool 6 + 2 surging, user pool 33 + 11 surging (maxSurge 33%), × 4 vCPUs = 208; one Standard public IP (the NAT gateway's).
    const sufficient = (): Subscription => ({
        usages: { cores: { currentValue: 44, limit: 252 }, standardDDSv5Family: { currentValue: 4, limit: 212 } },
        ipUsage: { currentValue: 9, limit: 10 },
        restrictedZones: [],
        aksVersions: ["1.34", "1.35", "1.36"],
        pgVersions: ["16", "17", "18"],
        pgHaModes: ["SameZone", "ZoneRedundant"],
        registered: [...azureProviders(needs.actions), "Microsoft.Storage"],
        redisLocations: ["East US", "East US 2", "West Europe"],
        // Reader and Owner: only the second page grants the writes.
        permissions: [
            { actions: ["*/read"], notActions: [] },
            { actions: ["*"], notActions: [] },
        ],
        egress: "198.51.100.7",
    });

    it("reads the plan's needs: both node pools at their maxima, the NAT address, versions, HA, the providers", () => {
        assert.deepEqual(needs.pools, [
            { size: "Standard_D4ds_v5", vcpu: 4, max: 6, surge: 2 },
            { size: "Standard_D4ds_v5", vcpu: 4, max: 33, surge: 11 },
        ]);
        assert.equal(needs.publicAddresses, 1);
        assert.deepEqual(needs.database, { version: "17", size: "Standard_D8ds_v5", ha: "ZoneRedundant" });
        assert.deepEqual(needs.cache, { engine: "redis", version: "", size: "Balanced_B10" });
        assert.deepEqual(needs.allowList, { key: "azure.apiServerAuthorizedIpRanges", cidrs: ["198.51.100.0/24"] });
        assert.ok(azureProviders(needs.actions).includes("Microsoft.ServiceNetworking"));
        assert.deepEqual(needs.unmapped, []);
    });

    it("a sufficient subscription passes every check (quotas exactly at need + usage)", async () => {
        const seen: string[] = [];
        const s = sufficient();
        const rows = await azureChecks(clients(await armServer(s, seen, tls)), { needs, egress: { ip: s.egress } });
        assert.deepEqual(
            rows.filter((r) => r.status !== "ok"),
            [],
        );
        assert.equal(rows.length, 10);
        assert.match(
            row(rows, "cache: Azure Managed Redis Balanced_B10 in eastus2").detail,
            /redisEnterprise\) is offered in eastus2; .*capacity shows only at create/,
        );
        assert.match(row(rows, "quota: Total Regional vCPUs").detail, /needs 208 .*quota 252, 44 in use, 208 free/);
        assert.match(row(rows, "quota: standardDDSv5Family").detail, /needs 208 .*quota 212, 4 in use/);
        assert.ok(seen.length >= 8 && seen.every((a) => a === "Bearer test-token"), seen.join());
    });

    it("refuses each class: quotas one short, a size restricted in a zone, an unsupported minor, HA not offered on the class, an unregistered provider, a missing permission, an allow-list without the caller", async () => {
        const s = sufficient();
        s.usages = { cores: { currentValue: 44, limit: 251 }, standardDDSv5Family: { currentValue: 4, limit: 211 } };
        s.ipUsage = { currentValue: 10, limit: 10 };
        s.restrictedZones = ["3"];
        s.aksVersions = ["1.33", "1.34", "1.35"];
        s.pgHaModes = ["SameZone"];
        s.registered = s.registered.filter((p) => p !== "Microsoft.ServiceNetworking");
        s.redisLocations = ["East US", "West Europe"];
        s.permissions = [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"] }];
        s.egress = "192.0.2.44";
        const rows = await azureChecks(clients(await armServer(s, [], tls)), { needs, egress: { ip: s.egress } });
        const fails = (prefix: string, detail: RegExp, fix: RegExp) => assertFails(rows, prefix, detail, fix);
        fails("quota: Total Regional vCPUs", /207 free/, /Total Regional vCPUs in eastus2 to at least 252/);
        fails("quota: standardDDSv5Family", /207 free/, /standardDDSv5Family in eastus2 to at least 212/);
        fails("quota: Standard public IPs", /needs 1 .*0 free/, /at least 11/);
        fails("size: Standard_D4ds_v5", /not offered in 3 \(of 1, 2, 3\)/, /location/);
        fails("version: AKS", /1\.36 is not supported; supported: 1\.33, 1\.34, 1\.35/, /azure\.kubernetesVersion/);
        fails("database: PostgreSQL", /Standard_D8ds_v5 with HA ZoneRedundant is not orderable/, /postgresHaMode/);
        fails("cache: Azure Managed Redis", /is not offered in eastus2/, /azure-native:location/);
        fails("providers", /not enabled: Microsoft\.ServiceNetworking/, /az provider register --namespace Microsoft\.ServiceNetworking/);
        fails("permissions", /denied 2 of \d+: Microsoft\.Authorization\/locks\/write, Microsoft\.Authorization\/roleAssignments\/write/, /Owner/);
        fails("allow-list", /192\.0\.2\.44 is not in azure\.apiServerAuthorizedIpRanges/, /including 192\.0\.2\.44\/32/);
    });

    it("role wildcards: an action granted by a pattern and not excluded by notActions", () => {
        const reader = [{ actions: ["*/read"], notActions: [] }];
        const contributor = [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write"] }];
        const network = [{ actions: ["Microsoft.Network/*"], notActions: [] }, ...reader];
        const ops = ["Microsoft.Network/virtualNetworks/write", "Microsoft.Authorization/roleAssignments/write", "Microsoft.Network/virtualNetworks/read"];
        assert.deepEqual(deniedActions(reader, ops), ops.slice(0, 2));
        assert.deepEqual(deniedActions(contributor, ops), ["Microsoft.Authorization/roleAssignments/write"]);
        assert.deepEqual(deniedActions(network, ops), ["Microsoft.Authorization/roleAssignments/write"]);
        assert.deepEqual(deniedActions([], ops), ops);
    });

    it("a failed call or a missing subscription is 'could not check', never a pass", async () => {
        const url = await serve(
            (_req, _b, res) =>
                res.writeHead(403, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "AuthorizationFailed", message: "no" } })),
            tls,
        );
        const rows = await azureChecks(clients(url), { needs, egress: {} });
        assert.deepEqual(
            rows.filter((r) => r.status !== "unknown").map((r) => r.check),
            [],
        );
        // A list's iterator reports the status, a single GET Resource Manager's message; both its error code.
        assert.match(row(rows, "providers").detail, /RestError: AuthorizationFailed: .*403/);
        assert.match(row(rows, "version: AKS").detail, /RestError: AuthorizationFailed: no/);
        assert.match(row(rows, "permissions").detail, /RestError: AuthorizationFailed: no/);
        assert.deepEqual(
            (await azureChecks(undefined, { needs, egress: {} })).map((r) => r.status),
            ["unknown"],
        );
    });
});
