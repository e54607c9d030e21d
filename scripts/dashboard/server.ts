// A local HTTP server for the release page: GET / the page, GET /snapshot one JSON snapshot,
// GET /events a server-sent-events stream of snapshots, `intervalMs` apart.
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
                // The next read starts `intervalMs` after the last one ended, never while it runs: a
                // snapshot is several kubectl calls, which a busy machine can stretch past the interval.
                let timer: NodeJS.Timeout | undefined;
                let closed = false;
                const push = async () => {
                    if (timer) timers.delete(timer);
                    let event: string;
                    try {
                        event = `data: ${JSON.stringify(await source.snapshot())}\n\n`;
                    } catch (e) {
                        // The page greys its values out and shows this: a snapshot that failed is not live data.
                        event = `event: failure\ndata: ${JSON.stringify((e as Error).message)}\n\n`;
                    }
                    if (closed) return;
                    res.write(event);
                    timers.add((timer = setTimeout(() => void push(), intervalMs)));
                };
                req.on("close", () => {
                    closed = true;
                    clearTimeout(timer);
                    if (timer) timers.delete(timer);
                });
                await push();
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
                for (const t of timers) clearTimeout(t);
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
