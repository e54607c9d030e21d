// Inbound rules as one shape, whatever cloud declared them, and what they admit together. Pure: the
// rules in network.ts turn security groups, NSG rules and firewalls into grants; this module unions
// them per target (everything one machine or endpoint is subject to) and finds the internet in them.
import { admitsPublic, coversInternet } from "../cidr";
import { PUBLIC_LB_PORTS } from "./util";

export type PortRange = [from: number, to: number];
export const ALL_PORTS: PortRange = [0, 65535];

/** One allow rule, normalized. */
export interface Grant {
    /** What the rule admits traffic to: a security group, an NSG, a GCP network and target. Grants of one target add up. */
    target: string;
    /** The declaring resource (URN), for reports. */
    resource: string;
    /** Lower-case protocol name ("tcp", "udp", "icmp", ...), or "all". */
    protocol: string;
    /** Inclusive destination port ranges (ALL_PORTS when the rule names none). */
    ports: PortRange[];
    /** Source ranges and names ("0.0.0.0/0", "::/0", "internet"); named sources that are private are left out. */
    sources: string[];
}

/** Somewhere the grants of one target, together, let the whole internet in. */
export interface Opening {
    target: string;
    protocol: string;
    ports: PortRange;
    /** The grants whose sources add up to the internet there. */
    grants: Grant[];
}

/**
 * Data-store ports: nothing public may reach them, even a range short of the internet. PostgreSQL 5432 and
 * PgBouncer 6432 (Azure Flexible Server's built-in pooler: https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-pgbouncer);
 * Redis 6379, Memorystore's TLS port 6378 (components/gcp/redis.ts), Azure Cache for Redis' TLS port 6380,
 * Azure Managed Redis' 10000 and, with the OSS cluster policy, its 85xx shard ports
 * (https://learn.microsoft.com/azure/redis/tls-configuration).
 */
export const DATA_PORTS: readonly { ports: PortRange; what: string }[] = [
    { ports: [5432, 5432], what: "PostgreSQL" },
    { ports: [6432, 6432], what: "PgBouncer" },
    { ports: [6378, 6380], what: "Redis" },
    { ports: [10000, 10000], what: "Azure Managed Redis" },
    { ports: [8500, 8599], what: "Azure Managed Redis (OSS cluster)" },
];

/** Protocols whose rules name destination ports; for the others a rule admits the protocol whole. */
const PORTED = ["tcp", "udp", "sctp"];

const overlaps = (a: PortRange, b: PortRange) => a[0] <= b[1] && b[0] <= a[1];
const groupBy = <T>(items: T[], key: (t: T) => string) => {
    const out = new Map<string, T[]>();
    for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
    return out;
};

/** The load balancer's listeners are the one opening allowed: TCP 80 or 443, each alone. */
const lbPort = (protocol: string, [from, to]: PortRange) => protocol === "tcp" && from === to && (PUBLIC_LB_PORTS as readonly number[]).includes(from);

/** Where one target's grants for one protocol add up to the internet, split at every rule's port boundary. */
function openingsOf(target: string, protocol: string, grants: Grant[]): Opening[] {
    if (!PORTED.includes(protocol)) {
        return coversInternet(grants.flatMap((g) => g.sources)) ? [{ target, protocol, ports: ALL_PORTS, grants }] : [];
    }
    const cuts = new Set([ALL_PORTS[0], ALL_PORTS[1] + 1, ...PUBLIC_LB_PORTS.flatMap((p) => [p, p + 1])]);
    for (const g of grants) for (const [from, to] of g.ports) cuts.add(from).add(to + 1);
    const bounds = [...cuts].sort((a, b) => a - b);
    const out: Opening[] = [];
    for (let i = 0; i + 1 < bounds.length; i++) {
        const segment: PortRange = [bounds[i], bounds[i + 1] - 1];
        const covering = grants.filter((g) => g.ports.some((r) => overlaps(r, segment)));
        if (lbPort(protocol, segment) || !coversInternet(covering.flatMap((g) => g.sources))) continue;
        const last = out[out.length - 1];
        const same = last && last.ports[1] + 1 === segment[0] && last.grants.length === covering.length && covering.every((g) => last.grants.includes(g));
        if (same) last.ports = [last.ports[0], segment[1]];
        else out.push({ target, protocol, ports: segment, grants: covering });
    }
    return out;
}

/**
 * Every place where the grants of one target together admit the whole internet, except TCP 80 and 443:
 * `0.0.0.0/1` on one rule and `128.0.0.0/1` on another are as open as `0.0.0.0/0` on one. A rule for
 * all protocols counts towards each protocol.
 */
export function internetOpenings(grants: Grant[]): Opening[] {
    const out: Opening[] = [];
    for (const [target, list] of groupBy(grants, (g) => g.target)) {
        const named = new Set(list.map((g) => g.protocol).filter((p) => p !== "all"));
        if (list.some((g) => g.protocol === "all")) ["tcp", "udp", "icmp"].forEach((p) => named.add(p));
        for (const protocol of named)
            out.push(
                ...openingsOf(
                    target,
                    protocol,
                    list.filter((g) => g.protocol === protocol || g.protocol === "all"),
                ),
            );
    }
    return out;
}

/** "443", "1000-2000". */
export const portText = ([from, to]: PortRange) => (from === to ? String(from) : `${from}-${to}`);

/** The data ports a grant lets some public address reach. */
export function publicDataPorts(grant: Grant): string[] {
    if (!["tcp", "all"].includes(grant.protocol) || !admitsPublic(grant.sources)) return [];
    return DATA_PORTS.filter((d) => grant.ports.some((r) => overlaps(r, d.ports))).map((d) => `${portText(d.ports)} (${d.what})`);
}

/** "tcp 22", "tcp 1000-2000", "udp all ports", "icmp". */
export function describePorts(protocol: string, ports: PortRange): string {
    if (!PORTED.includes(protocol)) return protocol;
    return `${protocol} ${ports[0] === ALL_PORTS[0] && ports[1] === ALL_PORTS[1] ? "all ports" : portText(ports)}`;
}
