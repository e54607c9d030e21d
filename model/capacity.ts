// Capacity model: from concurrent users to pods, nodes, database and Redis, per cloud.
// Pure (no Pulumi import). Every number below is an assumption stated once, here.
import { allApps, type Cloud, type NodeArch, type PodSize, type StackConfig } from "./stackConfig";
import { pgPerformanceTier } from "./azure/sizing";

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
    /**
     * Disk IOPS the database needs per 10,000 users: the 3,000 baseline IOPS of the gp3 storage RDS runs
     * the reference on (model/cost/prices/aws.ts cites it); an assumption, not a measurement.
     */
    dbIopsPer10kUsers: 3_000,
    /** Redis: ~8 GiB of sessions and cache per 10,000 users (the reference). */
    redisGiBPer10kUsers: 8,
} as const;

/** An app's pod unless its config says otherwise (usersPerPod, podCpuMillis, podMemoryMiB). */
export const DEFAULT_POD: PodSize = { usersPerPod: ASSUMPTIONS.usersPerPod, cpuMillis: ASSUMPTIONS.podCpuMillis, memoryMiB: ASSUMPTIONS.podMemoryMiB };

export interface NodeShape {
    vcpu: number;
    memoryGiB: number;
    machineType: string;
    arch: NodeArch;
}

interface CloudShapes {
    zones: number;
    /** General-purpose node sizes (4 GiB per vCPU) the stack chooses from, smallest first, per CPU architecture. */
    nodes: Record<NodeArch, readonly NodeShape[]>;
    /** Database classes by vCPU (memory 4 GiB per vCPU), smallest first. */
    database: (vcpu: number) => string;
    /** Redis classes as [name, usable GiB], smallest first. */
    redis: readonly (readonly [string, number])[];
}

const family = (arch: NodeArch, ...types: [number, string][]): NodeShape[] =>
    types.map(([vcpu, machineType]) => ({ vcpu, memoryGiB: vcpu * 4, machineType, arch }));

// Class names per cloud. Nodes: 4, 8 and 16 vCPU general purpose; x86 unless nodeArch says arm64 (the
// app image must then be multi-arch). Each size's max pods per node exceeds the 30 app pods of the
// largest plus the DaemonSets: EKS VPC CNI ≥ 58, AKS CNI Overlay 250, GKE 110 by default.
const SHAPES: Record<Cloud, CloudShapes> = {
    aws: {
        zones: 3,
        nodes: {
            amd64: family("amd64", [4, "m7i.xlarge"], [8, "m7i.2xlarge"], [16, "m7i.4xlarge"]),
            arm64: family("arm64", [4, "m7g.xlarge"], [8, "m7g.2xlarge"], [16, "m7g.4xlarge"]),
        },
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
        nodes: {
            amd64: family("amd64", [4, "Standard_D4ds_v5"], [8, "Standard_D8ds_v5"], [16, "Standard_D16ds_v5"]),
            arm64: family("arm64", [4, "Standard_D4pds_v5"], [8, "Standard_D8pds_v5"], [16, "Standard_D16pds_v5"]),
        },
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
        nodes: {
            amd64: family("amd64", [4, "n2-standard-4"], [8, "n2-standard-8"], [16, "n2-standard-16"]),
            // GKE taints Arm nodes and the Arm series' regions were not checked here: config refuses arm64 on GCP.
            arm64: [],
        },
        database: (vcpu) => `db-custom-${vcpu}-${vcpu * 4 * 1024}`,
        // Memorystore for Redis takes any whole number of GiB; the name is the size. From 5 GB, the
        // smallest size with read replicas, which stay enabled for the instance's life
        // (https://cloud.google.com/memorystore/docs/redis/about-read-replicas).
        redis: Array.from({ length: 296 }, (_, i) => [`${i + 5}`, i + 5] as const),
    },
    local: {
        zones: 1,
        nodes: {
            amd64: [{ vcpu: 4, memoryGiB: 8, machineType: "local", arch: "amd64" }],
            arm64: [{ vcpu: 4, memoryGiB: 8, machineType: "local", arch: "arm64" }],
        },
        database: (vcpu) => `statefulset-${vcpu}cpu`,
        redis: [["statefulset", 1]],
    },
};

/** The node sizes a stack may run on, smallest first. */
export const nodeShapes = (cloud: Cloud, arch: NodeArch = "amd64"): readonly NodeShape[] => SHAPES[cloud].nodes[arch];

/**
 * How the release's workloads sit on the nodes: `single`, one workload (rolling); `warm`, two colours
 * at full size (blue/green or canary with inactiveScale=full, instant rollback); `minimal`, the serving
 * colour at full size and the idle one at one pod per zone, scaled up (and ready) before it takes traffic.
 */
export type Layout = "single" | "warm" | "minimal";

export const DB_VCPU_STEPS = [2, 4, 8, 16, 32, 48, 64] as const;

export interface Sizing {
    cloud: Cloud;
    targetUsers: number;
    usersPerPod: number;
    zones: number;
    layout: Layout;
    /** Colours running at full size at once: 2 for the warm layout, else 1. */
    colours: number;
    /** Pods of the idle colour at steady state: one per zone in the minimal layout, else 0. */
    idlePods: number;
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
    /** Nodes the stack's other apps take (fractions of nodes, at steady state and at the most); 0 for one app. */
    otherApps: { steadyNodes: number; maxNodes: number };
}

/** Database disk IOPS wanted for `targetUsers` (ASSUMPTIONS.dbIopsPer10kUsers). */
export const dbIopsWanted = (targetUsers: number): number => Math.ceil((ASSUMPTIONS.dbIopsPer10kUsers * targetUsers) / 10_000);

/** Users served by `replicas` pods spread evenly over `zones` after the zone holding the most is lost. */
export function usersAfterZoneLoss(replicas: number, zones: number, usersPerPod: number): number {
    return zones < 2 ? 0 : (replicas - Math.ceil(replicas / zones)) * usersPerPod;
}

/** What the reference sizing serves in steady state, during a rolling node replacement, after a zone loss. */
export function evaluateReference(ref: Omit<typeof REFERENCE, "nodes"> & { nodes: number } = REFERENCE) {
    return {
        steadyStateUsers: ref.nodes * ref.usersPerNode,
        worstRolloutStepUsers: (ref.nodes - ref.maxUnavailableNodes) * ref.usersPerNode,
        afterZoneLossUsers: usersAfterZoneLoss(ref.nodes, ref.zones, ref.usersPerNode),
    };
}

/** Pods that serve `users` spread evenly over `zones`, and still do after losing one zone (at least 2 pods). */
export function zoneSafeReplicas(users: number, zones: number, usersPerPod: number = ASSUMPTIONS.usersPerPod): number {
    const needed = Math.ceil(users / usersPerPod);
    return zones > 1 ? Math.ceil(needed / (zones - 1)) * zones : Math.max(2, needed);
}

/**
 * The app's pods at steady state (the full-size colours and the idle colour's pods) and at the most: the
 * serving colour at its HPA maximum plus a surge, and in two-colour layouts the other colour at its full
 * floor (a switch or a canary during a peak; the minimal layout scales it up first).
 */
export function appPods(p: { layout: Layout; colours: number; idlePods: number; replicas: number; hpaMax: number; maxSurge: number }): {
    steady: number;
    max: number;
} {
    return { steady: p.colours * p.replicas + p.idlePods, max: p.hpaMax + (p.layout === "single" ? 0 : p.replicas) + p.maxSurge };
}

/**
 * Size a stack. Replicas are a multiple of the zone count with enough pods that the surviving zones
 * still serve the target after losing one; rolling updates surge and never take a ready pod away
 * (maxUnavailable 0), so no step serves less than steady state.
 */
export function capacityFor(
    targetUsers: number,
    cloud: Cloud,
    layout: Layout = "single",
    node: NodeShape = nodeShapes(cloud)[0],
    pod: PodSize = DEFAULT_POD,
): Sizing {
    const a = ASSUMPTIONS;
    const shape = SHAPES[cloud];
    const zones = shape.zones;
    const upp = pod.usersPerPod;
    const needed = Math.ceil(targetUsers / upp);
    const replicas = zoneSafeReplicas(targetUsers, zones, upp);
    const hpaMax = replicas * a.hpaPeakFactor;
    const maxSurge = Math.max(1, Math.ceil(replicas * a.surgeShare));
    const maxUnavailable = 0; // old pods leave only after their replacements are ready
    // Voluntary disruptions (node drains, upgrades) may take pods down to exactly the target.
    const pdbMaxUnavailable = Math.max(1, replicas - needed);

    const podsPerNode = podsPerNodeOf(node, pod);
    const colours = layout === "warm" ? 2 : 1;
    const idlePods = layout === "minimal" ? zones : 0;
    const load = { pods: appPods({ layout, colours, idlePods, replicas, hpaMax, maxSurge }), podsPerNode };
    const { perZone, maxPerZone } = nodesPerZone([load], zones);

    const dbWanted = (a.dbVcpuPer10kUsers * targetUsers) / 10_000;
    const dbVcpu = DB_VCPU_STEPS.find((v) => v >= dbWanted) ?? DB_VCPU_STEPS[DB_VCPU_STEPS.length - 1];
    const storageGiB = Math.max(20, Math.ceil((a.dbStorageGiBPer10kUsers * targetUsers) / 10_000));

    const redisWanted = (a.redisGiBPer10kUsers * targetUsers) / 10_000;
    const redis = shape.redis.find(([, gib]) => gib >= redisWanted) ?? shape.redis[shape.redis.length - 1];

    const steadyStateUsers = replicas * upp;
    return {
        cloud,
        targetUsers,
        usersPerPod: upp,
        zones,
        layout,
        colours,
        idlePods,
        app: {
            replicas,
            hpaMin: replicas,
            hpaMax,
            maxSurge,
            maxUnavailable,
            pdbMaxUnavailable,
            cpuRequest: `${pod.cpuMillis}m`,
            memoryRequest: `${pod.memoryMiB}Mi`,
            memoryLimit: `${pod.memoryMiB}Mi`,
        },
        nodes: { ...node, podsPerNode, perZone, min: perZone * zones, desired: perZone * zones, max: maxPerZone * zones },
        database: { vcpu: dbVcpu, memoryGiB: dbVcpu * 4, instanceClass: shape.database(dbVcpu), storageGiB, maxStorageGiB: storageGiB * 10 },
        redis: { memoryGiB: redis[1], nodeClass: redis[0] },
        steadyStateUsers,
        worstRolloutStepUsers: (replicas - maxUnavailable) * upp,
        // The route moves only after the receiving colour is ready at its full floor (gated switch).
        blueGreenSwitchUsers: layout === "single" ? steadyStateUsers : replicas * upp,
        afterZoneLossUsers: usersAfterZoneLoss(replicas, zones, upp),
        otherApps: { steadyNodes: 0, maxNodes: 0 },
    };
}

/** App pods of one size a node holds beside what it reserves. */
export function podsPerNodeOf(node: NodeShape, pod: PodSize): number {
    const a = ASSUMPTIONS;
    return Math.min(
        Math.floor((node.vcpu * 1000 - a.nodeReservedCpuMillis) / pod.cpuMillis),
        Math.floor((node.memoryGiB * 1024 - a.nodeReservedMemoryMiB) / pod.memoryMiB),
    );
}

interface Load {
    pods: { steady: number; max: number };
    podsPerNode: number;
}
/** A load's nodes per zone, in fractions of a node: at steady state, at the most, and after losing a zone. */
const nodeShare = ({ pods, podsPerNode }: Load, zones: number) => ({
    steady: pods.steady / zones / podsPerNode,
    max: Math.max(pods.max / zones, zones > 1 ? pods.steady / (zones - 1) : 0) / podsPerNode,
});

/**
 * Nodes per zone for every app's pods: the steady pods, or the most pods at once, or a lost zone's
 * pods rescheduled. Apps of different pod sizes add up as the share of a node each pod takes.
 */
function nodesPerZone(loads: Load[], zones: number): { perZone: number; maxPerZone: number } {
    const shares = loads.map((l) => nodeShare(l, zones));
    const perZone = Math.ceil(shares.reduce((sum, x) => sum + x.steady, 0));
    return { perZone, maxPerZone: Math.max(perZone, Math.ceil(shares.reduce((sum, x) => sum + x.max, 0))) };
}

/** How a stack's release config lays its workloads on the nodes. */
export function layoutFor(release: StackConfig["release"]): Layout {
    if (release.strategy === "rolling") return "single";
    return release.inactiveScale === "full" ? "warm" : "minimal";
}

/**
 * The sizing of a stack: every stack and the plan size through here. Nodes are the family's 4-vCPU
 * size: larger ones save nothing at 10,000 users and up to a fifth at 100,000 (the plan's levers table),
 * but changing the size of a running AKS or GKE pool means a new pool, so it is not chosen for the user.
 */
export function sizingFor(cfg: SizedConfig): Sizing {
    return appSizings(cfg)[0];
}

type SizedConfig = Pick<StackConfig, "cloud" | "nodeArch" | "app" | "domain" | "targetUsers" | "pod" | "release" | "apps">;

/**
 * Each app's sizing, the default app first. The apps share the nodes, which hold every app's pods, and
 * the data stores, sized for the stack's users (`targetUsers`); each app's pods serve its own users.
 */
export function appSizings(cfg: SizedConfig): Sizing[] {
    const node = nodeShapes(cfg.cloud, cfg.nodeArch)[0];
    const own = allApps(cfg).map((app) => capacityFor(app.targetUsers, cfg.cloud, layoutFor(app.release), node, app.pod));
    if (own.length === 1) return own;
    const zones = own[0].zones;
    const loads = own.map((s): Load => ({ pods: appPods({ ...s, ...s.app }), podsPerNode: s.nodes.podsPerNode }));
    const { perZone, maxPerZone } = nodesPerZone(loads, zones);
    const shares = loads.map((l) => nodeShare(l, zones));
    const nodes = { perZone, min: perZone * zones, desired: perZone * zones, max: maxPerZone * zones };
    const others = (i: number, k: "steady" | "max") => shares.reduce((sum, x, j) => (j === i ? sum : sum + x[k] * zones), 0);
    return own.map((s, i) => ({
        ...s,
        nodes: { ...s.nodes, ...nodes },
        database: own[0].database,
        redis: own[0].redis,
        otherApps: { steadyNodes: others(i, "steady"), maxNodes: others(i, "max") },
    }));
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
            `nodes (${s.nodes.desired} × ${s.nodes.podsPerNode} app pods, ${s.colours} colour(s)${s.idlePods ? ` + ${s.idlePods} idle pods` : ""})`,
            Math.floor(((s.nodes.desired - s.otherApps.steadyNodes) * s.nodes.podsPerNode - s.idlePods) / s.colours) * s.usersPerPod,
        ),
    ];
    // A switch (or canary) during a peak: the serving colour at its HPA max, the receiving one at its floor.
    if (s.layout !== "single")
        rows.push(
            row(
                `nodes at autoscaler max (${s.nodes.max}): receiving colour beside a serving colour at HPA max`,
                Math.min(s.app.replicas, Math.floor((s.nodes.max - s.otherApps.maxNodes) * s.nodes.podsPerNode) - s.app.hpaMax) * s.usersPerPod,
            ),
        );
    if (s.cloud !== "local")
        rows.push(
            row(`database (${s.database.instanceClass})`, Math.floor((s.database.vcpu / a.dbVcpuPer10kUsers) * 10_000)),
            row(`redis (${s.redis.nodeClass})`, Math.floor((s.redis.memoryGiB / a.redisGiBPer10kUsers) * 10_000)),
        );
    // Azure's Premium SSD gives IOPS by disk size (500 for the 128 GiB of 10,000 users): the disk runs at a
    // performance tier chosen for the IOPS (components/azure/database.ts).
    if (s.cloud === "azure") {
        const tier = pgPerformanceTier(s.database.storageGiB, s.database.maxStorageGiB, dbIopsWanted(s.targetUsers));
        rows.push(
            row(`database IOPS (Premium SSD ${tier.tier}, ${tier.iops.toLocaleString("en-US")})`, Math.floor((tier.iops / a.dbIopsPer10kUsers) * 10_000)),
        );
    }
    return rows;
}

/** The capacity rows below the target, each with what it serves, e.g. "database (db.m7g.16xlarge) serves 80,000 of 100,000 users". */
export function capacityShortfalls(sizing: Sizing): string[] {
    return capacityRows(sizing)
        .filter((r) => !r.ok)
        .map((r) => `${r.what} serves ${r.servedUsers?.toLocaleString("en-US")} of ${sizing.targetUsers.toLocaleString("en-US")} users`);
}
