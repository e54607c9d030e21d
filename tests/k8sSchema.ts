// Validates every recorded Kubernetes object against the upstream OpenAPI schemas
// (kubernetes-models for built-in kinds, @kubernetes-models/gateway-api for Gateway API kinds).
import type { Recorded } from "./harness";

/** Pulumi types that are not Kubernetes objects themselves (providers, Helm releases, YAML groups). */
const NOT_OBJECTS = /^(pulumi:providers:kubernetes|kubernetes:helm\.sh\/|kubernetes:yaml\/|kubernetes:kustomize\/)/;

function modelModule(apiVersion: string): string | undefined {
    if (apiVersion === "v1") return "kubernetes-models/v1";
    const [group] = apiVersion.split("/");
    if (group === "gateway.networking.k8s.io") return `@kubernetes-models/gateway-api/${apiVersion}`;
    if (!group.includes(".") || group.endsWith(".k8s.io")) return `kubernetes-models/${apiVersion}`;
    return undefined; // a vendor CRD (e.g. networking.gke.io) has no upstream schema here
}

export interface SchemaReport {
    errors: string[];
    validated: string[];
    /** Objects of kinds with no upstream schema, named so a test can assert exactly which. */
    skipped: string[];
}

export function validateK8s(resources: Recorded[]): SchemaReport {
    const report: SchemaReport = { errors: [], validated: [], skipped: [] };
    for (const r of resources) {
        if (!r.type.startsWith("kubernetes:") || NOT_OBJECTS.test(r.type) || !r.custom) continue;
        const m = /^kubernetes:(.+):([A-Za-z]+)$/.exec(r.type);
        if (!m) continue;
        const apiVersion = m[1].replace(/^core\//, "");
        const label = `${r.type} ${r.name}`;
        const mod = modelModule(apiVersion);
        let Model: (new (data: object) => { validate(): void }) | undefined;
        try {
            Model = mod ? require(mod)[m[2]] : undefined;
        } catch {
            Model = undefined;
        }
        if (!Model) {
            report.skipped.push(label);
            continue;
        }
        try {
            new Model({ ...r.inputs, apiVersion, kind: m[2] }).validate();
            report.validated.push(label);
        } catch (e) {
            report.errors.push(`${label}: ${(e as Error).message}`);
        }
    }
    return report;
}
