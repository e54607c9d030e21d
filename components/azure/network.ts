// Resource group, VNet, subnets (AKS nodes, AGC association, PostgreSQL, private endpoints), NSGs and
// a NAT gateway for node egress.
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import type * as inputs from "@pulumi/azure-native/types/input";
import type { AddressPlan } from "../../model/azure/addressing";

export interface AzureNetworkArgs {
    location: string;
    plan: AddressPlan;
    /** Every app's container port: the only ports the AGC subnet may open on the node subnet. */
    appPorts: number[];
    tags: Record<string, string>;
}

type Rule = inputs.network.SecurityRuleArgs;

// ARM takes "*" only in the singular destinationPortRange; in destinationPortRanges it rejects it
// (SecurityRuleInvalidPortRange: "integer OR integer range").
const allow = (name: string, priority: number, from: string[], to: string[], ports: string[] | "*", protocol = "Tcp"): Rule => ({
    name,
    priority,
    direction: "Inbound",
    access: "Allow",
    protocol,
    sourceAddressPrefixes: from,
    sourcePortRange: "*",
    destinationAddressPrefixes: to,
    ...(ports === "*" ? { destinationPortRange: "*" } : { destinationPortRanges: ports }),
});

// Below the explicit allows, above Azure's default AllowVnetInBound (65000): the subnet is closed to the rest of the VNet.
const denyVnet: Rule = {
    name: "deny-other-vnet-inbound",
    priority: 4000,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "VirtualNetwork",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
};

export class AzureNetwork extends pulumi.ComponentResource {
    /** The address plan the subnets are laid out by (the AGC, PostgreSQL and private endpoint ranges). */
    readonly addressPlan: AddressPlan;
    readonly resourceGroupName: pulumi.Output<string>;
    readonly resourceGroupId: pulumi.Output<string>;
    readonly vnetId: pulumi.Output<string>;
    readonly nodeSubnetId: pulumi.Output<string>;
    readonly agcSubnetId: pulumi.Output<string>;
    readonly postgresSubnetId: pulumi.Output<string>;
    readonly endpointSubnetId: pulumi.Output<string>;
    readonly natGatewayId: pulumi.Output<string>;
    /** The NAT gateway's public IP address: all node egress leaves from it. */
    readonly egressIp: pulumi.Output<string>;

    constructor(name: string, args: AzureNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:azure:Network", name, {}, opts);
        if (args.appPorts.length === 0) throw new Error(`AzureNetwork ${name}: appPorts must name at least one app's port`);
        for (const port of args.appPorts)
            if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`AzureNetwork ${name}: appPorts must be TCP ports, got ${port}`);
        const { plan, location, tags } = args;
        const parent = { parent: this };

        const rg = new resources.ResourceGroup(`${name}-rg`, { location, tags }, parent);
        const rgName = rg.name;

        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            { resourceGroupName: rgName, location, addressSpace: { addressPrefixes: [plan.vnet] }, tags },
            // Subnets are their own resources below; the VNet must not try to own (and delete) them.
            { ...parent, ignoreChanges: ["subnets"] },
        );

        // Zonal NAT is the only SKU the provider's network API (2024-05-01) offers; left unpinned,
        // Azure picks the zone. A zone outage stops new egress connections until it returns (docs/azure.md).
        const egressIp = new network.PublicIPAddress(
            `${name}-nat-ip`,
            { resourceGroupName: rgName, location, sku: { name: "Standard", tier: "Regional" }, publicIPAllocationMethod: "Static", tags },
            parent,
        );
        const nat = new network.NatGateway(
            `${name}-nat`,
            { resourceGroupName: rgName, location, sku: { name: "Standard" }, idleTimeoutInMinutes: 10, publicIpAddresses: [{ id: egressIp.id }], tags },
            parent,
        );

        const { nodesNsg, postgresNsg, endpointsNsg } = this.securityGroups(name, args, rgName);

        // Subnet writes on one VNet conflict (AnotherOperationInProgress): chain them.
        const subnet = (key: string, subnetArgs: Omit<network.SubnetArgs, "resourceGroupName" | "virtualNetworkName">, after?: pulumi.Resource) =>
            new network.Subnet(
                `${name}-${key}`,
                { resourceGroupName: rgName, virtualNetworkName: vnet.name, subnetName: key, ...subnetArgs },
                { ...parent, dependsOn: after ? [after] : [] },
            );
        // Node egress goes through the NAT gateway only, never Azure's implicit default outbound IP.
        const nodes = subnet("aks-nodes", {
            addressPrefix: plan.nodes,
            natGateway: { id: nat.id },
            networkSecurityGroup: { id: nodesNsg.id },
            defaultOutboundAccess: false,
        });
        const agc = subnet(
            "agc",
            { addressPrefix: plan.agc, delegations: [{ name: "agc", serviceName: "Microsoft.ServiceNetworking/trafficControllers" }] },
            nodes,
        );
        const postgres = subnet(
            "postgres",
            {
                addressPrefix: plan.postgres,
                networkSecurityGroup: { id: postgresNsg.id },
                delegations: [{ name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
            },
            agc,
        );
        const endpoints = subnet(
            "endpoints",
            // NSG rules apply to private endpoints only with network policies enabled.
            {
                addressPrefix: plan.endpoints,
                networkSecurityGroup: { id: endpointsNsg.id },
                privateEndpointNetworkPolicies: "Enabled",
                defaultOutboundAccess: false,
            },
            postgres,
        );

        this.addressPlan = args.plan;
        this.resourceGroupName = rgName;
        this.resourceGroupId = rg.id;
        this.vnetId = vnet.id;
        this.nodeSubnetId = nodes.id;
        this.agcSubnetId = agc.id;
        this.postgresSubnetId = postgres.id;
        this.endpointSubnetId = endpoints.id;
        this.natGatewayId = nat.id;
        this.egressIp = egressIp.ipAddress.apply((ip) => {
            if (!ip) throw new Error(`AzureNetwork ${name}: the NAT gateway's public IP has no address`);
            return ip;
        });
        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            vnetId: this.vnetId,
            nodeSubnetId: this.nodeSubnetId,
            agcSubnetId: this.agcSubnetId,
            postgresSubnetId: this.postgresSubnetId,
            endpointSubnetId: this.endpointSubnetId,
            natGatewayId: this.natGatewayId,
        });
    }

    private securityGroups(name: string, args: AzureNetworkArgs, rgName: pulumi.Output<string>) {
        const { plan, location, tags } = args;
        const parent = { parent: this };
        const nsg = (key: string, securityRules: Rule[]) =>
            new network.NetworkSecurityGroup(`${name}-${key}-nsg`, { resourceGroupName: rgName, location, securityRules, tags }, parent);

        // Nodes: AGC reaches pods directly (the overlay is extended to its subnet) on the apps' ports only;
        // the deny keeps Azure's AllowVnetInBound (65000) from opening every other port to the AGC subnet.
        // https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
        const nodesNsg = nsg("nodes", [
            allow("allow-agc-to-app", 100, [plan.agc], [plan.podCidr, plan.nodes], [...new Set(args.appPorts)].map(String)),
            { ...denyVnet, name: "deny-agc-other", sourceAddressPrefix: plan.agc },
        ]);
        // PostgreSQL: clients from the nodes (pod egress is SNAT'd to node IPs); HA replication inside the subnet.
        const postgresNsg = nsg("postgres", [
            allow("allow-nodes-to-postgres", 100, [plan.nodes], [plan.postgres], ["5432", "6432"]),
            allow("allow-intra-subnet", 110, [plan.postgres], [plan.postgres], "*", "*"),
            denyVnet,
        ]);
        // Private endpoints: Redis (TLS, port 10000) from the nodes only.
        const endpointsNsg = nsg("endpoints", [allow("allow-nodes-to-redis", 100, [plan.nodes], [plan.endpoints], ["10000"]), denyVnet]);
        return { nodesNsg, postgresNsg, endpointsNsg };
    }
}
