// The release CLI on a stack of two apps: the default app (the top-level keys) and `api` (the entry
// apps.api). A workspace stand-in holds the stack file as YAML text (written as `pulumi config set
// --path` writes it), serves each app's live and preview routes from a real local HTTP router per
// app, and keeps one Lease per namespace. Watches run on a test clock: no outcome depends on the
// machine's speed.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseDocument } from "yaml";
import { EXIT, parseReleaseArgs, UsageError } from "../scripts/release/args";
import { runApply, type MergeInput } from "../scripts/release/apply";
import { readState, type ReleaseState } from "../scripts/release/change";
import { COLOR_HEADER, VERSION_HEADER } from "../scripts/release/health";
import { mergedChange } from "../scripts/release/merge";
import { configScalar, proposeRelease } from "../scripts/release/propose";
import { workspaceFromStack, type StackApi } from "../scripts/release/pulumiWorkspace";
import { runRelease } from "../scripts/release/run";
import type { ChangeSummary, Workspace } from "../scripts/release/workspace";
import { mergedConfig } from "../scripts/pulumiConfig";
import { HANG_MS } from "./hang";
import { TestClock } from "./testClock";
import { MemoryLeases } from "./memoryLeases";

const root = path.join(__dirname, "..");
const PULUMI_YAML = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8");
/** The repository's dev stack file with a second app, api, whose green runs 2.0.0 without traffic. */
const TWO_APPS = `${fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8").trimEnd()}
  zdp:apps:
    api:
      appImage: ghcr.io/org/api
      namespace: api
      blueVersion: 1.0.0
      greenVersion: 2.0.0
      activeColor: blue
`;

const clock = new TestClock();
const servers: http.Server[] = [];
after(() => {
    for (const s of servers) {
        s.closeAllConnections();
        s.close();
    }
});

const APPS = ["app", "api"] as const;
type App = (typeof APPS)[number];

/** Pulumi stand-in for a two-app stack; `up` deploys each app's state to its router. */
class TwoAppWorkspace implements Workspace {
    readonly stackName = "dev";
    readonly project = "zdp";
    deployed = {} as Record<App, ReleaseState>;
    endpoints = {} as Record<App, string>;
    tokens: Record<App, string> = { app: "default-app-preview-token-0123456789", api: "api-preview-token-abcdefghijklmnop" };
    leases = new Map<string, MemoryLeases>();
    /** The namespaces whose Lease a command asked for, in order. */
    leaseNamespaces: string[] = [];
    /** The keys of every setConfig and removeConfig call. */
    written: string[] = [];
    ups = 0;
    /** Full ups (by number) that fail. */
    failUps = new Set<number>();

    constructor(public yaml: string) {
        for (const app of APPS) this.deployed[app] = this.state(app);
    }

    state(app: App): ReleaseState {
        return readState(mergedConfig(PULUMI_YAML, this.yaml), "dev", "zdp", app === "app" ? undefined : app);
    }

    /** One answer of `app`'s routes: its preview route with its token, else its live route. */
    answer(app: App, req: http.IncomingMessage, res: http.ServerResponse): void {
        clock.advance(10);
        req.resume();
        const d = this.deployed[app];
        const preview = req.headers[d.previewHeader] === this.tokens[app];
        const colour = preview ? d.inactiveColor : d.activeColor;
        res.writeHead(200, { [COLOR_HEADER]: colour, [VERSION_HEADER]: d.versions[colour] ?? "" }).end("ok");
    }

    async start(): Promise<this> {
        for (const app of APPS) this.endpoints[app] = await serve((req, res) => this.answer(app, req, res));
        return this;
    }

    programConfig = async () => mergedConfig(PULUMI_YAML, this.yaml);
    /** As the Pulumi CLI lists them: top-level project keys, and each app field by its path. */
    async stackConfig() {
        const config = (parseDocument(this.yaml).toJS() as { config: Record<string, string | Record<string, Record<string, string | number>>> }).config;
        const own: Record<string, string> = {};
        for (const [k, v] of Object.entries(config)) {
            if (!k.startsWith("zdp:")) continue;
            if (k === "zdp:apps")
                for (const [name, entry] of Object.entries(v)) for (const [field, value] of Object.entries(entry)) own[`apps.${name}.${field}`] = String(value);
            else if (typeof v === "string") own[k.slice(4)] = v;
        }
        return own;
    }
    /** `pulumi config set` (`--path` for a dotted key: a field of zdp:apps, a whole number typed). */
    async setConfig(values: Record<string, string>) {
        const doc = parseDocument(this.yaml);
        for (const [k, v] of Object.entries(values)) {
            this.written.push(k);
            const [head, ...fields] = k.split(".");
            doc.setIn(["config", `zdp:${head}`, ...fields], fields.length && /^\d+$/.test(v) ? Number(v) : configScalar(doc, v));
        }
        this.yaml = doc.toString();
    }
    async removeConfig(keys: string[]) {
        const doc = parseDocument(this.yaml);
        for (const k of keys) {
            this.written.push(k);
            const [head, ...fields] = k.split(".");
            doc.deleteIn(["config", `zdp:${head}`, ...fields]);
        }
        this.yaml = doc.toString();
    }
    async up(onOutput: (line: string) => void): Promise<ChangeSummary> {
        const n = ++this.ups;
        onOutput(`Updating (dev) #${n}`);
        if (this.failUps.has(n)) throw new Error("error: update failed");
        for (const app of APPS) this.deployed[app] = this.state(app);
        return { update: 1 };
    }
    async routeUrns() {
        return [];
    }
    async preview(): Promise<ChangeSummary> {
        throw new Error("not used");
    }
    /** The app's outputs as the program exports them (another app's under `apps.<name>`, read by the real workspace). */
    async outputs(app?: string) {
        const d = this.deployed[(app ?? "app") as App] as ReleaseState | undefined;
        if (!d) return {};
        return { endpoint: this.endpoints[d.app as App], activeColor: d.activeColor, weights: d.weights, versions: d.versions };
    }
    async previewToken(app?: string) {
        return this.tokens[(app ?? "app") as App];
    }
    async alertWebhook() {
        return undefined;
    }
    async lease(namespace: string) {
        this.leaseNamespaces.push(namespace);
        if (!this.leases.has(namespace)) this.leases.set(namespace, new MemoryLeases());
        return this.leases.get(namespace)!;
    }
}

/** A local HTTP server answering with `handler`; its host:port. */
async function serve(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const FAST = ["--timeout", String(HANG_MS), "--interval", "5", "--success", "3", "--attempts", "6", "--watch", "0.15", "--converge-timeout", "2"];

async function run(ws: Workspace, argv: string[]) {
    const lines: string[] = [];
    const result = await runRelease(parseReleaseArgs([...argv, "--stack", "dev", ...FAST]), ws, (l) => lines.push(l), { clock });
    return { ...result, lines };
}

/** The promotedAt a promote wrote into api's entry, checked to lie within the command's run. */
function promotedAt(yaml: string, from: number, to: number): string {
    const at = /\n {6}promotedAt: "([^"]+)"\n/.exec(yaml)?.[1];
    assert.ok(at, `no promotedAt in api's entry:\n${yaml}`);
    const t = Date.parse(at);
    assert.ok(t >= from - 1000 && t <= to + 1000, `promotedAt ${at} is not the time of the promote`);
    return at;
}

/** TWO_APPS after a promote of api: its activeColor green and its promotedAt, every other byte as it was. */
const promotedApi = (at: string) => TWO_APPS.replace("      activeColor: blue\n", `      activeColor: green\n      promotedAt: "${at}"\n`);

describe("release CLI: several apps (--app)", () => {
    it("--app is parsed, checked, and refused with apply (apply finds the app from the merge)", () => {
        assert.equal(parseReleaseArgs(["promote", "--stack", "dev", "--app", "api"]).app, "api");
        assert.equal(parseReleaseArgs(["promote", "--stack", "dev"]).app, undefined);
        assert.throws(
            () => parseReleaseArgs(["promote", "--stack", "dev", "--app", "Api_1"]),
            (e: Error) => e instanceof UsageError && /--app.*"Api_1"/.test(e.message),
        );
        assert.throws(() => parseReleaseArgs(["apply", "--from", "abc", "--stack", "dev", "--app", "api"]), /--app does not go with apply/);
    });

    it("promote --app api writes api's keys alone, takes the Lease in api's namespace, and leaves the rest of the stack file byte for byte", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS).start();
        const defaultBefore = ws.deployed.app;
        const t0 = Date.now();
        const r = await run(ws, ["promote", "--app", "api"]);
        assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
        assert.deepEqual([...new Set(ws.written)].sort(), ["apps.api.activeColor", "apps.api.promotedAt"]);
        assert.equal(ws.yaml, promotedApi(promotedAt(ws.yaml, t0, Date.now())));
        assert.deepEqual(ws.leaseNamespaces, ["api"]);
        assert.equal(ws.deployed.api.activeColor, "green");
        assert.deepEqual(ws.deployed.app, defaultBefore);
        assert.ok(
            r.steps.some((s) => /check green through the preview route/.test(s.name) && s.status === "ok"),
            r.lines.join("\n"),
        );
    });

    it("--endpoint to a gateway both apps share: every request names api's domain as Host, so none reaches the default app", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS.replace("      namespace: api\n", "      namespace: api\n      domain: api.example.test\n")).start();
        // As Traefik or one Envoy does: api's routes match its domain; the default app's (no domain) every other host.
        const hosts: string[] = [];
        const gateway = await serve((req, res) => {
            hosts.push(req.headers.host ?? "");
            ws.answer(req.headers.host === "api.example.test" ? "api" : "app", req, res);
        });
        const r = await run(ws, ["promote", "--app", "api", "--endpoint", `http://${gateway}`]);
        assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
        assert.equal(ws.deployed.api.activeColor, "green");
        assert.ok(hosts.length > 0 && hosts.every((h) => h === "api.example.test"), [...new Set(hosts)].join(", "));
        assert.ok(
            r.lines.some((l) => l.includes(`http://${gateway}/readyz (Host api.example.test)`)),
            r.lines.join("\n"),
        );
    });

    it("a failed up of api's promote restores api's keys (removing the promotedAt it added): the stack file byte for byte as before", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS).start();
        ws.failUps.add(1);
        const r = await run(ws, ["promote", "--app", "api"]);
        assert.equal(r.exitCode, EXIT.failed, r.lines.join("\n"));
        assert.match(r.outcome, /rolled back/);
        assert.equal(ws.yaml, TWO_APPS);
        assert.ok(
            ws.written.every((k) => k.startsWith("apps.api.")),
            ws.written.join(", "),
        );
    });

    it("api's release is refused while the default app's file is off what runs: the up would ship that unchecked", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS).start();
        ws.yaml = ws.yaml.replace("  zdp:greenVersion: 6.9.1\n", "  zdp:greenVersion: 7.0.0\n");
        assert.notEqual(ws.yaml, TWO_APPS);
        const r = await run(ws, ["promote", "--app", "api"]);
        assert.equal(r.exitCode, EXIT.refused, r.lines.join("\n"));
        assert.match(r.outcome, /the default app's greenVersion: file 7\.0\.0, deployed 6\.9\.1.*pulumi config set --stack dev greenVersion 6\.9\.1/);
        assert.deepEqual([ws.written, ws.ups], [[], 0]);
    });

    it("an unknown --app is refused naming it and the stack's apps; nothing is written or locked", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS).start();
        const r = await run(ws, ["promote", "--app", "web"]);
        assert.equal(r.exitCode, EXIT.refused);
        assert.match(r.outcome, /--app web: stack dev has no app web; its apps are app, api/);
        assert.deepEqual([ws.written, ws.leaseNamespaces, ws.ups], [[], [], 0]);
    });

    it("status --app api reports api's colours and versions, not the default app's, and names the other apps", async () => {
        const ws = await new TwoAppWorkspace(TWO_APPS).start();
        const r = await run(ws, ["status", "--app", "api"]);
        assert.equal(r.exitCode, EXIT.ok, r.lines.join("\n"));
        assert.ok(
            r.lines.some((l) => /^stack dev app api: blueGreen, active blue/.test(l)),
            r.lines.join("\n"),
        );
        assert.ok(
            r.lines.some((l) => /green +version 2\.0\.0/.test(l)),
            r.lines.join("\n"),
        );
        assert.ok(r.lines.includes("  the stack's other apps: app (their status: --app NAME)"), r.lines.join("\n"));
        const main = await run(ws, ["status"]);
        assert.ok(main.lines.includes("  the stack's other apps: api (their status: --app NAME)"), main.lines.join("\n"));
    });

    it("--edit-only for api (the pull request's change) sets apps.api keys only, the rest of the file byte for byte", () => {
        const t0 = Date.now();
        const p = proposeRelease({ kind: "promote" }, PULUMI_YAML, TWO_APPS, "dev", "api");
        assert.deepEqual(Object.keys(p.edit).sort(), ["apps.api.activeColor", "apps.api.promotedAt"]);
        assert.equal(p.stackYaml, promotedApi(promotedAt(p.stackYaml, t0, Date.now())));
        assert.match(p.summary, /^api: promote green/);
    });
});

describe("release CLI: the Automation API adapter with several apps", () => {
    it("writes another app's keys with --path (plain keys without), lists them by path, and reads its outputs from apps.<name>", async () => {
        const calls: string[] = [];
        const apps = { api: { appImage: "ghcr.io/org/api", activeColor: "blue", canaryWeight: 0, migrations: [{ phase: "expand" }] } };
        const stack = {
            getAllConfig: async () => ({ "zdp:activeColor": { value: "blue", secret: false }, "zdp:apps": { value: JSON.stringify(apps), secret: false } }),
            setAllConfig: async (c: Record<string, unknown>, path?: boolean) => void calls.push(`set${path ? " --path" : ""} ${Object.keys(c).join(",")}`),
            removeAllConfig: async (keys: string[], path?: boolean) => void calls.push(`rm${path ? " --path" : ""} ${keys.join(",")}`),
            outputs: async () => ({
                endpoint: { value: "lb.example.com", secret: false },
                previewToken: { value: "default-token", secret: true },
                apps: { value: { api: { endpoint: "api.lb.example.com", activeColor: "blue" } }, secret: false },
                appPreviewTokens: { value: { api: "api-token" }, secret: true },
            }),
        } as unknown as StackApi;
        const ws = workspaceFromStack("aws", stack, () => "name: zdp\n");
        assert.deepEqual(await ws.stackConfig(), {
            activeColor: "blue",
            apps: JSON.stringify(apps),
            "apps.api.appImage": "ghcr.io/org/api",
            "apps.api.activeColor": "blue",
            "apps.api.canaryWeight": "0",
        });
        await ws.setConfig({ "apps.api.activeColor": "green", "apps.api.promotedAt": "2026-12-07T22:00:00Z" });
        await ws.setConfig({ activeColor: "green" });
        await ws.removeConfig(["apps.api.promotedAt"]);
        assert.deepEqual(calls, ["set --path zdp:apps.api.activeColor,zdp:apps.api.promotedAt", "set zdp:activeColor", "rm --path zdp:apps.api.promotedAt"]);
        assert.deepEqual(await ws.outputs("api"), { endpoint: "api.lb.example.com", activeColor: "blue", previewToken: "[secret]" });
        assert.deepEqual(
            [await ws.previewToken("api"), await ws.previewToken(), await ws.previewToken("app")],
            ["api-token", "default-token", "default-token"],
        );
        assert.deepEqual(await ws.outputs("web"), {}, "an app never deployed has no outputs");
    });
});

describe("release apply: one app's release per merge", () => {
    const files = (stackYaml: string) => ({ pulumiYaml: PULUMI_YAML, stackYaml });
    const apiPromoted = TWO_APPS.replace("      activeColor: blue\n", "      activeColor: green\n");

    it("a merge that flips apps.api.activeColor alone is api's promote", () => {
        const change = mergedChange(files(TWO_APPS), files(apiPromoted), "dev");
        assert.deepEqual(change.kind === "release" && [change.app, change.action], ["api", { kind: "promote" }]);
    });

    it("a merge that changes the release keys of two apps is refused: each release is watched and rolled back on its own", () => {
        const both = apiPromoted.replace("  zdp:activeColor: blue\n", "  zdp:activeColor: green\n");
        assert.notEqual(both, apiPromoted);
        assert.throws(
            () => mergedChange(files(TWO_APPS), files(both), "dev"),
            /release keys of 2 apps of stack dev \(app: .*\| api: .*\); one release per merge/,
        );
    });

    it("a merge that adds an app is a guarded up (no release to move, nothing deployed to compare it with)", async () => {
        const added = `${TWO_APPS}    web:\n      appImage: ghcr.io/org/web\n      namespace: web\n      blueVersion: 1.0.0\n      greenVersion: 1.0.0\n      activeColor: blue\n`;
        assert.deepEqual(mergedChange(files(TWO_APPS), files(added), "dev"), { kind: "none" });
        const ws = await new TwoAppWorkspace(added).start();
        const lines: string[] = [];
        const merge: MergeInput = { from: "0123456789abcdef", before: files(TWO_APPS), after: files(added), rollbackIntent: false, writeStackFile: () => {} };
        const r = await runApply(parseReleaseArgs(["apply", "--from", merge.from, "--stack", "dev", ...FAST]), ws, (l) => lines.push(l), { clock }, merge);
        assert.equal(r.exitCode, EXIT.ok, lines.join("\n"));
        assert.deepEqual([ws.ups, ws.written, ws.leaseNamespaces], [1, [], ["zdp"]]);
    });

    it("apply of that merge runs api's promote: api's Lease, api's keys, the default app untouched", async () => {
        const ws = await new TwoAppWorkspace(apiPromoted).start();
        // The deployed stack is the one before the merge.
        const deployedBefore = new TwoAppWorkspace(TWO_APPS).deployed;
        ws.deployed = { ...deployedBefore };
        const merge: MergeInput = {
            from: "0123456789abcdef",
            before: files(TWO_APPS),
            after: files(apiPromoted),
            rollbackIntent: false,
            writeStackFile: (text) => void (ws.yaml = text),
        };
        const lines: string[] = [];
        const args = parseReleaseArgs(["apply", "--from", merge.from, "--stack", "dev", ...FAST]);
        const r = await runApply(args, ws, (l) => lines.push(l), { clock }, merge);
        assert.equal(r.exitCode, EXIT.ok, lines.join("\n"));
        assert.ok(
            lines.some((l) => /: promote: api: promote green/.test(l)),
            lines.join("\n"),
        );
        assert.deepEqual(ws.leaseNamespaces, ["api"]);
        assert.ok(ws.written.length > 0 && ws.written.every((k) => k.startsWith("apps.api.")), ws.written.join(", "));
        assert.equal(ws.deployed.api.activeColor, "green");
        assert.deepEqual(ws.deployed.app, deployedBefore.app);
    });
});
