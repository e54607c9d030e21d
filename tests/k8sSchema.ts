// Validates every recorded Kubernetes object against upstream schemas: built-in kinds with
// kubernetes-models; custom resources with the openAPIV3Schema of the exact CRDs the stacks install
// (crds/, vendored with their sources), as strictly as the API server's strict field validation
// (unknown fields refused; oneOf/anyOf branches constrain fields, they do not declare them). CEL rules (x-kubernetes-validations) are not evaluated here; the e2e
// suite's server-side dry run against a real API server checks those.
import fs from "node:fs";
import path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import type { Recorded } from "./harness";

/** Pulumi types that are not Kubernetes objects themselves (providers, Helm releases, YAML groups). */
const NOT_OBJECTS = /^(pulumi:providers:kubernetes|kubernetes:helm\.sh\/|kubernetes:yaml\/|kubernetes:kustomize\/)/;
const CRD_DIR = path.resolve(__dirname, "..", "crds");

/** Structural schema → JSON Schema that refuses unknown fields, as strict field validation does. */
function strict(schema: any): any {
    if (!schema || typeof schema !== "object") return schema;
    const out: any = Array.isArray(schema) ? schema.map(strict) : Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
    if (
        !Array.isArray(schema) &&
        schema.type === "object" &&
        schema.properties &&
        schema.additionalProperties === undefined &&
        !schema["x-kubernetes-preserve-unknown-fields"]
    )
        out.additionalProperties = false;
    // int-or-string fields carry no type; the API server accepts either.
    if (schema["x-kubernetes-int-or-string"]) out.anyOf = [{ type: "integer" }, { type: "string" }];
    return out;
}

let crdValidators: Map<string, ValidateFunction> | undefined;
/** `group/version:Kind` → validator, for every CRD version in crds/. */
function crdSchemas(): Map<string, ValidateFunction> {
    if (crdValidators) return crdValidators;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    crdValidators = new Map();
    const files = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".yaml") ? [path.join(dir, e.name)] : []));
    for (const file of files(CRD_DIR))
        for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            const crd = doc.toJS();
            if (crd?.kind !== "CustomResourceDefinition") continue;
            for (const v of crd.spec.versions) {
                // metadata is checked by the API server's ObjectMeta rules, not the CRD schema.
                const schema = strict({ ...v.schema.openAPIV3Schema, properties: { ...v.schema.openAPIV3Schema.properties, metadata: { type: "object" } } });
                crdValidators.set(`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`, ajv.compile(schema));
            }
        }
    return crdValidators;
}

function modelModule(apiVersion: string): string | undefined {
    if (apiVersion === "v1") return "kubernetes-models/v1";
    const [group] = apiVersion.split("/");
    if (!group.includes(".") || group.endsWith(".k8s.io")) return `kubernetes-models/${apiVersion}`;
    return undefined;
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
        const object = { ...r.inputs, apiVersion, kind: m[2] };
        const crd = crdSchemas().get(`${apiVersion}:${m[2]}`);
        if (crd) {
            if (crd(object)) report.validated.push(label);
            else
                report.errors.push(
                    `${label}: ${crd.errors!.map((e) => `${e.instancePath} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`).join("; ")}`,
                );
            continue;
        }
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
            new Model(object).validate();
            report.validated.push(label);
        } catch (e) {
            report.errors.push(`${label}: ${(e as Error).message}`);
        }
    }
    return report;
}
