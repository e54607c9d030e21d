// Offline plan: run the real program for a stack under Pulumi's mock runtime and print what it
// declares, how it is sized and what the release state is. No cloud account, no Pulumi CLI.
//   npm run plan -- [--stack dev|aws|azure|gcp] [--config KEY=VALUE ...] [--json] [--diff]
import type { Plan } from "./planReport";
import { configOverrides, listStacks } from "./pulumiConfig";
import { commandLine, usageError } from "./cli";
import { PROMOTED_AT_PATTERN } from "../model/rollbackWindow";

const USAGE = `usage: npm run plan -- [--stack ${listStacks().join("|")}] [--config KEY=VALUE ...] [--json] [--diff] [--at TIME]

Runs the program for Pulumi.<stack>.yaml under Pulumi's mock runtime (no cloud, no Pulumi CLI) and
prints the resources, the capacity against targetUsers, the release state, the monthly cost at list
prices, the monitoring and the policy summary.
  --stack S            stack file to plan (default dev)
  --config KEY=VALUE   override a key as \`pulumi config set\` would; aws.cacheNodes=3 sets by path (repeatable)
  --json               one JSON document instead of tables (secrets redacted)
  --diff               also show what the --config overrides change against the stack file
  --at TIME            plan as a run at this UTC time would (e.g. 2026-12-07T20:00:00Z): the rollback
                       window is judged at it (default: now)
  -h, --help           this help`;

async function main(): Promise<void> {
    const values = commandLine(USAGE, {
        stack: { type: "string", default: "dev" },
        config: { type: "string", multiple: true, default: [] },
        json: { type: "boolean", default: false },
        diff: { type: "boolean", default: false },
        at: { type: "string" },
    });
    if (!values) return;
    const stack = values.stack;
    if (!listStacks().includes(stack)) usageError(USAGE, `unknown stack "${stack}"`);
    const { overrides, error } = configOverrides(values.config);
    if (error) usageError(USAGE, error);
    const asOf = values.at === undefined ? undefined : new Date(values.at);
    if (asOf && (!PROMOTED_AT_PATTERN.test(values.at!) || Number.isNaN(asOf.getTime())))
        usageError(USAGE, `--at "${values.at}" is not a UTC time like 2026-12-07T20:00:00Z`);

    // The program and the mock runtime load only now: --help and a wrong argument answer at once.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildPlan, failureText, planJson, renderPlan, shortfalls } = require("./planReport") as typeof import("./planReport");
    let plan: Plan;
    try {
        plan = await buildPlan(stack, overrides, values.diff, asOf);
    } catch (e) {
        process.stderr.write(`plan for stack ${stack} failed:\n${failureText(e)}\n`);
        process.exit(1);
    }
    if (values.json) process.stdout.write(planJson(plan, overrides) + "\n");
    else console.log(renderPlan(plan));
    const short = shortfalls(plan);
    if (short.length > 0) {
        process.stderr.write(`\nThe plan falls short (${short.length}):\n${short.map((x) => `  ✗ ${x}`).join("\n")}\n`);
        process.exitCode = 1;
    }
}

if (require.main === module) void main();
