// Address plan for the VNet and the AKS overlay. Pure: no Pulumi import.

export interface AddressPlan {
    vnet: string;
    /** AKS nodes (pods use the overlay, so a /22 holds ~1,000 nodes). */
    nodes: string;
    /** Application Gateway for Containers association: exactly a /24 with CNI Overlay.
     *  https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking#limitations */
    agc: string;
    /** PostgreSQL Flexible Server, delegated to Microsoft.DBforPostgreSQL/flexibleServers. */
    postgres: string;
    /** Private endpoints (Azure Managed Redis). */
    endpoints: string;
    /** Overlay pod and service ranges: outside the VNet, never routed beyond the cluster. */
    podCidr: string;
    serviceCidr: string;
    dnsServiceIp: string;
}

const POD_CIDR = "192.168.0.0/16";
const SERVICE_CIDR = "172.16.0.0/16";

const octets = (cidr: string) => cidr.split("/")[0].split(".").map(Number);

/** Carve the subnets out of a /16 (e.g. 10.40.0.0/16). Throws when the VNet overlaps the overlay ranges. */
export function addressPlan(vnetCidr: string): AddressPlan {
    const [a, b] = octets(vnetCidr);
    if (!/\/16$/.test(vnetCidr) || a === undefined || b === undefined) throw new Error(`azure.vnetCidr must be a /16, got ${vnetCidr}`);
    for (const overlay of [POD_CIDR, SERVICE_CIDR]) {
        const [oa, ob] = octets(overlay);
        if (oa === a && ob === b) throw new Error(`azure.vnetCidr ${vnetCidr} overlaps the AKS overlay range ${overlay}; pick another /16`);
    }
    const net = (third: number, bits: number) => `${a}.${b}.${third}.0/${bits}`;
    return {
        vnet: `${a}.${b}.0.0/16`,
        nodes: net(0, 22),
        agc: net(4, 24),
        postgres: net(5, 24),
        endpoints: net(6, 24),
        podCidr: POD_CIDR,
        serviceCidr: SERVICE_CIDR,
        dnsServiceIp: "172.16.0.10",
    };
}
