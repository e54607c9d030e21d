// Live release page: `npm run dashboard -- --stack S [--app NAME] [--port N] [--simulate]` serves http://127.0.0.1:N/
// with the live route's weights, each colour's version and ready pods, live metrics, and a running (or
// the last) release's steps and verdicts, all read from the stack's cluster.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { SimulatedCanary } from "./dashboard/simulated";
import { serveDashboard } from "./dashboard/server";
import { kubectlCluster, type KubeTarget } from "./dashboard/cluster";
import { ClusterSource } from "./dashboard/clusterSource";
import { loadAnalysis } from "./release/analysis";
import { projectName, ROOT, stackConfigMap } from "./pulumiConfig";
import { commandLine, usageError } from "./cli";

const USAGE = `usage: npm run dashboard -- --stack S [--app NAME] [--analysis FILE] [--kubeconfig FILE | --context NAME] [--port N] [--simulate]
  --stack S     stack whose release to show (Pulumi.<S>.yaml: its namespace and colours)
  --app NAME    the app of the stack's apps config to show (its namespace, Lease, route and
                Deployments); default: the default app (the top-level keys)
  --kubeconfig F, --context C
                the stack's cluster (kubectl); default: the stack's kubeconfig output (pulumi stack output,
                through the Automation API), else, for a stack that exports none (dev), kubectl's current context
  --analysis F  the release CLI's analysis file: its metric source gives live error rate and p99
  --port N      local port (default 8090)
  --simulate    show a simulated canary instead, labelled as such (no cluster needed; the docs' screenshots)`;

/** Where kubectl goes: the flags, else the stack's kubeconfig output (a cloud stack), else the current context. */
async function kubeTarget(stack: string, kubeconfig?: string, context?: string): Promise<KubeTarget> {
    if (kubeconfig || context) return { kubeconfig, context };
    // The Automation API loads only here: --simulate and --help answer without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { stackKubeconfig } = require("./release/pulumiWorkspace") as typeof import("./release/pulumiWorkspace");
    try {
        return { kubeconfig: await stackKubeconfig(stack, ROOT) };
    } catch (e) {
        throw new Error(
            `cannot read stack ${stack}'s kubeconfig output (${(e as Error).message.trim().split("\n").at(-1)}); pass --kubeconfig FILE or --context NAME`,
            {
                cause: e,
            },
        );
    }
}

/** The API server kubectl talks to, for the page; kubectl's own error when it has none. */
function serverOf(target: KubeTarget): string {
    const flags = [...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []), ...(target.context ? ["--context", target.context] : [])];
    const args = [...flags, "config", "view", "--minify", "--output", "jsonpath={.clusters[0].cluster.server}"];
    try {
        return execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    } catch (e) {
        const why = String((e as { stderr?: string }).stderr || (e as Error).message).trim();
        throw new Error(`kubectl cannot use the cluster of ${flags.join(" ") || "the current context"}: ${why}`, { cause: e });
    }
}

async function main() {
    const values = commandLine(USAGE, {
        stack: { type: "string" },
        app: { type: "string" },
        port: { type: "string", default: "8090" },
        analysis: { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string" },
        simulate: { type: "boolean", default: false },
    });
    if (!values) return;
    if (!values.stack && !values.simulate) usageError(USAGE, "--stack is required");
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) usageError(USAGE, `--port ${values.port}: not a port number (0-65535)`);
    let source;
    if (values.simulate) source = new SimulatedCanary(values.stack ?? "simulated");
    else {
        const stack = values.stack!;
        let config;
        try {
            config = stackConfigMap(stack);
        } catch (e) {
            usageError(USAGE, `--stack ${stack}: ${(e as Error).message}`);
        }
        const target = await kubeTarget(stack, values.kubeconfig, values.context);
        source = new ClusterSource(stack, {
            config,
            project: projectName(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")),
            app: values.app,
            cluster: kubectlCluster(target),
            clusterName: serverOf(target),
            metrics: values.analysis ? loadAnalysis(values.analysis).source : undefined,
        });
    }
    await source.snapshot(); // a bad stack name or config fails here, before the server starts
    const server = await serveDashboard(source, { port });
    console.log(`release dashboard for ${values.stack ?? "a simulated canary"}: ${server.url}  (Ctrl-C to stop)`);
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
});
