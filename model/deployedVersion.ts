// A Kubernetes version change against the version the cluster runs today: the control plane moves at
// most one minor up and never down, and node pools stay within the skew each cloud allows. Pure: the
// preflight (scripts/preflight/deployedVersion.ts) reads the running versions, which the offline plan
// cannot know. The clouds' rules:
// - EKS: control-plane upgrades go one minor at a time ("the only values allowed ... are the current version
//   of the cluster or one version higher", https://docs.aws.amazon.com/eks/latest/eksctl/cluster-upgrade.html);
//   "once you upgrade a cluster, you can't downgrade" (https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html)
//   except EKS's own rollback within 7 days (rollback-cluster.html), an operator's step outside the stack;
//   every managed node group must run the cluster's version before UpdateClusterVersion moves it
//   (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html).
// - AKS: "you can't skip Kubernetes minor versions" (1.14.x -> 1.16.x is refused); a node pool's minor must
//   be within two minors of the control plane's and never above it; "you can only skip multiple versions
//   when upgrading from an unsupported version back to a supported version"
//   (https://learn.microsoft.com/azure/aks/upgrade-aks-cluster, AgentPool.orchestratorVersion in
//   https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update).

export interface Version {
    major: number;
    minor: number;
    patch?: number;
}

/** "1.35", "1.35.4", "v1.35.4-eks-1a2b3c", "1.35.4-gke.1200000" → its numbers; undefined for anything else. */
export function parseVersion(v: string): Version | undefined {
    const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/.exec(v.trim());
    if (!m) return undefined;
    return { major: Number(m[1]), minor: Number(m[2]), ...(m[3] === undefined ? {} : { patch: Number(m[3]) }) };
}

const minorText = (v: Version) => `${v.major}.${v.minor}`;

/** How far node pools may trail the control plane's target minor. */
export interface NodeSkew {
    /** Minors a node pool may trail the control plane after the change. */
    maxLag: number;
    /** EKS: the rule binds only when the control plane moves (node groups must match it before). */
    onUpgradeOnly: boolean;
    /** What the cloud calls a node pool, for the message ("node group", "node pool"). */
    noun: string;
}

export interface UpgradeInput {
    /** The configured version (major.minor, or major.minor.patch where the stack takes one). */
    configured: string;
    /** The control plane's running version. */
    running: string;
    /** Each node pool's running version. */
    nodes?: { name: string; version: string }[];
    skew?: NodeSkew;
    /** The minors the stack's config accepts (its closed list), to narrow the allowed values. */
    offered?: readonly string[];
    /** AKS: the minors in support; from a running minor outside them, a skip into them is allowed. */
    skipFromUnsupported?: readonly string[];
}

export interface UpgradeVerdict {
    status: "ok" | "fail" | "unknown";
    /** Why, naming the running version. */
    detail: string;
    /** The values the key may take from here (empty when none of the accepted ones is reachable). */
    allowed: string[];
}

/** The configured version judged against the running one: same minor, or exactly one minor up. */
export function upgradeVerdict(input: UpgradeInput): UpgradeVerdict {
    const configured = parseVersion(input.configured);
    const running = parseVersion(input.running);
    if (!configured || !running) return { status: "unknown", detail: `cannot compare "${input.configured}" with the running "${input.running}"`, allowed: [] };
    const next = { major: running.major, minor: running.minor + 1 };
    const allowed = [running, next].map(minorText).filter((m) => !input.offered || input.offered.includes(m));
    const refuse = (why: string, only = allowed): UpgradeVerdict => ({ status: "fail", detail: `the cluster runs ${input.running}: ${why}`, allowed: only });
    if (configured.major !== running.major || configured.minor < running.minor)
        return refuse(`${minorText(configured)} is a downgrade, which the control plane refuses`);
    const supported = input.skipFromUnsupported;
    const backIntoSupport = !!supported && !supported.includes(minorText(running)) && supported.includes(minorText(configured));
    if (configured.minor > next.minor && !backIntoSupport)
        return refuse(`${minorText(configured)} skips ${configured.minor - next.minor} minor(s); the control plane moves one minor at a time`);
    if (configured.minor === running.minor && configured.patch !== undefined && running.patch !== undefined && configured.patch < running.patch)
        return refuse(`${input.configured} is a patch downgrade, which the control plane refuses`);
    const moves = configured.minor > running.minor;
    const skew = input.skew;
    if (skew && (moves || !skew.onUpgradeOnly)) {
        const lagging = (input.nodes ?? []).flatMap((n) => {
            const v = parseVersion(n.version);
            return v && configured.minor - v.minor > skew.maxLag ? [`${n.name} (${n.version})`] : [];
        });
        if (lagging.length)
            return refuse(
                `${skew.noun}s ${lagging.join(", ")} would trail ${minorText(configured)} by more than ${skew.maxLag} minor(s), which the cloud refuses; first run pulumi up at ${minorText(running)} so they catch up`,
                allowed.filter((m) => m === minorText(running)),
            );
    }
    return {
        status: "ok",
        detail: backIntoSupport
            ? `from ${input.running}, out of support, into support: the one skip the cloud allows (that upgrade has no SLA)`
            : moves
              ? `one minor up from ${input.running}`
              : `the running minor (${input.running})`,
        allowed,
    };
}
