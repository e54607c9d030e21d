// The child process of e2e/pulumiSignals.e2e.ts: a `pulumi up` driven as the release CLI drives it,
// in a process group the suite sends SIGINT to, as a terminal does on Ctrl-C.
// Arguments: own|sdk (pulumiCommand.ts's runner, or the Automation API's own), the project directory,
// and a file whose appearance lets the inline program finish.
import fs from "node:fs";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { ownGroupPulumi } from "../scripts/release/pulumiCommand";

const [mode, workDir, go] = process.argv.slice(2);

// The release CLI's stance: a signal is its own to handle (here: noted, the process stays).
process.on("SIGINT", () => console.log("CHILD GOT SIGINT"));

async function main(): Promise<string> {
    const pulumiCommand = mode === "own" ? (await ownGroupPulumi()).command : await PulumiCommand.get();
    const program = async () => {
        console.log("PROGRAM RUNNING");
        while (!fs.existsSync(go)) await new Promise((r) => setTimeout(r, 100));
        return { finished: true };
    };
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "dev", projectName: "zdp", program },
        { workDir, pulumiCommand, envVars: process.env as Record<string, string> },
    );
    try {
        const r = await stack.up({ onOutput: (l) => process.stdout.write(l), color: "never" });
        return `UP ${r.summary.result}`;
    } catch (e) {
        return `UP FAILED ${(e as Error).message.split("\n").slice(-6).join(" | ")}`;
    }
}

void main().then((line) => console.log(line));
