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
}

export interface MetricsSource {
    readonly name: string;
    read(colors: string[], window: Window): Promise<Record<string, ColorMetrics>>;
}
