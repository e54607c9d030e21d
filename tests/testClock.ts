// A release test's clock: time passes only by the pauses of watches, load steps and convergence waits
// and by what the test's servers add per request, so how many requests a window holds is fixed, however
// busy the machine is.
import type { Clock } from "../scripts/release/health";

export class TestClock implements Clock {
    private t = 0;
    now = () => this.t;
    sleep = (ms: number) => {
        this.t += ms;
        return new Promise<void>((resolve) => setImmediate(resolve));
    };
    advance(ms: number) {
        this.t += ms;
    }
}
