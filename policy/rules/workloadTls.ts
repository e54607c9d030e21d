// The app's side of TLS to its data stores, wherever a workload could set it: the Secret it reads
// with envFrom (components/k8s/appSecret.ts), a ConfigMap it could read the same way, and its own
// `env`, which wins over both ("Values defined by an Env with a duplicate key will take precedence",
// EnvFromSource in the Kubernetes API). Part of datastore-tls-verified (policy/rules/databases.ts).
import * as core from "@pulumi/kubernetes/core/v1";
import { ResourceValidation, validateResourceOfType } from "@pulumi/policy";
import { eachContainer } from "./podSpecs";

/** libpq sslmodes that check the server's certificate chain (verify-full also its host name). */
export const VERIFYING_SSLMODES = ["verify-full", "verify-ca"];
/** The app's DATABASE_SSLMODE, and libpq's own PGSSLMODE (the database-role Job's psql reads it). */
const SSLMODE_KEYS = ["DATABASE_SSLMODE", "PGSSLMODE"];
const CA_KEYS = ["DATABASE_CA_CERT", "REDIS_CA_CERT"];
const TLS_KEYS = [...SSLMODE_KEYS, "REDIS_TLS", ...CA_KEYS];

/** What is wrong with TLS settings given as name → value (a Secret's or ConfigMap's data, inline env). */
export function tlsValueProblems(values: Record<string, string | undefined>): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        if (SSLMODE_KEYS.includes(key) && !VERIFYING_SSLMODES.includes(value))
            problems.push(
                `${key} is "${value}", which does not verify the server: set verify-full (or verify-ca where the host name cannot match) and DATABASE_CA_CERT.`,
            );
        if (key === "REDIS_TLS" && value !== "true") problems.push(`REDIS_TLS is "${value}": set it to "true" (the managed Redis servers require TLS).`);
        // A connection string or URL carries its own sslmode (postgres://…?sslmode=require, "host=… sslmode=disable").
        const mode = /\bsslmode=([A-Za-z-]+)/.exec(value)?.[1];
        if (mode !== undefined && !VERIFYING_SSLMODES.includes(mode))
            problems.push(`${key} is a connection string with sslmode=${mode}, which does not verify the server: use sslmode=verify-full.`);
    }
    return problems;
}

/** The env and ConfigMap side of datastore-tls-verified; the Secret side is in databases.ts. */
export const tlsOverrideValidations: ResourceValidation[] = [
    ...eachContainer((c, _pod, report) => {
        for (const e of c.env ?? []) {
            const where = `Container "${c.name}" env ${e.name}`;
            if (e.value !== undefined) {
                for (const p of tlsValueProblems({ [e.name]: e.value })) report(`${where} overrides the app Secret: ${p}`);
                if (CA_KEYS.includes(e.name))
                    report(`${where} replaces the CA certificate the app Secret carries: remove it from env and keep the CA in the Secret.`);
            } else if (TLS_KEYS.includes(e.name) && e.valueFrom !== undefined) {
                const ref = e.valueFrom.secretKeyRef;
                // Taken from a Secret under its own name, the Secret rule checks the value; anything else it never sees.
                if (ref?.key !== e.name)
                    report(
                        `${where} comes from ${ref ? `key ${ref.key} of Secret ${ref.name}` : "a ConfigMap or field"}, which datastore-tls-verified does not check: read it from the app Secret (envFrom) under its own name.`,
                    );
            }
        }
    }),
    validateResourceOfType(core.ConfigMap, (cm, _args, report) => {
        for (const p of tlsValueProblems(cm.data ?? {})) report(`ConfigMap ${cm.metadata?.name ?? ""} (a pod may read it with envFrom): ${p}`);
    }),
];
