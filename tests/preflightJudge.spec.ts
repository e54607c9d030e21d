// The cloud preflight's verdicts (scripts/preflight/judge.ts), pure: need against have → ✓ / ✗ / could
// not check. The clouds' answers themselves are tested in tests/preflight/ (npm run test:preflight).
// Not tests/preflight.spec.ts, which tests the stack file's placeholder findings.
import assert from "node:assert/strict";
import {
    attempt,
    callerIsNotDeployer,
    egressAddress,
    egressAllowed,
    enabled,
    offeredInZones,
    permissions,
    quota,
    versionSupported,
    type Row,
} from "../scripts/preflight/judge";

const increase = (n: number) => `raise to ${n}`;

describe("preflight verdicts", () => {
    it("quota: passes at exactly need + in use, fails one short with the value to request, never passes without a value", () => {
        assert.equal(quota({ check: "q", need: 132, limit: 140, used: 8, unit: "vCPUs", increase }).status, "ok");
        const short = quota({ check: "q", need: 132, limit: 139, used: 8, unit: "vCPUs", increase });
        assert.deepEqual(short, {
            check: "q",
            status: "fail",
            detail: "needs 132 vCPUs; quota 139, 8 in use, 131 free (in use counts this stack's own if it is already deployed)",
            fix: "raise to 140",
        });
        // An existing stack's own 40 vCPUs are inside its need: only the other 8 are beside it.
        const own = quota({ check: "q", need: 132, limit: 140, used: 48, own: 40, unit: "vCPUs", increase });
        assert.deepEqual([own.status, own.detail], ["ok", "needs 132 vCPUs; quota 140, 48 in use (40 of them this stack's own, inside the need), 132 free"]);
        assert.equal(quota({ check: "q", need: 132, limit: 139, used: 48, own: 40, unit: "vCPUs", increase }).fix, "raise to 140");
        assert.equal(quota({ check: "q", need: 1, limit: undefined, used: 0, unit: "x", increase }).status, "unknown");
        assert.equal(quota({ check: "q", need: 1, limit: 100, used: NaN, unit: "x", increase }).status, "unknown", "usage that could not be counted");
        assert.equal(quota({ check: "q", need: 3, limit: 3, unit: "x", increase }).detail, "needs 3 x; quota 3");
    });

    it("sizes: every zone must offer the size; no zones is not a pass", () => {
        const zones = ["a", "b", "c"];
        assert.equal(offeredInZones("s", "m7i.xlarge", zones, new Set(["c", "b", "a", "d"]), "fix").status, "ok");
        const missing = offeredInZones("s", "m7i.xlarge", zones, new Set(["a", "c"]), "fix");
        assert.equal(missing.status, "fail");
        assert.equal(missing.detail, "m7i.xlarge is not offered in b (of a, b, c)");
        assert.equal(offeredInZones("s", "m7i.xlarge", [], new Set(["a"]), "fix").status, "unknown");
    });

    it("versions, APIs, permissions: the missing ones are named; an empty answer is not a pass", () => {
        assert.equal(versionSupported("v", "1.35", ["1.34", "1.35"], "k").status, "ok");
        assert.match(versionSupported("v", "1.33", ["1.34", "1.35"], "aws.kubernetesVersion").fix!, /--path aws\.kubernetesVersion <one of 1\.34, 1\.35>/);
        assert.equal(versionSupported("v", "1.35", [], "k").status, "unknown");
        const apis = enabled("a", ["compute.googleapis.com", "redis.googleapis.com"], new Set(["compute.googleapis.com"]), (off) => `enable ${off.join(" ")}`);
        assert.deepEqual([apis.status, apis.detail, apis.fix], ["fail", "not enabled: redis.googleapis.com", "enable redis.googleapis.com"]);
        assert.equal(permissions("p", "me", ["a:B", "c:D"], [], "fix").status, "ok");
        assert.equal(permissions("p", "me", ["a:B", "c:D"], ["c:D"], "fix").detail, "me is denied 1 of 2: c:D");
        assert.equal(permissions("p", "me", [], [], "fix").status, "unknown");
    });

    it("a run whose identity is not the deployer: the caller's permission rows are 'could not check', whatever they said; the rest stay", () => {
        const rows: Row[] = [
            permissions("permissions: the caller's IAM policies", "preview-role", ["eks:CreateCluster"], ["eks:CreateCluster"], "grant"),
            permissions("permissions: the caller's roles on the subscription", "the caller", ["a/write"], [], "grant"),
            { check: "permissions: resource types without a known action", status: "unknown", detail: "x:Y", fix: "add them" },
            quota({ check: "quota: q", need: 1, limit: 2, used: 0, unit: "x", increase }),
        ];
        const out = callerIsNotDeployer(rows);
        assert.deepEqual(
            out.map((r) => r.status),
            ["unknown", "unknown", "unknown", "ok"],
        );
        assert.match(out[0].detail, /not checked: this run's identity is not the one that runs pulumi up/);
        assert.match(out[1].fix!, /run npm run preflight as the deployer; on AWS, --principal/);
        assert.deepEqual(out.slice(2), rows.slice(2));
    });

    it("allow-list: the egress address inside a CIDR or a bare address passes; outside, unset or unknown does not", () => {
        assert.equal(egressAllowed("e", "198.51.100.7", ["10.0.0.0/8", "198.51.100.0/24"], "k").detail, "198.51.100.7 is inside 198.51.100.0/24");
        assert.equal(egressAllowed("e", "198.51.100.7", ["198.51.100.7"], "k").status, "ok");
        const out = egressAllowed("e", "198.51.100.7", ["198.51.100.8/29"], "gcp.masterAuthorizedNetworks");
        assert.equal(out.status, "fail");
        assert.match(out.fix!, /--path gcp\.masterAuthorizedNetworks .* including 198\.51\.100\.7\/32/);
        assert.match(egressAllowed("e", "198.51.100.7", [], "k").detail, /\(unset\)/);
        assert.equal(egressAllowed("e", undefined, ["0.0.0.0/1"], "k", "echo down").status, "unknown");
        assert.equal(egressAllowed("e", "not-an-ip", ["0.0.0.0/1"], "k").status, "unknown");
    });

    it("a check whose API call throws is 'could not check' with the API's message", async () => {
        const rows = await attempt("c", "fix", () => Promise.reject(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" })));
        assert.deepEqual(rows, [{ check: "c", status: "unknown", detail: "the API call failed: AccessDeniedException: User is not authorized", fix: "fix" }]);
        const arm = Object.assign(new Error("no"), { name: "RestError", code: "AuthorizationFailed", statusCode: 403 });
        assert.equal((await attempt("c", "fix", () => Promise.reject(arm)))[0].detail, "the API call failed: RestError: AuthorizationFailed: no");
        const google = Object.assign(new Error("Permission denied"), { code: 7, httpStatusCode: 403 });
        assert.equal((await attempt("c", "fix", () => Promise.reject(google)))[0].detail, "the API call failed: 403: Permission denied");
    });

    it("egress address: the echo's plain-text IPv4 answer; anything else throws", async () => {
        const echo = (status: number, text: string) => (() => Promise.resolve(new Response(text, { status }))) as unknown as typeof fetch;
        assert.equal(await egressAddress("https://echo", echo(200, "198.51.100.7\n")), "198.51.100.7");
        await assert.rejects(egressAddress("https://echo", echo(200, "<html>")), /not an IPv4 address/);
        await assert.rejects(egressAddress("https://echo", echo(503, "")), /answered 503/);
    });
});
