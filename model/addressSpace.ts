// Address space against the capacity model: every node the autoscaler may add, plus upgrade surge
// (model/upgradeSurge.ts), needs its pod addresses, or pods stay Pending with "failed to assign an IP address" long after
// `pulumi up` succeeded. Pure (no Pulumi import); the config parse refuses a shortfall and the plan
// prints these rows with the capacity rows.
import { cidrSize } from "./configValues";
import type { StackConfig } from "./stackConfig";
import type { Sizing } from "./capacity";
import { subnetPlan } from "./aws/subnets";
import { AKS_POD_CIDR, AKS_NODE_SUBNET_PREFIX } from "./azure/addressing";
import { peakNodes } from "./upgradeSurge";

export interface AddressRow {
    /** What holds the addresses, e.g. "gcp.podsCidr 10.16.0.0/14 (a /24 per node)". */
    what: string;
    /** The config key a user changes to get more room (targetUsers where the range is fixed). */
    key: string;
    value: string;
    /** Nodes the range holds, and nodes the model may run at once (autoscaler max + upgrade surge). */
    nodesHeld: number;
    nodesNeeded: number;
    ok: boolean;
    /** What to change when the row falls short. */
    fix: string;
}

/**
 * VPC addresses an EKS node can hold with the VPC CNI's defaults (secondary IPs, WARM_ENI_TARGET=1):
 * every ENI the instance type allows, times its IPv4 addresses. Source: the CNI's own table
 * (aws/amazon-vpc-cni-k8s misc/eni-max-pods.txt: max pods = ENIs × (IPs − 1) + 2, e.g. m7i.xlarge 58 = 4 × 14 + 2).
 */
export const EKS_NODE_ADDRESSES: Record<string, { enis: number; ipsPerEni: number }> = {
    "m7i.xlarge": { enis: 4, ipsPerEni: 15 },
    "m7i.2xlarge": { enis: 4, ipsPerEni: 15 },
    "m7i.4xlarge": { enis: 8, ipsPerEni: 30 },
    "m7g.xlarge": { enis: 4, ipsPerEni: 15 },
    "m7g.2xlarge": { enis: 4, ipsPerEni: 15 },
    "m7g.4xlarge": { enis: 8, ipsPerEni: 30 },
};

// Addresses each cloud keeps in every subnet: AWS 5, Azure 5, Google Cloud 4 (each cloud's subnet docs).
const RESERVED = { aws: 5, azure: 5, gcp: 4 } as const;

const row = (what: string, key: string, value: string, nodesHeld: number, nodesNeeded: number, fix: string): AddressRow => ({
    what,
    key,
    value,
    nodesHeld,
    nodesNeeded,
    ok: nodesHeld >= nodesNeeded,
    fix,
});

/** The longest prefix whose block holds `addresses`. */
const prefixFor = (addresses: number) => 32 - Math.ceil(Math.log2(addresses));
const SPLIT = "serve fewer users per stack (split them over more stacks)";

export function addressRows(cfg: StackConfig, s: Sizing): AddressRow[] {
    const needed = peakNodes(s);
    if (cfg.cloud === "aws" && cfg.aws) {
        // Nodes and pods share each zone's private subnet; a zone must hold its share of the maximum.
        const node = EKS_NODE_ADDRESSES[s.nodes.machineType];
        if (!node) throw new Error(`addressRows: no ENI limits for ${s.nodes.machineType}; add them to EKS_NODE_ADDRESSES`);
        const subnet = subnetPlan(cfg.aws.vpcCidr, s.zones).private[0];
        const perNode = node.enis * node.ipsPerEni;
        const heldPerZone = Math.floor((cidrSize(subnet) - RESERVED.aws) / perNode);
        return [
            row(
                `aws.vpcCidr ${cfg.aws.vpcCidr}: private /${subnet.split("/")[1]} per zone, ${perNode} addresses per ${s.nodes.machineType} node`,
                "aws.vpcCidr",
                cfg.aws.vpcCidr,
                heldPerZone * s.zones,
                Math.ceil(needed / s.zones) * s.zones,
                Number(cfg.aws.vpcCidr.split("/")[1]) > 16
                    ? "use a larger aws.vpcCidr (up to a /16)"
                    : `a /16 is the largest VPC the subnet plan takes; ${SPLIT}`,
            ),
        ];
    }
    if (cfg.cloud === "azure" && cfg.azure) {
        // CNI Overlay gives each node a /24 of the pod CIDR
        // (https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay); system pool nodes count too.
        return [
            row(
                `AKS overlay pod range ${AKS_POD_CIDR} (a /24 per node)`,
                "targetUsers",
                String(cfg.targetUsers),
                2 ** (24 - Number(AKS_POD_CIDR.split("/")[1])),
                needed,
                `the range is fixed; ${SPLIT}`,
            ),
            row(
                `AKS node subnet /${AKS_NODE_SUBNET_PREFIX} of azure.vnetCidr`,
                "targetUsers",
                String(cfg.targetUsers),
                2 ** (32 - AKS_NODE_SUBNET_PREFIX) - RESERVED.azure,
                needed,
                `the subnet is fixed; ${SPLIT}`,
            ),
        ];
    }
    if (cfg.cloud === "gcp" && cfg.gcp) {
        // VPC-native GKE takes a /24 of the pod range per node at the default 110 pods per node
        // (https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr).
        const pods = cfg.gcp.podsCidr;
        return [
            row(
                `gcp.podsCidr ${pods} (a /24 per node)`,
                "gcp.podsCidr",
                pods,
                2 ** (24 - Number(pods.split("/")[1])),
                needed,
                `use a /${prefixFor(needed * 256)} or larger`,
            ),
            row(
                `gcp.nodesCidr ${cfg.gcp.nodesCidr} (one address per node)`,
                "gcp.nodesCidr",
                cfg.gcp.nodesCidr,
                cidrSize(cfg.gcp.nodesCidr) - RESERVED.gcp,
                needed,
                `use a /${prefixFor(needed + RESERVED.gcp)} or larger`,
            ),
        ];
    }
    return [];
}

/** The message for a row that falls short, naming what to change. */
export function addressShortfall(r: AddressRow, targetUsers: number): string {
    return `${r.what} holds ${r.nodesHeld.toLocaleString("en-US")} nodes, but ${targetUsers.toLocaleString("en-US")} users need up to ${r.nodesNeeded.toLocaleString("en-US")} (autoscaler maximum plus upgrade surge); ${r.fix}`;
}
