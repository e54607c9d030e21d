// Which config key allow-lists a stack's Kubernetes API, and the workflows' refusal of a GitHub-hosted
// runner for such a stack: GitHub advises against allow-listing its hosted runners' ranges, so they
// cannot reach the API (docs/delivery.md#self-hosted-runners-inside-each-clouds-network).
//   npx tsx scripts/apiAllowList.ts STACK RUNNER_VARIABLE   (exit 1 with the reason when allow-listed)
import * as fs from "fs";
import * as path from "path";
import { parseConfig, type StackConfig } from "../components/config";
import { mergedConfig } from "./pulumiConfig";

/** The key whose CIDRs alone may reach the stack's Kubernetes API; undefined when no IP allow-list guards it. */
export function apiAllowList(cfg: StackConfig): string | undefined {
    if (cfg.cloud === "aws") return "aws.apiPublicAccessCidrs";
    if (cfg.cloud === "azure") return "azure.apiServerAuthorizedIpRanges";
    // dns: only the DNS-based endpoint, authorized by IAM from anywhere (GitHub-hosted runners included).
    if (cfg.cloud === "gcp") return cfg.gcp!.controlPlaneAccess === "dns" ? undefined : "gcp.masterAuthorizedNetworks";
    return undefined;
}

export function stackConfig(root: string, stack: string): StackConfig {
    const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");
    return parseConfig(mergedConfig(read("Pulumi.yaml"), read(`Pulumi.${stack}.yaml`)), stack);
}

/** The GitHub error annotation for a GitHub-hosted runner on an allow-listed stack. */
export function refusal(stack: string, key: string, runnerVariable: string): string {
    return (
        `::error title=Self-hosted runner required::The ${stack} stack's Kubernetes API admits only the CIDRs in ${key}, ` +
        `and GitHub-hosted runners cannot be among them (GitHub advises against allow-listing its ranges). ` +
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
    const key = apiAllowList(stackConfig(path.resolve(__dirname, ".."), stack));
    if (key) {
        console.log(refusal(stack, key, runnerVariable));
        process.exit(1);
    }
    console.log(`The ${stack} stack's Kubernetes API has no IP allow-list: a GitHub-hosted runner can reach it.`);
}
