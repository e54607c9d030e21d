// What a deploy.yml job talks to besides Pulumi and kubectl (tests/fakeTools.ts), on 127.0.0.1: the
// GitHub REST API's commit statuses, the stack's alertWebhook (HTTPS, with a certificate made here and
// trusted by the child through NODE_EXTRA_CA_CERTS), a Prometheus answering the analysis's instant
// queries, and git for the checkout the job runs in.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { stopAll } from "./fakeTools";

export interface Received {
    url: string;
    authorization?: string;
    body: Record<string, unknown>;
}

/** git in `dir`, as the job's checkout: commits everything and returns the commit. */
export function commitAll(dir: string, message: string): string {
    const git = (...argv: string[]) => execFileSync("git", argv, { cwd: dir, encoding: "utf8" }).trim();
    if (!fs.existsSync(path.join(dir, ".git"))) {
        git("init", "-q", "-b", "main");
        fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\nbin\n");
    }
    git("add", "-A");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
}

/** Whether the checkout's file differs from its last commit. */
export function changed(dir: string, file: string): boolean {
    return execFileSync("git", ["status", "--porcelain", "--", file], { cwd: dir, encoding: "utf8" }).trim() !== "";
}

export class FakeCi {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-fake-ci-"));
    /** Commit statuses GitHub received, and webhook posts. */
    readonly statuses: Received[] = [];
    readonly hooks: Received[] = [];
    /** What Prometheus answers for the analysis's queries `<metric>:<colour>`. */
    metrics: Record<string, number> = {};
    githubApi = "";
    webhookUrl = "";
    prometheusUrl = "";
    /** The CA a child must trust for the webhook (NODE_EXTRA_CA_CERTS). */
    readonly caFile = path.join(this.dir, "ca.pem");
    private readonly servers: http.Server[] = [];

    static async start(): Promise<FakeCi> {
        const ci = new FakeCi();
        await ci.listen();
        return ci;
    }

    reset(): void {
        this.statuses.length = this.hooks.length = 0;
        this.metrics = {};
    }

    stop(): void {
        stopAll(this.servers, this.dir);
    }

    private async listen(): Promise<void> {
        const key = path.join(this.dir, "key.pem");
        // A self-signed certificate for 127.0.0.1: the webhook must be https:// (model/monitoring/config.ts).
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", this.caFile,
        ], { stdio: "ignore" }); // prettier-ignore
        const record = (into: Received[]) => (req: http.IncomingMessage, res: http.ServerResponse) => {
            let body = "";
            req.setEncoding("utf8").on("data", (c: string) => (body += c));
            req.on("end", () => {
                into.push({ url: req.url!, authorization: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
                res.writeHead(201, { "content-type": "application/json" }).end("{}");
            });
        };
        const start = async (s: http.Server, scheme: string) => {
            this.servers.push(s);
            await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
            return `${scheme}://127.0.0.1:${(s.address() as AddressInfo).port}`;
        };
        this.githubApi = await start(http.createServer(record(this.statuses)), "http");
        this.webhookUrl = `${await start(https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(this.caFile) }, record(this.hooks)), "https")}/hooks/release-token-in-path`;
        this.prometheusUrl = await start(
            http.createServer((req, res) => {
                const query = new URL(req.url!, "http://x").searchParams.get("query") ?? "";
                const v = this.metrics[query];
                const result = v === undefined ? [] : [{ metric: {}, value: [Date.now() / 1000, String(v)] }];
                res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
            }),
            "http",
        );
    }
}
