// Which config key keeps GitHub-hosted runners from a stack's Kubernetes API (an IP allow-list, or a
// private cluster), and the workflows' refusal of such a runner for that stack: GitHub advises against
// allow-listing its hosted runners' ranges, and a private API has no public endpoint at all
// (docs/delivery.md#self-hosted-runners-inside-each-clouds-network).
//   npx tsx scripts/apiAllowList.ts STACK RUNNER_VARIABLE   (exit 1 with the reason when a hosted runner cannot reach it)
import * as fs from "fs";
import * as path from "path";
import { parseConfig, type StackConfig } from "../model/config";
import { mergedConfig, projectName } from "./pulumiConfig";

/** Why a GitHub-hosted runner cannot reach a stack's Kubernetes API: the config key that decides it, and what the API admits. */
export interface HostedRunnerBlock {
    key: string;
    admits: string;
}

/** Undefined when a GitHub-hosted runner reaches the stack's Kubernetes API (no IP allow-list, no private network). */
export function apiAllowList(cfg: StackConfig): HostedRunnerBlock | undefined {
    const listed = (key: string) => ({
        key,
        admits: `admits only the CIDRs in ${key}, and GitHub-hosted runners cannot be among them (GitHub advises against allow-listing its ranges)`,
    });
    if (cfg.cloud === "aws") return listed("aws.apiPublicAccessCidrs");
    // private: no public endpoint at all, so only machines inside (or peered with) the stack's VNet reach it.
    if (cfg.cloud === "azure")
        return cfg.azure!.apiAccess === "private"
            ? { key: "azure.apiAccess", admits: "is private (azure.apiAccess private): only machines inside the stack's VNet reach it" }
            : listed("azure.apiServerAuthorizedIpRanges");
    // dns: only the DNS-based endpoint, authorized by IAM from anywhere (GitHub-hosted runners included).
    if (cfg.cloud === "gcp") return cfg.gcp!.controlPlaneAccess === "dns" ? undefined : listed("gcp.masterAuthorizedNetworks");
    return undefined;
}

export function stackConfig(root: string, stack: string): StackConfig {
    const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");
    return parseConfig(mergedConfig(read("Pulumi.yaml"), read(`Pulumi.${stack}.yaml`)), stack, projectName(read("Pulumi.yaml")));
}

/** The GitHub error annotation for a GitHub-hosted runner on a stack whose API it cannot reach. */
export function refusal(stack: string, block: HostedRunnerBlock, runnerVariable: string): string {
    return (
        `::error title=Self-hosted runner required::The ${stack} stack's Kubernetes API ${block.admits}. ` +
        `Run a self-hosted runner inside the ${stack} network and set the repository variable ${runnerVariable} to its label: ` +
        `docs/delivery.md#self-hosted-runners-inside-each-clouds-network`
    );
}

if (require.main === module) {
    const [stack, runnerVariable] = process.argv.slice(2);
    if (!stack || !runnerVariable) {
        console.error("usage: npx tsx scripts/apiAllowList.ts STACK RUNNER_VARIABLE");
        process.exit(2);
    }
    const block = apiAllowList(stackConfig(path.resolve(__dirname, ".."), stack));
    if (block) {
        console.log(refusal(stack, block, runnerVariable));
        process.exit(1);
    }
    console.log(`The ${stack} stack's Kubernetes API has no IP allow-list: a GitHub-hosted runner can reach it.`);
}
