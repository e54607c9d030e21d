// One version's schema migration as a Kubernetes Job (stack config `migrations`, model/migrations.ts).
// The Release orders it: an expand Job before the version's Deployments and the live route, a
// contract Job after the route. pulumi-kubernetes awaits a batch/v1 Job until its Complete condition
// is True and fails the resource on a Failed condition with reason BackoffLimitExceeded or
// DeadlineExceeded (pulumi/pulumi-kubernetes provider/pkg/await/job.go, await/checker/job/check.go),
// so a failed migration fails `pulumi up` and nothing that depends on it is written.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MIGRATION_ENV, type PlannedMigration } from "../../model/migrations";
import { versionLabel } from "../../model/config";
import { APP_UID, restrictedContainer, restrictedPod } from "./podSecurity";

/** Labels of a migration Job's pod: the network policies let it reach the database, nothing else. */
export const MIGRATION_JOB_PODS = { "app.kubernetes.io/name": "migration", "app.kubernetes.io/part-of": "zdp" };

/** Retries of a failed pod: each reruns the command, which migration tools make idempotent. */
export const MIGRATION_BACKOFF_LIMIT = 2;
/** Bound of the whole Job, retries included; the Job then fails with DeadlineExceeded. */
export const MIGRATION_DEADLINE_SECONDS = 900;

export interface MigrationJobArgs {
    namespace: pulumi.Input<string>;
    /** The app Secret (components/k8s/appSecret.ts): the Job connects as the app's role, with its TLS settings. */
    appSecretName: pulumi.Input<string>;
}

/**
 * The Job of one planned migration. No ttlSecondsAfterFinished: once the TTL controller deleted the
 * Job, a `pulumi refresh` would find it gone (a 404 on read drops the resource from state,
 * provider/pkg/provider/provider.go Read) and the next `up` would create it again, rerunning the
 * migration. Finished Jobs do not pile up anyway: the Job is declared while its version runs on a
 * track, and Pulumi deletes it once no track does.
 */
export function migrationJob(name: string, m: PlannedMigration, args: MigrationJobArgs, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
    const labels = { ...MIGRATION_JOB_PODS, "app.kubernetes.io/version": versionLabel(m.version), "zdp.io/migration-phase": m.phase };
    const extra = Object.keys(m.env).sort();
    // The extra environment may hold secrets: a Secret of its own, a Pulumi secret in state and plans.
    const envSecret = extra.length
        ? new k8s.core.v1.Secret(
              `${name}-env`,
              { metadata: { name: m.jobName, namespace: args.namespace, labels }, type: "Opaque", stringData: pulumi.secret(m.env) },
              { parent: opts.parent, provider: opts.provider },
          )
        : undefined;
    const fromSecret = (secretName: pulumi.Input<string>, key: string, optional?: boolean) => ({
        name: key,
        valueFrom: { secretKeyRef: { name: secretName, key, ...(optional ? { optional } : {}) } },
    });
    return new k8s.batch.v1.Job(
        name,
        {
            metadata: {
                name: m.jobName,
                namespace: args.namespace,
                labels,
                // A Job that failed is replaced on the next `pulumi up` (a rerun) instead of being
                // awaited again in its Failed state (provider/pkg/provider/provider.go Diff).
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: {
                backoffLimit: MIGRATION_BACKOFF_LIMIT,
                activeDeadlineSeconds: MIGRATION_DEADLINE_SECONDS,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        enableServiceLinks: false,
                        securityContext: restrictedPod(APP_UID),
                        containers: [
                            {
                                name: "migrate",
                                image: m.imageRef,
                                imagePullPolicy: "IfNotPresent",
                                command: m.command,
                                env: [
                                    // Only the database keys of the app Secret: the Job never sees Redis's password.
                                    ...MIGRATION_ENV.map((key) => fromSecret(args.appSecretName, key, key === "DATABASE_CA_CERT")),
                                    { name: "ZDP_VERSION", value: m.version },
                                    { name: "ZDP_MIGRATION_PHASE", value: m.phase },
                                    ...(envSecret ? extra.map((key) => fromSecret(envSecret.metadata.name, key)) : []),
                                    { name: "HOME", value: "/tmp" },
                                ],
                                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
                                securityContext: restrictedContainer,
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                    },
                },
            },
        },
        {
            ...opts,
            // A Job's pod template cannot change in place: a changed image, command or env replaces it
            // (same name, so delete first), which is a new run.
            deleteBeforeReplace: true,
            // Above the deadline, so a Job that runs too long reports DeadlineExceeded, not a Pulumi timeout
            // (the provider's default for a Job is 10 minutes, DefaultJobTimeoutMins).
            customTimeouts: { create: "20m", update: "20m" },
        },
    );
}
