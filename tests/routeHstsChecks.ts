// Assertions the gcp and azure specs make about HSTS on the app's routes (components/k8s/release.ts
// `strictTransportSecurity`; the pack's route-hsts rule).
import * as assert from "assert";
import { PREVIEW_ROUTE_NAME, PREVIEW_TOKEN_ROUTE_NAME, REDIRECT_ROUTE_NAME, ROUTE_NAME } from "../components/k8s/release";
import { runPolicies } from "../policy/offline";
import { HSTS_MIN_MAX_AGE, hstsMaxAge, routeHsts } from "../policy/rules/edge";
import { all, type Recorded, type StackRun } from "./harness";

const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const routes = (run: StackRun) => all(run, ROUTE);
const named = (run: StackRun, name: string) => routes(run).find((r) => r.inputs.metadata.name === name);

/**
 * Served over HTTPS (a domain and a preview host): every rule of the live, preview-token and preview
 * routes sets a year of HSTS, subdomains included; the HTTP redirect does not; the live route's weights
 * stay out of secrets; the pack finds nothing, and does once the live route loses its filter.
 */
export function assertRouteHsts(run: StackRun): void {
    const app = [ROUTE_NAME, PREVIEW_TOKEN_ROUTE_NAME, PREVIEW_ROUTE_NAME].map((n) => named(run, n));
    assert.ok(
        app.every((r): r is Recorded => r !== undefined),
        "live, preview-token and preview routes",
    );
    for (const r of app) {
        assert.deepStrictEqual(
            r.inputs.spec.parentRefs.map((p: any) => p.sectionName),
            ["https"],
        );
        for (const rule of r.inputs.spec.rules) {
            assert.strictEqual(rule.filters.length, 1, r.inputs.metadata.name);
            const hsts = routeHsts(rule.filters)!;
            assert.ok(hstsMaxAge(hsts)! >= 365 * 24 * 3600, hsts);
            assert.match(hsts, /;\s*includeSubDomains/);
        }
    }
    const live = app[0];
    assert.deepStrictEqual(live.secretPaths, [], "the live route's weights stay readable in previews");
    assert.ok(live.inputs.spec.rules[0].backendRefs.every((b: any) => typeof b.weight === "number"));
    assert.ok(app[1].secretPaths.length > 0, "the preview-token route carries the token");

    const redirect = named(run, REDIRECT_ROUTE_NAME)!;
    assert.strictEqual(redirect.inputs.spec.parentRefs[0].sectionName, "http");
    assert.strictEqual(routeHsts(redirect.inputs.spec.rules[0].filters), undefined);

    const hstsFindings = (rs: Recorded[]) => runPolicies(rs, run.config).violations.filter((v) => v.rule === "route-hsts");
    assert.deepStrictEqual(hstsFindings(run.resources), []);
    const bare: Recorded = { ...live, inputs: structuredClone(live.inputs) };
    for (const rule of bare.inputs.spec.rules) delete rule.filters;
    const stripped = run.resources.map((r) => (r === live ? bare : r));
    assert.match(
        hstsFindings(stripped)
            .map((v) => v.message)
            .join("\n"),
        new RegExp(`${ROUTE_NAME} rule 0 serves HTTPS.*${HSTS_MIN_MAX_AGE}`),
    );
}

/** Without HTTPS the routes are what they were before HSTS: no rule carries a filter. */
export function assertNoRouteFilters(run: StackRun): void {
    const rules = routes(run).flatMap((r) => r.inputs.spec.rules);
    assert.ok(rules.length >= 2, "the live and preview-token routes");
    for (const rule of rules) assert.deepStrictEqual(Object.keys(rule).sort(), ["backendRefs", "matches"]);
}
