// Where one app of a stack keeps its release keys and its outputs: the default app at the top level
// (`activeColor`, the output `endpoint`), another under `apps.<name>` (`apps.api.activeColor`, set by
// path as `pulumi config set --path` does; the output `apps.api.endpoint`). Pure.
import { appKey, APPS_KEY, PREVIEW_TOKENS_OUTPUT } from "../../model/apps";
import { DEFAULT_APP } from "../../model/stackConfig";

const isDefault = (app: string | undefined) => app === undefined || app === DEFAULT_APP;

export { appKey };

/** The stack output holding the app's preview token (a secret). */
export const previewTokenOutput = (app: string | undefined): string => (isDefault(app) ? "previewToken" : `${PREVIEW_TOKENS_OUTPUT}.${app}`);

/** An edit of the app's keys, keyed as the stack file holds them. */
export function scopedEdit(app: string | undefined, edit: Record<string, string>): Record<string, string> {
    return isDefault(app) ? edit : Object.fromEntries(Object.entries(edit).map(([k, v]) => [appKey(app, k), v]));
}

/**
 * The app's own outputs among the stack's (`apps` holds the other apps', `appPreviewTokens` their
 * preview tokens); empty when it has none yet.
 */
export function appOutputs(outputs: Record<string, unknown>, app: string | undefined): Record<string, unknown> {
    if (app === undefined || isDefault(app)) return outputs;
    const field = (key: string) => (outputs[key] as Record<string, unknown> | undefined)?.[app];
    const own = field(APPS_KEY);
    const token = field(PREVIEW_TOKENS_OUTPUT);
    return { ...(own !== null && typeof own === "object" ? own : {}), ...(token === undefined ? {} : { previewToken: token }) };
}

/**
 * The stack file's `apps` object (the text `pulumi config` gives for it) as one key per field, as
 * `pulumi config set --path` names them (`apps.api.activeColor`), so an app's keys restore like the
 * default app's. Fields that are objects themselves (migrations) are left out: no release writes them.
 */
export function flatApps(appsJson: string | undefined): Record<string, string> {
    if (appsJson === undefined) return {};
    let apps: unknown;
    try {
        apps = JSON.parse(appsJson);
    } catch {
        return {};
    }
    const flat: Record<string, string> = {};
    if (apps === null || typeof apps !== "object") return flat;
    for (const [name, entry] of Object.entries(apps as Record<string, unknown>))
        if (entry !== null && typeof entry === "object")
            for (const [key, v] of Object.entries(entry as Record<string, unknown>))
                if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") flat[appKey(name, key)] = String(v);
    return flat;
}
