// `npm run release` itself (scripts/release.ts main()) as a real child process, with stand-ins for the
// Pulumi CLI and kubectl on its PATH. Each stand-in is a shim: a small node script that hands its
// arguments and stdin to this process over HTTP on 127.0.0.1 and prints the answer, so the stand-ins'
// logic and state live here, typed: the stack file (a real file the CLI reads and `pulumi config`
// writes), the deployed stack (what `up` last deployed: the outputs and the app's answers), and the
// release Lease (MemoryLeases answering as the API server does through kubectl). A shim that gets
// SIGINT or SIGTERM reports it and exits as a cancelled `pulumi up` does.
//
// The CLI reads Pulumi.yaml and Pulumi.<stack>.yaml next to its scripts/ directory, so it runs from a
// throwaway copy of its sources (scripts/, model/, policy/, copied at the start) with the
// repository's stack files; the repository's own files are never written.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseDocument } from "yaml";
import { mergedConfig } from "../scripts/pulumiConfig";
import { readState, type ReleaseState } from "../scripts/release/change";
import { configScalar } from "../scripts/release/propose";
import { COLOR_HEADER, VERSION_HEADER } from "../scripts/release/health";
import { LEASE_NAME, type Lease } from "../scripts/release/lock";
import { HANG_MS } from "./hang";
import { MemoryLeases } from "./memoryLeases";
import { entriesOf } from "../scripts/release/record";

const ROOT = path.resolve(__dirname, "..");
const TOKEN = "fake-preview-token-0123456789abcdefghij";

export interface ToolCall {
    tool: "pulumi" | "kubectl";
    argv: string[];
    stdin: string;
    pid: number;
}
interface Answer {
    stdout?: string;
    stderr?: string;
    code?: number;
}

/** Closes a stand-in's servers (their open connections too) and removes its directory. */
export function stopAll(servers: http.Server[], dir: string): void {
    for (const s of servers) {
        s.closeAllConnections();
        s.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
}

/** The release CLI as a child process: its output so far, and waits on it. */
export class Cli {
    out = "";
    err = "";
    readonly exited: Promise<number>;
    private readonly waits: (() => void)[] = [];

    constructor(readonly child: ChildProcess) {
        const grow = (which: "out" | "err") => (d: string) => {
            this[which] += d;
            for (const w of this.waits.splice(0)) w();
        };
        child.stdout!.setEncoding("utf8").on("data", grow("out"));
        child.stderr!.setEncoding("utf8").on("data", grow("err"));
        this.exited = new Promise((resolve) => child.on("close", (code) => resolve(code ?? -1)));
        const hang = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
        void this.exited.then(() => clearTimeout(hang));
    }

    /** Resolves once stdout or stderr matches; rejects if the CLI exits first. */
    async waitFor(re: RegExp): Promise<void> {
        for (;;) {
            if (re.test(this.out + this.err)) return;
            const more = new Promise<void>((resolve) => this.waits.push(resolve));
            const code = await Promise.race([more.then(() => undefined), this.exited]);
            if (code !== undefined && !re.test(this.out + this.err)) throw new Error(`exited ${code} before ${re}:\n${this.out}\n${this.err}`);
        }
    }
}

export class FakeTools {
    /** The throwaway project the CLI runs in. */
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-release-main-"));
    readonly calls: ToolCall[] = [];
    /** Calls no stand-in answers (a test asserts there are none). */
    readonly unanswered: string[] = [];
    /** Signals the shims received, with the call they were running. */
    readonly signals: (ToolCall & { signal: string })[] = [];
    readonly leases = new MemoryLeases();
    deployed: ReleaseState;
    ups = 0;
    /** Hold each `up` until finishUp() (false: it answers at once). */
    holdUps = false;
    /**
     * The app as the shipped image (podinfo) answers: no x-zdp-* headers, and GET /version with
     * {"version": ...} (github.com/stefanprodan/podinfo pkg/api/http/version.go). False: the headers.
     */
    podinfo = false;
    /** Ends the held `up`: deployed (finishUp), or not (its shim was signalled: a cancelled update). */
    private held?: (deploy: boolean) => void;
    private readonly upWaits: ((call: ToolCall) => void)[] = [];
    private readonly signalWaits: (() => void)[] = [];
    private servers: http.Server[] = [];
    private appUrl = "";
    private toolPort = 0;

    private constructor() {
        // The release CLI's sources: scripts/ and what they import (model/, which uses policy/'s CIDR maths).
        for (const d of ["scripts", "model", "policy"])
            fs.cpSync(path.join(ROOT, d), path.join(this.dir, d), { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
        for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "package.json", "tsconfig.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(this.dir, f));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(this.dir, "node_modules"));
        this.deployed = this.fileState();
    }

    static async start(): Promise<FakeTools> {
        const t = new FakeTools();
        await t.listen();
        return t;
    }

    get stackFile(): string {
        return path.join(this.dir, "Pulumi.dev.yaml");
    }

    /** The release state the stack file describes now. */
    fileState(): ReleaseState {
        return readState(mergedConfig(fs.readFileSync(path.join(this.dir, "Pulumi.yaml"), "utf8"), fs.readFileSync(this.stackFile, "utf8")), "dev", "zdp");
    }

    /** `npm run release -- <argv>` in its own process group (as a shell runs a job), or on a pseudo-terminal (`script`). */
    release(argv: string[], opts: { tty?: boolean } = {}): Cli {
        const cmd = [process.execPath, "--require", "tsx/cjs", path.join(this.dir, "scripts", "release.ts"), ...argv];
        const env = { ...process.env, PATH: `${path.join(this.dir, "bin")}${path.delimiter}${process.env.PATH}` };
        if (!opts.tty) return new Cli(spawn(cmd[0], cmd.slice(1), { cwd: this.dir, env, detached: true, stdio: ["pipe", "pipe", "pipe"] }));
        // util-linux script(1) runs the command on a new pseudo-terminal and copies our stdin to it.
        const line = cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
        return new Cli(spawn("script", ["-qec", line, "/dev/null"], { cwd: this.dir, env, stdio: ["pipe", "pipe", "pipe"] }));
    }

    /** A workflow step's `run` script, as the runner runs it (bash -e), in the project with the stand-ins on PATH. */
    script(run: string, env: Record<string, string>): Cli {
        const PATH = `${path.join(this.dir, "bin")}${path.delimiter}${process.env.PATH}`;
        return new Cli(
            spawn("bash", ["-e", "-c", run], { cwd: this.dir, env: { ...process.env, ...env, PATH }, detached: true, stdio: ["pipe", "pipe", "pipe"] }),
        );
    }

    /** The next `pulumi up` that starts. */
    nextUp(): Promise<ToolCall> {
        return new Promise((resolve) => this.upWaits.push(resolve));
    }

    /** Lets the held `up` complete: it deploys the stack file. */
    finishUp(): void {
        this.held?.(true);
    }

    /** Resolves once a shim has reported a signal. */
    signalled(): Promise<void> {
        return this.signals.length ? Promise.resolve() : new Promise((resolve) => this.signalWaits.push(resolve));
    }

    /** Back to the repository's stack file, deployed as it is, no lease, nothing recorded. */
    reset(): void {
        this.held?.(false);
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), this.stackFile);
        this.deployed = this.fileState();
        this.leases.lease = undefined;
        this.leases.entries.length = this.leases.heldAtWrite.length = 0;
        this.calls.length = this.unanswered.length = this.signals.length = 0;
        this.ups = 0;
        this.holdUps = false;
        this.podinfo = false;
    }

    stop(): void {
        stopAll(this.servers, this.dir);
    }

    private async listen(): Promise<void> {
        const listen = async (handler: http.RequestListener) => {
            const s = http.createServer(handler);
            this.servers.push(s);
            await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
            return (s.address() as AddressInfo).port;
        };
        // The app: the preview token reaches the colour without traffic, everything else the active one.
        this.appUrl = `http://127.0.0.1:${await listen((req, res) => {
            const d = this.deployed;
            const colour = req.headers[d.previewHeader] === TOKEN ? d.inactiveColor : d.activeColor;
            if (!this.podinfo) res.writeHead(200, { [COLOR_HEADER]: colour, [VERSION_HEADER]: d.versions[colour] ?? "" }).end("ok");
            else if (req.url === "/version")
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: d.versions[colour], commit: "" }));
            else res.writeHead(200, { "content-type": "application/json" }).end("{}");
        })}`;
        this.toolPort = await listen((req, res) => {
            let body = "";
            req.setEncoding("utf8").on("data", (c: string) => (body += c));
            req.on("end", () => void this.serve(req.url!, JSON.parse(body) as ToolCall & { signal?: string }, res));
        });
        fs.mkdirSync(path.join(this.dir, "bin"));
        for (const tool of ["pulumi", "kubectl"]) fs.writeFileSync(path.join(this.dir, "bin", tool), this.shim(tool), { mode: 0o755 });
    }

    private async serve(url: string, call: ToolCall & { signal?: string }, res: http.ServerResponse): Promise<void> {
        if (url === "/signal") {
            this.signals.push({ ...call, signal: call.signal! });
            this.held?.(false);
            for (const w of this.signalWaits.splice(0)) w();
            res.end("{}");
            return;
        }
        this.calls.push(call);
        const a = call.tool === "pulumi" ? await this.pulumi(call) : await this.kubectl(call);
        if (!res.destroyed) res.end(JSON.stringify({ stdout: a.stdout ?? "", stderr: a.stderr ?? "", code: a.code ?? 0 }));
    }

    private outputs(masked: boolean): Record<string, unknown> {
        const d = this.deployed;
        return { endpoint: this.appUrl, activeColor: d.activeColor, weights: d.weights, versions: d.versions, previewToken: masked ? "[secret]" : TOKEN };
    }

    private async pulumi({ argv, pid, tool, stdin }: ToolCall): Promise<Answer> {
        const json = (v: unknown): Answer => ({ stdout: JSON.stringify(v) });
        const [verb, sub] = argv;
        if (verb === "version") return { stdout: "v3.270.0\n" };
        if (verb === "up") {
            this.ups++;
            for (const w of this.upWaits.splice(0)) w({ tool, argv, stdin, pid });
            if (this.holdUps && !(await new Promise<boolean>((resolve) => (this.held = resolve)))) return { code: 255 };
            this.deployed = this.fileState();
            return { stdout: "Updating (dev)\nResources:\n    ~ 1 updated\n" };
        }
        if (verb === "stack" && sub === "select") return {};
        if (verb === "stack" && sub === "output") return json(this.outputs(!argv.includes("--show-secrets")));
        if (verb === "stack" && sub === "history") return json([{ kind: "update", result: "succeeded", resourceChanges: { update: 1 } }]);
        if (verb === "stack" && sub === "export") return json({ version: 3, deployment: { resources: [] } });
        if (verb === "config" && (sub === "set-all" || sub === "rm-all")) {
            const doc = parseDocument(fs.readFileSync(this.stackFile, "utf8"));
            if (sub === "set-all")
                argv.forEach(
                    (a, i) =>
                        argv[i - 1] === "--plaintext" && doc.setIn(["config", a.slice(0, a.indexOf("="))], configScalar(doc, a.slice(a.indexOf("=") + 1))),
                );
            else for (const key of argv.filter((a) => a.startsWith("zdp:"))) doc.deleteIn(["config", key]);
            fs.writeFileSync(this.stackFile, doc.toString());
            return {};
        }
        if (verb === "config" && argv.includes("--json")) {
            const config = (parseDocument(fs.readFileSync(this.stackFile, "utf8")).toJS() as { config: Record<string, unknown> }).config;
            return json(
                Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: typeof v === "string" ? v : JSON.stringify(v), secret: false }])),
            );
        }
        this.unanswered.push(`pulumi ${argv.join(" ")}`);
        return { stderr: `fake pulumi: no answer for ${argv.join(" ")}\n`, code: 2 };
    }

    /** kubectl on the Lease, with the API server's answers (create: AlreadyExists; replace and delete preconditions: Conflict). */
    private async kubectl({ argv, stdin }: ToolCall): Promise<Answer> {
        const lease = `leases.coordination.k8s.io "${LEASE_NAME}"`;
        const failure = (reason: string, message: string): Answer => ({ stderr: `Error from server (${reason}): ${message}\n`, code: 1 });
        const notFound = () => failure("NotFound", `${lease} not found`);
        const sent = () => JSON.parse(stdin) as { metadata: { resourceVersion?: string }; spec: Lease };
        const verb = argv.find((a) => ["get", "create", "replace", "delete"].includes(a));
        if (verb === "get") {
            const l = this.leases.lease;
            if (!l) return notFound();
            const { resourceVersion, ...spec } = l;
            return { stdout: JSON.stringify({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: LEASE_NAME, resourceVersion }, spec }) };
        }
        // The release's record: an Event on the Lease (scripts/release/record.ts), kept in the leases' record.
        if (verb === "create" && (JSON.parse(stdin) as { kind?: string }).kind === "Event") {
            for (const e of entriesOf({ items: [JSON.parse(stdin) as object] })) await this.leases.record.write(e);
            return {};
        }
        if (verb === "create") return (await this.leases.create(sent().spec)) ? {} : failure("AlreadyExists", `${lease} already exists`);
        if (verb === "replace") {
            const m = sent();
            const ok = await this.leases.replace({ ...m.spec, resourceVersion: m.metadata.resourceVersion });
            return ok ? {} : failure("Conflict", `Operation cannot be fulfilled on ${lease}: the object has been modified`);
        }
        if (verb === "delete" && argv.includes("--raw")) {
            const wanted = (JSON.parse(stdin) as { preconditions: { resourceVersion: string } }).preconditions.resourceVersion;
            const current = this.leases.lease?.resourceVersion;
            if (current === undefined) return notFound();
            if (!(await this.leases.delete(wanted)))
                return failure(
                    "Conflict",
                    `Operation cannot be fulfilled on ${lease}: Precondition failed: ResourceVersion in precondition: ${wanted}, ResourceVersion in object meta: ${current}`,
                );
            return { stdout: '{"kind":"Status","status":"Success"}' };
        }
        this.unanswered.push(`kubectl ${argv.join(" ")}`);
        return { stderr: `fake kubectl: no answer for ${argv.join(" ")}\n`, code: 2 };
    }

    /** The shim on PATH: hands the call to this process, prints the answer; a signal is reported, then it exits as a cancelled update. */
    private shim(tool: string): string {
        return `#!${process.execPath}
"use strict";
const http = require("node:http");
const tool = ${JSON.stringify(tool)};
const argv = process.argv.slice(2);
function post(path, body, done) {
    const req = http.request({ host: "127.0.0.1", port: ${this.toolPort}, path, method: "POST", agent: false }, (res) => {
        let data = "";
        res.setEncoding("utf8").on("data", (c) => (data += c)).on("end", () => done(data));
    });
    req.on("error", (e) => { process.stderr.write("fake " + tool + ": " + e.message + "\\n"); process.exit(99); });
    req.end(JSON.stringify(body));
}
for (const signal of ["SIGINT", "SIGTERM"])
    process.on(signal, () => post("/signal", { tool, argv, stdin: "", pid: process.pid, signal }, () => {
        process.stdout.write("^C received; cancelling. If you would like to terminate immediately, press ^C again.\\n");
        process.stderr.write("error: update canceled\\n");
        process.exit(255);
    }));
const call = (stdin) => post("/call", { tool, argv, stdin, pid: process.pid }, (data) => {
    const a = JSON.parse(data);
    process.stdout.write(a.stdout);
    process.stderr.write(a.stderr);
    process.exitCode = a.code;
});
if (argv.includes("-f")) {
    let stdin = "";
    process.stdin.setEncoding("utf8").on("data", (c) => (stdin += c)).on("end", () => call(stdin));
} else call("");
`;
    }
}
