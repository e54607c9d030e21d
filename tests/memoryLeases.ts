// The release lock's Lease in memory, for the release CLI's tests.
import type { Lease, LeaseApi } from "../scripts/release/lock";
import type { RecordApi, RecordEntry } from "../scripts/release/record";

/**
 * The Lease semantics of the API server the lock relies on (create fails on an existing object,
 * replace fails on a stale resourceVersion); e2e/lock.e2e.ts runs the same lock on a real one.
 */
export class MemoryLeases implements LeaseApi {
    lease?: Lease;
    private version = 0;
    async get() {
        return this.lease && { ...this.lease };
    }
    async create(l: Lease) {
        if (this.lease) return false;
        this.lease = { ...l, resourceVersion: String(++this.version) };
        return true;
    }
    async replace(l: Lease) {
        if (!this.lease || l.resourceVersion !== this.lease.resourceVersion) return false;
        this.lease = { ...l, resourceVersion: String(++this.version) };
        return true;
    }
    async delete(resourceVersion: string) {
        if (!this.lease || this.lease.resourceVersion !== resourceVersion) return false;
        this.lease = undefined;
        return true;
    }
    /** The release's record (Events on the Lease), and for each entry whether the lease was held when it was written. */
    readonly entries: RecordEntry[] = [];
    readonly heldAtWrite: boolean[] = [];
    /** Set to make each record write fail as the API server would (e.g. RBAC). */
    recordFailure?: string;
    readonly record: RecordApi = {
        write: async (e) => {
            if (this.recordFailure) throw new Error(this.recordFailure);
            this.entries.push(e);
            this.heldAtWrite.push(this.lease !== undefined);
        },
        list: async () => [...this.entries],
    };
    /** What the holder's renewal does: a new renewTime at a new resourceVersion. */
    renew(at: string) {
        this.lease = { ...this.lease!, renewTime: at, resourceVersion: String(++this.version) };
    }
}
