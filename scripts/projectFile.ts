// What a stack inherits from Pulumi.yaml's `config:` block, as the Pulumi CLI applies it.
import { parse } from "yaml";
import { PROJECT } from "../components/config";

/** Project keys' defaults (with the `zdp:` prefix) and provider keys' values (`aws:region: {value}`), as strings. */
export function projectConfig(pulumiYaml: string): Record<string, string> {
    const doc = (parse(pulumiYaml) ?? {}) as { config?: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const [key, spec] of Object.entries(doc.config ?? {})) {
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        const s = spec as { value?: unknown; default?: unknown } | null;
        const value = s !== null && typeof s === "object" && !Array.isArray(s) ? (s.value ?? s.default) : s;
        if (value !== undefined && value !== null) out[full] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return out;
}
