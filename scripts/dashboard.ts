// Live release page: `npm run dashboard -- --stack S [--port N] [--simulate]` serves http://127.0.0.1:N/
// with the route weights, each colour's version, ready pods, error rate and latency, and a running release.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { SimulatedCanary } from "./dashboard/simulated";
import { serveDashboard } from "./dashboard/server";
import { kubectlReadyPods } from "./dashboard/readyPods";
import { StackFileSource } from "./dashboard/stackSource";
import { loadAnalysis } from "./release/analysis";
import { commandLine, usageError } from "./cli";

const USAGE = `usage: npm run dashboard -- --stack S [--analysis FILE] [--kubeconfig FILE] [--context NAME] [--port N] [--simulate]
  --stack S     stack whose release to show (Pulumi.<S>.yaml)
  --analysis F  the release CLI's analysis file: its metric source gives live error rate and p99
  --kubeconfig F, --context C
                the cluster whose ready pods to show (kubectl; default: the stack's kubernetes:context, else kubectl's current one)
  --port N      local port (default 8090)
  --simulate    show a simulated canary instead (no cluster needed)`;

/** The dev stack's `kubernetes:context` (the provider's context, stacks/local.ts), if the stack file sets one. */
function stackContext(stack: string): string | undefined {
    const file = path.resolve(__dirname, "..", `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    const value = (parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config?.["kubernetes:context"];
    return typeof value === "string" ? value : undefined;
}

async function main() {
    const values = commandLine(USAGE, {
        stack: { type: "string" },
        port: { type: "string", default: "8090" },
        analysis: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        simulate: { type: "boolean", default: false },
    });
    if (!values) return;
    if (!values.stack && !values.simulate) usageError(USAGE, "--stack is required");
    const source = values.simulate
        ? new SimulatedCanary(values.stack ?? "simulated")
        : new StackFileSource(path.resolve(__dirname, ".."), values.stack!, {
              metrics: values.analysis ? loadAnalysis(values.analysis).source : undefined,
              pods: kubectlReadyPods({ kubeconfig: values.kubeconfig, context: values.context ?? stackContext(values.stack!) }),
          });
    await source.snapshot(); // a bad stack name or config fails here, before the server starts
    const server = await serveDashboard(source, { port: Number(values.port) });
    console.log(`release dashboard for ${values.stack ?? "a simulated canary"}: ${server.url}  (Ctrl-C to stop)`);
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
});
