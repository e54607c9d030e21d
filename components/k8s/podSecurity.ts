// Pod and container security settings that pass the Kubernetes "restricted" Pod Security Standard
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted), shared by the app
// and the in-cluster datastores. Pure data: no Pulumi import.
import type * as k8s from "@pulumi/kubernetes";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Label the namespace so the API server rejects any pod that is not restricted-compliant. */
export const RESTRICTED_NAMESPACE_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
} as const;

/** The app's uid, and its migrations' (same image by default): any non-root uid works for an image whose files are world-readable (podinfo's are). */
export const APP_UID = 65532;

/** Numeric ids: `runAsNonRoot` can only be verified against a numeric user, not an image's `USER app`. */
export function restrictedPod(uid: number, gid = uid): PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid,
        // Volumes (PVCs, emptyDirs) become group-writable for this gid.
        fsGroup: gid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export const restrictedContainer: SecurityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
