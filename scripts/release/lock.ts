// One release per stack at a time, across operators and CI: a coordination.k8s.io/v1 Lease in the
// app namespace, created before any change and deleted at the end. Creating an object is atomic
// in the API server (a second create gets AlreadyExists), and a takeover of an expired lease is a
// replace at the read resourceVersion (a concurrent writer gets Conflict), so two runs never both
// hold it. The lease is renewed while the release runs; one left by a killed run expires, or an
// operator breaks it (breakLock): a delete at the resourceVersion that was shown, so a lease its
// holder renewed meanwhile is never broken unseen.
import { execFile } from "node:child_process";
import { kubectlRecordApi, type RecordApi } from "./record";

export const LEASE_NAME = "zdp-release";

/** The release's lease duration: renewed every third of it while a release runs; a killed run's lock expires after it. */
export const LOCK_SECONDS = 120;

export interface Lease {
    holderIdentity: string;
    acquireTime: string;
    renewTime: string;
    leaseDurationSeconds: number;
    resourceVersion?: string;
}

/** The Lease operations the lock needs (kubectl below; the e2e suite runs them on a real API server). */
export interface LeaseApi {
    get(): Promise<Lease | undefined>;
    /** false: it already exists. */
    create(lease: Lease): Promise<boolean>;
    /** Replace at `lease.resourceVersion`; false: someone else changed it first. */
    replace(lease: Lease): Promise<boolean>;
    /** Delete if still at `resourceVersion` (a delete precondition); false: it changed first, or is gone. */
    delete(resourceVersion: string): Promise<boolean>;
    /** The release's record on this Lease (Events, record.ts): what the release page shows of a running release. */
    record?: RecordApi;
}

export class LockHeld extends Error {
    constructor(readonly lease: Lease) {
        super(
            `another release holds this stack's lock: ${lease.holderIdentity} since ${lease.acquireTime} (lease ${LEASE_NAME}, renewed ${lease.renewTime}, expires ${lease.leaseDurationSeconds} s after that). If that run is gone (killed, its CI job cancelled), --break-lock removes its lease after showing it`,
        );
        this.name = "LockHeld";
    }
}

export interface HeldLock {
    detail: string;
    /** Renew now; throws when the lease is lost (now or at an earlier renewal): stop before the next change. */
    ensure(): Promise<void>;
    release(): Promise<void>;
}

/** A holder renews its lease every third of its duration. */
const renewSeconds = (durationSeconds: number) => durationSeconds / 3;

const expired = (l: Lease, now: number) => Date.parse(l.renewTime) + l.leaseDurationSeconds * 1000 < now;

/**
 * Take the lock or throw LockHeld naming its holder and since when. Renews every third of the
 * lease's duration until released; `onLost` is called if a renewal finds the lease taken over.
 */
export async function acquireLock(
    api: LeaseApi,
    holder: string,
    durationSeconds: number,
    onLost: (why: string) => void,
    now = () => Date.now(),
): Promise<HeldLock> {
    const stamp = () => new Date(now()).toISOString();
    const mine = (): Lease => ({ holderIdentity: holder, acquireTime: stamp(), renewTime: stamp(), leaseDurationSeconds: durationSeconds });
    let detail = `lease ${LEASE_NAME} held by ${holder}`;
    if (!(await api.create(mine()))) {
        const current = await api.get();
        if (!current) return acquireLock(api, holder, durationSeconds, onLost, now); // deleted in between: try again
        if (!expired(current, now())) throw new LockHeld(current);
        if (!(await api.replace({ ...mine(), resourceVersion: current.resourceVersion }))) throw new LockHeld((await api.get()) ?? current);
        detail += ` (took over the expired lease of ${current.holderIdentity}, last renewed ${current.renewTime})`;
    }
    let lost: string | undefined;
    const renewOnce = async () => {
        if (lost) return;
        const current = await api.get().catch(() => undefined);
        if (!current || current.holderIdentity !== holder) lost = `the release lock was lost${current ? ` to ${current.holderIdentity}` : ""}`;
        else if (!(await api.replace({ ...current, renewTime: stamp() }).catch(() => false))) lost = "renewing the release lock failed";
        if (lost) onLost(lost);
    };
    const renew = setInterval(() => void renewOnce(), renewSeconds(durationSeconds) * 1000);
    renew.unref();
    return {
        detail,
        async ensure() {
            await renewOnce();
            if (lost) throw new Error(`${lost}: another release may be changing this stack`);
        },
        async release() {
            clearInterval(renew);
            const current = await api.get();
            // At the version read: a lease taken over in between is the other run's, and stays.
            if (current?.holderIdentity === holder) await api.delete(current.resourceVersion!);
        },
    };
}

/** Who holds a lease, since when, and when it was last renewed and expires, relative to `now`. */
export function describeLease(l: Lease, now: number): string {
    const ago = (ms: number) => (ms >= 0 ? `${Math.round(ms / 1000)} s ago` : `in ${Math.round(-ms / 1000)} s`);
    const expires = Date.parse(l.renewTime) + l.leaseDurationSeconds * 1000;
    return `${l.holderIdentity}, holding it since ${l.acquireTime}, last renewed ${l.renewTime} (${ago(now - Date.parse(l.renewTime))}), expires ${ago(now - expires)}`;
}

/**
 * `--break-lock`: delete the lease a killed run left, once an operator has seen its holder and confirmed
 * (`confirm` undefined: nobody can be asked, so nothing is broken). The delete carries the resourceVersion
 * that was shown: a holder that renewed meanwhile is alive, and its lease stays. An expired lease is left
 * to acquireLock, which takes it over without asking. Returns what was done; throws when not broken.
 */
export async function breakLock(api: LeaseApi, confirm: ((question: string) => Promise<boolean>) | undefined, now = () => Date.now()): Promise<string> {
    const lease = await api.get();
    if (!lease) return "no lease: the lock is free";
    const shown = describeLease(lease, now());
    if (expired(lease, now())) return `nothing to break: the lease of ${shown}; it is taken over below`;
    const question = `Break the release lock held by ${shown}? A live run renews it every ${renewSeconds(lease.leaseDurationSeconds)} s; break it only if that run is gone.`;
    if (!confirm)
        throw new Error(`--break-lock asks for confirmation on a terminal and stdin is not one; add --yes to break it without asking. The lease: ${shown}`);
    if (!(await confirm(question))) throw new Error(`not broken (not confirmed): the lease of ${shown}`);
    if (await api.delete(lease.resourceVersion!)) return `broke the lease of ${shown}`;
    const current = await api.get();
    if (!current) return `released by its holder meanwhile: the lease of ${shown}`;
    throw new Error(`not broken: the lease changed after it was shown, so its holder is alive (renewed or taken over): now ${describeLease(current, now())}`);
}

function run(bin: string, args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = execFile(bin, args, { timeout: 30_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
        );
        if (stdin !== undefined) child.stdin!.end(stdin);
    });
}

/** LeaseApi through kubectl (the user's kubeconfig and its auth plugins for EKS, AKS, GKE). */
export function kubectlLeaseApi(namespace: string, kubeconfig?: string, bin = "kubectl"): LeaseApi {
    const auth = kubeconfig ? ["--kubeconfig", kubeconfig] : [];
    const base = [...auth, "-n", namespace];
    const kubectl = (args: string[], stdin?: string) => run(bin, args, stdin);
    const manifest = (l: Lease) =>
        JSON.stringify({
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: LEASE_NAME, namespace, ...(l.resourceVersion ? { resourceVersion: l.resourceVersion } : {}) },
            spec: {
                holderIdentity: l.holderIdentity,
                acquireTime: microTime(l.acquireTime),
                renewTime: microTime(l.renewTime),
                leaseDurationSeconds: l.leaseDurationSeconds,
            },
        });
    const fail = (what: string, r: { stderr: string }) => new Error(`kubectl ${what} lease ${namespace}/${LEASE_NAME}: ${r.stderr.trim()}`);
    return {
        record: kubectlRecordApi(namespace, LEASE_NAME, kubeconfig, bin),
        async get() {
            const r = await kubectl([...base, "get", "lease", LEASE_NAME, "-o", "json"]);
            if (r.code !== 0) {
                if (/NotFound/.test(r.stderr)) return undefined;
                throw fail("get", r);
            }
            const o = JSON.parse(r.stdout) as { spec: Omit<Lease, "resourceVersion">; metadata: { resourceVersion: string } };
            return { ...o.spec, resourceVersion: o.metadata.resourceVersion };
        },
        async create(l) {
            const r = await kubectl([...base, "create", "-f", "-"], manifest(l));
            if (r.code === 0) return true;
            if (/AlreadyExists/.test(r.stderr)) return false;
            throw fail("create", r);
        },
        async replace(l) {
            const r = await kubectl([...base, "replace", "-f", "-"], manifest(l));
            if (r.code === 0) return true;
            if (/Conflict|has been modified|NotFound/.test(r.stderr)) return false;
            throw fail("replace", r);
        },
        async delete(resourceVersion) {
            // `kubectl delete` has no precondition flag; --raw sends DeleteOptions with the request
            // (kubectl's rawhttp.RawDelete reads the body from -f). A changed lease answers 409 Conflict
            // ("Precondition failed: ResourceVersion in precondition"), a gone one 404.
            const uri = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${LEASE_NAME}`;
            const options = { apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion } };
            const r = await kubectl([...auth, "delete", "--raw", uri, "-f", "-"], JSON.stringify(options));
            if (r.code === 0) return true;
            if (/Conflict|NotFound|not found/.test(r.stderr)) return false;
            throw fail("delete", r);
        },
    };
}

/** Lease times are MicroTime: RFC 3339 with microseconds. */
const microTime = (iso: string) => iso.replace(/\.(\d{3})Z$/, ".$1000Z");
