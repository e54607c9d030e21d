// Schema migrations per version (stack config `migrations`), and the expand/contract rule. Pure (no
// Pulumi import): the parser refuses a contract migration here before anything is declared, the
// Release component declares one Job per planned migration, the plan lists them.
//
//   zdp:migrations:
//     "6.9.2":
//       phase: expand                  # expand | contract
//       command: ["/app/migrate", "up"]
//       image: ghcr.io/org/app-migrations:6.9.2   # optional: appImage at this version
//       env: { LOCK_TIMEOUT: 5s }      # optional; stored in a Secret, set secrets with --secret
import { createHash } from "node:crypto";
import { z } from "zod";
import { imageReference, imageRepository, jsonObject, oneOf, version as versionGrammar, versionLabel } from "./configValues";
import { ENCRYPTED } from "./monitoring/config";
import type { ReleaseState, Track } from "./releasePlan";
import { MIGRATION_PHASES, type ConfigIssue, type Migration, type MigrationPhase } from "./stackConfig";

export const MIGRATIONS_KEY = "migrations";

/** The app Secret's keys the Job reads: the app's database connection, as the app makes it. */
export const MIGRATION_ENV = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD", "DATABASE_SSLMODE", "DATABASE_CA_CERT"];
/** The other variables the Job sets: what it migrates to, and a writable HOME (the root filesystem is read-only). */
const JOB_ENV = ["ZDP_VERSION", "ZDP_MIGRATION_PHASE", "HOME"];

// `repo:tag`, `repo:tag@sha256:…` or `repo@sha256:…` (a tag or a digest: releases are reproducible).
function splitImage(ref: string): { repository: string; tag?: string; digest?: string } {
    const at = ref.indexOf("@");
    const [name, digest] = at < 0 ? [ref, undefined] : [ref.slice(0, at), ref.slice(at + 1)];
    const colon = name.lastIndexOf(":");
    return colon > name.lastIndexOf("/") ? { repository: name.slice(0, colon), tag: name.slice(colon + 1), digest } : { repository: name, digest };
}
const imageRef = z.string().refine(
    (ref) => {
        const { repository, tag, digest } = splitImage(ref);
        return (
            imageRepository.safeParse(repository).success &&
            (tag !== undefined || digest !== undefined) &&
            (tag === undefined || (/^\w[\w.-]{0,127}$/.test(tag) && tag !== "latest")) &&
            (digest === undefined || /^sha256:[a-f0-9]{64}$/.test(digest))
        );
    },
    {
        error: "must be an image reference with a fixed tag or digest, e.g. ghcr.io/org/app-migrations:6.9.2 or ghcr.io/org/app@sha256:<64 hex> ('latest' is refused)",
    },
);

// Variables the Job sets itself may not be overridden: the connection must be the app's, verified as the app's.
const envName = z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be an environment variable name (letters, digits, '_'; not starting with a digit)" })
    .refine((n) => ![...MIGRATION_ENV, ...JOB_ENV].includes(n), {
        error: `must not be one the Job sets itself (${[...MIGRATION_ENV, ...JOB_ENV].join(", ")})`,
    });

// `pulumi config set --path` stores `5` or `true` as a number or boolean: as text they are what was meant.
const text = z.union([z.string(), z.number(), z.boolean()], { error: "must be text" }).transform(String);

const entrySchema = z.strictObject({
    phase: oneOf(MIGRATION_PHASES),
    command: z
        .array(text.pipe(z.string().min(1, { error: "must not hold an empty argument" })), {
            error: 'must be a list of arguments, e.g. ["/app/migrate", "up"]',
        })
        .min(1, { error: "must name the program to run" })
        .max(64, { error: "must hold at most 64 arguments" }),
    image: imageRef.optional(),
    env: z
        .record(z.string(), text, { error: "must be an object of NAME: value" })
        .superRefine((env, ctx) => {
            for (const name of Object.keys(env)) {
                const r = envName.safeParse(name);
                if (!r.success) ctx.addIssue({ code: "custom", path: [name], message: r.error.issues.map((i) => i.message).join("; ") });
            }
        })
        .optional(),
});

/** The first encrypted value in `value` (offline an encrypted value reads as ENCRYPTED), as a key path. */
function encryptedAt(value: unknown, at: string): string | undefined {
    if (value === ENCRYPTED) return at;
    if (value === null || typeof value !== "object") return undefined;
    for (const [k, v] of Object.entries(value)) {
        const found = encryptedAt(v, Array.isArray(value) ? `${at}[${k}]` : `${at}.${k}`);
        if (found) return found;
    }
    return undefined;
}

/** A secret outside `env`: only env values go into a Secret; the image and command are shown in plans. */
const secretOutsideEnv = (entry: unknown, at: string): string | undefined =>
    entry !== null && typeof entry === "object" && !Array.isArray(entry)
        ? Object.entries(entry)
              .filter(([k]) => k !== "env")
              .map(([k, v]) => encryptedAt(v, `${at}.${k}`))
              .find((x) => x !== undefined)
        : encryptedAt(entry, at);

/** The `migrations` key's value (JSON text, as the CLI stores an object) as migrations, or its issues. */
export function parseMigrations(json: string | undefined): { migrations: Migration[]; issues: ConfigIssue[] } {
    const issues: ConfigIssue[] = [];
    if (json === undefined || json === "") return { migrations: [], issues };
    const value = jsonObject(json);
    if (value === undefined) {
        issues.push({
            key: MIGRATIONS_KEY,
            value: json,
            message: `must be an object of versions, each with phase and command; set one with \`pulumi config set --path 'migrations["6.9.2"].phase' expand\``,
        });
        return { migrations: [], issues };
    }
    const migrations: Migration[] = [];
    for (const [version, entry] of Object.entries(value)) {
        const key = `${MIGRATIONS_KEY}["${version}"]`;
        const v = versionGrammar.safeParse(version);
        if (!v.success) issues.push({ key, message: `names a version that ${v.error.issues.map((i) => i.message).join("; ")}` });
        const secret = secretOutsideEnv(entry, key);
        if (secret) {
            issues.push({
                key: secret,
                value: ENCRYPTED,
                message:
                    "is encrypted, but only env values are kept secret (the image and command are shown in plans and stored in the Job): put the secret in env and refer to it as $(NAME) in the command",
            });
            continue;
        }
        const r = entrySchema.safeParse(entry);
        if (!r.success) {
            for (const i of r.error.issues) {
                const sub = i.code === "unrecognized_keys" ? i.keys : [i.path.map(String).join(".")];
                for (const k of sub)
                    issues.push({
                        key: k ? `${key}.${k}` : key,
                        message: i.code === "unrecognized_keys" ? "is not a migration setting (phase, command, image, env)" : i.message,
                    });
            }
            continue;
        }
        if (v.success) migrations.push({ version, phase: r.data.phase, image: r.data.image, command: r.data.command, env: r.data.env ?? {} });
    }
    return { migrations, issues };
}

/**
 * Why a contract migration must not run now, or undefined. It removes what the previous version
 * needs, so it waits until no colour running another version serves traffic or can still be rolled
 * back to. `canRollBack` comes from the rollback window where there is one; without one it is false.
 */
export function contractRefusal(old: { track: Track; version: string; serves: boolean; canRollBack: boolean }): string | undefined {
    if (old.serves) return `${old.track} still serves traffic on version ${old.version}, which may need what the contract removes`;
    if (old.canRollBack) return `${old.track} (version ${old.version}) can still be rolled back to, inside the rollback window`;
    return undefined;
}

/** Contract migrations the release state refuses, as config issues naming the key. */
export function contractIssues(migrations: Migration[], state: ReleaseState, canRollBack: (track: Track) => boolean = () => false): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const m of migrations.filter((x) => x.phase === "contract")) {
        if (!state.tracks.some((t) => t.version === m.version)) continue;
        for (const t of state.tracks.filter((x) => x.version !== m.version)) {
            const why = contractRefusal({ track: t.track, version: t.version, serves: t.weight > 0, canRollBack: canRollBack(t.track) });
            if (why)
                issues.push({
                    key: `${MIGRATIONS_KEY}["${m.version}"].phase`,
                    value: "contract",
                    message: `is refused: ${why}. Run the contract once no other version serves or can be rolled back to (e.g. after promoting ${m.version} and deploying it to ${t.track} too); to roll back after a contract ran, remove the entry knowing the old version runs against the contracted schema`,
                });
        }
    }
    return issues;
}

/** A migration the release runs now: a version some track runs. */
export interface PlannedMigration extends Migration {
    /** The Job's name: one per version and phase, so each version migrates once. */
    jobName: string;
    /** The image it runs (the app image at this version when unset). */
    imageRef: string;
    /** Tracks running this version. */
    tracks: Track[];
}

/** Job names are DNS labels of at most 63 characters: the Job controller copies the name into the pod template's labels. */
export function migrationJobName(version: string, phase: MigrationPhase): string {
    const label = versionLabel(version);
    const slug = label.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
    const base = `migrate-${phase}-`;
    // The version alone names it when it survives as is; otherwise a hash keeps two versions apart.
    if (slug === label && base.length + slug.length <= 63 && /[a-z0-9]$/.test(slug)) return base + slug;
    const hash = createHash("sha256").update(version).digest("hex").slice(0, 8);
    return `${base}${slug.slice(0, 63 - base.length - 9).replace(/[.-]+$/, "")}-${hash}`;
}

/** The migrations of the versions the release runs, expand first. */
export function plannedMigrations(migrations: Migration[], state: ReleaseState, appImage: string): PlannedMigration[] {
    return migrations
        .map((m) => ({
            ...m,
            jobName: migrationJobName(m.version, m.phase),
            imageRef: m.image ?? imageReference(appImage, m.version),
            tracks: state.tracks.filter((t) => t.version === m.version).map((t) => t.track),
        }))
        .filter((m) => m.tracks.length > 0)
        .sort((a, b) => MIGRATION_PHASES.indexOf(a.phase) - MIGRATION_PHASES.indexOf(b.phase) || a.version.localeCompare(b.version));
}

/** When the release runs a planned migration, in words (the plan prints it). */
export function migrationWhen(m: PlannedMigration): string {
    const tracks = m.tracks.join(" and ");
    return m.phase === "expand"
        ? `before ${tracks} roll${m.tracks.length === 1 ? "s" : ""} out and before the live route changes; a failure stops pulumi up there`
        : `after the live route and ${tracks} (no other version serves)`;
}
