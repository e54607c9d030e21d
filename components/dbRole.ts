// The app's own PostgreSQL role (pure: no Pulumi). The stacks connect the app as this role, not as the
// master user: it may log in to its database and use and create objects in its schema, nothing more.
// The SQL runs as the master user (components/k8s/appDbRole.ts runs it in a Job with psql) and is
// idempotent: every run brings the role, its password and its grants to the same state.
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { DEFAULT_APP } from "../model/stackConfig";

export const APP_DB_ROLE = "app_user";
export const APP_DB_SCHEMA = "app";

/** The role and schema of one app: the default app's are app_user and app; another app's carry its name. */
export function dbRoleOf(app: string): { role: string; schema: string } {
    if (app === DEFAULT_APP) return { role: APP_DB_ROLE, schema: APP_DB_SCHEMA };
    const id = app.replace(/-/g, "_");
    return { role: `${id}_user`, schema: id };
}

/**
 * psql script; variables (psql -v): role, schema, database, verifier (the role's SCRAM verifier, so the
 * password itself never reaches the server or its logs). \gexec runs each generated statement, which
 * is how psql variables reach DDL safely (%I quotes identifiers, %L literals).
 */
export const APP_ROLE_SQL = `\\set ON_ERROR_STOP on
-- The role: created once; every run resets its password and attributes. A role created by a
-- non-superuser has no SUPERUSER, REPLICATION or BYPASSRLS (only superusers may grant those).
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE INHERIT CONNECTION LIMIT -1 PASSWORD %L', :'role', :'verifier') \\gexec

-- Its schema, owned by the master user (so the app cannot drop it), and the rights it needs.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', :'schema') \\gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'database', :'role') \\gexec
SELECT format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', :'schema', :'role') \\gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = %I', :'role', :'database', :'schema') \\gexec

-- Fail the run if the role can do more than that: an attribute beyond LOGIN, or membership of any
-- role (rds_superuser, azure_pg_admin, cloudsqlsuperuser, ...).
SELECT format('DO $check$ BEGIN RAISE EXCEPTION %L; END $check$', 'role ' || r.rolname || ' has more rights than the app needs')
  FROM pg_roles r
 WHERE r.rolname = :'role'
   AND (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
        OR EXISTS (SELECT FROM pg_auth_members m WHERE m.member = r.oid)) \\gexec
`;

/** The psql arguments that run APP_ROLE_SQL from `file` (connection settings come from PG* variables). */
export function appRoleArgs(file: string, database: string, verifier: string, { role, schema } = { role: APP_DB_ROLE, schema: APP_DB_SCHEMA }): string[] {
    const v = { role, schema, database, verifier };
    // -X: no ~/.psqlrc; -q: quiet; -w: never prompt for a password.
    return ["-X", "-q", "-w", ...Object.entries(v).flatMap(([k, value]) => ["-v", `${k}=${value}`]), "-f", file];
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 5802/7677, as PostgreSQL stores it in
 * pg_authid). The salt is derived from the password, so the same password always gives the same verifier
 * (no change on every `pulumi up`); the generated passwords are random, so their salts are unique.
 */
export function scramVerifier(password: string, iterations = 4096): string {
    const salt = createHmac("sha256", "zdp app role salt").update(password).digest().subarray(0, 16);
    const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
    const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
    const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
    const serverKey = hmac(salted, "Server Key");
    return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
