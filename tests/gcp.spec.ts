// The gcp stack under mocks: what `pulumi up --stack gcp` would declare, asserted property by property.
import * as assert from "assert";
import { sizingFor, type Sizing } from "../model/capacity";
import { ConfigError } from "../model/config";
import { NODE_ROLES } from "../components/gcp/cluster";
import { WAF_RULES } from "../components/gcp/cloudArmor";
import { gcpSchema } from "../model/gcp/config";
import { standardZones } from "../components/gcp/zones";
import { cidrsOverlap, isIpv4Cidr } from "../model/configValues";
import { gkeKubeconfig, sameControlPlaneAccess } from "../components/gcp/kubeconfig";
import { CERTMAP_ANNOTATION, GATEWAY_CLASS, HEALTH_CHECK_RANGES } from "../components/gcp/loadBalancer";
import { gcpName, serviceAccountId } from "../components/gcp/naming";
import { PRE_STOP_SECONDS } from "../components/k8s/release";
import { buildPlan, renderPlan } from "../scripts/planReport";
import { diffResources } from "../scripts/offline/diff";
import { ROOT, all, find, runStack, waitsFor, type Recorded, type StackRun } from "./harness";
import { DEPLOYER_ROLES, PRE_ENABLED_APIS, REQUIRED_APIS } from "../components/gcp/prerequisites";
import * as fs from "fs";
import * as path from "path";
import { validateK8s } from "./k8sSchema";
import { runPolicies } from "../policy/offline";
import { gcpMock } from "../scripts/offline/mocks/gcp";
import type { ResourceMock } from "../scripts/offline/mocks";
import { assertAppDbRole } from "./appDbRoleChecks";
import { assertNoRouteFilters, assertRouteHsts } from "./routeHstsChecks";

const T = {
    network: "gcp:compute/network:Network",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    nat: "gcp:compute/routerNat:RouterNat",
    address: "gcp:compute/globalAddress:GlobalAddress",
    firewall: "gcp:compute/firewall:Firewall",
    psa: "gcp:servicenetworking/connection:Connection",
    cluster: "gcp:container/cluster:Cluster",
    pool: "gcp:container/nodePool:NodePool",
    sa: "gcp:serviceaccount/account:Account",
    iam: "gcp:projects/iAMMember:IAMMember",
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    sqlUser: "gcp:sql/user:User",
    redis: "gcp:redis/instance:Instance",
    cert: "gcp:certificatemanager/certificate:Certificate",
    certMap: "gcp:certificatemanager/certificateMap:CertificateMap",
    certMapEntry: "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
    dnsAuth: "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    custom: /^kubernetes:networking\.gke\.io\/v1:/,
};

const one = (run: StackRun, type: string) => find(run, type);
const gkePolicies = (run: StackRun, kind: string) => run.resources.filter((r) => r.type === `kubernetes:networking.gke.io/v1:${kind}`);

describe("gcp stack (mocks)", function () {
    let run: StackRun;
    let sizing: Sizing;
    before(async () => {
        run = await runStack("gcp");
        sizing = sizingFor(run.config);
    });

    describe("network", () => {
        it("is a custom-mode VPC with one subnet carrying Pod and Service secondary ranges and Private Google Access", () => {
            assert.strictEqual(one(run, T.network).inputs.autoCreateSubnetworks, false);
            const subnet = one(run, T.subnet).inputs;
            assert.strictEqual(subnet.privateIpGoogleAccess, true);
            assert.strictEqual(subnet.region, run.config.region);
            assert.deepStrictEqual(
                subnet.secondaryIpRanges.map((r: any) => [r.rangeName, r.ipCidrRange]),
                [
                    ["pods", run.config.gcp!.podsCidr],
                    ["services", run.config.gcp!.servicesCidr],
                ],
            );
            const cluster = one(run, T.cluster).inputs.ipAllocationPolicy;
            assert.deepStrictEqual([cluster.clusterSecondaryRangeName, cluster.servicesSecondaryRangeName], ["pods", "services"]);
        });

        it("gives private nodes egress through Cloud NAT on the nodes' subnet (Pod ranges included)", () => {
            const nat = one(run, T.nat).inputs;
            assert.strictEqual(nat.sourceSubnetworkIpRangesToNat, "LIST_OF_SUBNETWORKS");
            assert.deepStrictEqual(nat.subnetworks[0].sourceIpRangesToNats, ["ALL_IP_RANGES"]);
            assert.match(nat.subnetworks[0].name, /\/subnetworks\//);
            // Dynamic port allocation and endpoint-independent mapping are mutually exclusive in the API.
            assert.deepStrictEqual([nat.enableDynamicPortAllocation, nat.enableEndpointIndependentMapping], [true, false]);
        });

        it("reserves a /16 for Private Service Access and peers it with servicenetworking", () => {
            const range = all(run, T.address).find((a) => a.inputs.purpose === "VPC_PEERING");
            assert.ok(range, "no VPC_PEERING range");
            assert.strictEqual(range.inputs.addressType, "INTERNAL");
            assert.strictEqual(range.inputs.prefixLength, 16);
            const psa = one(run, T.psa).inputs;
            assert.strictEqual(psa.service, "servicenetworking.googleapis.com");
            assert.strictEqual(psa.reservedPeeringRanges.length, 1);
        });

        it("opens the app port to Google's health-check and proxy ranges on the GKE nodes only", () => {
            const fw = one(run, T.firewall).inputs;
            assert.deepStrictEqual(fw.sourceRanges, [...HEALTH_CHECK_RANGES]);
            assert.deepStrictEqual(fw.allows, [{ protocol: "tcp", ports: [String(run.config.app.port)] }]);
            assert.deepStrictEqual(fw.targetServiceAccounts, [`${serviceAccountId(run.config.stack, "nodes")}@${gcpProject()}.iam.gserviceaccount.com`]);
        });
    });

    describe("GKE", () => {
        it("is regional, on the configured release channel, with the default node pool removed", () => {
            const c = one(run, T.cluster).inputs;
            assert.match(c.location, /^[a-z]+-[a-z]+\d+$/, "a zone would make a zonal cluster");
            assert.strictEqual(c.location, run.config.region);
            assert.deepStrictEqual(c.releaseChannel, { channel: "REGULAR" });
            assert.strictEqual(c.removeDefaultNodePool, true);
        });

        it("pins its nodes to the three zones the capacity model counts, chosen once and kept in the state", () => {
            const zones = [`${run.config.region}-b`, `${run.config.region}-c`, `${run.config.region}-d`];
            assert.deepStrictEqual(one(run, T.cluster).inputs.nodeLocations, zones);
            assert.deepStrictEqual(one(run, T.pool).inputs.nodeLocations, zones);
            assert.strictEqual(sizingFor(run.config).zones, zones.length);
            // A Stash keeps the first run's choice: later runs ignore what the zones API reports.
            const stash = all(run, "pulumi:index:Stash").find((r) => r.name.endsWith("-zones"))!;
            assert.deepStrictEqual(stash.inputs.input, zones);
            assert.deepStrictEqual(stash.ignoreChanges, ["input"]);
        });

        it("uses gcp.zones as given, without asking the zones API (a zone reported DOWN cannot block an up)", async () => {
            const zones = ["europe-west1-c", "europe-west1-d", "europe-west1-b"];
            const pinned = await runStack("gcp", { "gcp.zones": zones.join(",") });
            assert.deepStrictEqual(one(pinned, T.cluster).inputs.nodeLocations, zones);
            assert.deepStrictEqual(
                all(pinned, "pulumi:index:Stash").filter((r) => r.name.endsWith("-zones")),
                [],
            );
            await assert.rejects(
                runStack("gcp", { "gcp.zones": "us-east1-b,us-east1-c,us-east1-d" }),
                /gcp\.zones = "us-east1-b,us-east1-c,us-east1-d": must be zones of gcp:region europe-west1/,
            );
            await assert.rejects(
                runStack("gcp", { "gcp.zones": "europe-west1-b,europe-west1-b,europe-west1-c" }),
                /gcp\.zones .*three different standard zones/,
            );
        });

        it("destroys the app namespace before the cluster, and the cluster before the network, so the Gateway's NEGs go first", () => {
            // GKE's NEG controller holds each ServiceNetworkEndpointGroup in the app namespace with the
            // finalizer networking.gke.io/neg-finalizer until the NEG is deleted; the namespace (which the
            // provider awaits on delete) is gone only after them. Pulumi deletes dependents first, so the
            // chain namespace -> provider -> cluster -> subnetwork orders the NEGs before the network.
            const ns = one(run, "kubernetes:core/v1:Namespace");
            const provider = run.resources.find((r) => r.type === "pulumi:providers:kubernetes" && ns.provider?.startsWith(`${r.urn}::`))!;
            const cluster = one(run, T.cluster);
            assert.ok(provider.dependsOn.includes(cluster.urn), "the namespace's provider depends on the cluster");
            assert.ok(
                cluster.dependsOn.some((u) => u.includes("gcp:compute/subnetwork:Subnetwork")),
                "the cluster depends on its subnetwork",
            );
            const inNamespace = run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.inputs.metadata?.namespace === run.config.app.namespace);
            assert.ok(
                inNamespace.some((r) => r.type.endsWith(":Service")) && inNamespace.some((r) => r.type.endsWith(":Gateway")),
                "Services and the Gateway live in the app namespace",
            );
            for (const r of inNamespace) assert.strictEqual(r.provider, ns.provider, `${r.type} ${r.name} goes through the cluster's provider`);
        });

        it("leaves opt-in AI zones out of the zones it picks", () => {
            assert.deepStrictEqual(standardZones(["us-central1-f", "us-central1-ai1", "us-central1-a", "us-central1-ai1b", "us-central1-c"], "us-central1"), [
                "us-central1-a",
                "us-central1-c",
                "us-central1-f",
            ]);
        });

        it("has private nodes and a control plane reachable only from the authorized networks", () => {
            const c = one(run, T.cluster).inputs;
            assert.strictEqual(c.privateClusterConfig.enablePrivateNodes, true);
            assert.deepStrictEqual(
                c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock),
                run.config.gcp!.masterAuthorizedNetworks,
            );
            assert.strictEqual(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
            assert.strictEqual(c.privateClusterConfig.enablePrivateEndpoint, false);
            assert.strictEqual(c.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic, false);
        });

        it("controlPlaneAccess dns: no external IP endpoint, only the IAM-authorized DNS endpoint, and a kubeconfig that uses it", async () => {
            const dnsRun = await runStack("gcp", { "gcp.controlPlaneAccess": "dns", "gcp.masterAuthorizedNetworks": "" });
            const c = one(dnsRun, T.cluster).inputs;
            assert.strictEqual(c.privateClusterConfig.enablePrivateEndpoint, true);
            assert.strictEqual(c.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic, true);
            assert.deepStrictEqual(c.masterAuthorizedNetworksConfig.cidrBlocks, []);
            const kubeconfig = JSON.parse(dnsRun.outputs.kubeconfig.value as string);
            assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/gke-[0-9a-f]+\.europe-west1\.gke\.goog$/);
            assert.strictEqual(kubeconfig.clusters[0].cluster["certificate-authority-data"], undefined);
            const report = runPolicies(dnsRun.resources, dnsRun.config);
            assert.deepStrictEqual(
                report.violations.filter((v) => v.level === "mandatory").map((v) => v.rule),
                [],
            );
        });

        it("refuses to switch gcp.controlPlaneAccess on an existing stack: the switch would replace the provider and every in-cluster object", async () => {
            // Why: the two modes give the provider kubeconfigs for different active clusters (server, CA),
            // and the Kubernetes provider replaces itself, and all it manages, when the active cluster changes.
            const dnsRun = await runStack("gcp", { "gcp.controlPlaneAccess": "dns", "gcp.masterAuthorizedNetworks": "" });
            const activeCluster = (r: StackRun) => JSON.parse(find(r, "pulumi:providers:kubernetes").inputs.kubeconfig).clusters[0].cluster;
            assert.notDeepStrictEqual(activeCluster(run), activeCluster(dnsRun));
            // The mode the stack was created with is kept in the state (input never updated) and checked
            // before the provider gets its kubeconfig.
            for (const [r, mode] of [
                [run, "authorizedNetworks"],
                [dnsRun, "dns"],
            ] as const) {
                const stash = all(r, "pulumi:index:Stash").find((x) => x.name.endsWith("-control-plane-access"))!;
                assert.strictEqual(stash.inputs.input, mode);
                assert.deepStrictEqual(stash.ignoreChanges, ["input"]);
                assert.ok(find(r, "pulumi:providers:kubernetes").dependsOn.includes(stash.urn), "the provider waits for the check");
            }
            assert.throws(
                () => sameControlPlaneAccess("authorizedNetworks", "dns", "urn:pulumi:gcp::zdp::x"),
                /gcp\.controlPlaneAccess is dns, but this stack was created with authorizedNetworks.*pulumi state delete 'urn:pulumi:gcp::zdp::x'/s,
            );
            assert.doesNotThrow(() => sameControlPlaneAccess("dns", "dns", "urn"));
        });

        it("a control-plane credential or IP rotation (new endpoint IP and CA) updates the Kubernetes provider in place and replaces nothing", async () => {
            // What `pulumi up --refresh` reads after `gcloud container clusters update --start-credential-rotation`
            // (or --start-ip-rotation) in authorizedNetworks mode: the cluster's endpoint and CA change, nothing in the program does.
            const ca = Buffer.from("-----BEGIN CERTIFICATE-----\nbW9jay1yb3RhdGVkLWNh\n-----END CERTIFICATE-----\n").toString("base64");
            const rotation: ResourceMock = {
                newResource: ({ type }) =>
                    type === T.cluster
                        ? {
                              endpoint: "34.99.0.7",
                              masterAuth: {
                                  clusterCaCertificate: ca,
                                  clientCertificate: "",
                                  clientKey: "",
                                  clientCertificateConfig: { issueClientCertificate: false },
                              },
                          }
                        : undefined,
            };
            const rotated = await runStack("gcp", {}, { overlay: { label: "gke-credential-rotation", mock: rotation } });
            const active = (r: StackRun) => JSON.parse(find(r, "pulumi:providers:kubernetes").inputs.kubeconfig).clusters[0].cluster;
            assert.deepStrictEqual(active(rotated), { server: "https://34.99.0.7", "certificate-authority-data": ca });
            assert.notDeepStrictEqual(active(run), active(rotated));
            const d = diffResources(run.resources, rotated.resources);
            // The provider takes the new kubeconfig as an update: its clusterIdentifier, the cluster's id, is unchanged.
            assert.deepStrictEqual(
                d.changed.map((c) => [c.type, c.paths, c.replaces]),
                [["pulumi:providers:kubernetes", ["kubeconfig"], false]],
            );
            assert.deepStrictEqual(d.added.concat(d.removed), []);
        });

        it("encrypts Secrets in etcd with the stack's own rotating KMS key in the cluster's region, usable by GKE's service agent only", () => {
            const c = one(run, T.cluster);
            const key = one(run, "gcp:kms/cryptoKey:CryptoKey");
            const ring = one(run, "gcp:kms/keyRing:KeyRing");
            const grants = run.resources.filter((r) => r.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
            assert.strictEqual(c.inputs.databaseEncryption.state, "ENCRYPTED");
            assert.match(
                c.inputs.databaseEncryption.keyName,
                new RegExp(`^projects/${gcpProject()}/locations/${run.config.region}/keyRings/[^/]+/cryptoKeys/`),
            );
            assert.strictEqual(ring.inputs.location, run.config.region);
            assert.strictEqual(key.inputs.rotationPeriod, "7776000s");
            assert.strictEqual(key.protect, true);
            assert.deepStrictEqual(
                grants.map((g) => [g.inputs.role, g.inputs.member]),
                [["roles/cloudkms.cryptoKeyEncrypterDecrypter", "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com"]],
            );
            // The cluster is created (or updated) only once GKE may use the key.
            assert.ok(c.dependsOn.includes(grants[0].urn));
        });

        it("enables Workload Identity, Dataplane V2, shielded nodes, the Gateway API and managed Prometheus", () => {
            const c = one(run, T.cluster).inputs;
            assert.strictEqual(c.workloadIdentityConfig.workloadPool, `${gcpProject()}.svc.id.goog`);
            assert.strictEqual(c.datapathProvider, "ADVANCED_DATAPATH");
            assert.strictEqual(c.networkPolicy, undefined, "Dataplane V2 enforces NetworkPolicy itself");
            assert.strictEqual(c.enableShieldedNodes, true);
            assert.deepStrictEqual(c.gatewayApiConfig, { channel: "CHANNEL_STANDARD" });
            assert.strictEqual(c.addonsConfig.httpLoadBalancing.disabled, false);
            assert.strictEqual(c.monitoringConfig.managedPrometheus.enabled, true);
            for (const component of ["SYSTEM_COMPONENTS", "WORKLOADS", "APISERVER"]) assert.ok(c.loggingConfig.enableComponents.includes(component), component);
            assert.strictEqual(c.deletionProtection, true);
            assert.strictEqual(c.resourceLabels.stack, "gcp");
        });

        it("sizes the node pool from the capacity model with total (not per-zone) autoscaling limits", () => {
            const p = one(run, T.pool).inputs;
            assert.strictEqual(p.nodeConfig.machineType, sizing.nodes.machineType);
            assert.strictEqual(p.nodeConfig.machineType, "n2-standard-4");
            assert.strictEqual(p.autoscaling.totalMinNodeCount, sizing.nodes.min);
            assert.strictEqual(p.autoscaling.totalMaxNodeCount, sizing.nodes.max);
            assert.strictEqual(p.autoscaling.minNodeCount, undefined);
            assert.strictEqual(p.autoscaling.maxNodeCount, undefined);
            assert.strictEqual(p.initialNodeCount * sizing.zones, sizing.nodes.desired, "initialNodeCount is per zone");
            assert.ok(find(run, T.pool).ignoreChanges.includes("initialNodeCount"), "the autoscaler owns the count");
        });

        it("repairs and upgrades nodes by surge without taking capacity away", () => {
            const p = one(run, T.pool).inputs;
            assert.deepStrictEqual(p.management, { autoRepair: true, autoUpgrade: true });
            assert.deepStrictEqual(p.upgradeSettings, { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 });
        });

        it("runs nodes as a dedicated service account with least privilege, GKE metadata server and secure boot", () => {
            const sa = one(run, T.sa);
            const p = one(run, T.pool).inputs.nodeConfig;
            assert.strictEqual(p.serviceAccount, `${sa.inputs.accountId}@${gcpProject()}.iam.gserviceaccount.com`);
            assert.match(sa.inputs.accountId, /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
            const roles = all(run, T.iam)
                .map((g) => g.inputs.role)
                .sort();
            assert.deepStrictEqual(roles, [...NODE_ROLES].sort());
            for (const g of all(run, T.iam)) assert.strictEqual(g.inputs.member, `serviceAccount:${p.serviceAccount}`);
            assert.ok(!roles.some((r) => /owner|editor|admin/i.test(r)));
            assert.deepStrictEqual(p.workloadMetadataConfig, { mode: "GKE_METADATA" });
            assert.deepStrictEqual(p.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
        });

        it("creates the temporary default pool with the same node identity and hardening, never the Compute Engine default account", () => {
            const cluster = find(run, T.cluster);
            const pool = one(run, T.pool).inputs.nodeConfig;
            const temp = cluster.inputs.nodeConfig;
            assert.ok(temp, "no nodeConfig: GKE would create the default pool as the Compute Engine default service account");
            for (const key of ["serviceAccount", "oauthScopes", "workloadMetadataConfig", "shieldedInstanceConfig", "machineType"])
                assert.deepStrictEqual(temp[key], pool[key], key);
            assert.ok(cluster.ignoreChanges.includes("nodeConfig"), "a later change would be sent to the deleted default pool");
        });

        it("builds a Kubernetes provider from a secret kubeconfig that authenticates with gke-gcloud-auth-plugin", () => {
            assert.strictEqual(run.outputs.kubeconfig.secret, true);
            const kc = JSON.parse(run.outputs.kubeconfig.value as string);
            assert.strictEqual(kc.users[0].user.exec.command, "gke-gcloud-auth-plugin");
            assert.match(kc.clusters[0].cluster.server, /^https:\/\/\d+\.\d+\.\d+\.\d+$/);
            assert.ok(Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString().startsWith("-----BEGIN CERTIFICATE-----"));
            const provider = find(run, "pulumi:providers:kubernetes");
            assert.ok(provider.secretPaths.includes("kubeconfig"), "the provider's kubeconfig input is secret");
            assert.ok(provider.dependsOn.includes(find(run, T.pool).urn), "nothing reaches the cluster before its nodes exist");
        });
    });

    describe("what the project must allow (first `pulumi up`)", () => {
        it("enables every API the stack uses, never disables one on destroy, and every GCP resource waits for them", () => {
            const services = all(run, "gcp:projects/service:Service");
            assert.deepStrictEqual(services.map((s) => s.inputs.service).sort(), [...REQUIRED_APIS].sort());
            for (const s of services) assert.deepStrictEqual([s.inputs.disableOnDestroy, s.inputs.project], [false, "my-gcp-project-id"]);
            const gcpResources = run.resources.filter((r) => r.custom && r.type.startsWith("gcp:") && r.type !== "gcp:projects/service:Service");
            assert.ok(gcpResources.length > 20);
            for (const r of gcpResources)
                for (const api of services) assert.ok(waitsFor(run, r, api), `${r.type} ${r.name} does not wait for ${api.inputs.service}`);
        });

        it("documents the APIs and a deployer role for every resource type the stack can declare, Monitoring included", async () => {
            const runs = [run, await runStack("gcp", { domain: "shop.example.com", previewHost: "preview.example.com", alertEmails: "oncall@example.com" })];
            const types = new Set(runs.flatMap((r) => r.resources.filter((x) => x.custom && x.type.startsWith("gcp:")).map((x) => x.type)));
            for (const t of types) assert.ok(DEPLOYER_ROLES[t], `no deployer role for ${t}`);
            assert.ok(types.has("gcp:monitoring/alertPolicy:AlertPolicy") && types.has("gcp:monitoring/notificationChannel:NotificationChannel"));
            const doc = fs.readFileSync(path.join(ROOT, "docs", "gcp.md"), "utf8");
            const prerequisites = doc.slice(doc.indexOf("## Prerequisites"), doc.indexOf("## Commands"));
            for (const role of new Set(Object.values(DEPLOYER_ROLES).flat()))
                assert.ok(prerequisites.includes(`\`${role}\``), `docs/gcp.md does not list ${role}`);
            for (const api of [...PRE_ENABLED_APIS, ...REQUIRED_APIS]) assert.ok(prerequisites.includes(api), `docs/gcp.md does not name ${api}`);
        });
    });

    describe("log retention", () => {
        const L = {
            bucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
            sink: "gcp:logging/projectSink:ProjectSink",
            exclusion: "gcp:logging/projectExclusion:ProjectExclusion",
        };

        it("keeps the stack's logs gcp.logRetentionDays in a bucket of its own in the region, filled by a sink, never taking over the project's _Default", async () => {
            const bucket = one(run, L.bucket);
            assert.deepStrictEqual(
                [bucket.inputs.bucketId, bucket.inputs.location, bucket.inputs.retentionDays, bucket.protect],
                [gcpName(run.config, "logs"), run.config.region, 90, run.config.protect],
            );
            const sink = one(run, L.sink).inputs;
            assert.strictEqual(
                sink.destination,
                `logging.googleapis.com/projects/${gcpProject()}/locations/${run.config.region}/buckets/${gcpName(run.config, "logs")}`,
            );
            // The sink selects this stack's cluster, database, subnet and NAT gateway by their (generated) names.
            const [, instance] = String(run.outputs.databaseInstance.value).match(/^[^:]+:[^:]+:(.+)$/)!;
            for (const part of [
                `resource.labels.cluster_name="${String(run.outputs.clusterName.value)}" AND resource.labels.location="${run.config.region}"`,
                `resource.labels.database_id="${gcpProject()}:${instance}"`,
                `resource.labels.subnetwork_name="${run.config.project}-${run.config.stack}-nodes-`,
                `resource.labels.gateway_name="${run.config.project}-${run.config.stack}-nat-`,
            ])
                assert.ok(sink.filter.includes(part), `${part} in ${sink.filter}`);
            assert.match(sink.filter, /AND NOT logName:"cloudaudit\.googleapis\.com"$/);
            // The same logs leave the _Default sink (stored and billed once), and only once the sink takes them.
            const exclusion = one(run, L.exclusion);
            assert.strictEqual(exclusion.inputs.filter, sink.filter);
            assert.ok(exclusion.dependsOn.includes(one(run, L.sink).urn));
            assert.ok(!run.resources.some((r) => r.type.startsWith("gcp:logging/") && ["_Default", "_Required"].includes(r.inputs.bucketId ?? r.inputs.name)));
            const longer = await runStack("gcp", { "gcp.logRetentionDays": "400" });
            assert.strictEqual(one(longer, L.bucket).inputs.retentionDays, 400);
        });
    });

    describe("Cloud SQL for PostgreSQL", () => {
        it("is regional HA with the capacity model's tier on the Enterprise edition", () => {
            const s = one(run, T.sql).inputs;
            assert.strictEqual(s.settings.availabilityType, "REGIONAL");
            assert.strictEqual(s.settings.tier, sizing.database.instanceClass);
            assert.strictEqual(s.settings.tier, "db-custom-8-32768");
            assert.strictEqual(s.settings.edition, "ENTERPRISE", "POSTGRES_16+ defaults to ENTERPRISE_PLUS, which rejects db-custom tiers");
            assert.strictEqual(s.databaseVersion, "POSTGRES_17");
            assert.strictEqual(s.settings.diskAutoresizeLimit, sizing.database.maxStorageGiB);
        });

        it("has a private IP only, waits for the service-access peering, and requires TLS", () => {
            const sql = one(run, T.sql);
            const ip = sql.inputs.settings.ipConfiguration;
            assert.strictEqual(ip.ipv4Enabled, false);
            assert.ok(ip.privateNetwork.includes("/networks/"));
            assert.strictEqual(ip.sslMode, "ENCRYPTED_ONLY");
            assert.strictEqual(ip.authorizedNetworks, undefined);
            assert.ok(sql.dependsOn.includes(one(run, T.psa).urn));
        });

        it("backs up nightly with point-in-time recovery, a maintenance window and query insights", () => {
            const s = one(run, T.sql).inputs.settings;
            assert.strictEqual(s.backupConfiguration.enabled, true);
            assert.strictEqual(s.backupConfiguration.pointInTimeRecoveryEnabled, true);
            assert.ok(s.backupConfiguration.transactionLogRetentionDays >= 1 && s.backupConfiguration.transactionLogRetentionDays <= 7);
            assert.ok(s.maintenanceWindow.day >= 1 && s.maintenanceWindow.day <= 7);
            assert.strictEqual(s.insightsConfig.queryInsightsEnabled, true);
        });

        it("is protected three ways: Pulumi protect, provider deletionProtection, Cloud SQL deletion protection", () => {
            const sql = one(run, T.sql);
            assert.strictEqual(sql.protect, true);
            assert.strictEqual(sql.inputs.deletionProtection, true);
            assert.strictEqual(sql.inputs.settings.deletionProtectionEnabled, true);
        });

        it("gives the app user a generated password that is a Pulumi secret", () => {
            const user = one(run, T.sqlUser);
            assert.ok(user.secretPaths.includes("password"));
            assert.ok(run.generatedSecrets.includes(user.inputs.password));
        });
    });

    describe("Memorystore for Redis", () => {
        it("is Standard tier HA, sized by the capacity model, on a supported version", () => {
            const r = one(run, T.redis);
            assert.strictEqual(r.inputs.tier, "STANDARD_HA");
            assert.strictEqual(r.inputs.memorySizeGb, sizing.redis.memoryGiB);
            assert.strictEqual(r.inputs.memorySizeGb, 8);
            assert.strictEqual(r.inputs.redisVersion, "REDIS_7_2");
            // Enabled from creation: Memorystore can never disable them, so only the count moves later.
            assert.strictEqual(r.inputs.readReplicasMode, "READ_REPLICAS_ENABLED");
            assert.strictEqual(r.inputs.replicaCount, 1);
            assert.strictEqual(r.inputs.secondaryIpRange, "auto", "enabling them on an instance created without them needs a range");
            assert.strictEqual(r.protect, true);
            assert.strictEqual(r.inputs.deletionProtection, true);
        });

        it("encrypts in transit, requires AUTH and connects over Private Service Access", () => {
            const r = one(run, T.redis);
            assert.strictEqual(r.inputs.transitEncryptionMode, "SERVER_AUTHENTICATION");
            assert.strictEqual(r.inputs.authEnabled, true);
            assert.strictEqual(r.inputs.connectMode, "PRIVATE_SERVICE_ACCESS");
            assert.ok(r.dependsOn.includes(one(run, T.psa).urn));
        });
    });

    describe("the app Secret", () => {
        it("carries the private endpoints, the TLS settings and the Redis CA certificate", () => {
            const data = secretData(run);
            assert.strictEqual(data.DATABASE_HOST, run.outputs.databaseHost.value);
            assert.match(data.DATABASE_HOST, /^10\.100\./);
            assert.strictEqual(data.REDIS_HOST, run.outputs.redisHost.value);
            assert.strictEqual(data.REDIS_PORT, "6378");
            assert.strictEqual(data.REDIS_TLS, "true");
            assert.match(data.REDIS_CA_CERT, /^-----BEGIN CERTIFICATE-----/);
        });

        it("verifies Cloud SQL's chain against the instance's own CA (verify-ca: the private IP is not in its certificate)", () => {
            const data = secretData(run);
            const sql = one(run, T.sql);
            assert.strictEqual(data.DATABASE_SSLMODE, "verify-ca");
            assert.strictEqual(sql.inputs.settings.ipConfiguration.serverCaMode, "GOOGLE_MANAGED_INTERNAL_CA");
            const active = gcpMock.newResource?.(
                { type: T.sql, name: sql.name, inputs: sql.inputs, custom: true },
                { preview: false, generatedSecrets: [] },
            )?.serverCaCerts;
            // Every CA the instance trusts (listServerCas: the active one and the one a rotation added), not
            // only the active one the instance resource reports: a CA rotation keeps verified TLS working.
            const trusted = gcpMock.call?.(
                { token: "gcp:sql/getCaCerts:getCaCerts", inputs: { instance: sql.name } },
                { preview: false, generatedSecrets: [] },
            )?.certs;
            assert.ok(trusted.length === 2 && active.length === 1);
            const pems = data.DATABASE_CA_CERT.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
            assert.strictEqual(pems.length, 2, "active and upcoming CA");
            assert.ok(pems.includes(active[0].cert.trim()), "the active CA is in the bundle");
        });

        it("connects the app as its own role, made by a Job that alone holds the admin user's credentials", () => {
            const user = one(run, "gcp:sql/user:User").inputs;
            assertAppDbRole(run, { user: user.name, password: user.password, database: "app" });
        });

        it("holds both passwords as Pulumi secrets, and no generated secret appears in plaintext anywhere", () => {
            const secret = find(run, T.secret, "app");
            for (const key of ["DATABASE_PASSWORD", "REDIS_PASSWORD"])
                assert.ok(
                    secret.secretPaths.some((p) => p === "stringData" || p === `stringData.${key}`),
                    `${key} is not secret`,
                );
            assert.ok(run.generatedSecrets.length >= 2, "the mocks generated the DB password and the Redis AUTH string");
            for (const r of run.resources) {
                const plain = JSON.stringify(stripSecrets(r.inputs, r.secretPaths));
                for (const s of run.generatedSecrets) assert.ok(!plain.includes(s), `${r.type} ${r.name} carries a secret in plaintext`);
            }
            for (const [key, out] of Object.entries(run.outputs))
                if (!out.secret) for (const s of run.generatedSecrets) assert.ok(!JSON.stringify(out.value ?? "").includes(s), `output ${key} leaks a secret`);
        });
    });

    describe("load balancer (GKE Gateway)", () => {
        it("puts the release's Gateway on gke-l7-global-external-managed with the reserved static IP", () => {
            const gw = one(run, T.gateway).inputs;
            const ip = all(run, T.address).find((a) => a.inputs.addressType === "EXTERNAL");
            assert.ok(ip);
            assert.strictEqual(gw.spec.gatewayClassName, GATEWAY_CLASS);
            assert.deepStrictEqual(gw.spec.addresses, [{ type: "NamedAddress", value: ip.inputs.name }]);
            assert.strictEqual(ip.inputs.name, gcpName(run.config, "gateway-ip"));
            assert.match(run.outputs.endpoint.value as string, /^34\.120\.\d+\.\d+$/);
            assert.strictEqual(ip.protect, true, "DNS points at this address");
        });

        it("puts every colour's backend behind Cloud Armor with Google's OWASP CRS 3.3 rules, denying with 403; gcp.cloudArmor false removes it", async () => {
            const armor = one(run, "gcp:compute/securityPolicy:SecurityPolicy").inputs;
            const waf = armor.rules.filter((r: any) => r.action === "deny(403)").map((r: any) => r.match.expr.expression);
            assert.deepStrictEqual(
                waf.map((e: string) => /^evaluatePreconfiguredWaf\('([^']+)', \{'sensitivity': 1[,}]/.exec(e)?.[1]),
                [...WAF_RULES],
            );
            // CRS 911100 (allowed methods GET/HEAD/POST/OPTIONS) would answer the app's PUT, PATCH and DELETE
            // with 403: opted out of method enforcement, and nothing else is.
            const optedOut = waf.filter((e: string) => e.includes("opt_out_rule_ids"));
            assert.deepStrictEqual(optedOut, [
                "evaluatePreconfiguredWaf('methodenforcement-v33-stable', {'sensitivity': 1, 'opt_out_rule_ids': ['owasp-crs-v030301-id911100-methodenforcement']})",
            ]);
            assert.deepStrictEqual(armor.rules.at(-1), {
                priority: 2147483647,
                action: "allow",
                description: "everything the rules above let through",
                match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } },
            });
            const backends = gkePolicies(run, "GCPBackendPolicy");
            assert.deepStrictEqual(backends.map((b) => b.inputs.spec.targetRef.name).sort(), ["app-blue", "app-green"]);
            for (const b of backends) assert.strictEqual(b.inputs.spec.default.securityPolicy, armor.name);

            const off = await runStack("gcp", { "gcp.cloudArmor": "false" });
            assert.strictEqual(all(off, "gcp:compute/securityPolicy:SecurityPolicy").length, 0);
            for (const b of gkePolicies(off, "GCPBackendPolicy")) assert.strictEqual(b.inputs.spec.default.securityPolicy, undefined);
            const report = runPolicies(off.resources, off.config);
            assert.deepStrictEqual([...new Set(report.violations.filter((v) => v.level === "mandatory").map((v) => v.rule))], ["gke-cloud-armor"]);
        });

        it("has no certificate without a domain, and routes without filters", () => {
            for (const t of [T.cert, T.certMap, T.dnsAuth, T.sslPolicy]) assert.strictEqual(all(run, t).length, 0, t);
            assertNoRouteFilters(run);
            assert.strictEqual(one(run, T.gateway).inputs.metadata.annotations?.[CERTMAP_ANNOTATION], undefined);
        });

        it("health-checks every Service on healthPath and drains connections for the Pods' preStop time", () => {
            const services = all(run, T.service)
                .map((s) => s.inputs.metadata.name)
                .sort();
            const hc = gkePolicies(run, "HealthCheckPolicy");
            const bp = gkePolicies(run, "GCPBackendPolicy");
            assert.deepStrictEqual(hc.map((p) => p.inputs.spec.targetRef.name).sort(), services);
            assert.deepStrictEqual(bp.map((p) => p.inputs.spec.targetRef.name).sort(), services);
            for (const p of hc) assert.strictEqual(p.inputs.spec.default.config.httpHealthCheck.requestPath, run.config.app.healthPath);
            for (const p of bp) assert.strictEqual(p.inputs.spec.default.connectionDraining.drainingTimeoutSec, PRE_STOP_SECONDS);
            for (const p of [...hc, ...bp]) assert.strictEqual(p.inputs.metadata.namespace, run.config.app.namespace);
        });
    });

    describe("maintenance", () => {
        it("GKE, Cloud SQL and Memorystore never share a maintenance night", () => {
            const gke = one(run, T.cluster).inputs.maintenancePolicy.recurringWindow.recurrence as string;
            const gkeDays = /BYDAY=([A-Z,]+)/.exec(gke)![1].split(",");
            const days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
            const sqlDay = days[one(run, T.sql).inputs.settings.maintenanceWindow.day - 1];
            const redisDay = (one(run, T.redis).inputs.maintenancePolicy.weeklyMaintenanceWindows[0].day as string).slice(0, 2);
            assert.deepStrictEqual(new Set([...gkeDays, sqlDay, redisDay]).size, gkeDays.length + 2, `${gkeDays.join(",")} ${sqlDay} ${redisDay}`);
        });
    });

    describe("labels", () => {
        it("every labelable GCP resource carries the stack's labels", () => {
            const labelsOf: [string, (i: any) => Record<string, string> | undefined][] = [
                [T.address, (i) => i.labels],
                [T.cluster, (i) => i.resourceLabels],
                [T.pool, (i) => i.nodeConfig.resourceLabels],
                [T.sql, (i) => i.settings.userLabels],
                [T.redis, (i) => i.labels],
            ];
            for (const [type, get] of labelsOf)
                for (const r of all(run, type)) {
                    const labels = get(r.inputs);
                    assert.strictEqual(labels?.stack, "gcp", `${type} ${r.name}`);
                    assert.strictEqual(labels?.["managed-by"], "pulumi", `${type} ${r.name}`);
                    for (const [k, v] of Object.entries(labels)) assert.match(`${k}=${v}`, /^[a-z][a-z0-9_-]{0,62}=[a-z0-9_-]{0,63}$/);
                }
        });
    });

    describe("Kubernetes objects", () => {
        it("the GKE policies are applied before the Release, so the load balancer starts with the app's health check", () => {
            const release = find(run, "zdp:k8s:Release");
            for (const p of run.resources.filter((r) => T.custom.test(r.type))) {
                assert.ok(release.dependsOn.includes(p.urn), `Release does not wait for ${p.name}`);
                assert.match(p.provider ?? "", /pulumi:providers:kubernetes::zdp-gcp-k8s/, p.name);
            }
        });

        it("validate against the upstream schemas, GKE's policy kinds against its vendored CRDs", () => {
            const report = validateK8s(run.resources);
            assert.deepStrictEqual(report.errors, []);
            assert.ok(report.validated.some((v) => v.startsWith("kubernetes:networking.gke.io/v1:HealthCheckPolicy ")));
            assert.ok(report.validated.some((v) => v.startsWith("kubernetes:networking.gke.io/v1:GCPBackendPolicy ")));
            assert.deepStrictEqual(report.skipped, []);
        });

        it("GKE policy objects satisfy the CRD constraints of networking.gke.io/v1", () => {
            const policies = run.resources.filter((r) => T.custom.test(r.type));
            assert.ok(policies.length >= 2);
            const errors = policies.flatMap((p) => validateGkePolicy(p));
            assert.deepStrictEqual(errors, []);
        });

        it("the CRD check catches a bad policy", () => {
            const bad: Recorded = {
                ...gkePolicies(run, "HealthCheckPolicy")[0],
                inputs: {
                    apiVersion: "networking.gke.io/v1",
                    kind: "HealthCheckPolicy",
                    metadata: { name: "x" },
                    spec: { default: { checkIntervalSec: 2, timeoutSec: 5, config: { type: "HTTP" } }, targetRef: { kind: "Service" } },
                },
            };
            const errors = validateGkePolicy(bad).join("\n");
            assert.match(errors, /timeoutSec/);
            assert.match(errors, /config/);
            assert.match(errors, /targetRef\.name/);
        });
    });

    describe("release blast radius on gcp", () => {
        it("promote with inactiveScale full changes exactly the live route and the preview route, and replaces nothing", async () => {
            const promoted = await runStack("gcp", { activeColor: "green", inactiveScale: "full" });
            const d = diffResources((await runStack("gcp", { inactiveScale: "full" })).resources, promoted.resources);
            assert.deepStrictEqual([d.added, d.removed], [[], []]);
            assert.deepStrictEqual(d.changed.map((c) => c.name).sort(), ["app-preview-token-route", "app-route"]);
            assert.ok(!d.changed.some((c) => c.replaces));
            assert.strictEqual(promoted.outputs.activeColor.value, "green");
        });

        it("a new green version changes only the green Deployment", async () => {
            const bumped = await runStack("gcp", { greenVersion: "6.9.2" });
            const d = diffResources(run.resources, bumped.resources);
            assert.deepStrictEqual([d.added, d.removed], [[], []]);
            assert.deepStrictEqual(
                d.changed.map((c) => `${c.type} ${c.name}`).filter((c) => !c.includes("green")),
                [],
            );
            assert.ok(d.changed.length >= 1);
        });
    });

    describe("with a domain", () => {
        let https: StackRun;
        before(async () => {
            https = await runStack("gcp", { domain: "shop.example.com", previewHost: "preview.shop.example.com" });
        });

        it("issues a Google-managed certificate for the domain and preview host through a certificate map on the Gateway", () => {
            const cert = one(https, T.cert).inputs;
            assert.deepStrictEqual(cert.managed.domains, ["shop.example.com", "preview.shop.example.com"]);
            assert.strictEqual(cert.managed.dnsAuthorizations.length, 2);
            const map = one(https, T.certMap).inputs;
            assert.deepStrictEqual(
                all(https, T.certMapEntry).map((e) => e.inputs.hostname),
                ["shop.example.com", "preview.shop.example.com"],
            );
            const gw = one(https, T.gateway).inputs;
            assert.strictEqual(gw.metadata.annotations[CERTMAP_ANNOTATION], map.name);
            // GKE refuses tls.certificateRefs next to a certificate map: the HTTPS listener has no tls block.
            const httpsListener = gw.spec.listeners.find((l: any) => l.protocol === "HTTPS");
            assert.ok(httpsListener && httpsListener.port === 443);
            assert.strictEqual(httpsListener.tls, undefined);
            const records = https.outputs.certificateDnsRecords.value as { name: string; type: string }[];
            assert.deepStrictEqual(
                records.map((r) => [r.name, r.type]),
                [
                    ["_acme-challenge.shop.example.com.", "CNAME"],
                    ["_acme-challenge.preview.shop.example.com.", "CNAME"],
                ],
            );
        });

        it("redirects HTTP to HTTPS", () => {
            const redirect = all(https, T.route).find((r) => r.inputs.spec.parentRefs[0].sectionName === "http");
            assert.ok(redirect, "no route on the http listener");
            assert.deepStrictEqual(redirect.inputs.spec.rules[0].filters[0].requestRedirect, { scheme: "https", statusCode: 301 });
            for (const r of all(https, T.route).filter((x) => x !== redirect)) assert.strictEqual(r.inputs.spec.parentRefs[0].sectionName, "https");
        });

        it("sends HSTS from every rule of the live and preview routes on the HTTPS listener, not from the redirect; the pack agrees", () => {
            assertRouteHsts(https);
            assert.deepStrictEqual(validateK8s(https.resources).errors, []);
        });

        it("enforces TLS 1.2+ on the Gateway through an SSL policy", () => {
            const ssl = one(https, T.sslPolicy).inputs;
            assert.strictEqual(ssl.minTlsVersion, "TLS_1_2");
            const gp = gkePolicies(https, "GCPGatewayPolicy");
            assert.strictEqual(gp.length, 1);
            assert.strictEqual(gp[0].inputs.spec.default.sslPolicy, ssl.name);
            assert.strictEqual(gp[0].inputs.spec.targetRef.name, one(https, T.gateway).inputs.metadata.name);
            assert.deepStrictEqual(validateK8s(https.resources).errors, []);
        });
    });

    describe("protectStateful=false (throwaway stacks)", () => {
        it("drops protect and every deletion guard", async () => {
            const loose = await runStack("gcp", { protectStateful: "false" });
            assert.strictEqual(one(loose, "gcp:kms/cryptoKey:CryptoKey").protect, false);
            for (const t of [T.sql, T.redis]) {
                const r = one(loose, t);
                assert.strictEqual(r.protect, false, t);
                assert.strictEqual(r.inputs.deletionProtection, false, t);
            }
            assert.strictEqual(one(loose, T.sql).inputs.settings.deletionProtectionEnabled, false);
            assert.strictEqual(one(loose, T.cluster).inputs.deletionProtection, false);
        });
    });

    describe("read replicas", () => {
        it("redisReadReplicas moves only the replica count, in both directions, never the mode", async () => {
            for (const n of ["2", "1"]) {
                const r = one(await runStack("gcp", { "gcp.redisReadReplicas": n }), T.redis).inputs;
                assert.deepStrictEqual([r.readReplicasMode, r.replicaCount], ["READ_REPLICAS_ENABLED", Number(n)]);
            }
        });

        it("even the smallest stack gets 5 GB, the least Memorystore allows read replicas on", async () => {
            const r = one(await runStack("gcp", { targetUsers: "100" }), T.redis).inputs;
            assert.strictEqual(r.memorySizeGb, 5);
        });
    });
});

describe("gcp plan (offline)", function () {
    it("a preview run records the same resources as an update (nothing waits on unknown outputs)", async () => {
        const [preview, update] = [await runStack("gcp", {}, { preview: true }), await runStack("gcp")];
        const names = (r: StackRun) => r.resources.map((x) => `${x.type}::${x.name}`).sort();
        assert.deepStrictEqual(names(preview), names(update));
    });

    it("`npm run plan -- --stack gcp` prints the whole tree and the capacity table", async () => {
        const out = renderPlan(await buildPlan("gcp", {}, false));
        for (const expected of [
            "gcp:container/cluster:Cluster",
            "gcp:container/nodePool:NodePool",
            "gcp:sql/databaseInstance:DatabaseInstance",
            "gcp:redis/instance:Instance",
            "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
            "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            "n2-standard-4",
            "db-custom-8-32768",
            "after losing 1 of 3 zones",
            "kubeconfig: [secret]",
        ])
            assert.ok(out.includes(expected), `plan output lacks ${expected}`);
    });
});

describe("gcp config (gcp.* keys)", () => {
    const base = {
        releaseChannel: "REGULAR",
        controlPlaneAccess: "authorizedNetworks",
        cloudArmor: "true",
        masterAuthorizedNetworks: "203.0.113.0/24, 198.51.100.7/32",
        nodesCidr: "10.10.0.0/20",
        podsCidr: "10.16.0.0/14",
        servicesCidr: "10.20.0.0/20",
        postgresVersion: "POSTGRES_17",
        redisVersion: "REDIS_7_2",
        redisReadReplicas: "1",
        logRetentionDays: "90",
    };
    const issues = (over: Record<string, string | undefined>) => {
        const r = gcpSchema.safeParse(Object.fromEntries(Object.entries({ ...base, ...over }).filter(([, v]) => v !== undefined)));
        return r.success ? [] : r.error.issues.map((i) => `${String(i.path[0] ?? "")}: ${i.message}`);
    };

    it("parses the defaults and splits the authorized networks", () => {
        const r = gcpSchema.parse(base);
        assert.deepStrictEqual(r.masterAuthorizedNetworks, ["203.0.113.0/24", "198.51.100.7/32"]);
        assert.strictEqual(r.redisReadReplicas, 1);
    });

    const bad: [string, Record<string, string | undefined>, RegExp][] = [
        ["no authorized networks", { masterAuthorizedNetworks: undefined }, /masterAuthorizedNetworks: is required.*or set gcp.controlPlaneAccess to dns/],
        ["an unknown control-plane access", { controlPlaneAccess: "public" }, /controlPlaneAccess: must be one of authorizedNetworks, dns/],
        ["an empty authorized network list", { masterAuthorizedNetworks: " , " }, /masterAuthorizedNetworks/],
        ["a CIDR with host bits", { masterAuthorizedNetworks: "203.0.113.7/24" }, /host bits zero/],
        ["an unknown channel", { releaseChannel: "BETA" }, /RAPID, REGULAR, STABLE, EXTENDED/],
        ["an unsupported Postgres", { postgresVersion: "POSTGRES_9_6" }, /POSTGRES_17/],
        ["an old Redis", { redisVersion: "REDIS_6_X" }, /REDIS_7_2/],
        ["6 read replicas", { redisReadReplicas: "6" }, /1 to 5/],
        ["0 read replicas (Memorystore cannot turn them off)", { redisReadReplicas: "0" }, /cannot turn them off/],
        ["a log retention of 0 days", { logRetentionDays: "0" }, /logRetentionDays: must be a number of days from 1 to 3650/],
        ["a log retention beyond Cloud Logging's 3650 days", { logRetentionDays: "3651" }, /from 1 to 3650/],
        ["overlapping ranges", { podsCidr: "10.8.0.0/13" }, /podsCidr: overlaps gcp.nodesCidr/],
        ["a pods range too small", { podsCidr: "10.16.0.0/24" }, /podsCidr/],
    ];
    for (const [what, over, message] of bad) it(`refuses ${what}`, () => assert.match(issues(over).join("\n"), message));

    it("reports gcp.* keys by their full name through parseConfig", async () => {
        await assert.rejects(runStack("gcp", { "gcp.releaseChannel": "BETA", "gcp.nodeCount": "3" }), (e: unknown) => {
            assert.ok(e instanceof ConfigError || (e as Error).message.includes("gcp.releaseChannel"));
            assert.match((e as Error).message, /gcp\.releaseChannel/);
            assert.match((e as Error).message, /gcp\.nodeCount/);
            return true;
        });
    });

    it("CIDR helpers", () => {
        assert.ok(isIpv4Cidr("10.0.0.0/8"));
        assert.ok(!isIpv4Cidr("10.0.0.1/8"));
        assert.ok(!isIpv4Cidr("300.0.0.0/8"));
        assert.ok(cidrsOverlap("10.0.0.0/8", "10.20.0.0/20"));
        assert.ok(!cidrsOverlap("10.10.0.0/20", "10.16.0.0/14"));
    });

    it("names: RFC 1035 names and service account ids stay valid for awkward stack names", () => {
        for (const stack of ["gcp", "Prod_EU", "x", "a-very-long-stack-name-for-the-production-environment-in-europe"]) {
            const n = gcpName({ project: "zdp", stack }, "gateway-ip");
            assert.match(n, /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, n);
            const id = serviceAccountId(stack, "nodes");
            assert.match(id, /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, id);
        }
    });

    it("kubeconfig: endpoint over https, CA data, exec plugin, no token", () => {
        const kc = JSON.parse(gkeKubeconfig({ name: "c", endpoint: "34.1.2.3", caCertificate: "Q0E=" }));
        assert.strictEqual(kc.clusters[0].cluster.server, "https://34.1.2.3");
        assert.strictEqual(kc.clusters[0].cluster["certificate-authority-data"], "Q0E=");
        assert.strictEqual(kc.users[0].user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.ok(!JSON.stringify(kc).includes("token"));
    });
});

// ---- helpers ---------------------------------------------------------------------------------

function gcpProject(): string {
    return "my-gcp-project-id"; // Pulumi.gcp.yaml
}

function secretData(run: StackRun): Record<string, string> {
    const s = find(run, T.secret, "app").inputs;
    return {
        ...(s.data ? Object.fromEntries(Object.entries<string>(s.data).map(([k, v]) => [k, Buffer.from(v, "base64").toString()])) : {}),
        ...(s.stringData ?? {}),
    };
}

function stripSecrets(inputs: any, paths: string[]): any {
    const copy = JSON.parse(JSON.stringify(inputs ?? {}));
    for (const p of paths) {
        const parts = p.replace(/\[(\d+)\]/g, ".$1").split(".");
        let at = copy;
        for (const k of parts.slice(0, -1)) at = at?.[k];
        if (at && typeof at === "object") delete at[parts[parts.length - 1]];
    }
    return copy;
}

/**
 * Checks a networking.gke.io/v1 policy object against the constraints of its CRD
 * (GoogleCloudPlatform/gke-gateway-api apis/networking/v1: bounds, enums, required fields, unions).
 * There is no published JSON schema package for these kinds, so the rules we rely on are spelled out.
 */
function validateGkePolicy(r: Recorded): string[] {
    const errors: string[] = [];
    const o = r.inputs;
    const label = `${o.kind} ${o.metadata?.name}`;
    const err = (m: string) => errors.push(`${label}: ${m}`);
    const int = (v: unknown, path: string, min: number, max: number) => {
        if (v === undefined) return;
        if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) err(`${path} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
    };
    if (o.apiVersion !== "networking.gke.io/v1") err(`apiVersion ${o.apiVersion}`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata?.name ?? "")) err("metadata.name is not a DNS label");
    const ref = o.spec?.targetRef ?? {};
    if (!ref.name) err("spec.targetRef.name is required");
    if (typeof ref.group !== "string") err('spec.targetRef.group is required ("" for core)');
    const d = o.spec?.default ?? {};
    switch (o.kind) {
        case "HealthCheckPolicy": {
            if (ref.kind !== "Service") err("targetRef.kind must be Service for a single-cluster Gateway");
            for (const k of ["checkIntervalSec", "timeoutSec"]) int(d[k], k, 1, 300);
            for (const k of ["healthyThreshold", "unhealthyThreshold"]) int(d[k], k, 1, 10);
            if ((d.timeoutSec ?? 5) > (d.checkIntervalSec ?? 5)) err("timeoutSec must not exceed checkIntervalSec");
            const c = d.config ?? {};
            const union = {
                TCP: "tcpHealthCheck",
                HTTP: "httpHealthCheck",
                HTTPS: "httpsHealthCheck",
                HTTP2: "http2HealthCheck",
                GRPC: "grpcHealthCheck",
            } as Record<string, string>;
            if (!(c.type in union)) err(`config.type ${c.type} not in ${Object.keys(union).join(",")}`);
            else if (Object.keys(c).length !== 2 || !c[union[c.type]]) err(`config must hold exactly type and ${union[c.type]}`);
            const h = c[union[c.type]] ?? {};
            if (h.portSpecification !== undefined && !["USE_FIXED_PORT", "USE_NAMED_PORT", "USE_SERVING_PORT"].includes(h.portSpecification))
                err("portSpecification");
            int(h.port, "port", 1, 65535);
            if (h.requestPath !== undefined && !/\/[A-Za-z0-9/\-._~%!?$&'()*+,;=:]*$/.test(h.requestPath)) err("requestPath");
            break;
        }
        case "GCPBackendPolicy": {
            if (ref.kind !== "Service") err("targetRef.kind must be Service for a single-cluster Gateway");
            int(d.connectionDraining?.drainingTimeoutSec, "drainingTimeoutSec", 0, 3600);
            int(d.timeoutSec, "timeoutSec", 1, 2147483647);
            int(d.logging?.sampleRate, "logging.sampleRate", 0, 1000000);
            int(d.maxRatePerEndpoint, "maxRatePerEndpoint", 1, 1000000000);
            break;
        }
        case "GCPGatewayPolicy":
            if (ref.kind !== "Gateway" || ref.group !== "gateway.networking.k8s.io") err("targetRef must be a gateway.networking.k8s.io Gateway");
            if (typeof d.sslPolicy !== "string" || d.sslPolicy === "") err("default.sslPolicy");
            break;
        default:
            err("unknown kind");
    }
    return errors;
}
