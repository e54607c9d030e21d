// What the azure-native provider returns for the resources and invokes the azure stack uses:
// ARM resource IDs, autonamed names, FQDNs, identities, the AKS user kubeconfig, Redis keys.
import { createHash } from "crypto";
import type { ResourceMock } from "./types";

export const SUBSCRIPTION = "3f2c6a51-7d0e-4b8a-9c1d-2e5f6a7b8c9d";
export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const DEPLOYER_OBJECT_ID = "0c4b7e2a-93d1-4f6e-8a5b-1d2c3e4f5a6b";

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const guid = (s: string) => {
    const h = hex(s, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const rgId = (rg: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}`;
const arm = (rg: string, provider: string, path: string) => `${rgId(rg)}/providers/${provider}/${path}`;

// The provider autonames a resource whose name input is unset: logical name + 8 random characters.
const autoname = (logical: string, given: unknown) => (typeof given === "string" && given ? given : `${logical}${hex(`name:${logical}`, 8)}`);

/** The base64 kubeconfig listClusterUserCredential returns for an Entra ID cluster (exec: kubelogin, devicecode). */
export function aksUserKubeconfig(cluster: string, fqdn: string): string {
    const ca = Buffer.from(`-----BEGIN CERTIFICATE-----\nMIIE6D${hex(`ca:${cluster}`, 40)}\n-----END CERTIFICATE-----\n`).toString("base64");
    const yaml = [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        `    certificate-authority-data: ${ca}`,
        `    server: https://${fqdn}:443`,
        `  name: ${cluster}`,
        "contexts:",
        "- context:",
        `    cluster: ${cluster}`,
        `    user: clusterUser_${cluster}`,
        `  name: ${cluster}`,
        `current-context: ${cluster}`,
        "kind: Config",
        "users:",
        `- name: clusterUser_${cluster}`,
        "  user:",
        "    exec:",
        "      apiVersion: client.authentication.k8s.io/v1beta1",
        "      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --login, devicecode]",
        "      command: kubelogin",
        "",
    ].join("\n");
    return Buffer.from(yaml).toString("base64");
}

/** Outputs of the resource group, network, private DNS, identities, role assignments, locks and monitoring. */
function networkOutputs(type: string, name: string, inputs: Record<string, any>, rg: string, loc: string): Record<string, any> | undefined {
    switch (type) {
        case "azure-native:resources:ResourceGroup": {
            const n = autoname(name, inputs.resourceGroupName);
            return { name: n, id: rgId(n), location: loc };
        }
        case "azure-native:network:VirtualNetwork": {
            const n = autoname(name, inputs.virtualNetworkName);
            return { name: n, id: arm(rg, "Microsoft.Network", `virtualNetworks/${n}`) };
        }
        case "azure-native:network:Subnet":
            return {
                name: inputs.subnetName,
                id: arm(rg, "Microsoft.Network", `virtualNetworks/${inputs.virtualNetworkName}/subnets/${inputs.subnetName}`),
            };
        case "azure-native:network:PublicIPAddress": {
            const n = autoname(name, inputs.publicIpAddressName);
            return { name: n, id: arm(rg, "Microsoft.Network", `publicIPAddresses/${n}`), ipAddress: "20.94.113.27" };
        }
        case "azure-native:network:NatGateway": {
            const n = autoname(name, inputs.natGatewayName);
            return { name: n, id: arm(rg, "Microsoft.Network", `natGateways/${n}`) };
        }
        case "azure-native:network:NetworkSecurityGroup": {
            const n = autoname(name, inputs.networkSecurityGroupName);
            return { name: n, id: arm(rg, "Microsoft.Network", `networkSecurityGroups/${n}`) };
        }
        case "azure-native:network:PrivateEndpoint": {
            const n = autoname(name, inputs.privateEndpointName);
            return { name: n, id: arm(rg, "Microsoft.Network", `privateEndpoints/${n}`) };
        }
        case "azure-native:network:PrivateDnsZoneGroup":
            return {
                name: inputs.privateDnsZoneGroupName,
                id: arm(rg, "Microsoft.Network", `privateEndpoints/${inputs.privateEndpointName}/privateDnsZoneGroups/${inputs.privateDnsZoneGroupName}`),
            };
        case "azure-native:privatedns:PrivateZone":
            return { name: inputs.privateZoneName, id: arm(rg, "Microsoft.Network", `privateDnsZones/${inputs.privateZoneName}`) };
        case "azure-native:privatedns:VirtualNetworkLink": {
            const n = autoname(name, inputs.virtualNetworkLinkName);
            return { name: n, id: arm(rg, "Microsoft.Network", `privateDnsZones/${inputs.privateZoneName}/virtualNetworkLinks/${n}`) };
        }
        case "azure-native:managedidentity:UserAssignedIdentity": {
            const n = autoname(name, inputs.resourceName);
            return {
                name: n,
                id: arm(rg, "Microsoft.ManagedIdentity", `userAssignedIdentities/${n}`),
                clientId: guid(`client:${n}`),
                principalId: guid(`principal:${n}`),
                tenantId: TENANT,
            };
        }
        case "azure-native:managedidentity:FederatedIdentityCredential": {
            const n = autoname(name, inputs.federatedIdentityCredentialResourceName);
            return { name: n, id: arm(rg, "Microsoft.ManagedIdentity", `userAssignedIdentities/${inputs.resourceName}/federatedIdentityCredentials/${n}`) };
        }
        case "azure-native:authorization:RoleAssignment": {
            const n = inputs.roleAssignmentName ?? guid(`ra:${name}`);
            return { name: n, id: `${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${n}` };
        }
        case "azure-native:authorization:ManagementLockByScope": {
            const n = autoname(name, inputs.lockName);
            return { name: n, id: `${inputs.scope}/providers/Microsoft.Authorization/locks/${n}` };
        }
        case "azure-native:operationalinsights:Workspace": {
            const n = autoname(name, inputs.workspaceName);
            return { name: n, id: arm(rg, "Microsoft.OperationalInsights", `workspaces/${n}`), customerId: guid(`law:${n}`) };
        }
        case "azure-native:monitor:DataCollectionRule": {
            const n = autoname(name, inputs.dataCollectionRuleName);
            return { name: n, id: arm(rg, "Microsoft.Insights", `dataCollectionRules/${n}`) };
        }
        case "azure-native:monitor:DataCollectionRuleAssociation":
            return {
                name: inputs.associationName,
                id: `${inputs.resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/${inputs.associationName}`,
            };
        case "azure-native:monitor:DiagnosticSetting": {
            const n = autoname(name, inputs.name);
            return { name: n, id: `${inputs.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${n}` };
        }
    }
    return undefined;
}

/** Outputs of AKS, its pools and maintenance windows. */
function clusterOutputs(type: string, name: string, inputs: Record<string, any>, rg: string, loc: string): Record<string, any> | undefined {
    switch (type) {
        case "azure-native:containerservice:ManagedCluster": {
            const n = autoname(name, inputs.resourceName);
            return {
                name: n,
                id: arm(rg, "Microsoft.ContainerService", `managedClusters/${n}`),
                fqdn: `${inputs.dnsPrefix}-${hex(`fqdn:${n}`, 8)}.hcp.${loc}.azmk8s.io`,
                nodeResourceGroup: `MC_${rg}_${n}_${loc}`,
                oidcIssuerProfile: { enabled: true, issuerURL: `https://${loc}.oic.prod-aks.azure.com/${TENANT}/${guid(`oidc:${n}`)}/` },
                currentKubernetesVersion: `${inputs.kubernetesVersion}.4`,
                identityProfile: {
                    kubeletidentity: {
                        clientId: guid(`kubelet-client:${n}`),
                        objectId: guid(`kubelet-object:${n}`),
                        resourceId: arm(`MC_${rg}_${n}_${loc}`, "Microsoft.ManagedIdentity", `userAssignedIdentities/${n}-agentpool`),
                    },
                },
            };
        }
        case "azure-native:containerservice:AgentPool":
            return {
                name: inputs.agentPoolName,
                id: arm(rg, "Microsoft.ContainerService", `managedClusters/${inputs.resourceName}/agentPools/${inputs.agentPoolName}`),
            };
        case "azure-native:containerservice:MaintenanceConfiguration":
            return {
                name: inputs.configName,
                id: arm(rg, "Microsoft.ContainerService", `managedClusters/${inputs.resourceName}/maintenanceConfigurations/${inputs.configName}`),
            };
    }
    return undefined;
}

/** Outputs of the data stores, Application Gateway for Containers and the WAF policy. */
function dataAndEdgeOutputs(type: string, name: string, inputs: Record<string, any>, rg: string, loc: string): Record<string, any> | undefined {
    switch (type) {
        case "azure-native:dbforpostgresql:Server": {
            const n = autoname(name, inputs.serverName);
            return {
                name: n,
                id: arm(rg, "Microsoft.DBforPostgreSQL", `flexibleServers/${n}`),
                fullyQualifiedDomainName: `${n}.postgres.database.azure.com`,
                state: "Ready",
            };
        }
        case "azure-native:dbforpostgresql:Configuration":
            return {
                name: inputs.configurationName,
                id: arm(rg, "Microsoft.DBforPostgreSQL", `flexibleServers/${inputs.serverName}/configurations/${inputs.configurationName}`),
            };
        case "azure-native:dbforpostgresql:Database":
            return {
                name: inputs.databaseName,
                id: arm(rg, "Microsoft.DBforPostgreSQL", `flexibleServers/${inputs.serverName}/databases/${inputs.databaseName}`),
            };
        case "azure-native:redisenterprise:RedisEnterprise": {
            const n = autoname(name, inputs.clusterName);
            return { name: n, id: arm(rg, "Microsoft.Cache", `redisEnterprise/${n}`), hostName: `${n}.${loc}.redis.azure.net`, redisVersion: "7.4" };
        }
        case "azure-native:redisenterprise:Database":
            return { name: inputs.databaseName, id: arm(rg, "Microsoft.Cache", `redisEnterprise/${inputs.clusterName}/databases/${inputs.databaseName}`) };
        case "azure-native:servicenetworking:TrafficControllerInterface": {
            const n = autoname(name, inputs.trafficControllerName);
            return {
                name: n,
                id: arm(rg, "Microsoft.ServiceNetworking", `trafficControllers/${n}`),
                configurationEndpoints: [`${hex(`tc:${n}`, 16)}.trafficcontroller.azure.net`],
            };
        }
        case "azure-native:servicenetworking:FrontendsInterface":
            return {
                name: inputs.frontendName,
                id: arm(rg, "Microsoft.ServiceNetworking", `trafficControllers/${inputs.trafficControllerName}/frontends/${inputs.frontendName}`),
                fqdn: `${hex(`fe:${inputs.trafficControllerName}`, 16)}.fz23.alb.azure.com`,
            };
        case "azure-native:servicenetworking:AssociationsInterface": {
            const n = autoname(name, inputs.associationName);
            return { name: n, id: arm(rg, "Microsoft.ServiceNetworking", `trafficControllers/${inputs.trafficControllerName}/associations/${n}`) };
        }
        case "azure-native:servicenetworking:SecurityPoliciesInterface": {
            const n = autoname(name, inputs.securityPolicyName);
            return {
                name: n,
                id: arm(rg, "Microsoft.ServiceNetworking", `trafficControllers/${inputs.trafficControllerName}/securityPolicies/${n}`),
                policyType: "waf",
            };
        }
        case "azure-native:network:WebApplicationFirewallPolicy": {
            const n = autoname(name, inputs.policyName);
            return { name: n, id: arm(rg, "Microsoft.Network", `ApplicationGatewayWebApplicationFirewallPolicies/${n}`) };
        }
    }
    return undefined;
}

export const azureMock: ResourceMock = {
    newResource({ type, name, inputs }) {
        if (!type.startsWith("azure-native:")) return undefined;
        const rg: string = inputs.resourceGroupName ?? "";
        const loc: string = inputs.location ?? "eastus2";
        return networkOutputs(type, name, inputs, rg, loc) ?? clusterOutputs(type, name, inputs, rg, loc) ?? dataAndEdgeOutputs(type, name, inputs, rg, loc);
    },
    call({ token, inputs }, ctx) {
        switch (token) {
            case "azure-native:authorization:getClientConfig":
                return { clientId: guid("deployer-client"), objectId: DEPLOYER_OBJECT_ID, subscriptionId: SUBSCRIPTION, tenantId: TENANT };
            case "azure-native:containerservice:listManagedClusterUserCredentials": {
                const fqdn = `${inputs.resourceName}-${hex(`fqdn:${inputs.resourceName}`, 8)}.hcp.eastus2.azmk8s.io`;
                return { kubeconfigs: [{ name: "clusterUser", value: aksUserKubeconfig(inputs.resourceName, fqdn) }] };
            }
            case "azure-native:redisenterprise:listDatabaseKeys": {
                const key = (which: string) => Buffer.from(hex(`${which}:${inputs.clusterName}`, 32)).toString("base64");
                ctx.generatedSecrets.push(key("primary"), key("secondary"));
                return { primaryKey: key("primary"), secondaryKey: key("secondary") };
            }
        }
        return undefined;
    },
};
