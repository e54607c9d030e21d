// Cookie affinity between colours is refused on every stack, each with its own reason (model/sessionAffinity.ts).
import { strict as assert } from "assert";
import { ConfigError, parseConfig } from "../model/config";
import { stackConfigMap } from "./harness";

const issuesOf = (stack: string, overrides: Record<string, string>) => {
    try {
        parseConfig(stackConfigMap(stack, overrides), stack);
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues;
    }
};

describe("sessionAffinity", () => {
    const reasons: Record<string, RegExp> = {
        dev: /experimental channel only/,
        aws: /outranks the route's weights until the cookie expires/,
        azure: /not documented for weighted colours at weight 0/,
        gcp: /inside one colour's backend service/,
    };
    for (const [stack, reason] of Object.entries(reasons))
        it(`cookie is refused on ${stack}, naming the key, the value, why and what to do`, () => {
            const issues = issuesOf(stack, { sessionAffinity: "cookie" });
            assert.equal(issues.length, 1, JSON.stringify(issues));
            const [i] = issues;
            assert.deepEqual([i.key, i.value], ["sessionAffinity", "cookie"]);
            assert.match(i.message, reason);
            assert.match(i.message, /Set sessionAffinity none and keep sessions out of the pods/);
        });

    it("none is the default and passes everywhere; anything else is named with the allowed values", () => {
        for (const stack of Object.keys(reasons)) {
            assert.deepEqual(issuesOf(stack, {}), []);
            assert.equal(parseConfig(stackConfigMap(stack, {}), stack).release.sessionAffinity, "none");
        }
        const [i] = issuesOf("aws", { sessionAffinity: "sticky" });
        assert.deepEqual([i.key, i.value, i.message], ["sessionAffinity", "sticky", "must be one of none, cookie"]);
    });
});
