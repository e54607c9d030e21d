// What a metrics source reads: each source module and index.ts import these, so neither imports the other.

export interface Window {
    start: Date;
    end: Date;
}

export interface ColorMetrics {
    requests: number;
    /** Share of requests answered without a 5xx, 0..1; absent without requests. */
    successRate?: number;
    /** 99th percentile latency in ms; absent without requests. */
    p99Ms?: number;
    /**
     * 5xx the load balancer itself answered in the window that no colour's own figures explain and
     * the source cannot attribute to one colour (the ALB counts them per load balancer only); the
     * same number on every colour. The analysis counts them against the candidate.
     */
    lbErrors?: number;
}

export interface MetricsSource {
    readonly name: string;
    read(colors: string[], window: Window): Promise<Record<string, ColorMetrics>>;
}

/** The source answered but holds no data points for a colour in the window: no requests reached it yet, or the name is wrong. */
export class NoDataError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "NoDataError";
    }
}
