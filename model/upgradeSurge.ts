// The nodes a cluster can run at once: every node pool at its autoscaler maximum while an upgrade
// surges it, with the surge each cloud derives from the setting the components configure. The vCPU
// quota the plan, preflight and docs/<cloud>.md state is this peak. Pure (no Pulumi import).
import { nodeShapes, type Sizing } from "./capacity";
import { SYSTEM_POOL } from "./azure/sizing";

/** AKS upgradeSettings.maxSurge of both node pools (components/azure/cluster.ts). */
export const AKS_MAX_SURGE = "33%";
/** EKS node group updateConfig.maxUnavailable (components/aws/cluster.ts). */
export const EKS_MAX_UNAVAILABLE = 1;
/** GKE node pool upgradeSettings (components/gcp/cluster.ts): a new node joins before an old one drains. */
export const GKE_UPGRADE = { strategy: "SURGE", maxSurge: 1, maxUnavailable: 0 } as const;

/** A pool's surge setting as its cloud's API takes it. */
export type SurgeSetting =
    | { cloud: "azure"; maxSurge: string }
    /** `zones`: the Availability Zones of the node group's Auto Scaling group (its subnets). */
    | { cloud: "aws"; maxUnavailable: number; zones: number }
    /** `zones`: the node pool's node locations. */
    | { cloud: "gcp"; maxSurge: number; zones: number };

/**
 * Nodes an upgrade adds above a pool of `nodes` nodes (the pool at its autoscaler maximum).
 * - AKS: maxSurge is a node count or a percentage "of the total agent pool size at the time of the
 *   upgrade. For percentages, fractional nodes are rounded up" (AgentPoolUpgradeSettings.maxSurge,
 *   @azure-rest/arm-containerservice); a count above the pool's size surges the pool's size
 *   (MicrosoftDocs/azure-docs#90212 on articles/aks/upgrade-cluster.md).
 * - EKS: the scale-up phase raises the Auto Scaling group's maximum and desired size by the larger of
 *   "up to twice the number of Availability Zones that the Auto Scaling group is deployed in" and
 *   maxUnavailable (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-update-behavior.html).
 * - GKE: maxSurge is "the maximum number of nodes that can be created beyond the current size of the
 *   node pool" (NodePool.UpgradeSettings, container/v1), and a multi-zone pool is one managed instance
 *   group per zone (NodePool.instanceGroupUrls). The references read do not say whether the surge is
 *   per pool or per zone, so it is counted per zone: the larger, and a quota short of a surge fails the upgrade.
 */
export function surgeNodes(s: SurgeSetting, nodes: number): number {
    if (s.cloud === "aws") return Math.max(2 * s.zones, s.maxUnavailable);
    if (s.cloud === "gcp") return s.maxSurge * s.zones;
    const percent = /^(\d+)%$/.exec(s.maxSurge);
    if (percent) return Math.ceil((Number(percent[1]) * nodes) / 100);
    if (/^\d+$/.test(s.maxSurge)) return Math.min(Number(s.maxSurge), nodes);
    throw new Error(`AKS maxSurge "${s.maxSurge}" is neither a node count ("5") nor a percentage ("33%")`);
}

/** Per-zone EKS node group bounds from the capacity model's totals (one group per zone, each holds a share). */
export function nodeGroupScaling(nodes: Sizing["nodes"], zones: number) {
    return { minSize: nodes.perZone, desiredSize: nodes.perZone, maxSize: Math.max(nodes.perZone, Math.ceil(nodes.max / zones)) };
}

/** A node pool at its peak: `max` nodes of `machineType` at the autoscaler's ceiling and `surge` more during an upgrade. */
export interface PeakPool {
    name: string;
    machineType: string;
    vcpu: number;
    max: number;
    surge: number;
}

/**
 * The stack's node pools at their peak. All of a cluster's pools are counted surging at once: Pulumi
 * updates the three EKS node groups in parallel after a version change, and AKS itself sums every
 * pool's maximum and surge when it validates a cluster's outbound ports (MicrosoftDocs/azure-aks-docs#72).
 */
export function peakPools(s: Pick<Sizing, "cloud" | "nodes" | "zones">): PeakPool[] {
    const app = { machineType: s.nodes.machineType, vcpu: s.nodes.vcpu };
    switch (s.cloud) {
        case "aws": {
            const max = nodeGroupScaling(s.nodes, s.zones).maxSize;
            const surge = surgeNodes({ cloud: "aws", maxUnavailable: EKS_MAX_UNAVAILABLE, zones: 1 }, max);
            return Array.from({ length: s.zones }, (_, i) => ({ name: `node group ${i + 1}`, ...app, max, surge }));
        }
        case "azure": {
            // The system pool is x86 whatever nodeArch says (components/azure/cluster.ts).
            const system = nodeShapes("azure", "amd64")[0];
            const surge = (max: number) => surgeNodes({ cloud: "azure", maxSurge: AKS_MAX_SURGE }, max);
            return [
                { name: "system pool", machineType: system.machineType, vcpu: system.vcpu, max: SYSTEM_POOL.max, surge: surge(SYSTEM_POOL.max) },
                { name: "app pool", ...app, max: s.nodes.max, surge: surge(s.nodes.max) },
            ];
        }
        case "gcp":
            return [
                {
                    name: "node pool",
                    ...app,
                    max: s.nodes.max,
                    surge: surgeNodes({ cloud: "gcp", maxSurge: GKE_UPGRADE.maxSurge, zones: s.zones }, s.nodes.max),
                },
            ];
        default:
            return [];
    }
}

/** Nodes at the peak, every pool counted (what the address ranges must hold). */
export const peakNodes = (s: Pick<Sizing, "cloud" | "nodes" | "zones">): number => peakPools(s).reduce((a, p) => a + p.max + p.surge, 0);

/** vCPUs of the nodes at their peak: what the region's vCPU quota must allow beyond what the account already runs. */
export const nodeVcpuQuota = (s: Pick<Sizing, "cloud" | "nodes" | "zones">): number => peakPools(s).reduce((a, p) => a + p.vcpu * (p.max + p.surge), 0);
