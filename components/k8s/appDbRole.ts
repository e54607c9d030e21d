// Creates the app's own database role (components/dbRole.ts) from inside the cluster: the databases are
// private, so a Job in the app namespace runs psql as the master user. The master credentials live in
// a Secret of their own that only this Job mounts; the app's pods read only the app Secret, which
// carries the app role and its password.
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { APP_DB_ROLE, APP_ROLE_SQL, appRoleArgs, scramVerifier } from "../dbRole";
import { generatedSecret } from "../generatedSecret";
import { POSTGRES_IMAGE } from "./datastores";
import { restrictedContainer, restrictedPod } from "./podSecurity";

/** Labels of the Job's pod: the network policies let it reach the database, nothing else. */
export const DB_ROLE_JOB_PODS = { "app.kubernetes.io/name": "db-role", "app.kubernetes.io/part-of": "zdp" };
const POSTGRES_UID = 70; // the postgres alpine image's user

export interface AppDbRoleArgs {
    namespace: pulumi.Input<string>;
    host: pulumi.Input<string>;
    port: pulumi.Input<string>;
    database: string;
    /** The master user and its password (a secret). */
    adminUser: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    /** libpq sslmode and the PEM roots it verifies with, as the app gets them. */
    sslMode: string;
    caCert?: pulumi.Input<string>;
    /** The app's own role and schema (components/dbRole.ts dbRoleOf); unset, the default app's. */
    role?: { role: string; schema: string };
}

export class AppDbRole extends pulumi.ComponentResource {
    public readonly user: string;
    /** The app role's password: a Pulumi secret. */
    public readonly password: pulumi.Output<string>;
    /** The Job; `pulumi up` waits for it to complete, so depend on it before the app starts. */
    public readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: AppDbRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:AppDbRole", name, {}, opts);
        const parent = { parent: this };
        this.user = args.role?.role ?? APP_DB_ROLE;
        // Alphanumeric: it goes into connection strings.
        this.password = generatedSecret(`${name}-password`, 32, parent);

        const admin = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: "db-admin", namespace: args.namespace, labels: DB_ROLE_JOB_PODS },
                type: "Opaque",
                stringData: pulumi.secret({
                    PGHOST: args.host,
                    PGPORT: args.port,
                    PGDATABASE: args.database,
                    PGUSER: args.adminUser,
                    PGPASSWORD: args.adminPassword,
                    PGSSLMODE: args.sslMode,
                    // The app role's SCRAM verifier: the password itself never leaves Pulumi.
                    APP_ROLE_VERIFIER: this.password.apply((p) => scramVerifier(p)),
                    "ca.crt": args.caCert ?? "",
                    "app-role.sql": APP_ROLE_SQL,
                }),
            },
            parent,
        );

        // Any change to what the Job does gives its pod template a new hash, and so a new run.
        const sqlHash = createHash("sha256").update(APP_ROLE_SQL).update(args.database).digest("hex").slice(0, 16);
        const file = (key: string, dir: string) => ({ name: key.replace(/\W/g, "-"), mountPath: dir, readOnly: true, key });
        const mounts = [file("app-role.sql", "/sql"), ...(args.caCert ? [file("ca.crt", "/tls")] : [])];
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: { name: "db-role", namespace: args.namespace, labels: DB_ROLE_JOB_PODS },
                spec: {
                    backoffLimit: 6,
                    activeDeadlineSeconds: 600,
                    template: {
                        metadata: { labels: DB_ROLE_JOB_PODS, annotations: { "zdp.dev/sql-sha256": sqlHash } },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPod(POSTGRES_UID),
                            containers: [
                                {
                                    name: "psql",
                                    image: POSTGRES_IMAGE,
                                    imagePullPolicy: "IfNotPresent",
                                    command: ["psql"],
                                    // $(VAR) is expanded by the kubelet: the verifier stays out of the Job's spec.
                                    args: appRoleArgs("/sql/app-role.sql", args.database, "$(APP_ROLE_VERIFIER)", args.role),
                                    env: [
                                        ...["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "APP_ROLE_VERIFIER"].map((key) => ({
                                            name: key,
                                            valueFrom: { secretKeyRef: { name: admin.metadata.name, key } },
                                        })),
                                        ...(args.caCert ? [{ name: "PGSSLROOTCERT", value: "/tls/ca.crt" }] : []),
                                        { name: "HOME", value: "/tmp" },
                                    ],
                                    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "64Mi" } },
                                    securityContext: restrictedContainer,
                                    volumeMounts: [
                                        ...mounts.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: true })),
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                ...mounts.map((m) => ({ name: m.name, secret: { secretName: admin.metadata.name, items: [{ key: m.key, path: m.key }] } })),
                                { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                            ],
                        },
                    },
                },
            },
            // A Job's template cannot change in place: a new run replaces it (same name, so delete first).
            { parent: this, deleteBeforeReplace: true },
        );
        this.registerOutputs({ user: this.user, password: this.password });
    }
}
