// `--edit-only`: the same release plan, written straight into Pulumi.<stack>.yaml (comments kept)
// instead of applied, so a pull request carries the single config change and its preview comment
// shows the route change before anyone merges. Pure text in, text out; no Pulumi CLI.
import { parseDocument, Scalar, type Document } from "yaml";
import { mergedConfig, pathValue, projectName } from "../pulumiConfig";
import type { ReleaseAction } from "./args";
import { planRelease, readState, RefusedError } from "./change";

export interface Proposal {
    summary: string;
    /** The stack file with the change applied. */
    stackYaml: string;
    edit: Record<string, string>;
}

/** `app`: `--app` (undefined: the default app). */
export function proposeRelease(action: ReleaseAction, pulumiYaml: string, stackYaml: string, stack: string, app?: string): Proposal {
    if (action.kind === "canary" && action.percents.length > 1)
        throw new RefusedError("a pull request carries one canary step; open one per percentage (canary 10, then canary 50, ...)");
    const project = projectName(pulumiYaml);
    const state = readState(mergedConfig(pulumiYaml, stackYaml), stack, project, app);
    const plan = planRelease(state, action);
    const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as Record<string, string>;
    return { summary: plan.summary, stackYaml: editedStackFile(stackYaml, project, edit), edit };
}

/**
 * The stack file with the project keys of `edit` set, everything else (comments, secure values) kept.
 * A dotted key (another app's, `apps.api.activeColor`) is a path into an object, as `pulumi config set --path` writes it.
 */
export function editedStackFile(stackYaml: string, project: string, edit: Record<string, string>): string {
    const doc = parseDocument(stackYaml);
    for (const [k, v] of Object.entries(edit)) {
        const [head, ...fields] = k.split(".");
        doc.setIn(["config", `${project}:${head}`, ...fields], fields.length ? pathScalar(doc, v) : configScalar(doc, v));
    }
    return doc.toString();
}

/** A value inside an object as `pulumi config set --path` stores it: whole numbers and true/false typed (pulumiConfig.ts pathValue). */
function pathScalar(doc: Document, value: string): Scalar {
    const typed = pathValue(value);
    return typeof typed === "string" ? configScalar(doc, value) : (doc.createNode(typed) as Scalar);
}

/**
 * A config value as `pulumi config set` writes it: quoted where Pulumi's Go YAML reader would take the
 * plain text for another type, such as promotedAt's date (go-yaml's encoder quotes a string whose plain
 * form resolves to another tag; scripts/pulumiConfig.ts checkScalars refuses it unquoted).
 */
export function configScalar(doc: Document, value: string): Scalar {
    const node = doc.createNode(value) as Scalar;
    if (/^\d{4}-\d\d?-\d\d?([Tt ]|$)/.test(value)) node.type = Scalar.QUOTE_DOUBLE;
    return node;
}
