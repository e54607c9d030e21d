// Migrations (stack config `migrations`): the config grammar, the expand/contract rule, the Job names,
// and, under the mock runtime, the Job the Release declares and the order around it.
import { strict as assert } from "assert";
import { ConfigError, parseConfig } from "../model/config";
import { contractIssues, contractRefusal, migrationJobName, parseMigrations, plannedMigrations } from "../model/migrations";
import { releaseState } from "../model/releasePlan";
import { sizingFor } from "../model/capacity";
import { ENCRYPTED } from "../model/monitoring/config";
import { MIGRATION_BACKOFF_LIMIT, MIGRATION_DEADLINE_SECONDS } from "../components/k8s/migrationJob";
import { runPolicies } from "../policy/offline";
import { all, find, runStack, stackConfigMap, waitsFor, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";

const JOB = "kubernetes:batch/v1:Job";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const SECRET = "kubernetes:core/v1:Secret";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const migrations = (m: Record<string, unknown>) => JSON.stringify(m);
const expand = { phase: "expand", command: ["/app/migrate", "up"] };
const contract = { phase: "contract", command: ["/app/migrate", "contract"] };

/** The config issues of the dev stack with `overrides`, as `key: message`; none when it parses. */
function refusals(overrides: Record<string, string>, asOf?: Date): string[] {
    try {
        parseConfig(stackConfigMap("dev", overrides), "dev", undefined, asOf);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues.map((i) => `${i.key}: ${i.message}`);
    }
}

describe("migrations: config", () => {
    it("parses a version's phase, command, image and env", () => {
        const { migrations: m, issues } = parseMigrations(
            migrations({ "6.9.2": { ...expand, image: "ghcr.io/org/app-migrations:6.9.2", env: { LOCK_TIMEOUT: "5s" } } }),
        );
        assert.deepEqual(issues, []);
        assert.deepEqual(m, [
            { version: "6.9.2", phase: "expand", image: "ghcr.io/org/app-migrations:6.9.2", command: ["/app/migrate", "up"], env: { LOCK_TIMEOUT: "5s" } },
        ]);
    });

    it("refuses, naming the key: no phase, an unknown phase, no command, an unknown setting, a bad version, a moving image", () => {
        const keys = (v: unknown) => parseMigrations(migrations(v as Record<string, unknown>)).issues.map((i) => `${i.key}: ${i.message}`);
        assert.match(keys({ "6.9.2": { command: ["x"] } }).join(), /migrations\["6\.9\.2"\]\.phase: must be one of expand, contract/);
        assert.match(keys({ "6.9.2": { phase: "drop", command: ["x"] } }).join(), /\.phase: must be one of expand, contract/);
        assert.match(keys({ "6.9.2": { phase: "expand" } }).join(), /\.command: must be a list of arguments/);
        assert.match(keys({ "6.9.2": { phase: "expand", command: [] } }).join(), /\.command: must name the program to run/);
        assert.match(keys({ "6.9.2": { ...expand, timeout: "5m" } }).join(), /\.timeout: is not a migration setting/);
        assert.match(keys({ "6.9 2": expand }).join(), /migrations\["6\.9 2"\]: names a version that must be an image tag/);
        assert.match(
            keys({ "6.9.2": { ...expand, image: "ghcr.io/org/app:latest" } }).join(),
            /\.image: must be an image reference with a fixed tag or digest/,
        );
        assert.match(keys({ "6.9.2": { ...expand, image: "ghcr.io/org/app" } }).join(), /\.image: must be an image reference/);
        assert.match(keys({ "6.9.2": { ...expand, env: { DATABASE_PASSWORD: "x" } } }).join(), /must not be one the Job sets itself/);
        assert.match(keys({ "6.9.2": { ...expand, env: { "1X": "x" } } }).join(), /must be an environment variable name/);
        assert.match(keys({ "6.9.2": { ...expand, env: "X=1" } }).join(), /\.env: must be an object of NAME: value/);
        assert.match(parseMigrations("[]").issues[0].message, /must be an object of versions/);
    });

    it("numbers and booleans (what pulumi config set --path stores for 5 or true) are taken as text", () => {
        const { migrations: m, issues } = parseMigrations(
            migrations({ "6.9.2": { phase: "expand", command: ["/app/migrate", "--steps", 5], env: { DRY: false } } }),
        );
        assert.deepEqual(issues, []);
        assert.deepEqual([m[0].command, m[0].env], [["/app/migrate", "--steps", "5"], { DRY: "false" }]);
        assert.match(parseMigrations(migrations({ "6.9.2": { phase: "expand", command: [["x"]] } })).issues[0].message, /must be text/);
    });

    it("a secret is accepted in env only: the image and command are shown in plans and stored in the Job", () => {
        assert.deepEqual(parseMigrations(migrations({ "6.9.2": { ...expand, env: { TOKEN: ENCRYPTED } } })).issues, []);
        const [issue] = parseMigrations(migrations({ "6.9.2": { phase: "expand", command: ["/app/migrate", ENCRYPTED] } })).issues;
        assert.equal(issue.key, 'migrations["6.9.2"].command[1]');
        assert.match(issue.message, /only env values are kept secret.*\$\(NAME\)/);
    });

    it("parseConfig reads the key, and a literal dotted key is refused with the --path form", () => {
        assert.deepEqual(refusals({ migrations: migrations({ "6.9.1": expand }) }), []);
        assert.match(refusals({ "zdp:migrations.x": "1" }).join(), /is a literal key, which Pulumi does not merge into the migrations settings/);
    });
});

describe("migrations: the expand/contract rule", () => {
    const state = (overrides: Record<string, string>) => {
        const cfg = parseConfig(stackConfigMap("dev", overrides), "dev");
        return releaseState(cfg, sizingFor(cfg));
    };
    const c = [{ version: "6.9.2", phase: "contract" as const, command: ["x"], env: {} }];

    it("contractRefusal: refused while the old colour serves or can be rolled back to; allowed otherwise", () => {
        assert.match(contractRefusal({ track: "blue", version: "6.9.1", serves: true, canRollBack: false })!, /blue still serves traffic on version 6\.9\.1/);
        assert.match(
            contractRefusal({ track: "blue", version: "6.9.1", serves: false, canRollBack: true })!,
            /can still be rolled back to, inside the rollback window/,
        );
        assert.equal(contractRefusal({ track: "blue", version: "6.9.1", serves: false, canRollBack: false }), undefined);
    });

    it("blue/green: refused while the other colour is the live one; allowed once the contract's version is live alone", () => {
        assert.equal(contractIssues(c, state({ greenVersion: "6.9.2" })).length, 1, "green deployed, blue (6.9.1) live");
        assert.deepEqual(contractIssues(c, state({ greenVersion: "6.9.2", activeColor: "green" })), [], "green live, blue idle");
        assert.equal(contractIssues(c, state({ greenVersion: "6.9.2", activeColor: "green" }), (t) => t === "blue").length, 1, "inside a rollback window");
        assert.deepEqual(contractIssues(c, state({ blueVersion: "6.9.2", greenVersion: "6.9.2" })), [], "no other version runs");
    });

    it("canary: refused while both colours take traffic", () => {
        const canary = { releaseStrategy: "canary", greenVersion: "6.9.2" };
        assert.equal(contractIssues(c, state({ ...canary, canaryWeight: "10" })).length, 1);
        assert.equal(contractIssues(c, state({ ...canary, canaryWeight: "100", activeColor: "blue" })).length, 0, "blue at 0%");
        assert.equal(contractIssues(c, state({ ...canary, canaryWeight: "50", activeColor: "green" })).length, 1, "green active, blue canary 50%");
    });

    it("rolling and versions no track runs: nothing to refuse", () => {
        const rolling = { releaseStrategy: "rolling", appVersion: "6.9.2", blueVersion: "", greenVersion: "" };
        assert.deepEqual(contractIssues(c, state(rolling)), []);
        assert.deepEqual(contractIssues([{ ...c[0], version: "7.0.0" }], state({ greenVersion: "6.9.2" })), []);
    });

    it("parseConfig refuses the contract before anything is declared, naming the key and what to do", () => {
        const issues = refusals({ greenVersion: "6.9.2", migrations: migrations({ "6.9.2": contract }) });
        assert.equal(issues.length, 1);
        assert.match(issues[0], /^migrations\["6\.9\.2"\]\.phase: is refused: blue still serves traffic on version 6\.9\.1/);
        assert.match(issues[0], /after promoting 6\.9\.2/);
        // Rolling back to the older version with the contract still configured is refused too.
        assert.equal(refusals({ greenVersion: "6.9.2", activeColor: "blue", migrations: migrations({ "6.9.2": contract }) }).length, 1);
        assert.deepEqual(refusals({ greenVersion: "6.9.2", activeColor: "green", migrations: migrations({ "6.9.2": contract }) }), []);
    });

    it("parseConfig refuses the contract inside the rollback window that promotedAt opened, and takes it once the window is over", () => {
        const promoted = { greenVersion: "6.9.2", activeColor: "green", promotedAt: "2026-12-07T18:00:00Z", migrations: migrations({ "6.9.2": contract }) };
        const inside = refusals({ ...promoted, rollbackWindowMinutes: "60" }, new Date("2026-12-07T18:59:00Z"));
        assert.equal(inside.length, 1);
        assert.match(
            inside[0],
            /^migrations\["6\.9\.2"\]\.phase: is refused: blue \(version 6\.9\.1\) can still be rolled back to, inside the rollback window/,
        );
        assert.deepEqual(refusals({ ...promoted, rollbackWindowMinutes: "60" }, new Date("2026-12-07T19:00:00Z")), []);
        assert.deepEqual(refusals({ ...promoted, rollbackWindowMinutes: "0" }, new Date("2026-12-07T18:01:00Z")), [], "no window");
    });
});

describe("migrations: Job names", () => {
    it("one per version and phase, a DNS label of at most 63 characters", () => {
        assert.equal(migrationJobName("6.9.2", "expand"), "migrate-expand-6.9.2");
        assert.equal(migrationJobName("6.9.2", "contract"), "migrate-contract-6.9.2");
        assert.equal(migrationJobName(`6.9.2@sha256:${"a".repeat(64)}`, "expand"), "migrate-expand-6.9.2", "the digest pins the image, the tag names it");
        const names = ["V1_RC", "v1-rc", "x".repeat(63), `@sha256:${"0123456789ab".repeat(5)}cdef`].map((v) => migrationJobName(v, "contract"));
        for (const n of names) assert.match(n, /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, n);
        assert.equal(new Set(names).size, names.length, "versions that differ only in case or '_' get different Jobs");
    });

    it("only versions a track runs are planned, expand first; unset image is the app image at that version", async () => {
        const cfg = parseConfig(stackConfigMap("dev", { greenVersion: "6.9.2" }), "dev");
        const m = [
            { version: "7.0.0", phase: "expand" as const, command: ["x"], env: {} },
            { version: "6.9.1", phase: "contract" as const, command: ["x"], env: {} },
            { version: "6.9.2", phase: "expand" as const, command: ["x"], env: {} },
        ];
        const planned = plannedMigrations(m, releaseState(cfg, sizingFor(cfg)), cfg.app.image);
        assert.deepEqual(
            planned.map((p) => [p.version, p.phase, p.tracks, p.imageRef]),
            [
                ["6.9.2", "expand", ["green"], "ghcr.io/stefanprodan/podinfo:6.9.2"],
                ["6.9.1", "contract", ["blue"], "ghcr.io/stefanprodan/podinfo:6.9.1"],
            ],
        );
    });
});

describe("migrations: the Job and its order (mock runtime)", () => {
    let deploy: StackRun;
    let promoted: StackRun;
    before(async () => {
        deploy = await runStack("dev", { greenVersion: "6.9.2", migrations: migrations({ "6.9.2": { ...expand, env: { TOKEN: "s3cr3t" } } }) });
        promoted = await runStack("dev", { greenVersion: "6.9.2", activeColor: "green", migrations: migrations({ "6.9.2": contract }) });
    });
    const jobOf = (run: StackRun, name: string) => all(run, JOB).find((j) => j.inputs.metadata.name === name)!;

    it("blue/green deploy: green's Deployment and the live route wait for the expand Job; blue does not", () => {
        const job = jobOf(deploy, "migrate-expand-6.9.2");
        assert.ok(job, "the expand Job is declared");
        assert.ok(waitsFor(deploy, find(deploy, DEPLOYMENT, "app-green"), job));
        assert.ok(waitsFor(deploy, find(deploy, ROUTE, "app-route"), job));
        assert.ok(!waitsFor(deploy, find(deploy, DEPLOYMENT, "app-blue"), job), "the serving colour is not held up");
        assert.ok(!waitsFor(deploy, job, find(deploy, ROUTE, "app-route")));
        // It connects as the app's role, created by the role Job, once its network policy exists.
        assert.ok(waitsFor(deploy, job, jobOf(deploy, "db-role")));
        assert.ok(
            waitsFor(
                deploy,
                job,
                all(deploy, POLICY).find((p) => p.inputs.metadata.name === "migration-to-database")!,
            ),
        );
    });

    it("a promotion with a contract: the Job runs after the route and green's rollout, and the route does not wait for it", () => {
        const job = jobOf(promoted, "migrate-contract-6.9.2");
        assert.ok(job);
        assert.ok(waitsFor(promoted, job, find(promoted, ROUTE, "app-route")));
        assert.ok(waitsFor(promoted, job, find(promoted, DEPLOYMENT, "app-green")));
        assert.ok(!waitsFor(promoted, find(promoted, ROUTE, "app-route"), job));
    });

    it("the Job is schema-valid, restricted, bounded, rerun only when it failed, and kept (no TTL)", () => {
        assert.deepEqual(validateK8s(deploy.resources).errors, []);
        const job = jobOf(deploy, "migrate-expand-6.9.2");
        const spec = job.inputs.spec;
        assert.equal(spec.backoffLimit, MIGRATION_BACKOFF_LIMIT);
        assert.equal(spec.activeDeadlineSeconds, MIGRATION_DEADLINE_SECONDS);
        assert.ok(MIGRATION_BACKOFF_LIMIT <= 3 && MIGRATION_DEADLINE_SECONDS <= 1800);
        assert.equal(spec.ttlSecondsAfterFinished, undefined, "a TTL would let a refresh drop the Job and the next up rerun it");
        assert.equal(job.inputs.metadata.annotations["pulumi.com/replaceUnready"], "true");
        assert.equal(job.deleteBeforeReplace, true);
        const pod = spec.template.spec;
        assert.equal(pod.restartPolicy, "Never");
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
        const c = pod.containers[0];
        assert.deepEqual(c.command, ["/app/migrate", "up"]);
        assert.equal(c.image, "ghcr.io/stefanprodan/podinfo:6.9.2");
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    });

    it("reads the app role's connection from the app Secret, never Redis's, and its env from a Secret of its own", () => {
        const c = jobOf(deploy, "migrate-expand-6.9.2").inputs.spec.template.spec.containers[0];
        const refs = Object.fromEntries(c.env.filter((e: any) => e.valueFrom).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]));
        for (const key of ["DATABASE_HOST", "DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_SSLMODE"]) assert.equal(refs[key], "app-env", key);
        assert.ok(!c.env.some((e: any) => e.name.startsWith("REDIS")) && !c.envFrom, "no Redis credentials");
        assert.equal(refs.TOKEN, "migrate-expand-6.9.2");
        assert.ok(!JSON.stringify(c).includes("s3cr3t"), "the Job spec holds no env value");
        const envSecret = all(deploy, SECRET).find((s) => s.inputs.metadata.name === "migrate-expand-6.9.2")!;
        assert.equal(envSecret.inputs.stringData.TOKEN, "s3cr3t");
        assert.ok(envSecret.secretPaths.includes("stringData"), "a Pulumi secret");
    });

    it("network policy: the Job's pods reach the database port and DNS, nothing else; the dev database admits them", () => {
        const job = jobOf(deploy, "migrate-expand-6.9.2").inputs;
        const pods = job.spec.template.metadata.labels;
        const selects = (p: any) =>
            p.inputs.metadata.namespace === job.metadata.namespace &&
            Object.entries(p.inputs.spec.podSelector.matchLabels ?? {}).every(([k, v]) => pods[k] === v);
        const egress = all(deploy, POLICY).filter((p) => selects(p) && p.inputs.spec.policyTypes.includes("Egress"));
        assert.deepEqual(egress.map((p) => p.inputs.metadata.name).sort(), ["allow-dns", "default-deny", "migration-to-database"]);
        const mine = egress.find((p) => p.inputs.metadata.name === "migration-to-database")!.inputs.spec.egress;
        assert.deepEqual(
            mine.flatMap((e: any) => e.ports.map((p: any) => p.port)),
            [5432],
        );
        const db = all(deploy, POLICY).find((p) => p.inputs.metadata.name === "datastore-0-from-app")!;
        assert.ok(db.inputs.spec.ingress[0].from.some((f: any) => Object.entries(f.podSelector.matchLabels).every(([k, v]) => pods[k] === v)));
    });

    it("nothing is declared for the stack files as shipped (no migrations)", async () => {
        assert.deepEqual(
            all(await runStack("dev"), JOB).map((j) => j.inputs.metadata.name),
            ["db-role"],
        );
    });

    it("a cloud stack with a migration keeps 0 mandatory policy violations", async () => {
        const run = await runStack("aws", { greenVersion: "6.9.2", migrations: migrations({ "6.9.2": expand }) });
        assert.ok(jobOf(run, "migrate-expand-6.9.2"));
        // The managed database's address range and port, exactly as the role Job reaches it.
        const policy = (name: string) => all(run, POLICY).find((p) => p.inputs.metadata.name === name)!.inputs.spec.egress;
        assert.deepEqual(policy("migration-to-database"), policy("db-role-to-database"));
        assert.deepEqual(policy("migration-to-database")[0].ports, [{ protocol: "TCP", port: 5432 }]);
        const report = runPolicies(run.resources, run.config);
        assert.deepEqual(
            report.violations.filter((v) => v.level === "mandatory").map((v) => `${v.rule} ${v.resource}`),
            [],
        );
        // The only finding on it: its image goes by tag (advisory, as for the app's own Deployments).
        assert.deepEqual(
            report.violations.filter((v) => v.resource.includes("migrate")).map((v) => `${v.level} ${v.rule}`),
            ["advisory k8s-image-digest"],
        );
    });
});
