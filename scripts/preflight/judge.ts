// The preflight's verdicts: what the plan needs against what a cloud's read-only APIs answered, as
// one row per check (✓ / ✗ / could not check, with the reason and the fix). Pure (no Pulumi, no SDK):
// the cloud modules (aws.ts, gcp.ts, azure.ts) ask, these functions judge. Not model/preflight.ts,
// which finds placeholder values in the stack file offline.
import { cidrRange } from "../../policy/cidr";
import type { Needs } from "./needs";

export type Status = "ok" | "fail" | "unknown";

export interface Row {
    /** What is checked, e.g. "quota: EC2 On-Demand Standard vCPUs (L-1216C47A)". */
    check: string;
    status: Status;
    /** What was found: need against have, or why it could not be checked. */
    detail: string;
    /** What to do about a ✗ or a could-not-check. */
    fix?: string;
}

export const MARK: Record<Status, string> = { ok: "✓", fail: "✗", unknown: "could not check" };

const ok = (check: string, detail: string): Row => ({ check, status: "ok", detail });
const fail = (check: string, detail: string, fix: string): Row => ({ check, status: "fail", detail, fix });
export const unknown = (check: string, detail: string, fix: string): Row => ({ check, status: "unknown", detail, fix });

/** Runs one check's API calls; a failed call is a could-not-check row with the API's own message, never a ✓. */
export async function attempt(check: string, fix: string, ask: () => Promise<Row | Row[]>): Promise<Row[]> {
    try {
        const rows = await ask();
        return Array.isArray(rows) ? rows : [rows];
    } catch (e) {
        const err = e as Error & { name?: string; code?: string | number; httpStatusCode?: number };
        // Google's clients give a gRPC code number (7) and the HTTP status beside it (403): the status reads better.
        // Azure's RestError carries Resource Manager's error code (AuthorizationFailed) beside its name.
        const code = typeof err.code === "number" ? (err.httpStatusCode ?? err.code) : err.code;
        const name = err.name && err.name !== "Error" ? err.name : undefined;
        const what = [...new Set([name, code, err.message].filter(Boolean))].join(": ");
        return [unknown(check, `the API call failed: ${what.split("\n")[0]}`, fix)];
    }
}

/**
 * A quota against what the plan needs at its maximum. `used` is what the account already uses, if known;
 * `own` is the part of it this stack already runs (an existing stack's nodes and addresses are inside
 * its need, not beside it). Where `own` is unknown the row says that `used` may include them.
 */
export function quota(q: {
    check: string;
    need: number;
    limit?: number;
    used?: number;
    own?: number;
    unit: string;
    increase: (atLeast: number) => string;
}): Row {
    const others = (q.used ?? 0) - (q.own ?? 0);
    if (q.limit === undefined || !Number.isFinite(q.limit)) return unknown(q.check, "the API returned no value for this quota", q.increase(others + q.need));
    if (!Number.isFinite(others)) return unknown(q.check, `quota ${q.limit}; what is in use could not be counted`, q.increase(q.need));
    const free = q.limit - others;
    let have = `quota ${q.limit}`;
    const ownText = q.own ? `${q.own} of them this stack's own, inside the need` : "none this stack's own";
    if (q.used !== undefined && q.own !== undefined) have += `, ${q.used} in use (${ownText}), ${free} free`;
    else if (q.used !== undefined) have += `, ${q.used} in use, ${free} free (in use counts this stack's own if it is already deployed)`;
    if (q.need <= free) return ok(q.check, `needs ${q.need} ${q.unit}; ${have}`);
    return fail(q.check, `needs ${q.need} ${q.unit}; ${have}`, q.increase(others + q.need));
}

/** A size offered in every zone the stack uses. `offered` holds the zones that offer it. */
export function offeredInZones(check: string, size: string, zones: readonly string[], offered: ReadonlySet<string>, fix: string): Row {
    if (zones.length === 0) return unknown(check, `no zones to check ${size} in`, fix);
    const missing = zones.filter((z) => !offered.has(z));
    if (missing.length === 0) return ok(check, `${size} is offered in ${zones.join(", ")}`);
    return fail(check, `${size} is not offered in ${missing.join(", ")} (of ${zones.join(", ")})`, fix);
}

/** A version the stack asks for among those the cloud supports now. */
export function versionSupported(check: string, want: string, supported: readonly string[], key: string): Row {
    if (supported.includes(want)) return ok(check, `${want} is supported`);
    if (supported.length === 0)
        return unknown(check, `the API listed no supported versions to compare ${want} with`, `check the cloud's version list, then ${key}`);
    return fail(check, `${want} is not supported; supported: ${supported.join(", ")}`, `pulumi config set --path ${key} <one of ${supported.join(", ")}>`);
}

/** Each part (an EKS add-on) with its default version for `version`, undefined where it has none. */
export function defaultVersions(check: string, version: string, defaults: ReadonlyMap<string, string | undefined>, fix: string): Row {
    if (defaults.size === 0) return unknown(check, "no parts to check", fix);
    const missing = [...defaults].filter(([, v]) => v === undefined).map(([name]) => name);
    if (missing.length) return fail(check, `no default version for ${version}: ${missing.join(", ")}`, fix);
    return ok(check, [...defaults].map(([name, v]) => `${name} ${v}`).join(", "));
}

/** A service offered in a location; `note` says what that answer does not cover. */
export function serviceOffered(check: string, service: string, location: string, offered: boolean, note: string, fix: string): Row {
    return offered ? ok(check, `${service} is offered in ${location}; ${note}`) : fail(check, `${service} is not offered in ${location}`, fix);
}

/** Something orderable (a DB class with an engine version and HA, a cache node type): found or not. */
export function orderable(check: string, what: string, found: boolean, fix: string): Row {
    return found ? ok(check, `${what} is orderable`) : fail(check, `${what} is not orderable`, fix);
}

/** APIs / resource providers the stack's resources need, against those enabled. */
export function enabled(check: string, needed: readonly string[], on: ReadonlySet<string>, enable: (names: string[]) => string): Row {
    const off = needed.filter((n) => !on.has(n));
    if (off.length === 0) return ok(check, `${needed.length} enabled: ${needed.join(", ")}`);
    return fail(check, `not enabled: ${off.join(", ")}`, enable(off));
}

/** The caller's permissions for what the plan creates; `missing` came from the cloud's own evaluation. */
export function permissions(check: string, caller: string, needed: readonly string[], missing: readonly string[], fix: string): Row {
    if (needed.length === 0) return unknown(check, "no actions to check", fix);
    if (missing.length === 0) return ok(check, `${caller} is allowed all ${needed.length} actions`);
    return fail(check, `${caller} is denied ${missing.length} of ${needed.length}: ${missing.join(", ")}`, fix);
}

const ipv4 = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);

/** The runner's egress address inside the control plane's allow-list (an empty list: the key is unset). */
export function egressAllowed(check: string, egress: string | undefined, cidrs: readonly string[], key: string, why?: string): Row {
    const fix = `pulumi config set --path ${key} <your runners' egress CIDRs, comma-separated>`;
    if (!egress || !ipv4(egress)) return unknown(check, `the runner's egress address is unknown${why ? `: ${why}` : ""}`, `${fix}; or set --egress-ip`);
    const ip = cidrRange(`${egress}/32`)!;
    const inside = cidrs.find((c) => {
        const r = cidrRange(c.includes("/") ? c : `${c}/32`);
        return !!r && ip[0] >= r[0] && ip[1] <= r[1];
    });
    if (inside) return ok(check, `${egress} is inside ${inside}`);
    return fail(check, `${egress} is not in ${key} (${cidrs.length ? cidrs.join(", ") : "unset"})`, `${fix} including ${egress}/32`);
}

/**
 * The caller's permission rows, for a run whose identity is not the one that runs `pulumi up` (the
 * preview workflow's read-only identity): what it may do says nothing about the deployer, so each is
 * "could not check", never ✓ or ✗.
 */
export function callerIsNotDeployer(rows: Row[]): Row[] {
    return rows.map((r) =>
        r.check.startsWith("permissions: the caller")
            ? unknown(
                  r.check,
                  "not checked: this run's identity is not the one that runs pulumi up (--skip-permissions)",
                  "run npm run preflight as the deployer; on AWS, --principal <the deploy role's ARN> simulates its policies",
              )
            : r,
    );
}

/** The runner's egress IPv4 address from an HTTPS echo that answers with the address as plain text. */
export async function egressAddress(url: string, fetcher: typeof fetch = fetch): Promise<string> {
    const res = await fetcher(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const text = (await res.text()).trim();
    if (!ipv4(text)) throw new Error(`${url} answered "${text.slice(0, 60)}", not an IPv4 address`);
    return text;
}

/** The rows every cloud ends with: resource types without a known action, and this runner in the control plane's allow-list. */
export function closingRows(needs: Pick<Needs, "unmapped" | "allowList">, egress: { ip?: string; error?: string }, api: string, network: string): Row[] {
    const rows: Row[] = [];
    if (needs.unmapped.length)
        rows.push(unknown("permissions: resource types without a known action", needs.unmapped.join(", "), "add them to scripts/preflight/needs.ts ACTIONS"));
    rows.push(
        needs.allowList
            ? egressAllowed(
                  `allow-list: this runner's egress address reaches the ${api} API`,
                  egress.ip,
                  needs.allowList.cidrs,
                  needs.allowList.key,
                  egress.error,
              )
            : unknown(
                  `allow-list: this runner reaches the ${api} API`,
                  `the control plane is private: only a runner inside the ${network} reaches it`,
                  `run pulumi from a runner in the ${network} (docs/delivery.md)`,
              ),
    );
    return rows;
}
