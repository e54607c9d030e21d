// Subnet plan for the VPC: pure CIDR arithmetic, tested directly.
// Pods take VPC addresses (VPC CNI), so the private subnets get three quarters of the VPC; the last
// quarter holds the small public (load balancers, NAT) and data (RDS, ElastiCache) subnets.

export interface SubnetPlan {
    /** Nodes and pods; route to the internet through a NAT gateway. */
    private: string[];
    /** Internet-facing ALB and NAT gateways. */
    public: string[];
    /** Databases and caches; no route out of the VPC at all. */
    data: string[];
}

function toInt(ip: string): number {
    return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** The `index`-th block of prefix length `prefix` inside `base` (which must be no longer than `prefix`). */
function block(baseInt: number, prefix: number, index: number): string {
    return `${toIp(baseInt + index * 2 ** (32 - prefix))}/${prefix}`;
}

export function subnetPlan(vpcCidr: string, zones: number): SubnetPlan {
    const [ip, len] = vpcCidr.split("/");
    const prefix = Number(len);
    if (zones < 1 || zones > 3) throw new Error(`subnetPlan: ${zones} zones; the plan has room for 1 to 3`);
    if (prefix < 16 || prefix > 20) throw new Error(`subnetPlan: ${vpcCidr} must be a /16 to /20 network`);
    const base = toInt(ip);
    if (base % 2 ** (32 - prefix) !== 0)
        throw new Error(`subnetPlan: ${vpcCidr} has host bits set; use ${block(base - (base % 2 ** (32 - prefix)), prefix, 0)}`);
    const quarter = prefix + 2;
    const small = prefix + 6; // 16 small blocks in the last quarter
    const lastQuarter = toInt(block(base, quarter, 3).split("/")[0]);
    const azs = Array.from({ length: zones }, (_, i) => i);
    return {
        private: azs.map((i) => block(base, quarter, i)),
        public: azs.map((i) => block(lastQuarter, small, i)),
        data: azs.map((i) => block(lastQuarter, small, 4 + i)),
    };
}
