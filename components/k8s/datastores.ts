// In-cluster PostgreSQL and Redis for the local stack: one StatefulSet each with a persistent volume,
// generated passwords (Pulumi secrets), probes, requests/limits and restricted pods. The clouds use
// their managed services instead; this is what lets `pulumi up --stack dev` run on a laptop.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PostgresConnection, RedisConnection } from "../platform";
import { generatedSecret } from "../generatedSecret";
import { restrictedContainer, restrictedPod } from "./podSecurity";

/** Official images, pinned (https://hub.docker.com/_/postgres, https://hub.docker.com/_/redis). */
export const POSTGRES_IMAGE = "postgres:18.1-alpine";
export const REDIS_IMAGE = "redis:8.4-alpine";
// The alpine variants' own users: postgres is uid/gid 70, redis is uid 999 / gid 1000.
const POSTGRES_UID = 70;
const REDIS_UID = 999;
const REDIS_GID = 1000;

export interface DatastoreSize {
    cpu: string;
    memory: string;
    storage: string;
}

export interface LocalDatastoresArgs {
    namespace: pulumi.Input<string>;
    postgres: DatastoreSize;
    redis: DatastoreSize;
    /** Pulumi `protect` on the StatefulSets (config `protectStateful`). */
    protect: boolean;
    databaseName?: string;
    databaseUser?: string;
}

const labels = (name: string) => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": name,
    "app.kubernetes.io/component": "datastore",
    "app.kubernetes.io/part-of": "zdp",
    "app.kubernetes.io/managed-by": "pulumi",
});
const selector = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name });

export class LocalDatastores extends pulumi.ComponentResource {
    public readonly databaseHost: pulumi.Output<string>;
    public readonly databasePort = "5432";
    public readonly databaseName: string;
    public readonly databaseUser: string;
    public readonly databasePassword: pulumi.Output<string>;
    public readonly redisHost: pulumi.Output<string>;
    public readonly redisPort = "6379";
    public readonly redisPassword: pulumi.Output<string>;
    /** Pod labels of each store, for network policies. */
    public readonly databasePods = selector("postgres");
    public readonly redisPods = selector("redis");
    /** How the app connects: in-cluster traffic on a laptop, without TLS (the cloud stacks require it). */
    public readonly postgresConnection: PostgresConnection;
    public readonly redisConnection: RedisConnection;

    constructor(name: string, args: LocalDatastoresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:LocalDatastores", name, {}, opts);
        this.databaseName = args.databaseName ?? "app";
        this.databaseUser = args.databaseUser ?? "app";
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.databaseName) || !/^[a-z_][a-z0-9_]{0,62}$/.test(this.databaseUser))
            throw new Error(`LocalDatastores ${name}: databaseName and databaseUser must be lower-case SQL identifiers`);

        const { namespace } = args;
        // Alphanumeric only: the passwords end up in connection strings and a redis-server argument.
        const password = (n: string) => generatedSecret(`${name}-${n}-password`, 32, { parent: this });
        const pgPassword = password("postgres");
        const redisPassword = password("redis");
        const authSecret = (n: string, key: string, value: pulumi.Output<string>) =>
            new k8s.core.v1.Secret(
                `${name}-${n}-auth`,
                { metadata: { name: `${n}-auth`, namespace, labels: labels(n) }, type: "Opaque", stringData: { [key]: value } },
                { parent: this },
            );
        const pgAuth = authSecret("postgres", "POSTGRES_PASSWORD", pgPassword);
        const redisAuth = authSecret("redis", "REDIS_PASSWORD", redisPassword);

        const fromSecret = (envName: string, secret: k8s.core.v1.Secret, key: string) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: secret.metadata.name, key } },
        });

        const postgres = this.statefulSet(name, "postgres", args, args.postgres, POSTGRES_UID, POSTGRES_UID, 5432, {
            image: POSTGRES_IMAGE,
            env: [
                { name: "POSTGRES_USER", value: this.databaseUser },
                { name: "POSTGRES_DB", value: this.databaseName },
                fromSecret("POSTGRES_PASSWORD", pgAuth, "POSTGRES_PASSWORD"),
            ],
            // From 18 the image keeps its data in a major-version subdirectory (PGDATA
            // /var/lib/postgresql/18/docker) and refuses a volume at the old .../data path
            // (https://github.com/docker-library/postgres/pull/1259). The subdirectory also gives initdb
            // a directory the postgres user owns inside the root-owned, fsGroup-writable mount.
            dataPath: "/var/lib/postgresql",
            // pg_isready checks the server accepts connections; over TCP so it also proves the listener.
            probe: { exec: { command: ["sh", "-c", 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'] } },
            // The server's unix socket directory; the root filesystem is read-only.
            extraMounts: [{ name: "run", mountPath: "/var/run/postgresql" }],
            extraVolumes: [{ name: "run", emptyDir: { sizeLimit: "16Mi" } }],
        });
        const redis = this.statefulSet(name, "redis", args, args.redis, REDIS_UID, REDIS_GID, 6379, {
            image: REDIS_IMAGE,
            env: [fromSecret("REDIS_PASSWORD", redisAuth, "REDIS_PASSWORD")],
            // $(VAR) is expanded by the kubelet, so the password is not in the pod spec.
            args: ["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes", "--dir", "/data"],
            dataPath: "/data",
            probe: { exec: { command: ["sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping | grep -q PONG'] } },
            extraMounts: [],
            extraVolumes: [],
        });

        const host = (svc: k8s.core.v1.Service) => pulumi.interpolate`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`;
        this.databaseHost = host(postgres);
        this.redisHost = host(redis);
        this.databasePassword = pgPassword;
        this.redisPassword = redisPassword;
        const admin = { adminUser: this.databaseUser, adminPassword: pgPassword };
        this.postgresConnection = { host: this.databaseHost, port: Number(this.databasePort), database: this.databaseName, ...admin, sslMode: "disable" };
        this.redisConnection = { host: this.redisHost, port: Number(this.redisPort), password: redisPassword, tls: false };
        this.registerOutputs({ databaseHost: this.databaseHost, redisHost: this.redisHost });
    }

    /** A single-replica StatefulSet with its governing Service; returns the Service. */
    private statefulSet(
        name: string,
        app: string,
        args: LocalDatastoresArgs,
        size: DatastoreSize,
        uid: number,
        gid: number,
        port: number,
        c: {
            image: string;
            env: k8s.types.input.core.v1.EnvVar[];
            args?: string[];
            dataPath: string;
            probe: k8s.types.input.core.v1.Probe;
            extraMounts: k8s.types.input.core.v1.VolumeMount[];
            extraVolumes: k8s.types.input.core.v1.Volume[];
        },
    ): k8s.core.v1.Service {
        const { namespace } = args;
        // Headless: the StatefulSet's governing Service; its DNS name resolves to the one pod.
        const service = new k8s.core.v1.Service(
            `${name}-${app}`,
            {
                metadata: { name: app, namespace, labels: labels(app) },
                spec: { clusterIP: "None", selector: selector(app), ports: [{ name: app, port, targetPort: app, protocol: "TCP" }] },
            },
            { parent: this },
        );
        new k8s.apps.v1.StatefulSet(
            `${name}-${app}`,
            {
                metadata: { name: app, namespace, labels: labels(app) },
                spec: {
                    serviceName: app,
                    replicas: 1,
                    selector: { matchLabels: selector(app) },
                    // Deleting the StatefulSet keeps the data volume.
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: {
                        metadata: { labels: labels(app) },
                        spec: {
                            automountServiceAccountToken: false,
                            enableServiceLinks: false,
                            securityContext: restrictedPod(uid, gid),
                            terminationGracePeriodSeconds: 30,
                            containers: [
                                {
                                    name: app,
                                    image: c.image,
                                    imagePullPolicy: "IfNotPresent",
                                    args: c.args,
                                    env: c.env,
                                    ports: [{ name: app, containerPort: port, protocol: "TCP" }],
                                    resources: { requests: { cpu: size.cpu, memory: size.memory }, limits: { memory: size.memory } },
                                    startupProbe: { ...c.probe, periodSeconds: 2, timeoutSeconds: 3, failureThreshold: 90 },
                                    readinessProbe: { ...c.probe, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                                    livenessProbe: { tcpSocket: { port }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 },
                                    securityContext: restrictedContainer,
                                    volumeMounts: [{ name: "data", mountPath: c.dataPath }, { name: "tmp", mountPath: "/tmp" }, ...c.extraMounts],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, ...c.extraVolumes],
                        },
                    },
                    volumeClaimTemplates: [
                        {
                            metadata: { name: "data", labels: labels(app) },
                            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size.storage } } },
                        },
                    ],
                },
            },
            { parent: this, protect: args.protect },
        );
        return service;
    }
}
