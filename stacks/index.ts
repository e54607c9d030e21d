// Config in, one target's composition out. index.ts is these three calls; the harness makes the same three.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig, type Cloud, type StackConfig } from "../model/config";
import { ENCRYPTED } from "../model/monitoring/config";
import { describeFinding, preflightFindings } from "../model/preflight";
import type { AppOutputs } from "../components/k8s/app";

/** What every stack exports (the app's endpoint, release state and data store hosts, and its platform's outputs). */
export type StackOutputs = AppOutputs;

/**
 * Parse and validate the whole stack config; invalid config stops the program before any resource.
 * `asOf` is the instant the rollback window is judged at: this run's start (the offline runs pass theirs).
 */
export function readConfig(asOf: Date = new Date()): StackConfig {
    try {
        return parseConfig(pulumi.runtime.allConfig(), pulumi.getStack(), pulumi.getProject(), asOf);
    } catch (e) {
        // RunError prints the message without a stack trace.
        throw e instanceof ConfigError ? new pulumi.RunError(e.message) : e;
    }
}

/**
 * What a cloud stack must not run with (model/preflight.ts): a preview warns, naming each key to
 * set, and returns the warnings; `pulumi up` refuses before any resource is declared.
 */
export function preflight(
    cfg: StackConfig,
    raw: Record<string, string> = pulumi.runtime.allConfig(),
    dryRun = pulumi.runtime.isDryRun(),
    warn: (finding: string) => void = (f) => void pulumi.log.warn(`pulumi up will refuse this stack: ${f}`),
): string[] {
    const findings = preflightFindings(cfg, raw);
    // The offline plan reads an encrypted value as ENCRYPTED; a real `pulumi up` reading it means the text itself was set.
    if (!dryRun && cfg.monitoring.webhook === ENCRYPTED)
        findings.push({ key: "alertWebhook", value: ENCRYPTED, why: "is that text, not a URL: pulumi config set --secret alertWebhook https://..." });
    const lines = findings.map(describeFinding);
    if (lines.length === 0) return [];
    if (!dryRun)
        throw new pulumi.RunError(
            `pulumi up refuses this ${cfg.cloud} stack until these are set (${lines.length}):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
        );
    for (const l of lines) warn(l);
    return lines;
}

// Loaded lazily: each target pulls in only its own provider SDK.
type Target = { deploy(cfg: StackConfig): StackOutputs };
/* eslint-disable @typescript-eslint/no-require-imports -- an import statement would load all four */
const targets: Record<Cloud, () => Target> = {
    local: () => require("./local") as Target,
    aws: () => require("./aws") as Target,
    azure: () => require("./azure") as Target,
    gcp: () => require("./gcp") as Target,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export function deployTarget(cfg: StackConfig): StackOutputs {
    let target: ReturnType<(typeof targets)[Cloud]>;
    try {
        target = targets[cfg.cloud]();
    } catch (e) {
        const missing = (e as { code?: string }).code === "MODULE_NOT_FOUND" && (e as Error).message.includes(`./${cfg.cloud}`);
        throw missing ? new pulumi.RunError(`The ${cfg.cloud} stack is not built yet (stacks/${cfg.cloud}.ts).`) : e;
    }
    return target.deploy(cfg);
}
