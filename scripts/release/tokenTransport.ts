// The preview token is the only key to the inactive colour (a dark canary): it travels over HTTPS, or over
// plain HTTP only to this machine (a `kubectl port-forward`, the dev stack on a laptop), never in the clear
// across a network. Pure.
import { isIP } from "node:net";

/** Loopback: localhost, 127.0.0.0/8, ::1 (RFC 6890). */
function isLoopback(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (host === "localhost" || host.endsWith(".localhost")) return true;
    if (isIP(host) === 4) return host.startsWith("127.");
    return host === "::1";
}

/** Why the preview token must not be sent to `url`, or undefined when it may. */
export function previewTokenTransportProblem(url: string): string | undefined {
    const target = new URL(url);
    if (target.protocol === "https:" || (target.protocol === "http:" && isLoopback(target.hostname))) return undefined;
    return (
        `refusing to send the preview token over plain HTTP to ${target.host}: anyone on the way could read it and reach the inactive colour. ` +
        "Serve the stack over HTTPS (set domain), or pass --endpoint http://127.0.0.1:<port> through kubectl port-forward to the Gateway"
    );
}
