// Small helpers shared by the rule modules. No cloud SDK here: rules import their own resource classes.

/** Ports the public load balancer listens on: the only ones the internet may reach. */
export const PUBLIC_LB_PORTS = [80, 443] as const;

/** True when every port of [from, to] is 80 or 443 (a range 80-443 covers more, so it is not allowed). */
export function onlyLbPorts(from: number | undefined, to: number | undefined): boolean {
    if (from === undefined || to === undefined || from !== to) return false;
    return (PUBLIC_LB_PORTS as readonly number[]).includes(from);
}

/** Parses a port expression used by Azure NSGs and GCP firewalls: "443", "80-443", "*". */
export function portRange(expr: string | number): [number, number] | undefined {
    const s = String(expr).trim();
    if (s === "*") return [0, 65535];
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (!m) return undefined;
    const from = Number(m[1]);
    return [from, m[2] === undefined ? from : Number(m[2])];
}

/** True when every listed port expression is exactly 80 or 443; an empty list means "all ports". */
export function onlyLbPortExprs(exprs: (string | number)[] | undefined): boolean {
    if (!exprs || exprs.length === 0) return false;
    return exprs.every((e) => {
        const r = portRange(e);
        return r !== undefined && onlyLbPorts(r[0], r[1]);
    });
}

/** A GCP location is regional ("europe-west1") rather than zonal ("europe-west1-b"). */
export function isGcpRegion(location: string | undefined): boolean {
    return !!location && !/-[a-z]$/.test(location);
}

/** Distinct non-empty values. */
export function distinct(values: (string | undefined | null)[] | undefined): string[] {
    return [...new Set((values ?? []).filter((v): v is string => !!v))];
}

/** A Kubernetes object's namespace, as the API server defaults it. */
export const nsOf = (meta: any): string => meta?.namespace ?? "default";

/** One statement of an AWS policy document, as IAM reads it (single values or lists). */
export interface Statement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document given as JSON text or an object; undefined when it is neither. */
export function statementsOf(doc: unknown): Statement[] | undefined {
    let parsed = doc;
    if (typeof doc === "string") {
        try {
            parsed = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (!parsed || typeof parsed !== "object") return undefined;
    const s = (parsed as { Statement?: Statement | Statement[] }).Statement;
    return s === undefined ? [] : Array.isArray(s) ? s : [s];
}

/** A value or list of values as a list. */
export function listOf(v: unknown): string[] {
    const text = (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x));
    return v === undefined || v === null ? [] : Array.isArray(v) ? v.map(text) : [text(v)];
}
