// The release keys of one app (the stack's default app at the top level, another under apps.<name>):
// which keys its strategy takes, and its ReleaseConfig from their parsed values. Pure.
import { rollbackWindow } from "./rollbackWindow";
import { promotedAtProblem } from "./rollbackWindow";
import type { Color, ConfigIssue, Migration, ReleaseConfig, Strategy } from "./stackConfig";
import type { ProjectKey } from "./projectKeys";

type ReleaseValues = Partial<Record<ProjectKey, string>>;

/** Release keys must match the strategy, so that a config never says something the program ignores. */
export function releaseKeyIssues(values: ReleaseValues, strategy: Strategy | undefined, prefix = ""): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (strategy === "rolling") {
        if (values.appVersion === undefined) issues.push({ key: `${prefix}appVersion`, message: `is required with ${prefix}releaseStrategy rolling` });
        const inert: ReleaseValues = { canaryWeight: "0", inactiveScale: "full", rollbackWindowMinutes: DEFAULT_WINDOW_MINUTES };
        for (const key of ["blueVersion", "greenVersion", "canaryWeight", "previewHost", "inactiveScale", "rollbackWindowMinutes", "promotedAt"] as const) {
            if (values[key] !== undefined && values[key] !== inert[key])
                issues.push({
                    key: `${prefix}${key}`,
                    value: values[key],
                    message: `applies only to blueGreen and canary releases, not to releaseStrategy rolling; remove it or change releaseStrategy`,
                });
        }
    } else if (strategy) {
        for (const key of ["blueVersion", "greenVersion"] as const) {
            if (values[key] === undefined) issues.push({ key: `${prefix}${key}`, message: `is required with ${prefix}releaseStrategy ${strategy}` });
        }
        if (values.appVersion !== undefined)
            issues.push({
                key: `${prefix}appVersion`,
                value: values.appVersion,
                message: `applies only to releaseStrategy rolling; with ${strategy} set blueVersion and greenVersion`,
            });
        if (strategy === "blueGreen" && values.canaryWeight !== undefined && values.canaryWeight !== "0")
            issues.push({
                key: `${prefix}canaryWeight`,
                value: values.canaryWeight,
                message: "applies only to releaseStrategy canary; blueGreen always sends 100% to activeColor",
            });
    }
    return issues;
}

/** Pulumi.yaml's rollbackWindowMinutes: a rolling stack keeps it, since it has no colour to hold. */
const DEFAULT_WINDOW_MINUTES = "60";

/** promotedAt against the clock of this run: a valid instant, not after it. */
export function timeIssues(values: ReleaseValues, asOf: Date, prefix = ""): ConfigIssue[] {
    const problem = values.promotedAt === undefined ? undefined : promotedAtProblem(values.promotedAt, asOf);
    return problem ? [{ key: `${prefix}promotedAt`, value: values.promotedAt, message: problem }] : [];
}

/** One app's ReleaseConfig from its parsed keys (every key valid); the rollback window is judged at `asOf`. */
export function releaseConfigOf(parsed: Partial<Record<ProjectKey, unknown>>, migrations: Migration[], asOf: Date): ReleaseConfig {
    const strategy = parsed.releaseStrategy as Strategy;
    return {
        strategy,
        appVersion: parsed.appVersion as string | undefined,
        blueVersion: parsed.blueVersion as string | undefined,
        greenVersion: parsed.greenVersion as string | undefined,
        activeColor: parsed.activeColor as Color,
        canaryWeight: strategy === "canary" ? ((parsed.canaryWeight as number | undefined) ?? 0) : 0,
        inactiveScale: parsed.inactiveScale as "full" | "minimal",
        rollbackWindow: rollbackWindow(
            strategy === "rolling" ? 0 : (parsed.rollbackWindowMinutes as number),
            parsed.promotedAt === undefined ? undefined : new Date(parsed.promotedAt as string),
            asOf,
        ),
        sessionAffinity: parsed.sessionAffinity as ReleaseConfig["sessionAffinity"],
        previewHost: parsed.previewHost as string | undefined,
        previewHeader: parsed.previewHeader as string,
        migrations,
    };
}
