// Step-by-step progress and the final report of a release command: every step with its outcome
// and duration, printed as it happens and summarised at the end.
import Table from "cli-table3";

export type StepStatus = "ok" | "failed" | "skipped";

export interface StepRecord {
    name: string;
    status: StepStatus;
    ms: number;
    detail: string;
}

/** Told each step as it starts ("running") and ends (the release's record in the cluster, record.ts). */
export type StepListener = (name: string, status: StepStatus | "running", detail: string) => void;

export class Reporter {
    readonly steps: StepRecord[] = [];
    private listener?: StepListener;

    constructor(private readonly log: (line: string) => void) {}

    /** From now on, tell `fn` each step; the steps so far first. */
    listen(fn: StepListener): void {
        for (const s of this.steps) fn(s.name, s.status, s.detail);
        this.listener = fn;
    }

    info(line: string): void {
        this.log(line);
    }

    /**
     * Run one step, print its start and end with timing, record it. `fn` returns the detail line;
     * a throw marks the step failed and is re-thrown for the caller's rollback logic.
     */
    async step<T>(name: string, fn: () => Promise<{ value: T; detail: string; ok?: boolean }>): Promise<T> {
        const n = this.steps.length + 1;
        this.log(`[${n}] ${name} ...`);
        this.listener?.(name, "running", "");
        const started = performance.now();
        try {
            const { value, detail, ok = true } = await fn();
            this.record(n, name, ok ? "ok" : "failed", started, detail);
            if (!ok) throw new StepFailed(name, detail);
            return value;
        } catch (e) {
            if (e instanceof StepFailed) throw e;
            const detail = failureDetail((e as Error).message);
            this.record(n, name, "failed", started, detail);
            throw new StepFailed(name, detail);
        }
    }

    skip(name: string, detail: string): void {
        this.steps.push({ name, status: "skipped", ms: 0, detail });
        this.listener?.(name, "skipped", detail);
        this.log(`[${this.steps.length}] ${name}: skipped (${detail})`);
    }

    private record(n: number, name: string, status: StepStatus, started: number, detail: string): void {
        const ms = Math.round(performance.now() - started);
        this.steps.push({ name, status, ms, detail });
        this.listener?.(name, status, detail);
        this.log(`[${n}] ${name}: ${status.toUpperCase()} in ${formatMs(ms)}${detail ? ` - ${detail}` : ""}`);
    }

    table(): string {
        const t = new Table({
            head: ["#", "step", "result", "time", "detail"],
            style: { head: [], border: [] },
            chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
            wordWrap: true,
            colWidths: [4, 34, 8, 9, 60],
        });
        this.steps.forEach((s, i) => t.push([String(i + 1), s.name, s.status, formatMs(s.ms), s.detail]));
        return t.toString();
    }
}

/** A step that ran and failed; the reporter has already recorded it. */
export class StepFailed extends Error {
    constructor(
        readonly step: string,
        readonly detail: string,
    ) {
        super(`${step} failed: ${detail}`);
        this.name = "StepFailed";
    }
}

export function formatMs(ms: number): string {
    return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A failed step's detail in one line: the Diagnostics section of the Pulumi CLI's output when the message
 * holds one (the output ends with a summary such as "Duration: 2s", which says nothing), else the
 * message's last lines.
 */
export function failureDetail(message: string): string {
    const lines = message.split("\n");
    const at = lines.findIndex((l) => l.trim() === "Diagnostics:");
    // The section's lines are indented; the next line that is not ("Resources:", "Outputs:") ends it.
    const end = lines.findIndex((l, i) => i > at && /^\S/.test(l));
    const picked = at >= 0 ? lines.slice(at + 1, end < 0 ? undefined : end) : lines.slice(-3);
    return [...new Set(picked.map((l) => l.trim()).filter(Boolean))].join(" ");
}
