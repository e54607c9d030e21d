// The app role's SQL on a real PostgreSQL server (Debian package postgresql; started here on loopback
// in a temporary directory), run by a master user that is no superuser, as on RDS, Azure and Cloud SQL.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_DB_ROLE, APP_ROLE_SQL, appRoleArgs, dbRoleOf, scramVerifier } from "../../components/dbRole";
import { HANG_MS } from "../hang";

/** The server binaries: PATH, else Debian's versioned directory. The test fails (never skips) without them. */
function pgBin(): string {
    const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
    if (onPath) return path.dirname(fs.realpathSync(onPath));
    const debian = "/usr/lib/postgresql";
    const versions = fs.existsSync(debian) ? fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
    for (const v of versions) if (fs.existsSync(path.join(debian, v, "bin", "pg_ctl"))) return path.join(debian, v, "bin");
    throw new Error("PostgreSQL server binaries (pg_ctl, initdb, postgres, psql) not found: install the Debian package postgresql");
}

describe("the app's database role, on a real PostgreSQL", function () {
    const port = String(20000 + (process.pid % 20000));
    let bin = "";
    let dir = "";
    // postgres refuses to run as root: as root, run the server binaries as the postgres user.
    const asServer = (cmd: string, args: string[]) => {
        const argv = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", path.join(bin, cmd), ...args] : [path.join(bin, cmd), ...args];
        return execFileSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    };
    const psql = (user: string, password: string, sql: string[], db = "app") =>
        spawnSync(path.join(bin, "psql"), ["-X", "-q", "-w", "-tA", "-h", "127.0.0.1", "-p", port, "-U", user, "-d", db, ...sql.flatMap((s) => ["-c", s])], {
            encoding: "utf8",
            env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: String(HANG_MS / 1000) },
        });
    const sqlFile = () => path.join(dir, "app-role.sql");
    const runScript = (verifier: string, role?: { role: string; schema: string }) =>
        spawnSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", port, "-U", "master", "-d", "app", ...appRoleArgs(sqlFile(), "app", verifier, role)], {
            encoding: "utf8",
            env: { ...process.env, PGPASSWORD: "master-pw" },
        });
    const ok = (r: { status: number | null; stderr: string; stdout: string }) => {
        assert.strictEqual(r.status, 0, r.stderr);
        return r.stdout.trim();
    };

    before(() => {
        bin = pgBin();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-pg-"));
        fs.chmodSync(dir, 0o777);
        const data = path.join(dir, "data");
        fs.writeFileSync(path.join(dir, "pw"), "super-pw\n", { mode: 0o644 });
        asServer("initdb", ["-D", data, "-U", "postgres", "--pwfile", path.join(dir, "pw"), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"]);
        const waitS = String(HANG_MS / 1000);
        asServer("pg_ctl", ["-D", data, "-w", "-t", waitS, "-l", path.join(dir, "log"), "-o", `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`, "start"]);
        // The master user as the clouds make it: CREATEROLE and CREATEDB, owner of the app database, no superuser.
        ok(psql("postgres", "super-pw", ["CREATE ROLE master LOGIN CREATEROLE CREATEDB PASSWORD 'master-pw'", "CREATE DATABASE app OWNER master"], "postgres"));
        fs.writeFileSync(sqlFile(), APP_ROLE_SQL);
    });
    after(() => {
        if (dir && fs.existsSync(path.join(dir, "data", "postmaster.pid"))) asServer("pg_ctl", ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("creates a role that logs in with its password (the server checks the SCRAM verifier the stack computed)", () => {
        ok(runScript(scramVerifier("first-Pw1")));
        assert.strictEqual(ok(psql(APP_DB_ROLE, "first-Pw1", ["SELECT current_user"])), APP_DB_ROLE);
        assert.notStrictEqual(psql(APP_DB_ROLE, "wrong-Pw1", ["SELECT 1"]).status, 0);
    });

    it("gives the role only LOGIN: no superuser, createrole, createdb, replication, bypassrls, no memberships", () => {
        const attrs = ok(
            psql("postgres", "super-pw", [
                `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin, (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid) FROM pg_roles r WHERE rolname = '${APP_DB_ROLE}'`,
            ]),
        );
        assert.strictEqual(attrs, "f|f|f|f|f|t|0");
    });

    it("lets the app create and use tables in its own schema, which its search_path selects", () => {
        const out = ok(
            psql(APP_DB_ROLE, "first-Pw1", [
                "CREATE TABLE IF NOT EXISTS items (id int)",
                "INSERT INTO items VALUES (1)",
                "SELECT schemaname FROM pg_tables WHERE tablename = 'items'",
            ]),
        );
        assert.strictEqual(out, "app");
    });

    for (const [what, sql] of [
        ["create a role", "CREATE ROLE intruder"],
        ["create a database", "CREATE DATABASE other"],
        ["create a schema", "CREATE SCHEMA other"],
        ["create in the public schema", "CREATE TABLE public.t (id int)"],
        ["drop its schema", "DROP SCHEMA app CASCADE"],
    ] as const)
        it(`refuses to let the app ${what}`, () => {
            const r = psql(APP_DB_ROLE, "first-Pw1", ["\\set ON_ERROR_STOP on", sql]);
            assert.notStrictEqual(r.status, 0, `${sql} succeeded`);
            assert.match(r.stderr, /permission denied|must be owner|not have permission|not permitted/);
        });

    it("is idempotent: a second run succeeds and changes nothing; a new password replaces the old", () => {
        const snapshot = () =>
            ok(
                psql("postgres", "super-pw", [
                    `SELECT r.rolname, r.rolpassword, n.nspacl, d.datacl, s.setconfig FROM pg_authid r, pg_namespace n, pg_database d, pg_db_role_setting s WHERE r.rolname = '${APP_DB_ROLE}' AND n.nspname = 'app' AND d.datname = 'app' AND s.setrole = r.oid`,
                ]),
            );
        const before = snapshot();
        ok(runScript(scramVerifier("first-Pw1")));
        assert.strictEqual(snapshot(), before);
        assert.strictEqual(ok(psql(APP_DB_ROLE, "first-Pw1", ["SELECT count(*) FROM items"])), "1", "the app's data stays");
        ok(runScript(scramVerifier("second-Pw2")));
        assert.strictEqual(ok(psql(APP_DB_ROLE, "second-Pw2", ["SELECT current_user"])), APP_DB_ROLE);
        assert.notStrictEqual(psql(APP_DB_ROLE, "first-Pw1", ["SELECT 1"]).status, 0);
    });

    it("fails the run when the role already has more rights than the app needs", () => {
        ok(psql("postgres", "super-pw", [`GRANT master TO ${APP_DB_ROLE}`], "postgres"));
        const r = runScript(scramVerifier("second-Pw2"));
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /has more rights than the app needs/);
        ok(psql("postgres", "super-pw", [`REVOKE master FROM ${APP_DB_ROLE}`], "postgres"));
        ok(runScript(scramVerifier("second-Pw2")));
    });

    it("another app of the stack gets a role and schema of its own on the same server, and neither reaches the other's", () => {
        const api = dbRoleOf("api");
        assert.deepStrictEqual(api, { role: "api_user", schema: "api" });
        ok(runScript(scramVerifier("api-Pw3"), api));
        ok(psql(api.role, "api-Pw3", ["CREATE TABLE orders (id int)", "INSERT INTO orders VALUES (7)"]));
        assert.strictEqual(ok(psql(api.role, "api-Pw3", ["SELECT count(*) FROM api.orders"])), "1");
        for (const [user, password, sql] of [
            [api.role, "api-Pw3", "SELECT count(*) FROM app.items"],
            [APP_DB_ROLE, "second-Pw2", "SELECT count(*) FROM api.orders"],
        ] as const) {
            const r = psql(user, password, ["\\set ON_ERROR_STOP on", sql]);
            assert.notStrictEqual(r.status, 0, `${user}: ${sql} succeeded`);
            assert.match(r.stderr, /permission denied/);
        }
        // The default app's role keeps its password: the second app's run touched only its own role.
        assert.strictEqual(ok(psql(APP_DB_ROLE, "second-Pw2", ["SELECT current_user"])), APP_DB_ROLE);
    });
});
