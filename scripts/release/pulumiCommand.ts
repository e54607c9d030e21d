// The Pulumi CLI as the Automation API runs it, but in a process group of its own. In a terminal,
// Ctrl-C sends SIGINT to the whole foreground process group: a `pulumi up` started the Automation
// API's way (execa, in the CLI's group) gets it too and cancels its update, whatever the release CLI
// decides. Started detached (setsid: a session and group of its own), it gets only the signals the
// release CLI sends it. The Node.js Automation API has no option for this (pulumi/pulumi#6334, open),
// so this replaces the runner of the PulumiCommand it is given (`run`, internal in @pulumi/pulumi
// 3.270.0, which package.json pins; tests/release/main.release.ts (npm run test:release) drives it through the real
// LocalWorkspace, e2e/pulumiSignals.e2e.ts with the real Pulumi CLI). The CLI's plugins and language host already run in process groups of their own
// (sdk/go/common/util/cmdutil RegisterProcessGroup), and Pulumi stops them itself when it is interrupted.
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

/** The SDK's result and error types (the same classes its own runner builds, so its callers see no difference). */
interface CommandResult {
    stdout: string;
    stderr: string;
    code: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkCmd = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => CommandResult };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkErrors = require("@pulumi/pulumi/automation/errors") as { createCommandError: (result: CommandResult) => Error };

type OnOutput = (data: string) => void;
type Runner = (
    args: string[],
    cwd: string,
    env: Record<string, string>,
    onOutput?: OnOutput,
    onError?: OnOutput,
    signal?: AbortSignal,
) => Promise<CommandResult>;

/** Without its final newline, as execa returns output. */
const chomp = (s: string) => s.replace(/\r?\n$/, "");

/** The Pulumi commands that change or plan a stack: none starts once the release was cancelled. */
const UPDATES = new Set(["up", "preview", "refresh", "destroy"]);

export interface OwnGroupPulumi {
    /** For LocalWorkspace's `pulumiCommand` option. */
    command: PulumiCommand;
    /**
     * SIGINT to every running pulumi process, as Ctrl-C on `pulumi up` itself would send: the first
     * cancels its update (operations under way finish, no new one starts), a second terminates it. From
     * then on no update command starts. Returns how many processes got it.
     */
    interrupt(): number;
    /** Resolves once no pulumi process runs (at once when none does). */
    whenIdle(): Promise<void>;
}

/** Runs `command` (the pulumi binary) like the SDK's runner, each process detached into a group of its own. */
function ownGroupRunner(command: string, running: Set<ChildProcess>, cancelled: () => boolean, ended: () => void): Runner {
    return (args, cwd, additionalEnv, onOutput, onError, signal) => {
        if (cancelled() && UPDATES.has(args[0]))
            return Promise.reject(new Error(`pulumi ${args[0]} not started: the release was cancelled (SIGINT/SIGTERM a second time)`));
        // As the SDK's runner: never prompt, the CLI's own directory first on PATH (its bundled plugins).
        if (!args.includes("--non-interactive")) args.push("--non-interactive");
        const env: Record<string, string | undefined> = { ...process.env, ...additionalEnv, PULUMI_AUTOMATION_API: "true" };
        if (path.isAbsolute(command)) env.PATH = `${path.dirname(command)}${os.platform() === "win32" ? ";" : ":"}${additionalEnv.PATH ?? process.env.PATH}`;
        return new Promise((resolve, reject) => {
            // Windows has no process groups to leave; detached there would open a console window.
            const child = spawn(command, args, { cwd, env, detached: process.platform !== "win32", stdio: ["ignore", "pipe", "pipe"] });
            running.add(child);
            let stdout = "";
            let stderr = "";
            child.stdout.setEncoding("utf8").on("data", (d: string) => ((stdout += d), onOutput?.(d)));
            child.stderr.setEncoding("utf8").on("data", (d: string) => ((stderr += d), onError?.(d)));
            signal?.addEventListener("abort", () => child.kill("SIGINT"), { once: true });
            // The SDK's failure, text included (failureDetail reads it): execa's error ("Command failed
            // with exit code 255: pulumi up ...", then stderr and stdout), wrapped in a CommandError.
            const failed = (how: string, cause?: Error) => {
                const e = new Error(
                    [`Command ${how}: ${[command, ...args].join(" ")}${cause ? `\n${cause.message}` : ""}`, chomp(stderr), chomp(stdout)]
                        .filter(Boolean)
                        .join("\n"),
                );
                return sdkErrors.createCommandError(new sdkCmd.CommandResult("", e.message, -2, e));
            };
            const done = () => (running.delete(child), ended());
            child.on("error", (e: NodeJS.ErrnoException) => (done(), reject(failed(`failed with ${e.code}`, e))));
            child.on("close", (code, sig) => {
                done();
                if (code === 0) resolve(new sdkCmd.CommandResult(chomp(stdout), chomp(stderr), 0));
                else reject(failed(sig ? `was killed with ${sig}` : `failed with exit code ${code}`));
            });
        });
    };
}

/** The Pulumi CLI on PATH (version-checked like the SDK's default), run in process groups of its own. */
export async function ownGroupPulumi(): Promise<OwnGroupPulumi> {
    const command = await PulumiCommand.get();
    const running = new Set<ChildProcess>();
    let cancelled = false;
    const idle: (() => void)[] = [];
    const ended = () => running.size === 0 && idle.splice(0).forEach((f) => f());
    Object.assign(command, { run: ownGroupRunner(command.command, running, () => cancelled, ended) });
    return {
        command,
        interrupt() {
            cancelled = true;
            for (const child of running) child.kill("SIGINT");
            return running.size;
        },
        whenIdle: () => new Promise((resolve) => (running.size === 0 ? resolve() : idle.push(resolve))),
    };
}
