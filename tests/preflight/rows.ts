// Finding and judging the preflight's rows in the cloud suites.
import assert from "node:assert/strict";
import type { Row } from "../../scripts/preflight/judge";

/** The one row whose check starts with `prefix`. */
export function row(rows: Row[], prefix: string): Row {
    const found = rows.filter((r) => r.check.startsWith(prefix));
    assert.equal(found.length, 1, `one row "${prefix}" in ${rows.map((r) => r.check).join(" | ")}`);
    return found[0];
}

/** Asserts the row is a ✗ whose finding and fix match. */
export function assertFails(rows: Row[], prefix: string, detail: RegExp, fix: RegExp): void {
    const r = row(rows, prefix);
    assert.equal(r.status, "fail", `${prefix}: ${r.detail}`);
    assert.match(r.detail, detail);
    assert.match(r.fix!, fix);
}
