// Which rules a production stack may not waive. Issue 26: "Production stacks may not waive the
// data-protection and edge rules." Every cloud stack (aws, azure, gcp) is production; only the local
// dev stack may waive them (its in-cluster stores run single-replica without TLS). Pure, like
// ruleNames.ts: the config check reads it before any resource exists.
import { RULE_NAMES } from "./ruleNames";

type RuleName = (typeof RULE_NAMES)[number];

/** Data protection: the data stores' privacy, encryption, backups and availability, the app's TLS to them, and the keys. */
const DATA_PROTECTION = [
    ...RULE_NAMES.filter((r) => r.startsWith("database-") || r.startsWith("redis-")),
    "datastore-tls-verified",
    "network-data-ports-private",
    "cluster-secrets-encryption",
    "kms-key-rotation",
] as const satisfies readonly RuleName[];

/** The edge: the firewall in front of the app, HSTS, and the access logs (and their bucket). */
const EDGE = [
    "alb-access-logs",
    "alb-waf",
    "alb-waf-rate-limit-logging",
    "alb-hsts",
    "route-hsts",
    "gke-cloud-armor",
    "agc-waf",
    "waf-blocks",
    "bucket-not-public",
] as const satisfies readonly RuleName[];

/** Rules a cloud stack's policy.exceptions may not name. */
export const NOT_WAIVABLE_ON_CLOUD: readonly RuleName[] = [...DATA_PROTECTION, ...EDGE];

/** The rules in a cloud stack's exceptions that it may not waive (none on the local stack). */
export function refusedWaivers(exceptions: readonly string[], cloud: string | undefined): string[] {
    if (cloud === undefined || cloud === "local") return [];
    return exceptions.filter((e) => (NOT_WAIVABLE_ON_CLOUD as readonly string[]).includes(e));
}
