// Whether a set of address ranges lets the whole internet in, as a union, not only as one literal
// 0.0.0.0/0: `0.0.0.0/1,128.0.0.0/1` is just as open. Pure (no dependencies): the config parse and
// the guardrail rules share it.

const LITERALS = ["0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0"];

// Blocks that are not public unicast space (RFC 6890): this network, private (RFC 1918), shared
// (RFC 6598), loopback, link-local, and multicast plus reserved (224.0.0.0/3). A union covering
// everything else covers the internet.
const NOT_INTERNET = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"];

type Range = [number, number];

/** First and last address of an IPv4 CIDR as integers (host bits ignored), or undefined if it is not one. */
export function cidrRange(cidr: string): Range | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    if (!m) return undefined;
    const prefix = Number(m[5]);
    const size = 2 ** (32 - prefix);
    const address = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
    const start = address - (address % size);
    return [start, start + size - 1];
}

/** Sorted, merged ranges. */
function union(ranges: Range[]): Range[] {
    const out: Range[] = [];
    for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
        const last = out[out.length - 1];
        if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
        else out.push([a, b]);
    }
    return out;
}

/** True when the ranges, together, admit every public IPv4 address (or name "anyone" outright). */
export function coversInternet(cidrs: readonly (string | undefined | null)[]): boolean {
    const listed = cidrs.filter((c): c is string => !!c).map((c) => c.trim().toLowerCase());
    if (listed.some((c) => LITERALS.includes(c))) return true;
    const covered = union([...listed.map(cidrRange), ...NOT_INTERNET.map(cidrRange)].filter((r): r is Range => r !== undefined));
    return covered.length === 1 && covered[0][0] === 0 && covered[0][1] === 2 ** 32 - 1;
}

/** The shortest prefix length in the list (32 when it names single addresses only; unparsable entries count as /0). */
export function widestPrefix(cidrs: readonly string[]): number {
    return Math.min(32, ...cidrs.map((c) => (cidrRange(c) ? Number(c.trim().split("/")[1]) : 0)));
}
