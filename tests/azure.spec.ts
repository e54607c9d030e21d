// The azure stack under mocks: what `pulumi up --stack azure` would ask Azure for.
import * as assert from "assert";
import { X509Certificate } from "crypto";
import { assertAppDbRole } from "./appDbRoleChecks";
import { assertNoRouteFilters, assertRouteHsts } from "./routeHstsChecks";
import * as fs from "fs";
import * as path from "path";
import * as authEnums from "@pulumi/azure-native/types/enums/authorization";
import * as aksEnums from "@pulumi/azure-native/types/enums/containerservice";
import * as pgEnums from "@pulumi/azure-native/types/enums/dbforpostgresql";
import * as monitorEnums from "@pulumi/azure-native/types/enums/monitor";
import * as netEnums from "@pulumi/azure-native/types/enums/network";
import * as logEnums from "@pulumi/azure-native/types/enums/operationalinsights";
import * as amrEnums from "@pulumi/azure-native/types/enums/redisenterprise";
import * as agcEnums from "@pulumi/azure-native/types/enums/servicenetworking";
import { addressPlan } from "../model/azure/addressing";
import { AKS_AAD_SERVER_ID, aksEndpoint, aksKubeconfig } from "../components/azure/kubeconfig";
import { ROLES } from "../components/azure/roles";
import { runPolicies } from "../policy/offline";
import { pgPerformanceTier, pgStorageGb } from "../model/azure/sizing";
import { capacityRows, sizingFor } from "../model/capacity";
import { stackIdentifiers, stackNameProblem } from "../model/identifiers";
import { buildPlan, renderPlan } from "../scripts/planReport";
import { diffResources } from "../scripts/offline/diff";
import { ROOT, all, find, runStack, type Recorded, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";
import { DEPLOYER_OBJECT_ID, SUBSCRIPTION, TENANT, aksUserKubeconfig } from "../scripts/offline/mocks/azure";

const T = {
    rg: "azure-native:resources:ResourceGroup",
    subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup",
    nat: "azure-native:network:NatGateway",
    aks: "azure-native:containerservice:ManagedCluster",
    pool: "azure-native:containerservice:AgentPool",
    maintenance: "azure-native:containerservice:MaintenanceConfiguration",
    role: "azure-native:authorization:RoleAssignment",
    lock: "azure-native:authorization:ManagementLockByScope",
    pg: "azure-native:dbforpostgresql:Server",
    pgConfig: "azure-native:dbforpostgresql:Configuration",
    pgDb: "azure-native:dbforpostgresql:Database",
    zone: "azure-native:privatedns:PrivateZone",
    link: "azure-native:privatedns:VirtualNetworkLink",
    redis: "azure-native:redisenterprise:RedisEnterprise",
    redisDb: "azure-native:redisenterprise:Database",
    pe: "azure-native:network:PrivateEndpoint",
    tc: "azure-native:servicenetworking:TrafficControllerInterface",
    frontend: "azure-native:servicenetworking:FrontendsInterface",
    association: "azure-native:servicenetworking:AssociationsInterface",
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    fic: "azure-native:managedidentity:FederatedIdentityCredential",
    helm: "kubernetes:helm.sh/v3:Release",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    health: "kubernetes:alb.networking.azure.io/v1:HealthCheckPolicy",
    wafCr: "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy",
    waf: "azure-native:network:WebApplicationFirewallPolicy",
    securityPolicy: "azure-native:servicenetworking:SecurityPoliciesInterface",
    secret: "kubernetes:core/v1:Secret",
};

const roleOf = (r: Recorded) => String(r.inputs.roleDefinitionId).split("/").pop();

describe("azure: pure helpers", () => {
    it("carves node, AGC (/24), PostgreSQL and endpoint subnets from the /16, outside the overlay ranges", () => {
        const p = addressPlan("10.40.0.0/16");
        assert.deepStrictEqual([p.nodes, p.agc, p.postgres, p.endpoints], ["10.40.0.0/22", "10.40.4.0/24", "10.40.5.0/24", "10.40.6.0/24"]);
    });

    it("rounds PostgreSQL storage up to a size Azure accepts", () => {
        assert.strictEqual(pgStorageGb(100), 128);
        assert.strictEqual(pgStorageGb(128), 128);
        assert.strictEqual(pgStorageGb(20), 32);
        assert.strictEqual(pgStorageGb(40_000), 32767);
    });

    it("picks the disk tier for the IOPS wanted, never below the size auto-grow reaches, never past P50 on a disk up to 4 TiB", () => {
        assert.deepStrictEqual(pgPerformanceTier(100, 1000, 3000), { gb: 1024, tier: "P30", iops: 5000 }, "10k users: IOPS and growth both say P30");
        assert.strictEqual(pgPerformanceTier(20, 200, 300).tier, "P15", "growth to 200 GiB (P15) outranks 300 IOPS (P4)");
        assert.strictEqual(pgPerformanceTier(100, 300, 2000).tier, "P20", "2,000 IOPS need P20 on a P10 disk");
        assert.strictEqual(pgPerformanceTier(500, 5000, 15000).tier, "P50", "a 512 GiB disk goes no higher than P50");
        assert.strictEqual(pgPerformanceTier(5000, 5000, 15000).tier, "P60", "an 8 TiB disk may");
    });
    it("builds a kubelogin kubeconfig from the AKS user credential, dropping its device-code login", () => {
        const src = Buffer.from(aksUserKubeconfig("c1", "c1-abc.hcp.eastus2.azmk8s.io"), "base64").toString();
        const ep = aksEndpoint(src);
        assert.strictEqual(ep.server, "https://c1-abc.hcp.eastus2.azmk8s.io:443");
        const kc = JSON.parse(aksKubeconfig({ name: "c1", ...ep, mode: "azurecli", tenantId: TENANT }));
        const exec = kc.users[0].user.exec;
        assert.strictEqual(exec.command, "kubelogin");
        assert.deepStrictEqual(exec.args.slice(0, 5), ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_ID]);
        assert.ok(!JSON.stringify(kc).includes("devicecode"));
        assert.strictEqual(kc.clusters[0].cluster["certificate-authority-data"], ep.caData);
        assert.throws(() => aksEndpoint("apiVersion: v1\n"), /no server/);
    });
});

describe("azure: config keys", () => {
    const bad = async (overrides: Record<string, string>, key: string) => {
        await assert.rejects(runStack("azure", overrides), (e: Error) => e.message.includes(key));
    };
    it("rejects an unsupported Kubernetes or PostgreSQL version and a bad VNet", async () => {
        await bad({ "azure.kubernetesVersion": "1.31" }, "azure.kubernetesVersion");
        await bad({ "azure.kubernetesVersion": "1.99" }, "azure.kubernetesVersion");
        await bad({ "azure.kubernetesVersion": "1.38" }, "azure.kubernetesVersion");
        await bad({ "azure.postgresVersion": "14" }, "azure.postgresVersion");
        await bad({ "azure.postgresBackupRetentionDays": "3" }, "azure.postgresBackupRetentionDays");
        await bad({ "azure.vnetCidr": "10.40.0.0/20" }, "azure.vnetCidr");
    });
    it("rejects a pinned patch version under an upgrade channel that moves patches (a later up would be a downgrade)", async () => {
        await bad({ "azure.kubernetesVersion": "1.36.3" }, "azure.kubernetesVersion");
        const run = await runStack("azure", { "azure.kubernetesVersion": "1.36.3", "azure.upgradeChannel": "node-image" });
        assert.strictEqual(find(run, T.aks).inputs.kubernetesVersion, "1.36.3");
    });
    it("leaves the Kubernetes version to a stable or rapid channel after creation (it moves the minor)", async () => {
        const run = await runStack("azure", { "azure.upgradeChannel": "stable" });
        assert.ok(find(run, T.aks).ignoreChanges.includes("kubernetesVersion"));
        assert.ok(find(run, T.aks).ignoreChanges.includes("agentPoolProfiles[0].orchestratorVersion"));
        assert.ok(find(run, T.pool).ignoreChanges.includes("orchestratorVersion"));
        const patch = await runStack("azure");
        assert.ok(!find(patch, T.aks).ignoreChanges.includes("kubernetesVersion"), "under patch the configured minor stays authoritative");
    });
    it("requires the API allow-list unless the API is private, refuses one on a private cluster, and knows only allowList and private", async () => {
        await bad({ "azure.apiServerAuthorizedIpRanges": "" }, "azure.apiServerAuthorizedIpRanges");
        await assert.rejects(runStack("azure", { "azure.apiAccess": "private" }), /azure\.apiServerAuthorizedIpRanges.*must be unset with apiAccess private/);
        await assert.rejects(runStack("azure", { "azure.apiAccess": "public" }), /azure\.apiAccess.*must be one of allowList, private/);
    });
    it("requires the Entra admin group(s) that hold cluster-admin (local accounts are off)", async () => {
        await assert.rejects(runStack("azure", { "azure.adminGroupObjectIds": "" }), /azure\.adminGroupObjectIds: is required: the Entra group object IDs/);
    });
    it("rejects a key the azure schema does not know", async () => {
        await bad({ "azure.nope": "x" }, "azure.nope");
    });
    it("limits the stack name by the names the stack declares: each autonamed identifier checked is a resource of the stack", async () => {
        const run = await runStack("azure");
        const ids = stackIdentifiers("azure", run.config.project, run.config.stack);
        for (const id of ids) {
            const declared = run.resources.filter((r) => r.name === id.logical);
            assert.strictEqual(declared.length, 1, `${id.what}: one resource named ${id.logical}`);
            // Autonamed: the input that would name it explicitly is unset.
            const nameKeys = declared[0].type.endsWith(":ResourceGroup")
                ? ["resourceGroupName"]
                : ["virtualNetworkName", "resourceName", "serverName", "clusterName"];
            for (const k of nameKeys) assert.strictEqual(declared[0].inputs[k], undefined, `${id.what}: ${k} is set, so it is not autonamed`);
        }
        // Azure Managed Redis (60) leaves the stack the fewest characters: zdp-<stack>-cache-redis + 8.
        const longest = 60 - "zdp--cache-redis".length - 8;
        assert.strictEqual(stackNameProblem("azure", "zdp", "a".repeat(longest)), undefined);
        assert.match(
            stackNameProblem("azure", "zdp", "a".repeat(longest + 1))!,
            /Azure Managed Redis name 61 characters, over the 60 .*at most 36 characters$/,
        );
    });
});

describe("azure: the 10k-user stack", function () {
    let run: StackRun;
    const sizing = () => sizingFor(run.config);
    before(async () => {
        run = await runStack("azure");
    });

    it("sizes from the capacity model: D8ds_v5 PostgreSQL, Balanced_B10 Redis, 4-vCPU nodes", () => {
        const s = sizing();
        assert.strictEqual(s.database.instanceClass, "Standard_D8ds_v5");
        assert.strictEqual(s.redis.nodeClass, "Balanced_B10");
        assert.ok(s.redis.memoryGiB >= 8, "the ~8 GB class must hold 8 GB");
        assert.strictEqual(s.nodes.machineType, "Standard_D4ds_v5");
    });

    describe("network", () => {
        it("delegates the AGC and PostgreSQL subnets and routes node egress through the NAT gateway", () => {
            const subnets = Object.fromEntries(all(run, T.subnet).map((r) => [r.inputs.subnetName, r.inputs]));
            assert.deepStrictEqual(Object.keys(subnets).sort(), ["agc", "aks-nodes", "endpoints", "postgres"]);
            assert.strictEqual(subnets.agc.delegations[0].serviceName, "Microsoft.ServiceNetworking/trafficControllers");
            assert.match(subnets.agc.addressPrefix, /\/24$/);
            assert.strictEqual(subnets.postgres.delegations[0].serviceName, "Microsoft.DBforPostgreSQL/flexibleServers");
            assert.match(subnets["aks-nodes"].natGateway.id, /\/natGateways\//);
            assert.strictEqual(subnets["aks-nodes"].defaultOutboundAccess, false);
            assert.strictEqual(subnets.endpoints.privateEndpointNetworkPolicies, "Enabled");
            for (const key of ["aks-nodes", "postgres", "endpoints"]) assert.match(subnets[key].networkSecurityGroup.id, /networkSecurityGroups/, key);
        });

        it("NSGs open only the app port from AGC to pods, 5432 from nodes to PostgreSQL, 10000 from nodes to Redis", () => {
            const rules = all(run, T.nsg).flatMap((n) => n.inputs.securityRules as any[]);
            const byName = Object.fromEntries(rules.map((r) => [r.name, r]));
            const plan = addressPlan(run.config.azure!.vnetCidr);
            assert.deepStrictEqual(byName["allow-agc-to-app"].destinationPortRanges, [String(run.config.app.port)]);
            assert.deepStrictEqual(byName["allow-agc-to-app"].sourceAddressPrefixes, [plan.agc]);
            assert.deepStrictEqual(byName["allow-nodes-to-postgres"].sourceAddressPrefixes, [plan.nodes]);
            assert.deepStrictEqual(byName["allow-nodes-to-redis"].destinationPortRanges, ["10000"]);
            assert.strictEqual(rules.filter((r) => r.name === "deny-other-vnet-inbound" && r.access === "Deny").length, 2);
        });

        it("closes every other port to the AGC subnet: Azure's AllowVnetInBound (65000) would open them", () => {
            const plan = addressPlan(run.config.azure!.vnetCidr);
            const nodes = all(run, T.nsg).find((n) => n.name.endsWith("-nodes-nsg"))!.inputs.securityRules as any[];
            const allow = nodes.find((r) => r.name === "allow-agc-to-app");
            const deny = nodes.find((r) => r.access === "Deny" && r.sourceAddressPrefix === plan.agc);
            assert.ok(deny, "a deny rule for the AGC subnet");
            assert.deepStrictEqual([deny.direction, deny.protocol, deny.destinationPortRange], ["Inbound", "*", "*"]);
            assert.ok(allow.priority < deny.priority && deny.priority < 65000, "after the app-port allow, before AllowVnetInBound");
        });

        it("writes NSG rules ARM accepts: '*' only in the singular port and prefix fields", () => {
            // ARM rejects "*" inside the plural lists (SecurityRuleInvalidPortRange).
            for (const r of all(run, T.nsg).flatMap((n) => n.inputs.securityRules as any[])) {
                for (const list of ["sourcePortRanges", "destinationPortRanges", "sourceAddressPrefixes", "destinationAddressPrefixes"])
                    assert.ok(!(r[list] ?? []).includes("*"), `${r.name}.${list} holds "*"`);
                assert.ok(r.destinationPortRange !== undefined || r.destinationPortRanges?.length, `${r.name} names its ports`);
            }
        });
    });

    describe("AKS", () => {
        const aks = () => find(run, T.aks).inputs;
        it("uses Entra ID with Azure RBAC, local accounts disabled, a user-assigned identity, OIDC + workload identity", () => {
            const c = aks();
            assert.strictEqual(c.disableLocalAccounts, true);
            assert.deepStrictEqual([c.aadProfile.managed, c.aadProfile.enableAzureRBAC], [true, true]);
            assert.strictEqual(c.identity.type, "UserAssigned");
            assert.strictEqual(c.oidcIssuerProfile.enabled, true);
            assert.strictEqual(c.securityProfile.workloadIdentity.enabled, true);
            assert.strictEqual(c.sku.tier, "Standard");
        });

        it("runs the Azure Policy add-on, so Azure Policy and Defender for Cloud can audit inside the cluster", () => {
            assert.deepStrictEqual(aks().addonProfiles.azurepolicy, { enabled: true });
        });

        it("serves the API publicly only to azure.apiServerAuthorizedIpRanges and the NAT gateway's IP (the nodes' egress), not as a private cluster", () => {
            const natIp = all(run, "azure-native:network:PublicIPAddress").find((r) => /-nat-ip$/.test(r.name))!;
            assert.ok(find(run, T.aks).dependsOn.includes(natIp.urn), "the allow-list takes the IP created in the same run");
            assert.deepStrictEqual(aks().apiServerAccessProfile, { authorizedIPRanges: ["203.0.113.0/24", "20.94.113.27/32"] });
        });

        it("runs Azure CNI Overlay with Cilium network policy and the user-assigned NAT gateway for egress", () => {
            const n = aks().networkProfile;
            assert.deepStrictEqual(
                [n.networkPlugin, n.networkPluginMode, n.networkDataplane, n.networkPolicy, n.outboundType],
                ["azure", "overlay", "cilium", "cilium", "userAssignedNATGateway"],
            );
        });

        it("pins the configured version with an auto-upgrade channel and weekly maintenance windows", () => {
            const c = aks();
            assert.strictEqual(c.kubernetesVersion, run.config.azure!.kubernetesVersion);
            assert.deepStrictEqual(c.autoUpgradeProfile, { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
            const windows = all(run, T.maintenance).map((m) => m.inputs);
            assert.deepStrictEqual(windows.map((w) => w.configName).sort(), ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]);
            for (const w of windows) assert.deepStrictEqual(w.maintenanceWindow.schedule.weekly, { dayOfWeek: "Sunday", intervalWeeks: 1 });
        });

        it("spreads a tainted system pool and the autoscaled app pool over zones 1-3, sized by the model", () => {
            const s = sizing();
            const system = aks().agentPoolProfiles[0];
            assert.deepStrictEqual(
                [system.mode, system.availabilityZones, system.nodeTaints],
                ["System", ["1", "2", "3"], ["CriticalAddonsOnly=true:NoSchedule"]],
            );
            const pool = find(run, T.pool);
            const p = pool.inputs;
            assert.deepStrictEqual(p.availabilityZones, ["1", "2", "3"]);
            assert.deepStrictEqual([p.mode, p.vmSize, p.enableAutoScaling], ["User", s.nodes.machineType, true]);
            assert.deepStrictEqual([p.minCount, p.count, p.maxCount], [s.nodes.min, s.nodes.desired, s.nodes.max]);
            assert.strictEqual(p.minCount, s.nodes.perZone * 3);
            assert.match(p.vnetSubnetID, /\/subnets\/aks-nodes$/);
            assert.ok(pool.ignoreChanges.includes("count"), "the autoscaler owns count");
        });

        it("turns on Container Insights with managed-identity auth and a data collection rule on the cluster", () => {
            const oms = aks().addonProfiles.omsagent;
            assert.strictEqual(oms.enabled, true);
            assert.match(oms.config.logAnalyticsWorkspaceResourceID, /Microsoft.OperationalInsights\/workspaces\//);
            assert.strictEqual(oms.config.useAADAuth, "true");
            const dcra = find(run, "azure-native:monitor:DataCollectionRuleAssociation").inputs;
            assert.match(dcra.resourceUri, /Microsoft.ContainerService\/managedClusters\//);
            const diag = find(run, "azure-native:monitor:DiagnosticSetting", "zdp-azure-control-plane-logs").inputs;
            assert.ok(
                diag.logs.some((l: any) => l.category === "kube-audit-admin" && l.enabled),
                "control-plane audit logs go to Log Analytics",
            );
        });

        it("grants cluster-admin through Azure RBAC to the azure.adminGroupObjectIds group (principalType Group), not to whoever runs up, and the control plane subnet join", () => {
            const roles = all(run, T.role);
            const admins = roles.filter((r) => roleOf(r) === ROLES.aksRbacClusterAdmin);
            assert.deepStrictEqual(
                admins.map((a) => [a.inputs.principalId, a.inputs.principalType]),
                [[run.config.azure!.adminGroupObjectIds[0], "Group"]],
            );
            assert.ok(admins.every((a) => a.inputs.principalId !== DEPLOYER_OBJECT_ID));
            const admin = admins[0];
            assert.match(admin.inputs.scope, /managedClusters\/[^/]+$/);
            assert.ok(admin.inputs.roleDefinitionId.startsWith(`/subscriptions/${SUBSCRIPTION}/`));
            // A missing principalType makes ARM check the principal as a User: a group or an SP fails (UnmatchedPrincipalType).
            assert.deepStrictEqual(
                roles.filter((r) => r.inputs.principalType === undefined).map((r) => r.name),
                [],
            );
            const join = roles.find((r) => roleOf(r) === ROLES.networkContributor && /subnets\/aks-nodes$/.test(r.inputs.scope));
            assert.ok(join, "control-plane identity can join the node subnet");
            assert.ok(find(run, T.aks).dependsOn.includes(join.urn), "the cluster waits for the grant");
        });

        it("exports a secret kubeconfig that authenticates with kubelogin, not a static credential", () => {
            const kc = run.outputs.kubeconfig;
            assert.strictEqual(kc.secret, true);
            const parsed = JSON.parse(String(kc.value));
            assert.strictEqual(parsed.users[0].user.exec.command, "kubelogin");
            assert.ok(parsed.users[0].user.exec.args.includes("azurecli"));
            assert.ok(!("token" in parsed.users[0].user) && !("client-key-data" in parsed.users[0].user));
            assert.match(parsed.clusters[0].cluster.server, /^https:\/\/.+\.azmk8s\.io:443$/);
        });
    });

    describe("PostgreSQL Flexible Server", () => {
        const pg = () => find(run, T.pg);
        it("is General Purpose at the model's SKU, zone-redundant HA, auto-growing storage", () => {
            const i = pg().inputs;
            assert.deepStrictEqual(i.sku, { name: sizing().database.instanceClass, tier: "GeneralPurpose" });
            assert.strictEqual(i.highAvailability.mode, "ZoneRedundant");
            assert.strictEqual(i.version, "17");
            assert.strictEqual(i.storage.autoGrow, "Enabled");
            assert.strictEqual(i.storage.storageSizeGB, pgStorageGb(sizing().database.storageGiB));
        });
        it("lets auto-grow own the disk size after creation, and runs the disk at the IOPS tier of its capacity row", () => {
            // Kept in the inputs, a grown disk would be asked to shrink on a later update; Azure refuses.
            assert.deepStrictEqual(pg().ignoreChanges, ["storage.storageSizeGB"]);
            assert.strictEqual(pg().inputs.storage.tier, "P30");
            const row = capacityRows(sizing()).find((r) => r.what.startsWith("database IOPS"))!;
            assert.deepStrictEqual([row.what, row.servedUsers, row.ok], ["database IOPS (Premium SSD P30, 5,000)", 16_666, true]);
        });
        it("is private: delegated subnet, a private DNS zone linked to the VNet, public access disabled", () => {
            const n = pg().inputs.network;
            assert.strictEqual(n.publicNetworkAccess, "Disabled");
            assert.match(n.delegatedSubnetResourceId, /\/subnets\/postgres$/);
            assert.match(n.privateDnsZoneArmResourceId, /privateDnsZones\/zdp-azure\.private\.postgres\.database\.azure\.com$/);
            const link = all(run, T.link).find((l) => l.inputs.privateZoneName === "zdp-azure.private.postgres.database.azure.com");
            assert.match(link!.inputs.virtualNetwork.id, /virtualNetworks\//);
            assert.ok(pg().dependsOn.includes(link!.urn), "the server waits for the zone link");
        });
        it("keeps geo-redundant backups for at least 7 days and requires TLS", () => {
            const b = pg().inputs.backup;
            assert.ok(b.backupRetentionDays >= 7);
            assert.strictEqual(b.geoRedundantBackup, "Enabled");
            assert.deepStrictEqual(
                pg().inputs.maintenanceWindow,
                { customWindow: "Enabled", dayOfWeek: 0, startHour: 6, startMinute: 0 },
                "Sunday, after the AKS window",
            );
            const tls = find(run, T.pgConfig).inputs;
            assert.deepStrictEqual([tls.configurationName, tls.value], ["require_secure_transport", "on"]);
        });
        it("writes the server's children one at a time (concurrent writes fail with ServerIsBusy)", () => {
            assert.ok(find(run, T.pgDb).dependsOn.includes(find(run, T.pgConfig).urn), "the database waits for the TLS parameter");
        });
        it("takes a generated admin password only as a secret, and is protected and locked", () => {
            assert.ok(pg().secretPaths.includes("administratorLoginPassword"));
            assert.strictEqual(pg().protect, true);
            assert.strictEqual(find(run, T.pgDb).protect, true);
            const locks = all(run, T.lock).map((l) => l.inputs);
            assert.ok(locks.some((l) => /flexibleServers\/[^/]+$/.test(l.scope) && l.level === "CanNotDelete"));
        });
    });

    it("sends every resource log (allLogs) of AGC, PostgreSQL and the Redis database to the stack's Log Analytics workspace", () => {
        const settings = all(run, "azure-native:monitor:DiagnosticSetting").filter((d) => d.inputs.logs.some((l: any) => l.categoryGroup));
        const target = (re: RegExp) => settings.find((d) => re.test(d.inputs.resourceUri))!;
        const agc = target(/trafficControllers\/[^/]+$/);
        const pgLogs = target(/flexibleServers\/[^/]+$/);
        const redisLogs = target(/redisEnterprise\/[^/]+\/databases\/default$/);
        const workspace = find(run, "azure-native:operationalinsights:Workspace");
        for (const d of [agc, pgLogs, redisLogs]) {
            assert.deepStrictEqual(d.inputs.logs, [{ categoryGroup: "allLogs", enabled: true }]);
            assert.match(d.inputs.workspaceId, new RegExp(`/workspaces/${workspace.name}`));
            assert.ok(d.dependsOn.includes(workspace.urn));
        }
        assert.strictEqual(settings.length, 3);
    });

    describe("Azure Managed Redis", () => {
        it("uses the model's SKU with high availability, TLS only, public access disabled", () => {
            const c = find(run, T.redis);
            assert.deepStrictEqual(c.inputs.sku, { name: sizing().redis.nodeClass });
            assert.strictEqual(c.inputs.highAvailability, "Enabled");
            assert.strictEqual(c.inputs.publicNetworkAccess, "Disabled");
            assert.strictEqual(c.inputs.minimumTlsVersion, "1.2");
            assert.strictEqual(c.protect, true);
            const db = find(run, T.redisDb);
            assert.deepStrictEqual([db.inputs.clientProtocol, db.inputs.port], ["Encrypted", 10000]);
            assert.strictEqual(db.protect, true);
        });
        it("is reached through a private endpoint and privatelink.redis.azure.net", () => {
            const pe = find(run, T.pe).inputs;
            assert.deepStrictEqual(pe.privateLinkServiceConnections[0].groupIds, ["redisEnterprise"]);
            assert.match(pe.privateLinkServiceConnections[0].privateLinkServiceId, /Microsoft.Cache\/redisEnterprise\//);
            assert.match(pe.subnet.id, /\/subnets\/endpoints$/);
            assert.ok(all(run, T.zone).some((z) => z.inputs.privateZoneName === "privatelink.redis.azure.net"));
            assert.ok(all(run, T.link).some((l) => l.inputs.privateZoneName === "privatelink.redis.azure.net"));
        });
    });

    describe("Application Gateway for Containers", () => {
        it("creates the traffic controller, a frontend and the association on the delegated subnet", () => {
            find(run, T.tc);
            assert.strictEqual(find(run, T.frontend).inputs.frontendName, "app");
            const a = find(run, T.association).inputs;
            assert.strictEqual(a.associationType, "subnets");
            assert.match(a.subnet.id, /\/subnets\/agc$/);
        });
        it("runs the ALB Controller with a workload identity federated to its service account and the roles it needs", () => {
            const fic = find(run, T.fic).inputs;
            assert.strictEqual(fic.subject, "system:serviceaccount:azure-alb-system:alb-controller-sa");
            assert.match(fic.issuer, /^https:\/\/eastus2\.oic\.prod-aks\.azure\.com\//);
            assert.deepStrictEqual(fic.audiences, ["api://AzureADTokenExchange"]);
            const identity = all(run, T.identity).find((i) => i.name.includes("alb"))!;
            const albRoles = all(run, T.role).filter((r) => r.name.includes("-alb-"));
            assert.strictEqual(albRoles.length, 4);
            for (const r of albRoles) assert.ok(r.dependsOn.includes(identity.urn), `${r.name} is granted to the controller identity`);
            const scopeOf = (role: string) => albRoles.find((r) => roleOf(r) === role)?.inputs.scope;
            assert.match(scopeOf(ROLES.appGwForContainersConfigurationManager), /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/);
            const networkScopes = albRoles.filter((r) => roleOf(r) === ROLES.networkContributor).map((r) => String(r.inputs.scope));
            assert.strictEqual(networkScopes.length, 2);
            assert.ok(networkScopes.some((sc) => /\/subnets\/agc$/.test(sc)));
            // The WAF policy's join action, without which the controller cannot attach it.
            assert.ok(networkScopes.some((sc) => /\/ApplicationGatewayWebApplicationFirewallPolicies\/[^/]+$/.test(sc)));
            assert.match(scopeOf(ROLES.reader), /resourceGroups\/MC_/);
            const helm = find(run, T.helm);
            assert.strictEqual(helm.inputs.chart, "oci://mcr.microsoft.com/application-lb/charts/alb-controller");
            assert.strictEqual(helm.inputs.version, run.config.azure!.albControllerVersion);
            // 1.12.4 carries the security patches 1.12.1 lacks (ALB Controller release notes).
            const [major, minor, patch] = String(helm.inputs.version).split(".").map(Number);
            assert.ok(major > 1 || (major === 1 && (minor > 12 || (minor === 12 && patch >= 4))), `chart ${helm.inputs.version} predates 1.12.4`);
            assert.match(helm.inputs.values.albController.podIdentity.clientID, /^[0-9a-f-]{36}$/);
            for (const r of [find(run, T.fic), ...albRoles]) assert.ok(helm.dependsOn.includes(r.urn), `helm waits for ${r.name}`);
        });
        it("points the release's Gateway at the AGC resource and frontend with the azure-alb-external class", () => {
            const gw = find(run, T.gateway).inputs;
            assert.strictEqual(gw.spec.gatewayClassName, "azure-alb-external");
            assert.match(gw.metadata.annotations["alb.networking.azure.io/alb-id"], /Microsoft.ServiceNetworking\/trafficControllers\/[^/]+$/);
            assert.deepStrictEqual(gw.spec.addresses, [{ type: "alb.networking.azure.io/alb-frontend", value: "app" }]);
        });
        it("puts the whole Gateway behind Azure WAF in prevention mode: Default Rule Set 2.1 and Bot Manager, attached in Azure and in the cluster", async () => {
            const waf = find(run, T.waf);
            assert.deepStrictEqual(waf.inputs.managedRules.managedRuleSets, [
                { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
                { ruleSetType: "Microsoft_BotManagerRuleSet", ruleSetVersion: "1.1" },
            ]);
            assert.deepStrictEqual([waf.inputs.policySettings.state, waf.inputs.policySettings.mode], ["Enabled", "Prevention"]);
            assert.strictEqual(waf.inputs.location, find(run, T.tc).inputs.location, "AGC takes a WAF policy of its own region only");
            // Azure half: the traffic controller's SecurityPolicy names the WAF policy.
            const sp = find(run, T.securityPolicy);
            const wafId = String(sp.inputs.wafPolicy.id);
            assert.match(wafId, /\/providers\/Microsoft\.Network\/ApplicationGatewayWebApplicationFirewallPolicies\/[^/]+$/);
            assert.ok(sp.dependsOn.includes(waf.urn));
            assert.ok(sp.dependsOn.includes(find(run, T.tc).urn));
            // Cluster half: the Gateway's every listener (no sectionNames), same policy, after the controller exists.
            const gw = find(run, T.gateway).inputs;
            const cr = find(run, T.wafCr);
            assert.deepStrictEqual(cr.inputs.spec, {
                targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: gw.metadata.name, namespace: gw.metadata.namespace },
                webApplicationFirewall: { id: wafId },
            });
            assert.strictEqual(cr.inputs.metadata.namespace, gw.metadata.namespace);
            assert.ok(cr.dependsOn.includes(find(run, T.helm).urn));
            assert.ok(find(run, T.helm).dependsOn.includes(sp.urn), "the controller starts with the SecurityPolicy in place");

            const off = await runStack("azure", { "azure.waf": "false" });
            for (const t of [T.waf, T.securityPolicy, T.wafCr]) assert.deepStrictEqual(all(off, t), [], t);
            const report = runPolicies(off.resources, off.config);
            assert.deepStrictEqual([...new Set(report.violations.filter((v) => v.level === "mandatory").map((v) => v.rule))], ["agc-waf"]);
        });
        it("probes healthPath on every Service the route can send traffic to", () => {
            const policies = all(run, T.health).map((h) => h.inputs);
            const services = all(run, "kubernetes:core/v1:Service").map((svc) => svc.inputs.metadata.name);
            assert.deepStrictEqual(policies.map((p) => p.spec.targetRef.name).sort(), services.sort());
            assert.deepStrictEqual(services.sort(), ["app-blue", "app-green"]);
            for (const p of policies) {
                assert.strictEqual(p.spec.default.http.path, run.config.app.healthPath);
                assert.strictEqual(p.spec.default.port, run.config.app.port);
                assert.deepStrictEqual(p.spec.default.http.match.statusCodes, [{ start: 200, end: 299 }]);
            }
        });
    });

    it("hands endpoints and credentials to the app through its Secret, passwords as secrets", () => {
        const s = find(run, T.secret, "app");
        const d = s.inputs.stringData;
        assert.match(d.DATABASE_HOST, /\.postgres\.database\.azure\.com$/);
        assert.match(d.REDIS_HOST, /\.eastus2\.redis\.azure\.net$/);
        assert.deepStrictEqual([d.REDIS_PORT, d.REDIS_TLS], ["10000", "true"]);
        assert.ok(s.secretPaths.some((p) => p === "stringData" || p === "stringData.DATABASE_PASSWORD"));
        const leaks = run.generatedSecrets.filter((secret) => run.resources.some((r) => JSON.stringify(r.inputs).includes(secret) && !r.secretPaths.length));
        assert.deepStrictEqual(leaks, []);
    });

    it("verifies PostgreSQL fully against the DigiCert and Microsoft roots, Redis against the OS store", () => {
        const d = find(run, T.secret, "app").inputs.stringData;
        assert.strictEqual(d.DATABASE_SSLMODE, "verify-full");
        assert.strictEqual(d.DATABASE_HOST, run.outputs.databaseHost.value);
        const certs = (d.DATABASE_CA_CERT.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((p: string) => new X509Certificate(p));
        // SHA-256 fingerprint of DigiCert Global Root G2 as Azure publishes it
        // (https://docs.azure.cn/cosmos-db/postgresql/howto-ssl-connection-security).
        assert.ok(
            certs.some(
                (c: X509Certificate) => c.fingerprint256 === "CB:3C:CB:B7:60:31:E5:E0:13:8F:8D:D3:9A:23:F9:DE:47:FF:C3:5E:43:C1:14:4C:EA:27:D4:6A:5A:B1:CB:5F",
            ),
        );
        assert.ok(certs.some((c: X509Certificate) => c.subject.includes("CN=Microsoft RSA Root Certificate Authority 2017")));
        for (const c of certs) assert.ok(c.ca && c.verify(c.publicKey), `${c.subject} is a self-signed root`);
        assert.strictEqual(d.REDIS_CA_CERT, undefined);
    });

    it("connects the app as its own role, made by a Job that alone holds the administrator credentials", () => {
        const pg = find(run, "azure-native:dbforpostgresql:Server").inputs;
        assertAppDbRole(run, { user: pg.administratorLogin, password: pg.administratorLoginPassword, database: "app" });
    });

    it("runs the app in a namespace that enforces the restricted Pod Security Standard", () => {
        const ns = find(run, "kubernetes:core/v1:Namespace").inputs.metadata;
        assert.deepStrictEqual([ns.name, ns.labels["pod-security.kubernetes.io/enforce"]], [run.config.app.namespace, "restricted"]);
    });

    it("exports the gateway FQDN, database and Redis hosts and the active colour", () => {
        assert.match(String(run.outputs.endpoint.value), /\.alb\.azure\.com$/);
        assert.match(String(run.outputs.databaseHost.value), /\.postgres\.database\.azure\.com$/);
        assert.match(String(run.outputs.redisHost.value), /\.redis\.azure\.net$/);
        assert.strictEqual(run.outputs.activeColor.value, "blue");
    });

    it("tags every taggable Azure resource with project and stack", () => {
        const untagged = run.resources.filter(
            (r) =>
                r.type.startsWith("azure-native:") &&
                !/:(Subnet|RoleAssignment|ManagementLockByScope|FederatedIdentityCredential|MaintenanceConfiguration|DataCollectionRuleAssociation|DiagnosticSetting|PrivateDnsZoneGroup|Configuration|Database|AgentPool)$/.test(
                    r.type,
                ) &&
                (r.inputs.tags?.project !== "zdp" || r.inputs.tags?.stack !== "azure"),
        );
        assert.deepStrictEqual(
            untagged.map((r) => `${r.type} ${r.name}`),
            [],
        );
        assert.strictEqual(find(run, T.pool).inputs.tags?.stack, "azure", "the node pool carries tags too");
    });

    it("declares only schema-valid Kubernetes objects (the AGC HealthCheckPolicies and WebApplicationFirewallPolicy have no upstream schema)", () => {
        const report = validateK8s(run.resources);
        assert.deepStrictEqual(report.errors, []);
        assert.ok(report.validated.some((v) => v.includes("Gateway")));
        assert.deepStrictEqual(
            report.skipped.filter((s) => !s.startsWith(T.health) && !s.startsWith(T.wafCr)),
            [],
        );
    });

    it("spells every enum-typed input as the provider's API versions do (the SDK types also take any string)", () => {
        type Enum = Record<string, string>;
        const NSG_RULE: [string, Enum][] = [
            ["protocol", netEnums.SecurityRuleProtocol],
            ["access", netEnums.SecurityRuleAccess],
            ["direction", netEnums.SecurityRuleDirection],
        ];
        const pool: [string, Enum][] = [
            ["mode", aksEnums.AgentPoolMode],
            ["osType", aksEnums.OSType],
            ["osSKU", aksEnums.OSSKU],
        ];
        const checks: [string, string, Enum][] = [
            [T.aks, "sku.name", aksEnums.ManagedClusterSKUName],
            [T.aks, "sku.tier", aksEnums.ManagedClusterSKUTier],
            [T.aks, "identity.type", aksEnums.ResourceIdentityType],
            [T.aks, "networkProfile.networkPlugin", aksEnums.NetworkPlugin],
            [T.aks, "networkProfile.networkPluginMode", aksEnums.NetworkPluginMode],
            [T.aks, "networkProfile.networkDataplane", aksEnums.NetworkDataplane],
            [T.aks, "networkProfile.networkPolicy", aksEnums.NetworkPolicy],
            [T.aks, "networkProfile.loadBalancerSku", aksEnums.LoadBalancerSku],
            [T.aks, "networkProfile.outboundType", aksEnums.OutboundType],
            [T.aks, "autoUpgradeProfile.upgradeChannel", aksEnums.UpgradeChannel],
            [T.aks, "autoUpgradeProfile.nodeOSUpgradeChannel", aksEnums.NodeOSUpgradeChannel],
            ...pool.map(([p, e]): [string, string, Enum] => [T.aks, `agentPoolProfiles.0.${p}`, e]),
            ...pool.map(([p, e]): [string, string, Enum] => [T.pool, p, e]),
            [T.maintenance, "maintenanceWindow.schedule.weekly.dayOfWeek", aksEnums.WeekDay],
            [T.pg, "version", pgEnums.PostgresMajorVersion],
            [T.pg, "sku.tier", pgEnums.SkuTier],
            [T.pg, "storage.autoGrow", pgEnums.StorageAutoGrow],
            [T.pg, "storage.type", pgEnums.StorageType],
            [T.pg, "highAvailability.mode", pgEnums.PostgreSqlFlexibleServerHighAvailabilityMode],
            [T.pg, "backup.geoRedundantBackup", pgEnums.GeographicallyRedundantBackup],
            [T.pg, "network.publicNetworkAccess", pgEnums.ServerPublicNetworkAccessState],
            [T.pg, "authConfig.passwordAuth", pgEnums.PasswordBasedAuth],
            [T.pg, "authConfig.activeDirectoryAuth", pgEnums.MicrosoftEntraAuth],
            [T.redis, "sku.name", amrEnums.SkuName],
            [T.redis, "highAvailability", amrEnums.HighAvailability],
            [T.redis, "minimumTlsVersion", amrEnums.TlsVersion],
            [T.redis, "publicNetworkAccess", amrEnums.PublicNetworkAccess],
            [T.redisDb, "clientProtocol", amrEnums.Protocol],
            [T.redisDb, "clusteringPolicy", amrEnums.ClusteringPolicy],
            [T.redisDb, "evictionPolicy", amrEnums.EvictionPolicy],
            [T.redisDb, "accessKeysAuthentication", amrEnums.AccessKeysAuthentication],
            [T.nat, "sku.name", netEnums.NatGatewaySkuName],
            ["azure-native:network:PublicIPAddress", "sku.name", netEnums.PublicIPAddressSkuName],
            ["azure-native:network:PublicIPAddress", "sku.tier", netEnums.PublicIPAddressSkuTier],
            ["azure-native:network:PublicIPAddress", "publicIPAllocationMethod", netEnums.IPAllocationMethod],
            [T.association, "associationType", agcEnums.AssociationType],
            [T.waf, "policySettings.mode", netEnums.WebApplicationFirewallMode],
            [T.waf, "policySettings.state", netEnums.WebApplicationFirewallEnabledState],
            ["azure-native:monitor:DataCollectionRule", "kind", monitorEnums.KnownDataCollectionRuleResourceKind],
            ["azure-native:operationalinsights:Workspace", "sku.name", logEnums.WorkspaceSkuNameEnum],
            [T.lock, "level", authEnums.LockLevel],
        ];
        const at = (o: any, p: string) => p.split(".").reduce((v, k) => v?.[k], o);
        const bad: string[] = [];
        const check = (what: string, value: unknown, e: Enum) => {
            if (!Object.values(e).includes(value as string)) bad.push(`${what} = ${JSON.stringify(value)}`);
        };
        for (const [type, p, e] of checks) {
            const found = all(run, type);
            assert.ok(found.length, `no ${type}`);
            for (const r of found) check(`${r.name}.${p}`, at(r.inputs, p), e);
        }
        for (const rule of all(run, T.nsg).flatMap((n) => n.inputs.securityRules as any[]))
            for (const [p, e] of NSG_RULE) check(`${rule.name}.${p}`, rule[p], e);
        for (const r of all(run, T.role))
            if (r.inputs.principalType !== undefined) check(`${r.name}.principalType`, r.inputs.principalType, authEnums.PrincipalType);
        for (const r of all(run, T.subnet))
            if (r.inputs.privateEndpointNetworkPolicies !== undefined)
                check(
                    `${r.name}.privateEndpointNetworkPolicies`,
                    r.inputs.privateEndpointNetworkPolicies,
                    netEnums.VirtualNetworkPrivateEndpointNetworkPolicies,
                );
        assert.deepStrictEqual(bad, []);
    });

    it("imports the azure provider by submodule only, never the package root", () => {
        // A root import (even `import type`) loads or type-checks every Azure service. Resource type
        // tokens are the same either way, so the source is what is checked.
        const root = /(?:from\s*|require\(\s*|import\(\s*)["']@pulumi\/azure-native["']/;
        const sources = ["stacks/azure.ts", ...fs.readdirSync(path.join(ROOT, "components/azure")).map((f) => `components/azure/${f}`)];
        assert.ok(sources.length > 5);
        const offenders = sources.filter((f) => root.test(fs.readFileSync(path.join(ROOT, f), "utf8")));
        assert.deepStrictEqual(offenders, []);
        assert.ok(root.test(`import * as azure from "@pulumi/azure-native";`) && !root.test(`from "@pulumi/azure-native/network";`));
    });
});

describe("azure: config changes", function () {
    it("promote changes exactly the live route and the preview route, and replaces nothing", async () => {
        const before = await runStack("azure", { inactiveScale: "full" });
        const after = await runStack("azure", { inactiveScale: "full", activeColor: "green" });
        const d = diffResources(before.resources, after.resources);
        assert.deepStrictEqual([d.added, d.removed], [[], []]);
        assert.deepStrictEqual(d.changed.map((c) => c.name).sort(), ["app-preview-token-route", "app-route"]);
        assert.ok(d.changed.every((c) => !c.replaces));
    });

    // The release blast radius on this stack: the Azure resources and the AGC HealthCheckPolicies
    // (one per Service) must not move when a release does.
    const blueGreen = { blueVersion: "6.9.1", greenVersion: "6.9.2", inactiveScale: "full" };
    const canary = (w: number) => ({ ...blueGreen, releaseStrategy: "canary", canaryWeight: String(w) });
    for (const row of [
        {
            change: "roll back (green → blue)",
            before: { ...blueGreen, activeColor: "green" },
            after: blueGreen,
            changes: ["HTTPRoute app-preview-token-route", "HTTPRoute app-route"],
        },
        { change: "canary step 10 → 50", before: canary(10), after: canary(50), changes: ["HTTPRoute app-route"] },
        { change: "new greenVersion", before: blueGreen, after: { ...blueGreen, greenVersion: "6.9.3" }, changes: ["Deployment app-green"] },
    ]) {
        it(`${row.change} changes exactly: ${row.changes.join(", ")}`, async () => {
            const d = diffResources((await runStack("azure", row.before)).resources, (await runStack("azure", row.after)).resources);
            assert.deepStrictEqual([d.added, d.removed], [[], []]);
            assert.deepStrictEqual(
                d.changed.map((c) => `${c.type.split(":").pop()} ${c.name}`),
                row.changes,
            );
            assert.ok(d.changed.every((c) => !c.replaces));
        });
    }

    it("loosens defaults only by explicit config: throwaway stack without protect, locks, HA or geo backups", async () => {
        const run = await runStack("azure", {
            protectStateful: "false",
            "azure.resourceLocks": "false",
            "azure.postgresHaMode": "Disabled",
            "azure.postgresGeoRedundantBackup": "false",
            "azure.redisHighAvailability": "false",
        });
        assert.ok(run.resources.every((r) => !r.protect));
        assert.deepStrictEqual(all(run, T.lock), []);
        assert.strictEqual(find(run, T.pg).inputs.highAvailability.mode, "Disabled");
        assert.strictEqual(find(run, T.pg).inputs.backup.geoRedundantBackup, "Disabled");
        assert.strictEqual(find(run, T.redis).inputs.highAvailability, "Disabled");
        // Still private and encrypted: those are not loosened by any key.
        assert.strictEqual(find(run, T.pg).inputs.network.publicNetworkAccess, "Disabled");
        assert.strictEqual(find(run, T.redisDb).inputs.clientProtocol, "Encrypted");
    });

    it("azure.apiAccess private makes a private cluster without an allow-list, which the guardrails accept", async () => {
        const run = await runStack("azure", { "azure.apiAccess": "private", "azure.apiServerAuthorizedIpRanges": "" });
        assert.deepStrictEqual(find(run, T.aks).inputs.apiServerAccessProfile, {
            enablePrivateCluster: true,
            privateDNSZone: "system",
            enablePrivateClusterPublicFQDN: false,
        });
        const report = runPolicies(run.resources, run.config);
        assert.deepStrictEqual(
            report.violations.filter((v) => v.level === "mandatory"),
            [],
        );
        assert.ok(report.rulesApplied.includes("cluster-api-allow-list"));
    });

    it("sizes nodes, database and Redis up with targetUsers", async () => {
        const run = await runStack("azure", { targetUsers: "40000" });
        const s = sizingFor(run.config);
        assert.strictEqual(find(run, T.pg).inputs.sku.name, s.database.instanceClass);
        assert.notStrictEqual(s.database.instanceClass, "Standard_D8ds_v5");
        assert.strictEqual(find(run, T.redis).inputs.sku.name, s.redis.nodeClass);
        assert.strictEqual(find(run, T.pool).inputs.maxCount, s.nodes.max);
    });

    it("serves HTTPS for domain with the certificate Secret it is given, and refuses a domain without one", async () => {
        await assert.rejects(runStack("azure", { domain: "app.example.com" }), /azure\.tlsSecretName/);
        const run = await runStack("azure", { domain: "app.example.com", "azure.tlsSecretName": "app-tls" });
        const https = find(run, T.gateway).inputs.spec.listeners.find((l: any) => l.protocol === "HTTPS");
        assert.deepStrictEqual(https.tls, { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "app-tls" }] });
        assert.strictEqual(validateK8s(run.resources).errors.length, 0);
    });

    it("sends HSTS from every rule of the live and preview routes on the HTTPS listener, not from the redirect; without a domain, routes carry no filter", async () => {
        const run = await runStack("azure", { domain: "app.example.com", previewHost: "preview.app.example.com", "azure.tlsSecretName": "app-tls" });
        assertRouteHsts(run);
        assert.deepStrictEqual(validateK8s(run.resources).errors, []);
        assertNoRouteFilters(await runStack("azure"));
    });

    it("probes the single Service of a rolling release", async () => {
        const run = await runStack("azure", { releaseStrategy: "rolling", appVersion: "6.9.1", blueVersion: "", greenVersion: "", inactiveScale: "full" });
        assert.deepStrictEqual(
            all(run, T.health).map((h) => h.inputs.spec.targetRef.name),
            ["app"],
        );
    });

    it("completes a preview without waiting on unknown outputs, recording the same resources as an update", async () => {
        const [preview, update] = [await runStack("azure", {}, { preview: true }), await runStack("azure")];
        const names = (r: StackRun) => r.resources.map((x) => `${x.type}::${x.name}`).sort();
        assert.ok(names(preview).length > 50);
        assert.deepStrictEqual(names(preview), names(update));
    });
});

describe("azure plan (offline)", function () {
    it("`npm run plan -- --stack azure` prints the whole tree, the capacity table and no policy violation", async () => {
        const plan = await buildPlan("azure", {}, false);
        const out = renderPlan(plan);
        for (const expected of [
            T.rg,
            T.subnet,
            T.nat,
            T.aks,
            T.pool,
            T.pg,
            T.redis,
            T.redisDb,
            T.pe,
            T.tc,
            T.association,
            T.helm,
            T.health,
            "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            "Standard_D4ds_v5",
            "12..33",
            "Standard_D8ds_v5",
            "Balanced_B10",
            "after losing 1 of 3 zones",
            "kubeconfig: [secret]",
        ])
            assert.ok(out.includes(expected), `plan output lacks ${expected}`);
        assert.deepStrictEqual(
            plan.policy.violations.filter((v) => v.level === "mandatory"),
            [],
        );
    });
});
