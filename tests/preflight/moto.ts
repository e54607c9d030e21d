// moto's server (Python moto 5.2.1, installed with pip in the machine image) on a free 127.0.0.1 port,
// for the AWS preflight checks: the real AWS SDK clients talk to it through `endpoint`. A machine
// without it fails the suite, naming what to install: a skipped AWS suite would prove nothing.
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

const BIN = process.env.MOTO_SERVER ?? "moto_server";
export const MOTO_MISSING = `the AWS preflight tests need moto's server: ${BIN} (Python moto 5.2.1, \`pip install "moto[server]==5.2.1"\`; set MOTO_SERVER to its path)`;

async function freePort(): Promise<number> {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    const { port } = s.address() as net.AddressInfo;
    await new Promise((r) => s.close(r));
    return port;
}

export async function startMoto(): Promise<{ url: string; stop: () => void }> {
    const port = await freePort();
    const child: ChildProcess = spawn(BIN, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<never>((_, reject) => {
        child.on("error", (e) => reject(new Error(`${MOTO_MISSING}: ${e.message}`)));
        child.on("exit", (code) => reject(new Error(`${MOTO_MISSING}: it exited with ${code}: ${stderr.slice(-500)}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    // Ready when its own API answers; bounded by count, not by a clock.
    const ready = (async () => {
        for (let i = 0; i < 300; i++) {
            try {
                if ((await fetch(`${url}/moto-api/`)).ok) return;
            } catch {
                /* not listening yet */
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`${MOTO_MISSING}: it did not answer on ${url}`);
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
    return { url, stop: () => child.kill() };
}
