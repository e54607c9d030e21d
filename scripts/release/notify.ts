// Notifications of a release command's start and end: a JSON POST to the stack's `alertWebhook` (the
// secret URL its alerts already go to, model/monitoring/config.ts) and, in CI, a GitHub commit status
// on the commit being applied. A notification that cannot be sent is a warning: it never changes
// what the release did or its exit code. Neither the webhook URL nor the token is ever printed.
import { monitoringKeys } from "../../model/monitoring/config";
import { EXIT } from "./args";

export type ReleaseEventKind = "started" | "succeeded" | "failed" | "refused" | "rollbackFailed" | "interrupted";

export interface ReleaseEvent {
    event: ReleaseEventKind;
    stack: string;
    /** The command line's command, e.g. `promote` or `apply --from 1a2b3c`. */
    command: string;
    /** Who runs it: user@host pid, or the CI run (run.ts holderIdentity). */
    holder: string;
    /** The report's last line: what was done, or why not. */
    outcome?: string;
    exitCode?: number;
}

/** The event that ends a command with this exit code. */
export function finishedEvent(exitCode: number): ReleaseEventKind {
    switch (exitCode) {
        case EXIT.ok:
            return "succeeded";
        case EXIT.refused:
            return "refused";
        case EXIT.rollbackFailed:
            return "rollbackFailed";
        case EXIT.interrupted:
            return "interrupted";
        default:
            return "failed";
    }
}

export type Send = (e: ReleaseEvent) => Promise<void>;

const TIMEOUT_MS = 10_000;

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
    const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
}

/**
 * The webhook sender, or why there is none. `url` is the stack's decrypted `alertWebhook`: judged by
 * the program's own rule for it (https only), so a value the program would refuse is never posted to.
 */
export function webhookSender(url: string | undefined): { send?: Send; why?: string } {
    if (!url) return { why: "alertWebhook is not set" };
    if (!monitoringKeys.alertWebhook.safeParse(url).success || !url.startsWith("https://"))
        return { why: "alertWebhook is not an https:// URL (its value is not shown: it is a secret)" };
    return { send: (e) => post(url, {}, { source: "zdp-release", ...e }) };
}

/** GitHub's commit status states for each event (docs.github.com/rest/commits/statuses). */
const STATE: Record<ReleaseEventKind, "pending" | "success" | "failure" | "error"> = {
    started: "pending",
    succeeded: "success",
    failed: "failure",
    rollbackFailed: "failure",
    interrupted: "failure",
    refused: "error",
};

/** GitHub rejects a longer status description with 422 "description is too long (maximum is 140 characters)" (e.g. sclorg/testing-farm-as-github-action#187). */
export const STATUS_DESCRIPTION_MAX = 140;

/** What the commit status says: the event and as much of the outcome as fits. */
export function statusDescription(e: ReleaseEvent): string {
    const text = `${e.event}${e.outcome ? `: ${e.outcome}` : ""}`;
    return text.length <= STATUS_DESCRIPTION_MAX ? text : `${text.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`;
}

/**
 * The commit status sender in a GitHub Actions job (GITHUB_TOKEN with `statuses: write`, GITHUB_SHA,
 * GITHUB_REPOSITORY), or undefined outside one. The status context names the stack, so each cloud's
 * job marks the commit on its own.
 */
export function githubStatusSender(env: NodeJS.ProcessEnv): Send | undefined {
    const { GITHUB_TOKEN: token, GITHUB_SHA: sha, GITHUB_REPOSITORY: repo } = env;
    if (!token || !sha || !repo) return undefined;
    const api = env.GITHUB_API_URL ?? "https://api.github.com";
    const run = env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL ?? "https://github.com"}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    return (e) =>
        post(
            `${api}/repos/${repo}/statuses/${sha}`,
            { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
            { state: STATE[e.event], context: `zdp release (${e.stack})`, description: statusDescription(e), ...(run ? { target_url: run } : {}) },
        );
}

/** Sends `e` to every sender; a failure is logged as a warning naming the channel only. */
export async function notify(senders: Record<string, Send>, e: ReleaseEvent, warn: (line: string) => void): Promise<void> {
    await Promise.all(
        Object.entries(senders).map(([name, send]) =>
            send(e).catch((err: unknown) => warn(`WARNING: the ${e.event} notification to ${name} failed (${(err as Error).name}: ${errorText(err)})`)),
        ),
    );
}

/** An error's message without any URL (a webhook URL carries its token). */
const errorText = (err: unknown) => {
    const e = err as Error & { cause?: { code?: string } };
    return (e.cause?.code ?? e.message).replace(/https?:\/\/\S+/g, "<url>");
};
