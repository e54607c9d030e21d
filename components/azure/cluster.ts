// AKS: Entra ID + Azure RBAC with local accounts disabled, Azure CNI Overlay with Cilium, OIDC issuer
// + workload identity, a system pool and an autoscaled user pool over zones 1-3 sized by the
// capacity model, auto-upgrade channels with maintenance windows, Container Insights, the Azure Policy
// add-on, and a kubernetes.Provider.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { nodeShapes, type Sizing } from "../../model/capacity";
import type { AddressPlan } from "../../model/azure/addressing";
import type { AzureConfig } from "../../model/config";
import { channelOwnsMinor } from "../../model/azure/config";
import { aksEndpoint, aksKubeconfig } from "./kubeconfig";
import { roleDefinitionId } from "./roles";
import { SYSTEM_POOL, ZONES } from "../../model/azure/sizing";
import { AKS_MAX_SURGE } from "../../model/upgradeSurge";

export interface ClientIdentity {
    subscriptionId: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
}

export interface AzureClusterArgs {
    location: string;
    resourceGroupName: pulumi.Input<string>;
    nodeSubnetId: pulumi.Input<string>;
    /** The NAT gateway's public IP: nodes and in-cluster controllers reach the public API server from it. */
    egressIp: pulumi.Input<string>;
    plan: AddressPlan;
    settings: AzureConfig;
    sizing: Sizing;
    client: ClientIdentity;
    tags: Record<string, string>;
}

// Container Insights through the Azure Monitor Agent: the add-on authenticates with managed identity
// and collects only what a data collection rule associated with the cluster says.
// https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
const CI_STREAM = "Microsoft-ContainerInsights-Group-Default";

/**
 * The API server's reach: public behind the allow-list, or a private cluster whose API answers only on a
 * private endpoint in the VNet, named in an AKS-managed private DNS zone linked to it ("system"), with no
 * extra public FQDN. https://learn.microsoft.com/azure/aks/private-clusters
 */
export function apiServerAccess(
    s: Pick<AzureConfig, "apiAccess" | "apiServerAuthorizedIpRanges">,
    egressIp: pulumi.Input<string>,
): containerservice.ManagedClusterArgs["apiServerAccessProfile"] {
    if (s.apiAccess === "private") return { enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFQDN: false };
    // AKS allows only a Standard load balancer's outbound IP by default; with outbound type
    // userAssignedNATGateway the cluster's egress IP must be listed ("add ... the cluster egress IP address
    // (firewall, NAT gateway, ...)": MicrosoftDocs/azure-aks-docs articles/aks/api-server-authorized-ip-ranges.md).
    // Kubelets and in-cluster controllers (the ALB Controller, the autoscaler) reach the public API from it.
    return { authorizedIPRanges: pulumi.output(egressIp).apply((ip) => [...(s.apiServerAuthorizedIpRanges ?? []), `${ip}/32`]) };
}

export class AzureCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterId: pulumi.Output<string>;
    readonly oidcIssuerUrl: pulumi.Output<string>;
    readonly nodeResourceGroup: pulumi.Output<string>;
    /** The stack's Log Analytics workspace (Container Insights, control-plane and resource logs). */
    readonly logWorkspaceId: pulumi.Output<string>;
    /** Secret: endpoint, CA and a kubelogin exec entry (no token: local accounts are disabled). */
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;

    constructor(name: string, args: AzureClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Cluster", name, {}, opts);
        const { settings: s, sizing, location, tags, resourceGroupName } = args;
        if (sizing.zones !== ZONES.length) throw new Error(`AzureCluster ${name}: the capacity model must size ${ZONES.length} zones, got ${sizing.zones}`);
        const parent = { parent: this };

        const logs = new operationalinsights.Workspace(
            `${name}-logs`,
            { resourceGroupName, location, sku: { name: "PerGB2018" }, retentionInDays: s.logRetentionDays, tags },
            parent,
        );

        // Control-plane identity, granted subnet join before the cluster exists (BYO VNet).
        const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceGroupName, location, tags }, parent);
        const subnetJoin = new authorization.RoleAssignment(
            `${name}-identity-network`,
            {
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.output(args.client.subscriptionId).apply((sub) => roleDefinitionId(sub, "networkContributor")),
                scope: args.nodeSubnetId,
            },
            parent,
        );

        const ownsMinor = channelOwnsMinor(s.upgradeChannel);
        const cluster = this.managedCluster(name, args, { logsId: logs.id, identityId: identity.id, dependsOn: [subnetJoin], channelOwnsMinor: ownsMinor });
        const pool = this.userPool(name, args, cluster, ownsMinor);
        this.maintenanceWindows(name, args, cluster);
        this.insights(name, args, cluster, logs.id);
        const adminGrants = this.adminGrants(name, args, cluster);

        const credentials = containerservice.listManagedClusterUserCredentialsOutput({ resourceGroupName, resourceName: cluster.name }, parent);
        this.kubeconfig = pulumi.secret(
            pulumi.all([credentials, cluster.name, args.client.tenantId]).apply(([c, clusterName, tenantId]) => {
                const yaml = Buffer.from(c.kubeconfigs[0].value, "base64").toString("utf8");
                return aksKubeconfig({ name: clusterName, ...aksEndpoint(yaml), mode: s.kubeloginMode, tenantId });
            }),
        );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { ...parent, dependsOn: [...adminGrants, pool] });

        this.clusterName = cluster.name;
        this.clusterId = cluster.id;
        this.logWorkspaceId = logs.id;
        // Federated credentials and role scopes are built from these: fail loudly rather than trust "".
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((p) => {
            if (!p?.issuerURL) throw new Error(`AKS ${name} reports no OIDC issuer URL`);
            return p.issuerURL;
        });
        this.nodeResourceGroup = cluster.nodeResourceGroup.apply((g) => {
            if (!g) throw new Error(`AKS ${name} reports no node resource group`);
            return g;
        });
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterId: this.clusterId,
            oidcIssuerUrl: this.oidcIssuerUrl,
            nodeResourceGroup: this.nodeResourceGroup,
            kubeconfig: this.kubeconfig,
        });
    }

    private managedCluster(
        name: string,
        args: AzureClusterArgs,
        refs: { logsId: pulumi.Output<string>; identityId: pulumi.Output<string>; dependsOn: pulumi.Resource[]; channelOwnsMinor: boolean },
    ): containerservice.ManagedCluster {
        const { settings: s, location, tags, resourceGroupName } = args;
        const parent = { parent: this };
        const plan = args.plan;
        return new containerservice.ManagedCluster(
            `${name}-aks`,
            {
                resourceGroupName,
                location,
                dnsPrefix: name,
                kubernetesVersion: s.kubernetesVersion,
                // Standard tier: financially backed API server SLA (99.95% with availability zones).
                sku: { name: "Base", tier: "Standard" },
                identity: { type: "UserAssigned", userAssignedIdentities: [refs.identityId] },
                aadProfile: { managed: true, enableAzureRBAC: true, tenantID: args.client.tenantId, adminGroupObjectIDs: s.adminGroupObjectIds },
                enableRBAC: true,
                disableLocalAccounts: true,
                oidcIssuerProfile: { enabled: true },
                securityProfile: { workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 48 } },
                autoUpgradeProfile: { upgradeChannel: s.upgradeChannel, nodeOSUpgradeChannel: s.nodeOsUpgradeChannel },
                apiServerAccessProfile: apiServerAccess(s, args.egressIp),
                networkProfile: {
                    networkPlugin: "azure",
                    networkPluginMode: "overlay",
                    // Azure CNI powered by Cilium enforces NetworkPolicy (Azure NPM is on its way out).
                    networkDataplane: "cilium",
                    networkPolicy: "cilium",
                    podCidr: plan.podCidr,
                    serviceCidr: plan.serviceCidr,
                    dnsServiceIP: plan.dnsServiceIp,
                    loadBalancerSku: "standard",
                    outboundType: "userAssignedNATGateway",
                },
                // The system pool runs only critical add-ons; one node per zone, growing with add-on load.
                agentPoolProfiles: [
                    {
                        name: "system",
                        mode: "System",
                        // x86 whatever nodeArch says: a system pool's size cannot change in place, and AKS runs mixed pools.
                        vmSize: nodeShapes("azure", "amd64")[0].machineType,
                        osType: "Linux",
                        osSKU: "AzureLinux",
                        availabilityZones: [...ZONES],
                        enableAutoScaling: true,
                        count: SYSTEM_POOL.min,
                        minCount: SYSTEM_POOL.min,
                        maxCount: SYSTEM_POOL.max,
                        vnetSubnetID: args.nodeSubnetId,
                        orchestratorVersion: s.kubernetesVersion,
                        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
                        upgradeSettings: { maxSurge: AKS_MAX_SURGE },
                        tags,
                    },
                ],
                addonProfiles: {
                    omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: refs.logsId, useAADAuth: "true" } },
                    // Azure Policy for Kubernetes (Gatekeeper): without it Defender for Cloud and Azure Policy cannot
                    // audit or enforce anything inside the cluster (a high-severity recommendation there).
                    // https://learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-kubernetes
                    azurepolicy: { enabled: true },
                },
                tags,
            },
            // The autoscaler owns the node count.
            {
                ...parent,
                dependsOn: refs.dependsOn,
                ignoreChanges: [
                    "agentPoolProfiles[0].count",
                    ...(refs.channelOwnsMinor ? ["kubernetesVersion", "agentPoolProfiles[0].orchestratorVersion"] : []),
                ],
            },
        );
    }

    private userPool(name: string, args: AzureClusterArgs, cluster: containerservice.ManagedCluster, channelOwnsMinor: boolean): containerservice.AgentPool {
        const { settings: s, tags, resourceGroupName } = args;
        const nodes = args.sizing.nodes;
        const parent = { parent: this };
        // The app's pool spans the three zones; VMSS zone balancing keeps `perZone` nodes in each as it
        // scales (best effort: a zone short of capacity can lag), and pods spread over zones by topology.
        return new containerservice.AgentPool(
            `${name}-user`,
            {
                resourceGroupName,
                resourceName: cluster.name,
                // A new name per architecture: switching nodeArch creates the new pool before the old one drains.
                agentPoolName: nodes.arch === "arm64" ? "userarm" : "user",
                mode: "User",
                vmSize: nodes.machineType,
                osType: "Linux",
                osSKU: "AzureLinux",
                availabilityZones: [...ZONES],
                enableAutoScaling: true,
                count: nodes.desired,
                minCount: nodes.min,
                maxCount: nodes.max,
                vnetSubnetID: args.nodeSubnetId,
                orchestratorVersion: s.kubernetesVersion,
                upgradeSettings: { maxSurge: AKS_MAX_SURGE },
                nodeLabels: { "zdp.io/pool": "app" },
                tags,
            },
            // The autoscaler owns the node count.
            { ...parent, ignoreChanges: ["count", ...(channelOwnsMinor ? ["orchestratorVersion"] : [])] },
        );
    }

    private maintenanceWindows(name: string, args: AzureClusterArgs, cluster: containerservice.ManagedCluster): void {
        const { settings: s, resourceGroupName } = args;
        const parent = { parent: this };
        // The reserved names bind a window to the auto-upgrade and node OS channels.
        // https://learn.microsoft.com/azure/aks/planned-maintenance
        const time = `${String(s.maintenanceStartHourUtc).padStart(2, "0")}:00`;
        for (const configName of ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"]) {
            new containerservice.MaintenanceConfiguration(
                `${name}-${configName}`,
                {
                    resourceGroupName,
                    resourceName: cluster.name,
                    configName,
                    maintenanceWindow: {
                        schedule: { weekly: { dayOfWeek: s.maintenanceDay, intervalWeeks: 1 } },
                        durationHours: 4,
                        startTime: time,
                        utcOffset: "+00:00",
                    },
                },
                parent,
            );
        }
    }

    /** Container Insights (its data collection rule) and the control-plane logs, into the stack's workspace. */
    private insights(name: string, args: AzureClusterArgs, cluster: containerservice.ManagedCluster, logsId: pulumi.Output<string>): void {
        const { location, tags, resourceGroupName } = args;
        const parent = { parent: this };
        const dcr = new monitor.DataCollectionRule(
            `${name}-insights`,
            {
                resourceGroupName,
                location,
                kind: "Linux",
                dataSources: {
                    extensions: [
                        {
                            name: "ContainerInsightsExtension",
                            extensionName: "ContainerInsights",
                            streams: [CI_STREAM],
                            extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                        },
                    ],
                },
                destinations: { logAnalytics: [{ name: "ciworkspace", workspaceResourceId: logsId }] },
                dataFlows: [{ streams: [CI_STREAM], destinations: ["ciworkspace"] }],
                tags,
            },
            parent,
        );
        new monitor.DataCollectionRuleAssociation(
            `${name}-insights`,
            { associationName: "ContainerInsightsExtension", resourceUri: cluster.id, dataCollectionRuleId: dcr.id },
            parent,
        );

        // Control-plane logs: write-side audit (not the read-heavy full audit), Entra auth (guard) and the
        // autoscaler, into resource-specific tables. https://learn.microsoft.com/azure/aks/monitor-aks-reference
        new monitor.DiagnosticSetting(
            `${name}-control-plane-logs`,
            {
                resourceUri: cluster.id,
                workspaceId: logsId,
                logAnalyticsDestinationType: "Dedicated",
                logs: ["kube-audit-admin", "guard", "cluster-autoscaler", "kube-controller-manager"].map((category) => ({ category, enabled: true })),
            },
            parent,
        );
    }

    private adminGrants(name: string, args: AzureClusterArgs, cluster: containerservice.ManagedCluster): authorization.RoleAssignment[] {
        const s = args.settings;
        const parent = { parent: this };
        // With local accounts disabled, whoever applies Kubernetes objects needs an Azure RBAC role on the
        // cluster: a fixed Entra group (azure.adminGroupObjectIds) that the operators and the CI identity
        // are members of, not whoever ran `pulumi up` last (another identity would replace the grant and
        // race RBAC propagation). principalType must be said: unset, ARM checks the principal as a User
        // and a group fails with UnmatchedPrincipalType.
        // https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#principaltype
        return s.adminGroupObjectIds.map(
            (groupId, i) =>
                new authorization.RoleAssignment(
                    `${name}-admin-group-${i}`,
                    {
                        principalId: groupId,
                        principalType: "Group",
                        roleDefinitionId: pulumi.output(args.client.subscriptionId).apply((sub) => roleDefinitionId(sub, "aksRbacClusterAdmin")),
                        scope: cluster.id,
                    },
                    parent,
                ),
        );
    }
}
