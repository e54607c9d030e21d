// Local servers on 127.0.0.1 for the tests that point the clouds' real SDK clients at an answer in a
// documented response shape (release metrics, preflight), and a throwaway certificate for those that
// send bearer tokens over https only. Servers close after the suite.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";

const servers: http.Server[] = [];
after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));

/** A throwaway self-signed certificate for 127.0.0.1: the Azure SDK sends bearer tokens over https only. */
export function localCert(): { key: string; cert: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-tls-"));
    try {
        execFileSync(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                `${dir}/key.pem`,
                "-out",
                `${dir}/cert.pem`,
            ],
            { stdio: "pipe" },
        );
        return { key: fs.readFileSync(`${dir}/key.pem`, "utf8"), cert: fs.readFileSync(`${dir}/cert.pem`, "utf8") };
    } catch (e) {
        throw new Error(`the tests on https need openssl on PATH to make a local certificate: ${(e as Error).message}`, { cause: e });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export async function serve(
    handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
    tls?: { key: string; cert: string },
): Promise<string> {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => handler(req, body, res));
    };
    const s = tls ? https.createServer(tls, listener) : http.createServer(listener);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `${tls ? "https" : "http"}://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
