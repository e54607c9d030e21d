// Capacity model: from concurrent users to pods, nodes, database and Redis, per cloud.
// Pure (no Pulumi import). Every number below is an assumption stated once, here.
import type { Cloud, StackConfig } from "./config";

/** The published reference for 10,000 concurrent users that this model improves on. */
export const REFERENCE = { targetUsers: 10_000, nodes: 5, usersPerNode: 2_000, zones: 3, maxUnavailableNodes: 1 } as const;

/**
 * Assumptions. The reference serves ~2,000 users per 4-vCPU node, i.e. ~500 users per vCPU; a pod
 * requests half a vCPU and serves 250 users. CPU is not limited (throttling hurts tail latency);
 * memory is limited at its request so a leak kills one pod, not the node.
 */
export const ASSUMPTIONS = {
    usersPerPod: 250,
    podCpuMillis: 500,
    podMemoryMiB: 512,
    /**
     * CPU and memory a node keeps for kubelet/OS (~80m kube-reserved on 4 vCPU) and DaemonSet requests:
     * CNI, kube-proxy, CSI, identity agent and the log/metrics agents (CloudWatch agent + Fluent Bit on
     * EKS, AMA on AKS, GKE's managed collectors) add up to most of a core.
     */
    nodeReservedCpuMillis: 1_000,
    nodeReservedMemoryMiB: 2_560,
    /** HPA may grow each colour to this multiple of its floor for peaks above the target. */
    hpaPeakFactor: 2,
    /** Rolling surge as a share of replicas (new pods start before old ones stop). */
    surgeShare: 0.25,
    /** Database: 8 vCPU / 32 GiB per 10,000 users (the reference), 4 GiB per vCPU. */
    dbVcpuPer10kUsers: 8,
    dbStorageGiBPer10kUsers: 100,
    /** Redis: ~8 GiB of sessions and cache per 10,000 users (the reference). */
    redisGiBPer10kUsers: 8,
} as const;

interface NodeShape {
    vcpu: number;
    memoryGiB: number;
    machineType: string;
}

interface CloudShapes {
    zones: number;
    node: NodeShape;
    /** Database classes by vCPU (memory 4 GiB per vCPU), smallest first. */
    database: (vcpu: number) => string;
    /** Redis classes as [name, usable GiB], smallest first. */
    redis: readonly (readonly [string, number])[];
}

// Class names per cloud. Node: 4 vCPU / 16 GiB general purpose, x86 (the app image need not be multi-arch).
const SHAPES: Record<Cloud, CloudShapes> = {
    aws: {
        zones: 3,
        node: { vcpu: 4, memoryGiB: 16, machineType: "m7i.xlarge" },
        database: (vcpu) => `db.m7g.${vcpu === 2 ? "large" : vcpu === 4 ? "xlarge" : `${vcpu / 4}xlarge`}`,
        redis: [
            ["cache.m7g.large", 6.38],
            ["cache.r7g.large", 13.07],
            ["cache.r7g.xlarge", 26.32],
            ["cache.r7g.2xlarge", 52.82],
            ["cache.r7g.4xlarge", 105.81],
        ],
    },
    azure: {
        zones: 3,
        node: { vcpu: 4, memoryGiB: 16, machineType: "Standard_D4ds_v5" },
        database: (vcpu) => `Standard_D${vcpu}ds_v5`,
        // Azure Managed Redis Balanced sizes (GB): https://learn.microsoft.com/azure/redis/overview
        redis: [
            ["Balanced_B1", 1],
            ["Balanced_B3", 3],
            ["Balanced_B5", 6],
            ["Balanced_B10", 12],
            ["Balanced_B20", 24],
            ["Balanced_B50", 60],
            ["Balanced_B100", 120],
        ],
    },
    gcp: {
        zones: 3,
        node: { vcpu: 4, memoryGiB: 16, machineType: "n2-standard-4" },
        database: (vcpu) => `db-custom-${vcpu}-${vcpu * 4 * 1024}`,
        // Memorystore for Redis takes any whole number of GiB; the name is the size. From 5 GB, the
        // smallest size with read replicas, which stay enabled for the instance's life
        // (https://cloud.google.com/memorystore/docs/redis/about-read-replicas).
        redis: Array.from({ length: 296 }, (_, i) => [`${i + 5}`, i + 5] as const),
    },
    local: {
        zones: 1,
        node: { vcpu: 4, memoryGiB: 8, machineType: "local" },
        database: (vcpu) => `statefulset-${vcpu}cpu`,
        redis: [["statefulset", 1]],
    },
};

export const DB_VCPU_STEPS = [2, 4, 8, 16, 32, 48, 64] as const;

export interface Sizing {
    cloud: Cloud;
    targetUsers: number;
    usersPerPod: number;
    zones: number;
    /** Colours running at full size at once: 1 for rolling, 2 for blue/green and canary with a warm inactive colour. */
    colours: number;
    app: {
        replicas: number;
        hpaMin: number;
        hpaMax: number;
        maxSurge: number;
        maxUnavailable: number;
        pdbMaxUnavailable: number;
        cpuRequest: string;
        memoryRequest: string;
        memoryLimit: string;
    };
    nodes: NodeShape & { podsPerNode: number; perZone: number; min: number; desired: number; max: number };
    database: { vcpu: number; memoryGiB: number; instanceClass: string; storageGiB: number; maxStorageGiB: number };
    redis: { memoryGiB: number; nodeClass: string };
    steadyStateUsers: number;
    worstRolloutStepUsers: number;
    blueGreenSwitchUsers: number;
    afterZoneLossUsers: number;
}

/** Users served by `replicas` pods spread evenly over `zones` after the zone holding the most is lost. */
export function usersAfterZoneLoss(replicas: number, zones: number, usersPerPod: number): number {
    return zones < 2 ? 0 : (replicas - Math.ceil(replicas / zones)) * usersPerPod;
}

/** What the reference sizing serves in steady state, during a rolling node replacement, after a zone loss. */
export function evaluateReference(ref = REFERENCE) {
    return {
        steadyStateUsers: ref.nodes * ref.usersPerNode,
        worstRolloutStepUsers: (ref.nodes - ref.maxUnavailableNodes) * ref.usersPerNode,
        afterZoneLossUsers: usersAfterZoneLoss(ref.nodes, ref.zones, ref.usersPerNode),
    };
}

/**
 * Size a stack. Replicas are a multiple of the zone count with enough pods that the surviving zones
 * still serve the target after losing one; rolling updates surge and never take a ready pod away
 * (maxUnavailable 0), so no step serves less than steady state.
 */
export function capacityFor(targetUsers: number, cloud: Cloud, colours: 1 | 2 = 1): Sizing {
    const a = ASSUMPTIONS;
    const shape = SHAPES[cloud];
    const zones = shape.zones;
    const needed = Math.ceil(targetUsers / a.usersPerPod);
    // Even spread over zones; with >1 zone, (zones-1) zones must still carry `needed`. At least 2 pods.
    const perZonePods = zones > 1 ? Math.ceil(needed / (zones - 1)) : Math.max(2, needed);
    const replicas = perZonePods * zones;
    const hpaMax = replicas * a.hpaPeakFactor;
    const maxSurge = Math.max(1, Math.ceil(replicas * a.surgeShare));
    const maxUnavailable = 0; // old pods leave only after their replacements are ready
    // Voluntary disruptions (node drains, upgrades) may take pods down to exactly the target.
    const pdbMaxUnavailable = Math.max(1, replicas - needed);

    const podsPerNode = Math.min(
        Math.floor((shape.node.vcpu * 1000 - a.nodeReservedCpuMillis) / a.podCpuMillis),
        Math.floor((shape.node.memoryGiB * 1024 - a.nodeReservedMemoryMiB) / a.podMemoryMiB),
    );
    // Steady state: every colour at its floor. Max: the serving colour at its HPA max (the idle one
    // stays at its floor) plus a surge, or a lost zone's pods rescheduled into the others.
    const perZone = Math.ceil((colours * replicas) / zones / podsPerNode);
    const maxPodsPerZone = Math.max((hpaMax + (colours - 1) * replicas + maxSurge) / zones, zones > 1 ? (colours * replicas) / (zones - 1) : 0);
    const maxPerZone = Math.max(perZone, Math.ceil(maxPodsPerZone / podsPerNode));

    const dbWanted = (a.dbVcpuPer10kUsers * targetUsers) / 10_000;
    const dbVcpu = DB_VCPU_STEPS.find((v) => v >= dbWanted) ?? DB_VCPU_STEPS[DB_VCPU_STEPS.length - 1];
    const storageGiB = Math.max(20, Math.ceil((a.dbStorageGiBPer10kUsers * targetUsers) / 10_000));

    const redisWanted = (a.redisGiBPer10kUsers * targetUsers) / 10_000;
    const redis = shape.redis.find(([, gib]) => gib >= redisWanted) ?? shape.redis[shape.redis.length - 1];

    const steadyStateUsers = replicas * a.usersPerPod;
    return {
        cloud,
        targetUsers,
        usersPerPod: a.usersPerPod,
        zones,
        colours,
        app: {
            replicas,
            hpaMin: replicas,
            hpaMax,
            maxSurge,
            maxUnavailable,
            pdbMaxUnavailable,
            cpuRequest: `${a.podCpuMillis}m`,
            memoryRequest: `${a.podMemoryMiB}Mi`,
            memoryLimit: `${a.podMemoryMiB}Mi`,
        },
        nodes: { ...shape.node, podsPerNode, perZone, min: perZone * zones, desired: perZone * zones, max: maxPerZone * zones },
        database: { vcpu: dbVcpu, memoryGiB: dbVcpu * 4, instanceClass: shape.database(dbVcpu), storageGiB, maxStorageGiB: storageGiB * 10 },
        redis: { memoryGiB: redis[1], nodeClass: redis[0] },
        steadyStateUsers,
        worstRolloutStepUsers: (replicas - maxUnavailable) * a.usersPerPod,
        // The route moves only after the receiving colour is ready at its full floor (gated switch).
        blueGreenSwitchUsers: colours === 2 ? replicas * a.usersPerPod : steadyStateUsers,
        afterZoneLossUsers: usersAfterZoneLoss(replicas, zones, a.usersPerPod),
    };
}

/** Colours kept at full size at once, which the nodes must hold. */
export function fullSizeColours(release: StackConfig["release"]): 1 | 2 {
    return release.strategy !== "rolling" && release.inactiveScale === "full" ? 2 : 1;
}

/** The sizing of a stack: every stack and the plan size through here. */
export function sizingFor(cfg: StackConfig): Sizing {
    return capacityFor(cfg.targetUsers, cfg.cloud, fullSizeColours(cfg.release));
}

export interface CapacityRow {
    /** What is measured against the target, e.g. "database (db.m7g.16xlarge)". */
    what: string;
    /** Concurrent users it serves by this model's own numbers; undefined where it does not apply. */
    servedUsers?: number;
    ok: boolean;
}

/**
 * Every sized component against the target, by the model's own ratios: the app in each state a
 * release or an outage passes through, the database and Redis classes chosen (the largest class caps
 * them, so a big enough target falls short), and the nodes that must hold every full-size colour.
 */
export function capacityRows(s: Sizing): CapacityRow[] {
    const a = ASSUMPTIONS;
    const row = (what: string, servedUsers: number): CapacityRow => ({ what, servedUsers, ok: servedUsers >= s.targetUsers });
    const rows = [
        row("steady state", s.steadyStateUsers),
        row("worst rolling-update step", s.worstRolloutStepUsers),
        row("blue/green switch", s.blueGreenSwitchUsers),
        s.zones > 1 ? row(`after losing 1 of ${s.zones} zones`, s.afterZoneLossUsers) : { what: "after a zone loss (single zone)", ok: true },
        row(
            `nodes (${s.nodes.desired} × ${s.nodes.podsPerNode} app pods, ${s.colours} colour(s))`,
            Math.floor((s.nodes.desired * s.nodes.podsPerNode) / s.colours) * s.usersPerPod,
        ),
    ];
    if (s.cloud !== "local")
        rows.push(
            row(`database (${s.database.instanceClass})`, Math.floor((s.database.vcpu / a.dbVcpuPer10kUsers) * 10_000)),
            row(`redis (${s.redis.nodeClass})`, Math.floor((s.redis.memoryGiB / a.redisGiBPer10kUsers) * 10_000)),
        );
    return rows;
}
