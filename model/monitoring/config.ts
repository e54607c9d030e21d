// Monitoring config keys: where alerts go and the thresholds that override the capacity-derived
// defaults (model/monitoring/thresholds.ts). Pure (no Pulumi); model/config.ts spreads these
// into its project keys.
import { z } from "zod";
import { integer } from "../configValues";

const email = /^[^@\s,]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/** Keys whose values are secrets: never printed (config errors, plan, preflight findings). */
export const SECRET_MONITORING_KEYS = ["alertWebhook"] as const;
/** What `pulumi config` (and the offline plan) shows for an encrypted (`secure:`) value it cannot read. */
export const ENCRYPTED = "[secret]";

export const monitoringKeys = {
    alertEmails: z
        .string()
        .refine((s) => s.split(",").every((e) => email.test(e)), { error: "must be a comma-separated list of email addresses, e.g. oncall@example.com" })
        .transform((s) => s.split(",")),
    // HTTPS only: the clouds post alert payloads (which name resources) to it. A webhook URL usually
    // carries its token, so set it with `pulumi config set --secret`; offline its value reads as ENCRYPTED.
    alertWebhook: z.union([
        z.literal(ENCRYPTED),
        z.url({ protocol: /^https$/, error: "must be an https:// URL that receives alert notifications (set it with pulumi config set --secret)" }),
    ]),
    alertErrorRatePercent: integer(1, 50, "a percentage of 5xx responses on the live route"),
    alertP99LatencyMs: integer(50, 60_000, "a p99 latency in milliseconds"),
} as const;

export interface MonitoringConfig {
    emails: string[];
    /** A secret: declare it only through pulumi.secret(). */
    webhook?: string;
    /** Overrides of the capacity-derived defaults; unset keeps the default. */
    errorRatePercent?: number;
    p99LatencyMs?: number;
}

export function monitoringConfig(parsed: Partial<Record<keyof typeof monitoringKeys, unknown>>): MonitoringConfig {
    return {
        emails: (parsed.alertEmails as string[] | undefined) ?? [],
        webhook: parsed.alertWebhook as string | undefined,
        errorRatePercent: parsed.alertErrorRatePercent as number | undefined,
        p99LatencyMs: parsed.alertP99LatencyMs as number | undefined,
    };
}
