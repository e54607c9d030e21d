// The one Secret the app reads (envFrom): database and Redis connection settings. Every stack
// creates it with the same keys, so the Release component is the same on every cloud.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const APP_SECRET_KEYS = [
    "DATABASE_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "DATABASE_USER",
    "DATABASE_PASSWORD",
    "DATABASE_SSLMODE",
    "REDIS_HOST",
    "REDIS_PORT",
    "REDIS_PASSWORD",
    "REDIS_TLS",
] as const;
export type AppSecretKey = (typeof APP_SECRET_KEYS)[number];
/**
 * DATABASE_SSLMODE is libpq's: verify-full (chain and host name) or verify-ca (chain only) against the
 * PEM roots in DATABASE_CA_CERT; REDIS_CA_CERT is given where the Redis server's CA is not a public
 * root (otherwise the OS store verifies it). Only the dev stack's in-cluster stores go without TLS.
 */
export type AppSecretValues = Record<AppSecretKey, pulumi.Input<string>> & { DATABASE_CA_CERT?: pulumi.Input<string>; REDIS_CA_CERT?: pulumi.Input<string> };

/** Stable object name: the Release's pods reference it; a rename would restart nothing but break envFrom. */
export const APP_SECRET_NAME = "app-env";

export interface AppSecretArgs {
    namespace: pulumi.Input<string>;
    values: AppSecretValues;
}

export class AppSecret extends pulumi.ComponentResource {
    public readonly secretName: pulumi.Output<string>;

    constructor(name: string, args: AppSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:AppSecret", name, {}, opts);
        const missing = APP_SECRET_KEYS.filter((k) => args.values[k] === undefined);
        if (missing.length) throw new Error(`AppSecret ${name}: values for ${missing.join(", ")} are required`);

        const secret = new k8s.core.v1.Secret(
            name,
            {
                metadata: {
                    name: APP_SECRET_NAME,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" },
                },
                type: "Opaque",
                // The whole payload is secret in state and in the plan, not only the passwords.
                stringData: pulumi.secret(args.values as Record<string, pulumi.Input<string>>),
            },
            { parent: this },
        );
        this.secretName = secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}
