// `npm run release` as an operator runs it: scripts/release.ts main() in a child process, in a process
// group of its own as a shell puts a job, Ctrl-C as a real SIGINT to that whole group (what a terminal
// sends), --break-lock's prompt on a real pseudo-terminal. Pulumi and kubectl are stand-ins on PATH
// (tests/fakeTools.ts) whose every call, and every signal they get, is recorded here.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { EXIT } from "../../scripts/release/args";
import { LEASE_NAME } from "../../scripts/release/lock";
import { FakeTools, type Cli } from "../fakeTools";
import { HANG_MS } from "../hang";

// Timeouts only catch a hang; the app answers at once, so the checks and the wait need no more than
// their counts. The watch runs on the real clock: its length changes how many probes it makes, not the outcome.
const FAST = ["--timeout", String(HANG_MS), "--interval", "5", "--success", "3", "--attempts", "6", "--watch", "0.1"];
const FAST_CONVERGE = ["--converge-timeout", String(HANG_MS / 1000)];

const pgid = (pid: number) => Number(execFileSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }).trim());
const config = (file: string) => (parseDocument(fs.readFileSync(file, "utf8")).toJS() as { config: unknown }).config;
const report = (cli: Cli) => `${cli.out}\n${cli.err}`;

describe("npm run release itself: main(), signals and the lock prompt", function () {
    let tools: FakeTools;
    const original = config(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"));

    before(async () => {
        tools = await FakeTools.start();
    });
    beforeEach(() => tools.reset());
    afterEach(() => assert.deepEqual(tools.unanswered, [], "every pulumi and kubectl call had an answer"));
    after(() => tools?.stop());

    it("Ctrl-C reaches the CLI, not the pulumi up it runs (a process group of its own): the up finishes, then the CLI restores and exits 130", async () => {
        tools.holdUps = true;
        const cli = tools.release(["promote", "--stack", "dev", ...FAST, ...FAST_CONVERGE]);
        const up = await tools.nextUp();
        const group = cli.child.pid!;
        assert.equal(pgid(group), group, "the CLI leads its process group, as a shell's job does");
        assert.notEqual(pgid(up.pid), group, "pulumi up runs in another group");

        process.kill(-group, "SIGINT"); // the terminal's Ctrl-C: SIGINT to every process of the foreground group
        await cli.waitFor(/SIGINT: stopping after the current step/);
        tools.holdUps = false;
        tools.finishUp();
        assert.equal(await cli.exited, EXIT.interrupted, report(cli));

        assert.equal(tools.signals.length, 0, `pulumi up got no signal: ${JSON.stringify(tools.signals)}`);
        assert.match(cli.out, /\] pulumi up: OK/, "the up ran to its end");
        assert.match(cli.out, /\] pulumi up \(rollback\): OK/);
        assert.equal(tools.ups, 2, "the promote's up, then the rollback's");
        assert.deepEqual(config(tools.stackFile), original, "the stack file is as before");
        assert.equal(tools.deployed.activeColor, "blue", "and deployed");
        assert.equal(tools.leases.lease, undefined, "the lock is released");
        // The release page's record, through kubectl as the real main() writes it: the verdict last, written under the lock.
        const verdict = tools.leases.entries.at(-1)!;
        assert.deepEqual([verdict.kind, verdict.status], ["outcome", "failed"]);
        assert.ok(cli.out.includes(`(exit ${EXIT.interrupted}, `) && cli.out.trimEnd().endsWith(`: ${verdict.detail}`), report(cli));
        assert.ok(tools.leases.heldAtWrite.every(Boolean));
        assert.doesNotMatch(cli.out, /not recorded in the cluster/);
    });

    it("Ctrl-C twice: the second cancels the running pulumi up (SIGINT from the CLI) and starts no other; the file is put back and the report names what deploys it", async () => {
        tools.holdUps = true;
        const cli = tools.release(["promote", "--stack", "dev", ...FAST, ...FAST_CONVERGE]);
        const up = await tools.nextUp();
        const group = cli.child.pid!;
        process.kill(-group, "SIGINT");
        await cli.waitFor(/SIGINT: stopping after the current step/);
        assert.equal(tools.signals.length, 0, "the first Ctrl-C did not reach pulumi up");
        process.kill(-group, "SIGINT");
        await tools.signalled();
        assert.equal(await cli.exited, EXIT.rollbackFailed, report(cli));

        assert.deepEqual(
            tools.signals.map((s) => [s.pid, s.argv[0], s.signal]),
            [[up.pid, "up", "SIGINT"]],
            "the running up got one SIGINT: the CLI's, not the terminal's",
        );
        assert.equal(tools.ups, 1, "no up started after the cancel");
        assert.match(cli.out, /\] pulumi up: FAILED .*update canceled/);
        assert.match(cli.out, /\] pulumi up \(rollback\): FAILED .* - pulumi up not started: the release was cancelled/);
        assert.deepEqual(config(tools.stackFile), original, "the stack file is put back");
        assert.match(cli.out, /FAILED \(exit 3.*pulumi up --stack dev/, "the report names the up that deploys the previous config");
        assert.equal(tools.leases.lease, undefined, "the lock is released");
    });

    it("--break-lock without a terminal: refused unless --yes, showing the lease; with --yes the killed run's lease goes and the rollback runs", async () => {
        const renewed = new Date().toISOString();
        await tools.leases.create({ holderIdentity: "ops@laptop pid 4242", acquireTime: renewed, renewTime: renewed, leaseDurationSeconds: 120 });

        const refused = tools.release(["rollback", "--stack", "dev", "--break-lock", ...FAST, ...FAST_CONVERGE]);
        assert.equal(await refused.exited, EXIT.refused, report(refused));
        assert.match(refused.out, /stdin is not one; add --yes to break it without asking\. The lease: ops@laptop pid 4242, holding it since /);
        assert.equal(tools.leases.lease?.holderIdentity, "ops@laptop pid 4242");
        assert.equal(tools.ups, 0);

        const yes = tools.release(["rollback", "--stack", "dev", "--break-lock", "--yes", ...FAST, ...FAST_CONVERGE]);
        assert.equal(await yes.exited, EXIT.ok, report(yes));
        assert.match(
            yes.out,
            new RegExp(`break the release lock \\(Lease ${LEASE_NAME} in namespace zdp\\): OK in .* - broke the lease of ops@laptop pid 4242`),
        );
        assert.equal(tools.deployed.activeColor, "green", "the rollback ran");
        assert.equal(tools.leases.lease, undefined);
    });

    it("--break-lock on a terminal: shows who holds the lock and asks y/N; no keeps it, yes breaks it", async () => {
        const renewed = new Date().toISOString();
        await tools.leases.create({ holderIdentity: "ci run 41", acquireTime: "2026-12-01T10:00:00.000Z", renewTime: renewed, leaseDurationSeconds: 120 });
        for (const [answer, code] of [
            ["n", EXIT.refused],
            ["y", EXIT.ok],
        ] as const) {
            const cli = tools.release(["rollback", "--stack", "dev", "--break-lock", ...FAST, ...FAST_CONVERGE], { tty: true });
            await cli.waitFor(
                /Break the release lock held by ci run 41, holding it since 2026-12-01T10:00:00\.000Z, last renewed \S+ \(\d+ s ago\), expires in \d+ s\? .*\[y\/N\] /,
            );
            cli.child.stdin!.write(`${answer}\n`);
            assert.equal(await cli.exited, code, report(cli));
        }
        assert.equal(tools.leases.lease, undefined, "broken, then the rollback's own lock released");
        assert.equal(tools.deployed.activeColor, "green");
    });
});
