// Release CLI: `npm run release -- <status|deploy VERSION|promote|rollback|canary PERCENT> --stack S [--dry-run]`.
// See scripts/release/run.ts for the flow and README "Delivery" for the rollback story.
import path from "node:path";
import { USAGE, UsageError, parseReleaseArgs } from "./release/args";
import { openPulumiWorkspace } from "./release/pulumiWorkspace";
import { EXIT, runRelease } from "./release/run";

async function main(): Promise<number> {
    let args;
    try {
        args = parseReleaseArgs(process.argv.slice(2));
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`error: ${e.message}\n\n${USAGE}`);
        return EXIT.refused;
    }
    const workspace = await openPulumiWorkspace(args.stack, path.resolve(__dirname, ".."));
    const result = await runRelease(args, workspace, (line) => console.log(line));
    return result.exitCode;
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (e) => {
        console.error(e instanceof Error ? e.message : e);
        process.exitCode = EXIT.refused;
    },
);
