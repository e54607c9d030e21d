// Value grammars for stack config (Pulumi hands every value over as a string). Each error message
// says what is allowed; the parser prefixes the key and the bad value. Pure: no Pulumi import.
import { z } from "zod";
import { cidrRange, coversInternet, widestPrefix } from "../policy/cidr";

export const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(", ")}` });

export const integer = (min: number, max: number, what = "a whole number") => {
    const error = `must be ${what} from ${min} to ${max}`;
    return z
        .string()
        .regex(/^-?\d+$/, { error })
        .transform(Number)
        .pipe(z.number().min(min, { error }).max(max, { error }));
};

/** A decimal number (e.g. 0.6, 20, 1.5) in `[min, max]`. */
export const decimal = (min: number, max: number, what = "a number") => {
    const error = `must be ${what} from ${min} to ${max}`;
    return z
        .string()
        .regex(/^\d+(\.\d+)?$/, { error })
        .transform(Number)
        .pipe(z.number().min(min, { error }).max(max, { error }));
};

/**
 * A structured key's value (JSON text, as the CLI hands an object over) as an object; anything else
 * (invalid JSON, a list, a single value) undefined, for the caller's own message.
 */
export function jsonObject(json: string): Record<string, unknown> | undefined {
    let value: unknown;
    try {
        value = JSON.parse(json);
    } catch {
        return undefined;
    }
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export const boolean = z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true");

/** Dotted-quad IPv4 CIDR with a prefix inside `[minPrefix, maxPrefix]`, host bits zero. */
export function isIpv4Cidr(value: string, minPrefix = 0, maxPrefix = 32): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix < minPrefix || prefix > maxPrefix) return false;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    return address % 2 ** (32 - prefix) === 0;
}

export const cidr = (minPrefix: number, maxPrefix: number, example: string) =>
    z.string().refine((v) => isIpv4Cidr(v, minPrefix, maxPrefix), {
        error: `must be an IPv4 CIDR from /${minPrefix} to /${maxPrefix} with host bits zero, e.g. ${example}`,
    });

// The ranges a cluster network may use: RFC 1918 and RFC 6598 (shared address space), which AWS VPCs,
// Azure VNets and GCP subnets all accept. Anything else is either refused by a cloud (multicast,
// link-local, loopback) or a public range that would hide those internet addresses from the cluster.
// https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html,
// https://cloud.google.com/vpc/docs/subnets#valid-ranges,
// https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** `cidr`, inside one of the private ranges a cluster network may use. */
export const privateCidr = (minPrefix: number, maxPrefix: number, example: string) =>
    cidr(minPrefix, maxPrefix, example).refine((v) => PRIVATE_RANGES.some((r) => cidrWithin(v, r)), {
        error: `must lie inside a private range: ${PRIVATE_RANGES.join(", ")}`,
    });

/** A comma-separated CIDR allow-list; `purpose` says who needs to be on it when it is missing. */
export const cidrList = (purpose: string, max = 100) =>
    z
        .string({ error: `is required: ${purpose}` })
        .transform((s) =>
            s
                .split(",")
                .map((c) => c.trim())
                .filter((c) => c !== ""),
        )
        .refine((list) => list.length > 0 && list.every((c) => isIpv4Cidr(c)), {
            error: "must be a comma-separated list of IPv4 CIDRs (host bits zero), e.g. 203.0.113.0/24,198.51.100.7/32",
        })
        .refine((list) => list.length <= max, { error: `must list at most ${max} CIDRs` })
        // An API allow-list names operators and CI runners: never the internet, however it is split up.
        .superRefine((list, ctx) => {
            const fix = "list your operators' and CI runners' egress CIDRs";
            if (coversInternet(list))
                ctx.addIssue({ code: "custom", message: `must not admit the whole internet (these CIDRs together cover every public address); ${fix}` });
            else if (widestPrefix(list) < 8) ctx.addIssue({ code: "custom", message: `must not hold a range wider than a /8; ${fix}` });
        });

/** Addresses in an IPv4 CIDR. */
export const cidrSize = (value: string): number => 2 ** (32 - Number(value.split("/")[1]));

export function cidrsOverlap(a: string, b: string): boolean {
    if (!isIpv4Cidr(a) || !isIpv4Cidr(b)) return false;
    const [a0, a1] = cidrRange(a)!;
    const [b0, b1] = cidrRange(b)!;
    return a0 <= b1 && b0 <= a1;
}

/** Whether every address of `inner` lies in `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
    // zod runs every refinement, so a value the CIDR check refused arrives here too.
    const [i, o] = [cidrRange(inner), cidrRange(outer)];
    return i !== undefined && o !== undefined && o[0] <= i[0] && i[1] <= o[1];
}

// Image repository without tag or digest (the version keys carry the tag): registry/path per the
// distribution reference grammar, lower-case path components.
export const imageRepository = z
    .string()
    .regex(/^(([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+|__)*(\/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$/, {
        error: "must be an image repository without tag or digest, e.g. ghcr.io/org/app (the version keys carry the tag)",
    });

// A version key's value: an image tag that is also a Kubernetes label value (it goes into
// app.kubernetes.io/version: at most 63 characters, letters or digits at both ends), its digest
// `tag@sha256:<64 hex>`, or the digest alone `@sha256:<64 hex>`. With a digest the node pulls exactly
// that image, whatever the tag points to later (the tag then only names it). `latest` is refused:
// releases must be reproducible.
export const version = z
    .string()
    .regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?(@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/, {
        error: "must be an image tag usable as a Kubernetes label value (letters, digits, '.', '_', '-' inside; at most 63 characters; a letter or digit at both ends), that tag with its digest, or the digest alone: e.g. 6.9.2, 6.9.2@sha256:<64 lower-case hex digits> or @sha256:<64 lower-case hex digits>",
    })
    .refine((v) => versionTag(v) !== "latest", { error: "must be a fixed version; 'latest' cannot be released or rolled back" });

/** The tag of a version key's value (`6.9.2@sha256:…` → `6.9.2`; `@sha256:…` → ""). */
export function versionTag(version: string): string {
    const at = version.indexOf("@");
    return at < 0 ? version : version.slice(0, at);
}

/** The image reference a version pulls: `repo:tag`, `repo:tag@sha256:…` or `repo@sha256:…`. */
export function imageReference(repository: string, version: string): string {
    return version.startsWith("@") ? `${repository}${version}` : `${repository}:${version}`;
}

/**
 * The version as a label value: the tag, or for a digest alone `sha256-` and its first 12 hex digits
 * (a label value holds no ':' or '@', and at most 63 characters).
 */
export function versionLabel(version: string): string {
    return version.startsWith("@sha256:") ? `sha256-${version.slice(8, 20)}` : versionTag(version);
}
