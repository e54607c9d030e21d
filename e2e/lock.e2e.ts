// The release lock on a real kube-apiserver: the Lease create/replace/delete semantics the lock
// relies on (AlreadyExists, resourceVersion conflicts, MicroTime fields) through kubectl, as the
// release CLI runs them.
import assert from "node:assert/strict";
import { acquireLock, breakLock, kubectlLeaseApi, LEASE_NAME, LockHeld } from "../scripts/release/lock";
import { Cluster } from "./cluster";
import { tool } from "./tools";

const NS = "lock-e2e";

describe("release lock (Lease) on a real API server", function () {
    let cluster: Cluster;

    before(async () => {
        cluster = await Cluster.start();
        cluster.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    });

    after(() => {
        cluster?.kubectlOk(["delete", "namespace", NS, "--wait=false"]);
        cluster?.stop();
    });

    it("one holder at a time; a second is told who holds it since when; released means free again", async () => {
        const api = kubectlLeaseApi(NS, cluster.kubeconfig, tool("kubectl"));
        const first = await acquireLock(api, "alice@laptop pid 1", 120, assert.fail);
        const lease = JSON.parse(cluster.kubectl(["get", "lease", LEASE_NAME, "-n", NS, "-o", "json"]));
        assert.equal(lease.spec.holderIdentity, "alice@laptop pid 1");
        assert.equal(lease.spec.leaseDurationSeconds, 120);

        // Two contenders at once: the API server lets neither create over the existing lease.
        const contenders = await Promise.allSettled([acquireLock(api, "ci run 7", 120, assert.fail), acquireLock(api, "bob@desk pid 2", 120, assert.fail)]);
        for (const c of contenders) {
            assert.equal(c.status, "rejected");
            const e = c.reason;
            assert.ok(e instanceof LockHeld, String(e));
            assert.match(e.message, /holds this stack's lock: alice@laptop pid 1 since \d{4}-\d\d-\d\dT/);
        }
        await first.release();
        assert.equal(cluster.kubectl(["get", "lease", "-n", NS, "-o", "name"]).trim(), "");
        const second = await acquireLock(api, "ci run 7", 120, assert.fail);
        await second.release();
    });

    it("an expired lease is taken over by exactly one of two racing contenders (resourceVersion conflict)", async () => {
        const api = kubectlLeaseApi(NS, cluster.kubeconfig, tool("kubectl"));
        const old = new Date(Date.now() - 600_000).toISOString().replace(/Z$/, "000Z"); // MicroTime
        cluster.apply({
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: LEASE_NAME, namespace: NS },
            spec: { holderIdentity: "killed run", acquireTime: old, renewTime: old, leaseDurationSeconds: 60 },
        });
        const results = await Promise.allSettled([acquireLock(api, "a", 120, () => {}), acquireLock(api, "b", 120, () => {})]);
        const won = results.filter((r) => r.status === "fulfilled");
        assert.equal(won.length, 1, JSON.stringify(results.map((r) => r.status)));
        assert.match((won[0] as PromiseFulfilledResult<{ detail: string }>).value.detail, /took over the expired lease of killed run/);
        await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    });

    it("--break-lock deletes only at the resourceVersion it showed: a lease renewed meanwhile stays (409 Conflict on the precondition)", async () => {
        const api = kubectlLeaseApi(NS, cluster.kubeconfig, tool("kubectl"));
        const alive = await acquireLock(api, "alice@laptop pid 1", 120, () => {});
        const shown = (await api.get())!;
        await alive.ensure(); // the holder renews: a new resourceVersion
        assert.notEqual((await api.get())!.resourceVersion, shown.resourceVersion);
        assert.equal(await api.delete(shown.resourceVersion!), false, "the stale version is refused");
        await assert.rejects(
            breakLock(api, async () => {
                await alive.ensure(); // renewed again while the operator read the prompt
                return true;
            }),
            /not broken: the lease changed after it was shown, so its holder is alive .*now alice@laptop pid 1/,
        );
        assert.equal((await api.get())?.holderIdentity, "alice@laptop pid 1", "the live holder's lease is still there");

        // The holder is killed: its lease is no longer renewed, and the break goes through.
        assert.match(await breakLock(api, async () => true), /^broke the lease of alice@laptop pid 1, holding it since /);
        assert.equal(cluster.kubectl(["get", "lease", "-n", NS, "-o", "name"]).trim(), "");
        assert.equal(await api.delete(shown.resourceVersion!), false, "a gone lease: nothing to delete");
        const next = await acquireLock(api, "bob@desk pid 2", 120, assert.fail);
        await next.release();
        await alive.release(); // its lease is gone: only its renewal timer stops
    });
});
