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

/** Overlay ranges: outside any VNet the config accepts (azure.vnetCidr may not overlap them). */
export const AKS_POD_CIDR = "192.168.0.0/16";
export const AKS_SERVICE_CIDR = "172.16.0.0/16";
export const AKS_NODE_SUBNET_PREFIX = 22;

const octets = (cidr: string) => cidr.split("/")[0].split(".").map(Number);

/** Carve the subnets out of the /16 that azure.vnetCidr holds (the config checks size and overlaps). */
export function addressPlan(vnetCidr: string): AddressPlan {
    const [a, b] = octets(vnetCidr);
    const net = (third: number, bits: number) => `${a}.${b}.${third}.0/${bits}`;
    return {
        vnet: `${a}.${b}.0.0/16`,
        nodes: net(0, AKS_NODE_SUBNET_PREFIX),
        agc: net(4, 24),
        postgres: net(5, 24),
        endpoints: net(6, 24),
        podCidr: AKS_POD_CIDR,
        serviceCidr: AKS_SERVICE_CIDR,
        dnsServiceIp: "172.16.0.10",
    };
}
