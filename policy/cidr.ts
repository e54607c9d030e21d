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

// IPv6: the internet is global unicast, 2000::/3 (RFC 4291 2.4, IANA's IPv6 address space registry);
// unique local (fc00::/7), link-local (fe80::/10), multicast (ff00::/8) and loopback lie outside it.
const V6_BITS = 128n;
const GLOBAL_UNICAST: [bigint, bigint] = [1n << 125n, (2n << 125n) - 1n];

/** An IPv6 address as a 128-bit integer (`::` compression allowed, no embedded IPv4), or undefined. */
function v6Address(text: string): bigint | undefined {
    if (!/^[0-9a-f:]+$/.test(text) || (text.match(/::/g) ?? []).length > 1) return undefined;
    const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const left = groups(head);
    const right = tail === undefined ? [] : groups(tail);
    const missing = 8 - left.length - right.length;
    if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
    const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...right];
    if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** First and last address of an IPv6 CIDR (a bare address is a /128), or undefined. */
function v6Range(entry: string): [bigint, bigint] | undefined {
    const [addr, prefixText, extra] = entry.split("/");
    if (extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return undefined;
    const prefix = prefixText === undefined ? V6_BITS : BigInt(prefixText);
    const address = v6Address(addr);
    if (address === undefined || prefix > V6_BITS) return undefined;
    const size = 1n << (V6_BITS - prefix);
    const start = address - (address % size);
    return [start, start + size - 1n];
}

/** An IPv4 entry as a range: a CIDR, or a bare address as a /32. */
const v4Range = (entry: string): Range | undefined => cidrRange(entry.includes("/") ? entry : `${entry}/32`);

const normalized = (cidrs: readonly (string | undefined | null)[]) => cidrs.filter((c): c is string => !!c).map((c) => c.trim().toLowerCase());

/** True when the ranges, together, admit every public IPv4 address, or every global IPv6 address (or name "anyone" outright). */
export function coversInternet(cidrs: readonly (string | undefined | null)[]): boolean {
    const listed = normalized(cidrs);
    if (listed.some((c) => LITERALS.includes(c))) return true;
    const covered = union([...listed.map(v4Range), ...NOT_INTERNET.map(cidrRange)].filter((r): r is Range => r !== undefined));
    if (covered.length === 1 && covered[0][0] === 0 && covered[0][1] === 2 ** 32 - 1) return true;
    // IPv6: walk the sorted ranges from the start of 2000::/3 and see whether they reach its end.
    const v6 = listed
        .filter((c) => c.includes(":"))
        .map(v6Range)
        .filter((r): r is [bigint, bigint] => r !== undefined)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let reached = GLOBAL_UNICAST[0] - 1n;
    for (const [a, b] of v6) if (a <= reached + 1n && b > reached) reached = b;
    return reached >= GLOBAL_UNICAST[1];
}

/**
 * True when any entry admits some public address: a range that is not wholly inside one non-internet
 * block, an IPv6 range touching 2000::/3, a literal "anyone", or an entry that is no address at all
 * (unreadable counts as public: fail closed).
 */
export function admitsPublic(cidrs: readonly (string | undefined | null)[]): boolean {
    return normalized(cidrs).some((c) => {
        if (LITERALS.includes(c)) return true;
        if (c.includes(":")) {
            const r = v6Range(c);
            return r === undefined || (r[0] <= GLOBAL_UNICAST[1] && r[1] >= GLOBAL_UNICAST[0]);
        }
        const r = v4Range(c);
        return r === undefined || !NOT_INTERNET.map(cidrRange).some((b) => b !== undefined && b[0] <= r[0] && r[1] <= b[1]);
    });
}

/** The shortest prefix length in the list (32 when it names single addresses only; unparsable entries count as /0). */
export function widestPrefix(cidrs: readonly string[]): number {
    return Math.min(32, ...cidrs.map((c) => (cidrRange(c) ? Number(c.trim().split("/")[1]) : 0)));
}
