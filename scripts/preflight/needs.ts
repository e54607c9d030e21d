// What a stack's first `pulumi up` will ask of the account, read from the offline plan's resources
// (scripts/plan.ts: the real program under Pulumi's mock runtime): sizes, versions, node-pool maxima,
// addresses, the allow-list, and the cloud actions and APIs its resource types call. Pure (no Pulumi).
import type { StackConfig } from "../../model/config";
import { surgeNodes } from "../../model/upgradeSurge";
import { awsTags, clusterName } from "../../components/aws/tags";
import { azureTags } from "../../components/azure/tags";
import { gcpLabels } from "../../components/gcp/naming";
import { EKS_VERSIONS } from "../../model/aws/config";
import { AKS_VERSIONS, channelOwnsMinor } from "../../model/azure/config";

export interface PlannedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** How the preflight finds the stack's running cluster, and the version key it judges against it. */
export interface ClusterIdentity {
    /** EKS: the name the stack declares. */
    name?: string;
    /** AKS tags / GKE labels the stack puts on its (autonamed) cluster. */
    tags?: Record<string, string>;
    /** The config key that sets the control plane's version, and its value; unset where the cloud moves it. */
    key?: string;
    version?: string;
    /** The minors the key accepts (its closed list), if it has one. */
    offered?: readonly string[];
    /** AKS: the minors in support, into which a skip from an unsupported one is allowed. */
    skipFromUnsupported?: readonly string[];
    /** What moves the version instead of the stack (a release or upgrade channel). */
    ownedBy?: string;
    /** What the cloud allows besides the stack's rule, said beside a refused downgrade. */
    downgradeNote?: string;
}

export interface Needs {
    cloud: "aws" | "gcp" | "azure";
    region: string;
    /** GCP: the project id (gcp:project). */
    project?: string;
    /** Zones named in config (gcp.zones); otherwise the preflight asks the cloud for the ones the stack would pick. */
    zones?: string[];
    zoneCount: number;
    /** Node pools at their autoscaler maxima (size, vCPUs per node, nodes) and the nodes an upgrade surges above that. */
    pools: { size: string; vcpu: number; max: number; surge: number }[];
    /** GCP: boot disk per node (pd-balanced and pd-ssd count toward SSD_TOTAL_GB). */
    nodeDiskGb?: number;
    kubernetes: { version?: string; channel?: string };
    /** The stack's existing cluster, if any: how to find it and the version to judge against it. */
    cluster: ClusterIdentity;
    /** EKS: the managed add-ons the plan installs, each at the default version for the cluster's minor. */
    addons?: string[];
    database: { version: string; size: string; ha: string };
    cache: { engine: string; version: string; size: string };
    /** Public addresses the network allocates (NAT gateways' IPs). */
    publicAddresses: number;
    natGateways: number;
    /** The control plane's allow-list and the key that holds it; undefined for a private control plane. */
    allowList?: { key: string; cidrs: string[] };
    /** Cloud actions (IAM actions, GCP permissions, Azure operations) the plan's resources need to be created. */
    actions: string[];
    /** Resource types with no known action: their permissions are not checked (listed, never passed). */
    unmapped: string[];
    /** AWS: the tags every resource of this stack carries, which tell its own instances and addresses from the account's others. */
    ownTags?: Record<string, string>;
    /** GCP: the APIs the stack enables itself (gcp:projects/service), which need not be on beforehand. */
    enablesApis?: string[];
}

/** vCPUs the node pools reach: every pool at its maximum while an upgrade surges it (model/upgradeSurge.ts nodeVcpuQuota). */
export const vcpuNeed = (pools: Needs["pools"]): number => pools.reduce((a, p) => a + p.vcpu * (p.max + p.surge), 0);

// Create (or the write that creates) per resource type. Sources: AWS Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
// GCP IAM permissions reference (https://cloud.google.com/iam/docs/permissions-reference),
// Azure resource provider operations (https://learn.microsoft.com/azure/role-based-access-control/permissions/).
const ACTIONS: Record<string, string[]> = {
    "aws:acm/certificate:Certificate": ["acm:RequestCertificate"],
    "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
    "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:PutDashboard"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch:PutMetricAlarm"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
    "aws:ec2/eip:Eip": ["ec2:AllocateAddress"],
    "aws:ec2/flowLog:FlowLog": ["ec2:CreateFlowLogs"],
    "aws:ec2/internetGateway:InternetGateway": ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["ec2:CreateLaunchTemplate"],
    "aws:ec2/natGateway:NatGateway": ["ec2:CreateNatGateway"],
    "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:CreateRoute"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2:CreateSecurityGroup"],
    "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet"],
    "aws:ec2/vpc:Vpc": ["ec2:CreateVpc"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["ec2:CreateVpcEndpoint"],
    "aws:eks/addon:Addon": ["eks:CreateAddon"],
    "aws:eks/cluster:Cluster": ["eks:CreateCluster"],
    "aws:eks/nodeGroup:NodeGroup": ["eks:CreateNodegroup"],
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ["eks:CreatePodIdentityAssociation"],
    "aws:elasticache/replicationGroup:ReplicationGroup": ["elasticache:CreateReplicationGroup"],
    "aws:elasticache/subnetGroup:SubnetGroup": ["elasticache:CreateCacheSubnetGroup"],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:PassRole"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["iam:AttachRolePolicy"],
    "aws:kms/alias:Alias": ["kms:CreateAlias"],
    "aws:kms/key:Key": ["kms:CreateKey"],
    "aws:rds/eventSubscription:EventSubscription": ["rds:CreateEventSubscription"],
    "aws:rds/instance:Instance": ["rds:CreateDBInstance"],
    "aws:rds/parameterGroup:ParameterGroup": ["rds:CreateDBParameterGroup"],
    "aws:rds/subnetGroup:SubnetGroup": ["rds:CreateDBSubnetGroup"],
    "aws:route53/record:Record": ["route53:ChangeResourceRecordSets"],
    "aws:s3/bucket:Bucket": ["s3:CreateBucket"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["s3:PutBucketOwnershipControls"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["s3:PutEncryptionConfiguration"],
    "aws:sns/topic:Topic": ["sns:CreateTopic"],
    "aws:sns/topicSubscription:TopicSubscription": ["sns:Subscribe"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:AuthorizeSecurityGroupIngress"],
    "aws:wafv2/webAcl:WebAcl": ["wafv2:CreateWebACL"],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["wafv2:PutLoggingConfiguration"],

    // Certificate Manager: https://cloud.google.com/certificate-manager/docs/permissions
    "gcp:certificatemanager/certificate:Certificate": ["certificatemanager.certs.create", "certificatemanager.dnsauthorizations.use"],
    "gcp:certificatemanager/certificateMap:CertificateMap": ["certificatemanager.certmaps.create"],
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": ["certificatemanager.certmapentries.create", "certificatemanager.certs.use"],
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": ["certificatemanager.dnsauthorizations.create"],
    "gcp:compute/firewall:Firewall": ["compute.firewalls.create"],
    "gcp:compute/globalAddress:GlobalAddress": ["compute.globalAddresses.create"],
    "gcp:compute/network:Network": ["compute.networks.create"],
    "gcp:compute/router:Router": ["compute.routers.create"],
    "gcp:compute/routerNat:RouterNat": ["compute.routers.update"],
    "gcp:compute/securityPolicy:SecurityPolicy": ["compute.securityPolicies.create"],
    "gcp:compute/sSLPolicy:SSLPolicy": ["compute.sslPolicies.create"],
    "gcp:compute/subnetwork:Subnetwork": ["compute.subnetworks.create"],
    "gcp:container/cluster:Cluster": ["container.clusters.create"],
    "gcp:container/nodePool:NodePool": ["container.clusters.update"],
    "gcp:kms/cryptoKey:CryptoKey": ["cloudkms.cryptoKeys.create"],
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ["cloudkms.cryptoKeys.setIamPolicy"],
    "gcp:kms/keyRing:KeyRing": ["cloudkms.keyRings.create"],
    // Cloud Logging: https://cloud.google.com/iam/docs/roles-permissions/logging
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ["logging.buckets.create"],
    "gcp:logging/projectExclusion:ProjectExclusion": ["logging.exclusions.create"],
    "gcp:logging/projectSink:ProjectSink": ["logging.sinks.create"],
    "gcp:monitoring/alertPolicy:AlertPolicy": ["monitoring.alertPolicies.create"],
    "gcp:monitoring/dashboard:Dashboard": ["monitoring.dashboards.create"],
    "gcp:monitoring/notificationChannel:NotificationChannel": ["monitoring.notificationChannels.create"],
    "gcp:projects/iAMMember:IAMMember": ["resourcemanager.projects.setIamPolicy"],
    "gcp:projects/service:Service": ["serviceusage.services.enable"],
    "gcp:redis/instance:Instance": ["redis.instances.create"],
    "gcp:serviceaccount/account:Account": ["iam.serviceAccounts.create", "iam.serviceAccounts.actAs"],
    "gcp:servicenetworking/connection:Connection": ["servicenetworking.services.addPeering"],
    "gcp:sql/database:Database": ["cloudsql.databases.create"],
    "gcp:sql/databaseInstance:DatabaseInstance": ["cloudsql.instances.create"],
    "gcp:sql/user:User": ["cloudsql.users.create"],

    "azure-native:applicationinsights:Workbook": ["Microsoft.Insights/workbooks/write"],
    "azure-native:authorization:ManagementLockByScope": ["Microsoft.Authorization/locks/write"],
    "azure-native:authorization:RoleAssignment": ["Microsoft.Authorization/roleAssignments/write"],
    "azure-native:containerservice:AgentPool": ["Microsoft.ContainerService/managedClusters/agentPools/write"],
    "azure-native:containerservice:MaintenanceConfiguration": ["Microsoft.ContainerService/managedClusters/maintenanceConfigurations/write"],
    "azure-native:containerservice:ManagedCluster": ["Microsoft.ContainerService/managedClusters/write"],
    "azure-native:dbforpostgresql:Configuration": ["Microsoft.DBforPostgreSQL/flexibleServers/configurations/write"],
    "azure-native:dbforpostgresql:Database": ["Microsoft.DBforPostgreSQL/flexibleServers/databases/write"],
    "azure-native:dbforpostgresql:Server": ["Microsoft.DBforPostgreSQL/flexibleServers/write"],
    "azure-native:managedidentity:FederatedIdentityCredential": ["Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write"],
    "azure-native:managedidentity:UserAssignedIdentity": ["Microsoft.ManagedIdentity/userAssignedIdentities/write"],
    "azure-native:monitor:ActionGroup": ["Microsoft.Insights/actionGroups/write"],
    "azure-native:monitor:DataCollectionRule": ["Microsoft.Insights/dataCollectionRules/write"],
    "azure-native:monitor:DataCollectionRuleAssociation": ["Microsoft.Insights/dataCollectionRuleAssociations/write"],
    "azure-native:monitor:DiagnosticSetting": ["Microsoft.Insights/diagnosticSettings/write"],
    "azure-native:monitor:MetricAlert": ["Microsoft.Insights/metricAlerts/write"],
    "azure-native:network:NatGateway": ["Microsoft.Network/natGateways/write"],
    "azure-native:network:NetworkSecurityGroup": ["Microsoft.Network/networkSecurityGroups/write"],
    "azure-native:network:PrivateDnsZoneGroup": ["Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write"],
    "azure-native:network:PrivateEndpoint": ["Microsoft.Network/privateEndpoints/write"],
    "azure-native:network:PublicIPAddress": ["Microsoft.Network/publicIPAddresses/write"],
    "azure-native:network:Subnet": ["Microsoft.Network/virtualNetworks/subnets/write"],
    "azure-native:network:VirtualNetwork": ["Microsoft.Network/virtualNetworks/write"],
    "azure-native:network:WebApplicationFirewallPolicy": ["Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/write"],
    "azure-native:operationalinsights:Workspace": ["Microsoft.OperationalInsights/workspaces/write"],
    "azure-native:privatedns:PrivateZone": ["Microsoft.Network/privateDnsZones/write"],
    "azure-native:privatedns:VirtualNetworkLink": ["Microsoft.Network/privateDnsZones/virtualNetworkLinks/write"],
    "azure-native:redisenterprise:Database": ["Microsoft.Cache/redisEnterprise/databases/write"],
    "azure-native:redisenterprise:RedisEnterprise": ["Microsoft.Cache/redisEnterprise/write"],
    "azure-native:resources:ResourceGroup": ["Microsoft.Resources/subscriptions/resourceGroups/write"],
    "azure-native:servicenetworking:AssociationsInterface": ["Microsoft.ServiceNetworking/trafficControllers/associations/write"],
    "azure-native:servicenetworking:FrontendsInterface": ["Microsoft.ServiceNetworking/trafficControllers/frontends/write"],
    "azure-native:servicenetworking:SecurityPoliciesInterface": ["Microsoft.ServiceNetworking/trafficControllers/securityPolicies/write"],
    "azure-native:servicenetworking:TrafficControllerInterface": ["Microsoft.ServiceNetworking/trafficControllers/write"],
};

/** Types that call a cloud API: Kubernetes objects, providers and this project's components do not. */
const cloudType = (t: string) => /^(aws|gcp|azure-native):/.test(t);

// GCP: the API each permission prefix lives in (service names: https://cloud.google.com/service-usage/docs/reference/rest).
const GCP_SERVICES: Record<string, string> = {
    certificatemanager: "certificatemanager.googleapis.com",
    compute: "compute.googleapis.com",
    container: "container.googleapis.com",
    cloudkms: "cloudkms.googleapis.com",
    monitoring: "monitoring.googleapis.com",
    redis: "redis.googleapis.com",
    iam: "iam.googleapis.com",
    logging: "logging.googleapis.com",
    servicenetworking: "servicenetworking.googleapis.com",
    cloudsql: "sqladmin.googleapis.com",
    resourcemanager: "cloudresourcemanager.googleapis.com",
};

/** GCP services (APIs) the plan's permissions belong to. */
export const gcpServices = (actions: readonly string[]): string[] =>
    [...new Set(actions.map((a) => GCP_SERVICES[a.split(".")[0]]).filter((s): s is string => !!s))].sort();

/** Azure resource providers the plan's operations belong to; Authorization and Resources are always registered. */
export const azureProviders = (actions: readonly string[]): string[] =>
    [...new Set(actions.map((a) => a.split("/")[0]).filter((p) => !["Microsoft.Authorization", "Microsoft.Resources"].includes(p)))].sort();

const csv = (v: string | string[] | undefined) => (Array.isArray(v) ? v : (v ?? "").split(",").map((s) => s.trim())).filter(Boolean);

// The inputs read here, as the providers' resource docs name them.
interface Pool {
    vmSize: string;
    maxCount?: number;
    count: number;
    upgradeSettings?: { maxSurge?: string };
}
interface Inputs {
    "aws:eks/nodeGroup:NodeGroup": {
        instanceTypes: string[];
        scalingConfig: { maxSize: number };
        subnetIds: unknown[];
        updateConfig?: { maxUnavailable?: number };
    };
    "aws:eks/cluster:Cluster": { version: string };
    "aws:eks/addon:Addon": { addonName: string };
    "aws:rds/instance:Instance": { engineVersion: string; instanceClass: string; multiAz: boolean };
    "aws:elasticache/replicationGroup:ReplicationGroup": { engine: string; engineVersion: string; nodeType: string };
    "gcp:container/nodePool:NodePool": {
        nodeConfig: { machineType: string; diskSizeGb: number };
        autoscaling: { totalMaxNodeCount: number };
        upgradeSettings?: { maxSurge?: number };
        nodeLocations?: string[];
    };
    "gcp:container/cluster:Cluster": { releaseChannel?: { channel: string }; masterAuthorizedNetworksConfig?: { cidrBlocks?: { cidrBlock: string }[] } };
    "gcp:sql/databaseInstance:DatabaseInstance": { databaseVersion: string; settings: { tier: string; availabilityType: string } };
    "gcp:redis/instance:Instance": { redisVersion: string; tier: string; memorySizeGb: number };
    "gcp:projects/service:Service": { service: string };
    "azure-native:containerservice:ManagedCluster": { kubernetesVersion: string; agentPoolProfiles: Pool[] };
    "azure-native:containerservice:AgentPool": Pool;
    "azure-native:dbforpostgresql:Server": { version: string; sku: { name: string }; highAvailability?: { mode: string } };
    "azure-native:redisenterprise:RedisEnterprise": { sku: { name: string } };
}

const every = <T extends keyof Inputs>(resources: readonly PlannedResource[], type: T): Inputs[T][] =>
    resources.filter((r) => r.type === type).map((r) => r.inputs as unknown as Inputs[T]);

function one<T extends keyof Inputs>(resources: readonly PlannedResource[], type: T): Inputs[T] {
    const [r] = every(resources, type);
    if (!r) throw new Error(`the plan declares no ${type}`);
    return r;
}

/** A surge setting the plan must state: the clouds' defaults differ by API version, so none is assumed. */
function stated<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`the plan's ${what} is unset: its upgrade surge, and so the vCPU need, is unknown`);
    return value;
}

function gkePool(pool: Inputs["gcp:container/nodePool:NodePool"], vcpu: number): Needs["pools"][number] {
    const max = pool.autoscaling.totalMaxNodeCount;
    const maxSurge = stated(pool.upgradeSettings?.maxSurge, "GKE node pool upgradeSettings.maxSurge");
    const zones = stated(pool.nodeLocations, "GKE node pool nodeLocations").length;
    return { size: pool.nodeConfig.machineType, vcpu, max, surge: surgeNodes({ cloud: "gcp", maxSurge, zones }, max) };
}

type Base = Pick<Needs, "actions" | "unmapped" | "region">;

/** The needs of a cloud stack's plan; the dev stack (cloud local) has no account to check. */
export function needsFor(cfg: StackConfig, resources: readonly PlannedResource[], vcpuPerNode: number, gcpProject?: string): Needs {
    const types = [...new Set(resources.map((r) => r.type).filter(cloudType))].sort();
    const actions = [...new Set(types.flatMap((t) => ACTIONS[t] ?? []))].sort();
    const unmapped = types.filter((t) => !ACTIONS[t]);
    const base = { actions, unmapped, region: cfg.region ?? "" };
    switch (cfg.cloud) {
        case "aws":
            return awsNeeds(cfg, resources, vcpuPerNode, base);
        case "gcp":
            return gcpNeeds(cfg, resources, vcpuPerNode, base, gcpProject);
        case "azure":
            return azureNeeds(cfg, resources, vcpuPerNode, base);
        default:
            throw new Error(`stack ${cfg.stack} (cloud ${cfg.cloud}) runs on any kubeconfig: there is no cloud account to check`);
    }
}

const counter = (resources: readonly PlannedResource[]) => (type: string) => resources.filter((r) => r.type === type).length;

function awsNeeds(cfg: StackConfig, resources: readonly PlannedResource[], vcpuPerNode: number, base: Base): Needs {
    const count = counter(resources);
    const ownTags = awsTags(cfg, "any");
    const groups = every(resources, "aws:eks/nodeGroup:NodeGroup");
    const db = one(resources, "aws:rds/instance:Instance");
    const cache = one(resources, "aws:elasticache/replicationGroup:ReplicationGroup");
    return {
        ...base,
        cloud: "aws",
        zoneCount: groups.length,
        pools: groups.map((g) => {
            const max = g.scalingConfig.maxSize;
            // One subnet per group: its Auto Scaling group spans at most that many zones.
            const maxUnavailable = stated(g.updateConfig?.maxUnavailable, "EKS node group updateConfig.maxUnavailable");
            return {
                size: g.instanceTypes[0],
                vcpu: vcpuPerNode,
                max,
                surge: surgeNodes({ cloud: "aws", maxUnavailable, zones: g.subnetIds.length }, max),
            };
        }),
        kubernetes: { version: one(resources, "aws:eks/cluster:Cluster").version },
        cluster: {
            name: clusterName(cfg),
            key: "aws.kubernetesVersion",
            version: one(resources, "aws:eks/cluster:Cluster").version,
            offered: EKS_VERSIONS,
            downgradeNote:
                "EKS's own rollback to the previous minor within 7 days of an upgrade is an operator's step: https://docs.aws.amazon.com/eks/latest/userguide/rollback-cluster.html",
        },
        addons: every(resources, "aws:eks/addon:Addon").map((a) => a.addonName),
        ownTags: { project: ownTags.project, stack: ownTags.stack },
        database: { version: String(db.engineVersion), size: db.instanceClass, ha: db.multiAz ? "Multi-AZ" : "Single-AZ" },
        cache: { engine: cache.engine, version: String(cache.engineVersion), size: cache.nodeType },
        publicAddresses: count("aws:ec2/eip:Eip"),
        natGateways: count("aws:ec2/natGateway:NatGateway"),
        allowList: { key: "aws.apiPublicAccessCidrs", cidrs: csv(cfg.aws?.apiPublicAccessCidrs) },
    };
}

function gcpNeeds(cfg: StackConfig, resources: readonly PlannedResource[], vcpuPerNode: number, base: Base, gcpProject?: string): Needs {
    const count = counter(resources);
    const pool = one(resources, "gcp:container/nodePool:NodePool");
    const cluster = one(resources, "gcp:container/cluster:Cluster");
    const sql = one(resources, "gcp:sql/databaseInstance:DatabaseInstance");
    const redis = one(resources, "gcp:redis/instance:Instance");
    const networks = cluster.masterAuthorizedNetworksConfig?.cidrBlocks;
    return {
        ...base,
        cloud: "gcp",
        project: gcpProject,
        enablesApis: every(resources, "gcp:projects/service:Service").map((r) => r.service),
        zones: cfg.gcp?.zones,
        zoneCount: 3,
        pools: [gkePool(pool, vcpuPerNode)],
        nodeDiskGb: pool.nodeConfig.diskSizeGb,
        kubernetes: { channel: cluster.releaseChannel?.channel },
        // The release channel moves control plane and nodes; the stack sets no version (components/gcp/cluster.ts).
        cluster: { tags: gcpLabels(cfg, "cluster"), ownedBy: `GKE's ${cluster.releaseChannel?.channel} release channel` },
        database: { version: sql.databaseVersion, size: sql.settings.tier, ha: sql.settings.availabilityType },
        cache: { engine: "redis", version: redis.redisVersion, size: `${redis.tier} ${redis.memorySizeGb} GB` },
        // Cloud NAT AUTO_ONLY allocates at least one regional external address.
        publicAddresses: count("gcp:compute/routerNat:RouterNat"),
        natGateways: count("gcp:compute/routerNat:RouterNat"),
        allowList: networks ? { key: "gcp.masterAuthorizedNetworks", cidrs: networks.map((n) => n.cidrBlock) } : undefined,
    };
}

function azureNeeds(cfg: StackConfig, resources: readonly PlannedResource[], vcpuPerNode: number, base: Base): Needs {
    const count = counter(resources);
    const aks = one(resources, "azure-native:containerservice:ManagedCluster");
    const pools = [...aks.agentPoolProfiles, ...every(resources, "azure-native:containerservice:AgentPool")];
    const db = one(resources, "azure-native:dbforpostgresql:Server");
    const redis = one(resources, "azure-native:redisenterprise:RedisEnterprise");
    return {
        ...base,
        cloud: "azure",
        zones: ["1", "2", "3"],
        zoneCount: 3,
        pools: pools.map((p) => {
            const max = p.maxCount ?? p.count;
            const maxSurge = stated(p.upgradeSettings?.maxSurge, "AKS agent pool upgradeSettings.maxSurge");
            return { size: p.vmSize, vcpu: vcpuPerNode, max, surge: surgeNodes({ cloud: "azure", maxSurge }, max) };
        }),
        kubernetes: { version: aks.kubernetesVersion },
        // A channel that owns the minor makes components/azure/cluster.ts ignore the key after creation.
        cluster: {
            tags: azureTags(cfg, "cluster"),
            key: "azure.kubernetesVersion",
            version: aks.kubernetesVersion,
            offered: AKS_VERSIONS,
            skipFromUnsupported: AKS_VERSIONS,
            ...(channelOwnsMinor(cfg.azure!.upgradeChannel) ? { ownedBy: `AKS's ${cfg.azure!.upgradeChannel} upgrade channel` } : {}),
        },
        database: { version: String(db.version), size: db.sku.name, ha: db.highAvailability?.mode ?? "Disabled" },
        cache: { engine: "redis", version: "", size: redis.sku.name },
        publicAddresses: count("azure-native:network:PublicIPAddress"),
        natGateways: count("azure-native:network:NatGateway"),
        // The operator's ranges (the plan adds the cluster's own NAT address, which holds no runner).
        allowList:
            cfg.azure?.apiAccess === "private" ? undefined : { key: "azure.apiServerAuthorizedIpRanges", cidrs: csv(cfg.azure?.apiServerAuthorizedIpRanges) },
    };
}
