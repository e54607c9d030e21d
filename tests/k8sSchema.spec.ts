// The schema check refuses what the API server would: the vendored CRDs' limits and unknown fields.
import assert from "node:assert/strict";
import type { Recorded } from "./harness";
import { validateK8s } from "./k8sSchema";

const gatewayClass = (spec: Record<string, unknown>): Recorded =>
    ({
        type: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
        name: "gc",
        custom: true,
        inputs: { metadata: { name: "gc" }, spec },
    }) as unknown as Recorded;

describe("schema check against the vendored CRDs", () => {
    it("accepts a 64-character GatewayClass description and refuses 65 (Gateway API v1.6.0's limit)", () => {
        assert.deepEqual(validateK8s([gatewayClass({ controllerName: "example.com/x", description: "x".repeat(64) })]).errors, []);
        const errors = validateK8s([gatewayClass({ controllerName: "example.com/x", description: "x".repeat(65) })]).errors;
        assert.equal(errors.length, 1);
        assert.match(errors[0], /description must NOT have more than 64 characters/);
    });

    it("refuses a field the CRD does not declare, as strict field validation does", () => {
        const errors = validateK8s([gatewayClass({ controllerName: "example.com/x", descripton: "typo" })]).errors;
        assert.match(errors[0], /additional properties \(descripton\)/);
    });
});
