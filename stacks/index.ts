// Config in, one target's composition out. index.ts is these two calls; the harness makes the same two.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseConfig, type Cloud, type StackConfig } from "../components/config";
import type { StackOutputs } from "./types";

export type { StackOutputs } from "./types";

/** Parse and validate the whole stack config; invalid config stops the program before any resource. */
export function readConfig(): StackConfig {
    try {
        return parseConfig(pulumi.runtime.allConfig(), pulumi.getStack(), pulumi.getProject());
    } catch (e) {
        // RunError prints the message without a stack trace.
        throw e instanceof ConfigError ? new pulumi.RunError(e.message) : e;
    }
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
