// The load process of e2e/load.ts: autocannon against one URL, each answer's status, colour and version
// sent to the parent in batches, the totals once the parent says stop (or the bound passes).
import autocannon from "autocannon";
import { GATEWAY, wallMs, type Answer, type LoadMessage, type LoadOptions } from "./load";

const opts = JSON.parse(process.argv[2]) as LoadOptions;
const send = (m: LoadMessage) => process.send!(m);
let batch: Answer[] = [];
let errors = 0;
const flush = setInterval(() => {
    if (batch.length) send({ answers: batch });
    batch = [];
}, 100);

const instance = autocannon(
    {
        url: opts.url,
        headers: opts.headers,
        connections: opts.connections,
        overallRate: opts.rate,
        duration: opts.maxSeconds,
        timeout: opts.timeoutSeconds,
        setupClient: (client) => {
            // autocannon hands on the HTTP parser's record: status and a flat [name, value, …] list.
            client.on("headers", (raw: unknown) => {
                const { statusCode, headers } = raw as { statusCode: number; headers: string[] };
                let color: string | undefined;
                let version: string | undefined;
                for (let i = 0; i + 1 < headers.length; i += 2) {
                    const name = headers[i].toLowerCase();
                    if (name === "x-zdp-color") color = headers[i + 1];
                    else if (name === "x-zdp-version") version = headers[i + 1];
                }
                batch.push({ at: wallMs(), status: statusCode, from: color ? `${color}/${version}` : GATEWAY });
            });
        },
    },
    (err, result) => {
        clearInterval(flush);
        if (err) throw err instanceof Error ? err : new Error(String(err));
        if (batch.length) send({ answers: batch });
        // Errors autocannon counts that never produced an answer: connection errors and timeouts.
        // Disconnect only once this last message is written: closing the channel cancels queued writes,
        // and they queue up while the parent is blocked (a synchronous `kubectl drain`).
        process.send!({ errors: Math.max(errors, result.errors), p99Ms: result.latency.p99 } satisfies LoadMessage, () => process.disconnect());
    },
);
instance.on("reqError", () => errors++);
process.on("message", () => instance.stop());
