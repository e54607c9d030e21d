// What a cloud stack's `pulumi up` refuses (and its preview warns about): placeholder values, production
// over plain HTTP, alerts that reach nobody. Pure (no Pulumi): stacks/index.ts decides warn or refuse.
// The dev stack (cloud local) is a laptop stack and is exempt.
import { cidrRange } from "../policy/cidr";
import type { StackConfig } from "./stackConfig";
import { ENCRYPTED, SECRET_MONITORING_KEYS } from "./monitoring/config";

export interface Finding {
    /** The config key to set, as `pulumi config set` (or `--path`) names it. */
    key: string;
    /** The value found; ENCRYPTED ("[secret]") for keys that hold secrets. */
    value?: string;
    why: string;
}

// Documentation address blocks: RFC 5737 (IPv4) and RFC 3849 (IPv6). They route nowhere.
const DOC_V4 = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].map((c) => cidrRange(c)!);
// Reserved example names: RFC 2606 §2-3 (.example, .invalid, .localhost, .test; example.com/.net/.org)
// and RFC 6761 §6 (the same special-use names).
const RESERVED_TLDS = ["example", "invalid", "localhost", "test"];
const RESERVED_DOMAINS = ["example.com", "example.net", "example.org"];
// Ids that stand for "yours here": the shipped stack files' (Pulumi.gcp.yaml's project id, the nil GUID
// as an Entra object id) and AWS's documentation account id (docs.aws.amazon.com examples use 123456789012).
const PLACEHOLDER_IDS = [/^my-gcp-project-id$/, /^0{8}-0{4}-0{4}-0{4}-0{12}$/, /(^|:)123456789012(:|$)/];

function inDocRangeV4(item: string): boolean {
    const range = cidrRange(item.includes("/") ? item : `${item}/32`);
    return !!range && DOC_V4.some(([a, b]) => range[0] >= a && range[1] <= b);
}

// 2001:db8::/32: the first two hextets are 2001 and 0db8.
const inDocRangeV6 = (item: string): boolean => /^2001:0?db8(:|$)/i.test(item.split("/")[0]);

/** The host an item names, if it is a URL, an email address or a hostname. */
function hostOf(item: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item)) {
        try {
            return new URL(item).hostname.toLowerCase();
        } catch {
            return undefined;
        }
    }
    const at = item.lastIndexOf("@");
    const host = (at >= 0 ? item.slice(at + 1) : item).toLowerCase();
    return /^([a-z0-9-]+\.)*[a-z0-9-]+$/.test(host) && (host.includes(".") || RESERVED_TLDS.includes(host)) ? host : undefined;
}

function reservedName(host: string): boolean {
    const labels = host.split(".");
    return RESERVED_TLDS.includes(labels[labels.length - 1]) || RESERVED_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
}

/** Why one item of a value is a placeholder, or undefined. */
function placeholderReason(item: string): string | undefined {
    if (inDocRangeV4(item) || inDocRangeV6(item)) return `${item} is a documentation address range (RFC 5737 / RFC 3849) that reaches nothing`;
    const host = hostOf(item);
    if (host && reservedName(host)) return `${host} is a reserved example name (RFC 2606 / RFC 6761) that no one receives mail or traffic for`;
    if (PLACEHOLDER_IDS.some((p) => p.test(item))) return `${item} is a placeholder id, not yours`;
    return undefined;
}

/** Every config value as `key → text`, structured objects (`zdp:aws` = {...}) flattened to `aws.field`. */
function flatten(raw: Record<string, string>, project: string): [string, string][] {
    const out: [string, string][] = [];
    for (const [fullKey, value] of Object.entries(raw)) {
        if (value === "") continue;
        const key = fullKey.startsWith(`${project}:`) ? fullKey.slice(project.length + 1) : fullKey;
        let parsed: unknown;
        try {
            parsed = value.startsWith("{") ? JSON.parse(value) : undefined;
        } catch {
            parsed = undefined;
        }
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
            for (const [field, v] of Object.entries(parsed)) if (v !== null && v !== "" && typeof v !== "object") out.push([`${key}.${field}`, String(v)]);
        } else out.push([key, value]);
    }
    return out;
}

/**
 * Placeholder values anywhere in a stack's config (`project:key` → text, as Pulumi hands it over):
 * documentation address ranges, reserved example domains (also inside URLs and email addresses) and
 * placeholder ids. One finding per key, naming each placeholder item.
 */
export function placeholderFindings(raw: Record<string, string>, project: string): Finding[] {
    const findings: Finding[] = [];
    for (const [key, value] of flatten(raw, project)) {
        const reasons = value
            .split(",")
            .map((s) => s.trim())
            .map(placeholderReason)
            .filter((r): r is string => r !== undefined);
        if (reasons.length === 0) continue;
        const secret = (SECRET_MONITORING_KEYS as readonly string[]).includes(key);
        findings.push({ key, value: secret ? ENCRYPTED : value, why: secret ? "holds a reserved example name or documentation address" : reasons.join("; ") });
    }
    return findings;
}

/** Everything a cloud stack's `pulumi up` refuses; [] for the dev stack. */
export function preflightFindings(cfg: StackConfig, raw: Record<string, string>): Finding[] {
    if (cfg.cloud === "local") return [];
    const findings = placeholderFindings(raw, cfg.project);
    if (!cfg.domain && !cfg.allowPlainHttp)
        findings.push({
            key: "domain",
            why: `is unset, so production would be served over plain HTTP (passwords, cookies and the preview token readable on the way); set domain and its certificate (${CERTIFICATE_KEYS[cfg.cloud]}), or set allowPlainHttp true to accept that`,
        });
    if (cfg.monitoring.emails.length === 0 && !cfg.monitoring.webhook)
        findings.push({ key: "alertEmails, alertWebhook", why: "are both unset, so the stack's alerts reach nobody; set either (or both)" });
    return findings;
}

const CERTIFICATE_KEYS: Record<StackConfig["cloud"], string> = {
    local: "",
    aws: "aws.hostedZoneId to issue one with ACM, or aws.certificateArn",
    azure: "azure.tlsSecretName, a kubernetes.io/tls Secret in the app namespace",
    gcp: "Google-managed, issued for domain by DNS authorization",
};

export const describeFinding = (f: Finding): string => `${f.key}${f.value === undefined ? "" : ` = "${f.value}"`}: ${f.why}`;
