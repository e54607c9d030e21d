// `--edit-only`: the same release plan, written straight into Pulumi.<stack>.yaml (comments kept)
// instead of applied, so a pull request carries the single config change and its preview comment
// shows the route change before anyone merges. Pure text in, text out; no Pulumi CLI.
import { isMap, parseDocument } from "yaml";
import { PROJECT } from "../../model/config";
import type { Action } from "./args";
import { planRelease, readState, RefusedError } from "./change";
import { projectDefaultsFrom } from "./pulumiWorkspace";

const prefix = `${PROJECT}:`;

/** This project's plain (non-secret) keys of a stack file, without the prefix. */
export function stackFileConfig(stackYaml: string): Record<string, string> {
    const doc = parseDocument(stackYaml);
    const config = doc.get("config");
    const out: Record<string, string> = {};
    if (!isMap(config)) return out;
    for (const [k, v] of Object.entries(config.toJSON() as Record<string, unknown>)) {
        if (k.startsWith(prefix) && (typeof v === "string" || typeof v === "number" || typeof v === "boolean")) out[k.slice(prefix.length)] = String(v);
    }
    return out;
}

export interface Proposal {
    summary: string;
    /** The stack file with the change applied. */
    stackYaml: string;
    edit: Record<string, string>;
}

export function proposeRelease(action: Exclude<Action, { kind: "status" }>, pulumiYaml: string, stackYaml: string): Proposal {
    if (action.kind === "canary" && action.percents.length > 1)
        throw new RefusedError("a pull request carries one canary step; open one per percentage (canary 10, then canary 50, ...)");
    const state = readState(projectDefaultsFrom(pulumiYaml), stackFileConfig(stackYaml));
    const plan = planRelease(state, action);
    const edit = Object.assign({}, ...plan.steps.map((s) => s.edit)) as Record<string, string>;
    const doc = parseDocument(stackYaml);
    for (const [k, v] of Object.entries(edit)) doc.setIn(["config", prefix + k], v);
    return { summary: plan.summary, stackYaml: doc.toString(), edit };
}
