// VPC for the GKE stack: custom-mode network, one regional subnet with Pod/Service secondary ranges,
// Cloud NAT for private nodes' egress, and Private Service Access for Cloud SQL and Memorystore.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "./naming";

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

export interface NetworkArgs {
    region: string;
    nodesCidr: string;
    podsCidr: string;
    servicesCidr: string;
    labels: Labels;
}

export class Network extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly networkSelfLink: pulumi.Output<string>;
    public readonly subnetworkSelfLink: pulumi.Output<string>;
    /** The nodes' subnet and the Cloud NAT gateway: their logs (flow logs, NAT errors) are selected by name. */
    public readonly subnetworkName: pulumi.Output<string>;
    public readonly natName: pulumi.Output<string>;
    /** Name of the allocated range that Cloud SQL and Memorystore take their private IPs from. */
    public readonly serviceAccessRangeName: pulumi.Output<string>;
    /** The Private Service Access range as a CIDR: where Cloud SQL and Memorystore take their addresses. */
    public readonly serviceAccessCidr: pulumi.Output<string>;
    /** Private Service Access peering; private-IP Cloud SQL and Memorystore must wait for it. */
    public readonly serviceAccessConnection: gcp.servicenetworking.Connection;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Network", name, {}, opts);
        // The component's dependsOn (the project's APIs) is not inherited by children: passed on here.
        const parent = { parent: this, dependsOn: opts?.dependsOn };

        const network = new gcp.compute.Network(
            name,
            {
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
                description: `zdp ${args.labels.stack} VPC (custom mode)`,
            },
            parent,
        );

        const subnet = new gcp.compute.Subnetwork(
            `${name}-nodes`,
            {
                network: network.id,
                region: args.region,
                ipCidrRange: args.nodesCidr,
                // Nodes have no external IPs: Google APIs (Artifact Registry, logging) stay reachable.
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
                    { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
                ],
                logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
            },
            parent,
        );

        const router = new gcp.compute.Router(`${name}-router`, { network: network.id, region: args.region }, parent);

        // Egress for private nodes (image pulls from outside Google, webhooks). Dynamic port allocation
        // grows a busy node's ports instead of failing connections once a fixed quota is used.
        const nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                router: router.name,
                region: args.region,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                enableDynamicPortAllocation: true,
                // The API refuses endpoint-independent mapping next to dynamic port allocation; say it
                // rather than rely on the API default. https://cloud.google.com/compute/docs/reference/rest/v1/routers
                enableEndpointIndependentMapping: false,
                minPortsPerVm: 64,
                maxPortsPerVm: 4096,
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            parent,
        );

        // Private Service Access: a /16 handed to Google's producer network over VPC peering.
        // https://cloud.google.com/vpc/docs/configure-private-services-access
        const serviceRange = new gcp.compute.GlobalAddress(
            `${name}-psa`,
            {
                purpose: "VPC_PEERING",
                addressType: "INTERNAL",
                prefixLength: 16,
                network: network.id,
                description: "Private Service Access range for Cloud SQL and Memorystore",
                labels: args.labels,
            },
            parent,
        );
        this.serviceAccessConnection = new gcp.servicenetworking.Connection(
            `${name}-psa`,
            {
                network: network.id,
                service: "servicenetworking.googleapis.com",
                reservedPeeringRanges: [serviceRange.name],
                // Google refuses to delete the peering while producers still hold addresses in it; on
                // destroy it is abandoned and goes away with the network.
                deletionPolicy: "ABANDON",
            },
            parent,
        );

        this.networkId = network.id;
        this.networkSelfLink = network.selfLink;
        this.subnetworkSelfLink = subnet.selfLink;
        this.subnetworkName = subnet.name;
        this.natName = nat.name;
        this.serviceAccessRangeName = serviceRange.name;
        this.serviceAccessCidr = pulumi.interpolate`${serviceRange.address}/${serviceRange.prefixLength}`;
        this.registerOutputs({
            networkId: this.networkId,
            networkSelfLink: this.networkSelfLink,
            subnetworkSelfLink: this.subnetworkSelfLink,
            serviceAccessRangeName: this.serviceAccessRangeName,
        });
    }
}
