// The real systems the e2e suite drives, built by e2e/build.sh from their Go modules.
import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..");
export const BIN = path.join(process.env.ZDP_E2E_CACHE ?? path.join(os.homedir(), ".cache", "zdp-e2e"), "bin");

/** Path of a built tool; a missing one fails the test and says how to get it (never a silent skip). */
export function tool(name: string): string {
    const p = path.join(BIN, name);
    if (!fs.existsSync(p)) throw new Error(`e2e: ${name} is missing from ${BIN}; run e2e/build.sh (needs Go 1.26+ and its module proxy)`);
    return p;
}

/** A throwaway Pulumi project: copies of Pulumi.yaml and the given stack files, its main, a local file backend. */
export class PulumiProject {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-e2e-"));
    readonly env: NodeJS.ProcessEnv;

    constructor(stacks: string[]) {
        for (const f of ["Pulumi.yaml", ...stacks.map((s) => `Pulumi.${s}.yaml`)]) fs.copyFileSync(path.join(ROOT, f), path.join(this.dir, f));
        // The CLI stats the project's `main` (Pulumi.yaml: index.ts) even for an inline program.
        fs.symlinkSync(path.join(ROOT, "index.ts"), path.join(this.dir, "index.ts"));
        fs.mkdirSync(path.join(this.dir, "state"));
        this.env = {
            ...process.env,
            PATH: `${BIN}:${process.env.PATH}`,
            PULUMI_HOME: path.join(this.dir, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            NO_COLOR: "1",
        };
        for (const s of stacks) this.pulumi("stack", "init", s);
    }

    pulumi(...args: string[]): string {
        return this.run(tool("pulumi"), args);
    }

    run(file: string, args: string[], opts: ExecFileSyncOptions = {}): string {
        try {
            return execFileSync(file, args, { cwd: this.dir, env: this.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts }) as string;
        } catch (e: any) {
            throw new Error(`${path.basename(file)} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`, { cause: e });
        }
    }

    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }

    write(file: string, text: string): void {
        fs.writeFileSync(path.join(this.dir, file), text);
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Poll `ok` every half second until it holds; throws after `seconds`, naming `what`. */
export async function until(ok: () => boolean, seconds: number, what: string): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!ok()) {
        if (Date.now() > deadline) throw new Error(`e2e: timed out after ${seconds} s waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 500));
    }
}
