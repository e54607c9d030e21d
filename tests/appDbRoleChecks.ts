// Assertions every stack's spec makes about the app's database role (components/k8s/appDbRole.ts).
import * as assert from "assert";
import { APP_DB_ROLE, APP_ROLE_SQL, appRoleArgs, scramVerifier } from "../components/dbRole";
import { all, find, type StackRun } from "./harness";

const SECRET = "kubernetes:core/v1:Secret";

/** The app connects as its own role; the master credentials reach only the Job that creates it. */
export function assertAppDbRole(run: StackRun, admin: { user: string; password: string; database: string }): void {
    const app = find(run, SECRET, "app");
    const data = app.inputs.stringData;
    assert.strictEqual(data.DATABASE_USER, APP_DB_ROLE);
    assert.notStrictEqual(data.DATABASE_USER, admin.user);
    assert.ok(run.generatedSecrets.includes(data.DATABASE_PASSWORD), "the app role's password is generated");
    assert.notStrictEqual(data.DATABASE_PASSWORD, admin.password);

    const adminSecret = find(run, SECRET, "app-db-admin");
    const a = adminSecret.inputs.stringData;
    assert.ok(adminSecret.secretPaths.includes("stringData"), "the master credentials are a Pulumi secret");
    assert.deepStrictEqual(
        [a.PGUSER, a.PGPASSWORD, a.PGDATABASE, a.PGHOST, a.PGPORT],
        [admin.user, admin.password, admin.database, data.DATABASE_HOST, data.DATABASE_PORT],
    );
    // The Job checks the server exactly as the app does.
    assert.strictEqual(a.PGSSLMODE, data.DATABASE_SSLMODE);
    assert.strictEqual(a["ca.crt"], data.DATABASE_CA_CERT ?? "");
    assert.strictEqual(a.APP_ROLE_VERIFIER, scramVerifier(data.DATABASE_PASSWORD));
    assert.strictEqual(a["app-role.sql"], APP_ROLE_SQL);
    assert.ok(!JSON.stringify(a).includes(data.DATABASE_PASSWORD), "the app role's password itself never goes to the database");

    // Only the Job mounts the admin Secret; no app pod names it.
    const adminName = adminSecret.inputs.metadata.name;
    const users = run.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== SECRET && JSON.stringify(r.inputs).includes(`"${adminName}"`));
    assert.deepStrictEqual(
        users.map((r) => r.type),
        ["kubernetes:batch/v1:Job"],
    );
    const job = users[0];
    const c = job.inputs.spec.template.spec.containers[0];
    assert.deepStrictEqual(c.args, appRoleArgs("/sql/app-role.sql", admin.database, "$(APP_ROLE_VERIFIER)"));
    assert.strictEqual(job.inputs.spec.template.spec.automountServiceAccountToken, false);
    assert.strictEqual(c.securityContext.readOnlyRootFilesystem, true);
    if (data.DATABASE_CA_CERT) assert.ok(c.env.some((e: { name: string; value?: string }) => e.name === "PGSSLROOTCERT" && e.value === "/tls/ca.crt"));

    // The release waits for the role: `pulumi up` waits for the Job to complete.
    assert.ok(find(run, "zdp:k8s:Release").dependsOn.includes(job.urn), "the Release depends on the Job");
    // The Job's pods may reach the database (and DNS), nothing else.
    const np = all(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.name === "db-role-to-database");
    assert.ok(np, "no db-role-to-database policy");
    assert.deepStrictEqual(np.inputs.spec.podSelector.matchLabels, job.inputs.spec.template.metadata.labels);
    assert.deepStrictEqual(
        np.inputs.spec.egress.flatMap((e: { ports: { port: number }[] }) => e.ports.map((p) => p.port)),
        [Number(data.DATABASE_PORT)],
    );
}
