// The Cloud KMS key GKE encrypts Kubernetes Secrets with at the application layer (envelope
// encryption in etcd), so an offline copy of the cluster state reveals no Secret without this key.
// https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "./naming";

/** Yearly quarter: KMS makes a new primary version every 90 days; old versions still decrypt. */
export const ROTATION_PERIOD = `${90 * 24 * 3600}s`;

export interface SecretsKeyArgs {
    projectId: string;
    /** The cluster's region: GKE asks for the key in the cluster's location. */
    region: string;
    protect: boolean;
    labels: Labels;
}

/** The key ring and key (auto-named: key rings can never be deleted, so a re-created stack needs new names) and GKE's grant on it. */
export function gkeSecretsKey(
    name: string,
    args: SecretsKeyArgs,
    opts: pulumi.CustomResourceOptions,
): { keyId: pulumi.Output<string>; grant: gcp.kms.CryptoKeyIAMMember } {
    const ring = new gcp.kms.KeyRing(`${name}-secrets`, { location: args.region, project: args.projectId }, opts);
    const key = new gcp.kms.CryptoKey(
        `${name}-secrets`,
        { keyRing: ring.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: ROTATION_PERIOD, labels: args.labels },
        // Destroying the key makes every Secret in the cluster unreadable.
        { ...opts, protect: args.protect },
    );
    // GKE's service agent in this project decrypts and encrypts with the key; nothing else is granted.
    const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.projectId }, opts).number;
    const grant = new gcp.kms.CryptoKeyIAMMember(
        `${name}-secrets-gke`,
        {
            cryptoKeyId: key.id,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
        },
        opts,
    );
    return { keyId: key.id, grant };
}
