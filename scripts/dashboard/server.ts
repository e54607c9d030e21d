// A local HTTP server for the release page: GET / the page, GET /snapshot one JSON snapshot,
// GET /events a server-sent-events stream with a snapshot every `intervalMs`.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { PAGE } from "./page";
import type { DashboardSource } from "./source";

export interface DashboardServer {
    url: string;
    close(): Promise<void>;
}

export async function serveDashboard(source: DashboardSource, opts: { port?: number; intervalMs?: number } = {}): Promise<DashboardServer> {
    const intervalMs = opts.intervalMs ?? 2000;
    const timers = new Set<NodeJS.Timeout>();
    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
        try {
            if (req.url === "/") {
                res.writeHead(200, {
                    "content-type": "text/html; charset=utf-8",
                    "content-security-policy": "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
                });
                res.end(PAGE);
            } else if (req.url === "/snapshot") {
                res.writeHead(200, { "content-type": "application/json" });
                res.end(JSON.stringify(await source.snapshot()));
            } else if (req.url === "/events") {
                res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
                const push = async () => res.write(`data: ${JSON.stringify(await source.snapshot())}\n\n`);
                await push();
                const timer = setInterval(() => void push().catch(() => undefined), intervalMs);
                timers.add(timer);
                req.on("close", () => {
                    clearInterval(timer);
                    timers.delete(timer);
                });
            } else {
                res.writeHead(404).end();
            }
        } catch (e) {
            res.writeHead(500, { "content-type": "text/plain" }).end(String((e as Error).message));
        }
    };
    const server = http.createServer((req, res) => void handle(req, res));
    // Local only: the page shows a stack's release state to whoever runs the command.
    await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () =>
            new Promise((resolve) => {
                for (const t of timers) clearInterval(t);
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
