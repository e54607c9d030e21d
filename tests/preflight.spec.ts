import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseConfig } from "../model/config";
import { placeholderFindings, preflightFindings } from "../model/preflight";
import { buildPlan, planJson, renderPlan } from "../scripts/planReport";
import { needsFor } from "../scripts/preflight/needs";
import { sizingFor } from "../model/capacity";
import { ROOT, find, runStack, stackConfigMap } from "./harness";

// Values an operator would really set: public ranges, a real-looking domain and group, an alert target.
const REAL = {
    aws: { "aws.apiPublicAccessCidrs": "20.1.2.0/24", alertEmails: "oncall@shop.acme-corp.io", allowPlainHttp: "true" },
    azure: {
        "azure.apiServerAuthorizedIpRanges": "20.1.2.0/24",
        "azure.adminGroupObjectIds": "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        alertEmails: "oncall@shop.acme-corp.io",
        allowPlainHttp: "true",
    },
    gcp: { "gcp:project": "acme-shop-prod", "gcp.masterAuthorizedNetworks": "20.1.2.0/24", alertEmails: "oncall@shop.acme-corp.io", allowPlainHttp: "true" },
} as const;

const keysOf = (raw: Record<string, string>) => placeholderFindings(raw, "zdp").map((f) => f.key);

describe("preflight: placeholders are found, pure", () => {
    it("finds every documentation range, reserved example name and placeholder id, in lists, URLs and emails", () => {
        const raw = {
            "zdp:a": "192.0.2.0/24",
            "zdp:b": "10.0.0.0/8,198.51.100.7/32",
            "zdp:c": "203.0.113.0/25",
            "zdp:d": "2001:db8::/48",
            "zdp:domain": "shop.example.com",
            "zdp:e": "ops@example.org",
            "zdp:f": "https://hooks.example.net/x",
            "zdp:g": "app.test",
            "zdp:h": "api.invalid",
            "zdp:i": "localhost",
            "zdp:j": "web.example",
            "gcp:project": "my-gcp-project-id",
            "zdp:azure": JSON.stringify({ adminGroupObjectIds: "00000000-0000-0000-0000-000000000000", waf: true }),
            "zdp:k": "arn:aws:iam::123456789012:role/admin",
        };
        assert.deepStrictEqual(keysOf(raw), ["a", "b", "c", "d", "domain", "e", "f", "g", "h", "i", "j", "gcp:project", "azure.adminGroupObjectIds", "k"]);
        const b = placeholderFindings(raw, "zdp").find((f) => f.key === "b")!;
        assert.strictEqual(b.value, "10.0.0.0/8,198.51.100.7/32");
        assert.match(b.why, /198\.51\.100\.7\/32 is a documentation address range/);
        assert.doesNotMatch(b.why, /10\.0\.0\.0/);
    });

    it("leaves real values alone, next to the reserved ones", () => {
        const raw = {
            "zdp:a": "192.0.3.0/24,198.51.101.0/24,203.0.112.0/24,192.0.0.0/16",
            "zdp:b": "2001:db9::/32",
            "zdp:domain": "shop.examples.com",
            "zdp:c": "ops@myexample.org",
            "zdp:d": "https://hooks.slack.com/services/T0/B0/x",
            "zdp:e": "testing.io",
            "gcp:project": "acme-shop-prod",
            "zdp:appImage": "ghcr.io/stefanprodan/podinfo",
            "zdp:blueVersion": "6.9.1",
            "zdp:k": "arn:aws:iam::210987654321:role/admin",
        };
        assert.deepStrictEqual(keysOf(raw), []);
    });

    it("never shows a secret key's value, even when it is a placeholder", () => {
        const [f] = placeholderFindings({ "zdp:alertWebhook": "https://hooks.example.com/T0/secret-token" }, "zdp");
        assert.deepStrictEqual([f.key, f.value], ["alertWebhook", "[secret]"]);
        assert.doesNotMatch(JSON.stringify(f), /secret-token/);
    });
});

describe("preflight: what a cloud stack's pulumi up refuses", () => {
    const parse = (stack: string, overrides: Record<string, string> = {}) => {
        const raw = stackConfigMap(stack, overrides);
        return preflightFindings(parseConfig(raw, stack), raw);
    };

    it("each shipped cloud stack file: its placeholders, no domain (plain HTTP), no alert target", () => {
        assert.deepStrictEqual(
            parse("aws").map((f) => f.key),
            ["aws.apiPublicAccessCidrs", "domain", "alertEmails, alertWebhook"],
        );
        assert.deepStrictEqual(
            parse("azure").map((f) => f.key),
            ["azure.apiServerAuthorizedIpRanges", "azure.adminGroupObjectIds", "domain", "alertEmails, alertWebhook"],
        );
        assert.deepStrictEqual(
            parse("gcp").map((f) => f.key),
            ["gcp:project", "gcp.masterAuthorizedNetworks", "domain", "alertEmails, alertWebhook"],
        );
        assert.match(parse("aws").find((f) => f.key === "domain")!.why, /plain HTTP.*aws\.hostedZoneId.*allowPlainHttp/);
    });

    it("nothing once real values are set; a domain replaces the plain-HTTP opt-out; either alert target will do", () => {
        for (const stack of ["aws", "azure", "gcp"] as const) assert.deepStrictEqual(parse(stack, REAL[stack]), [], stack);
        const withDomain = { ...REAL.azure, allowPlainHttp: "false", domain: "shop.acme-corp.io", "azure.tlsSecretName": "app-tls" };
        assert.deepStrictEqual(parse("azure", withDomain), []);
        assert.deepStrictEqual(parse("gcp", { ...REAL.gcp, alertEmails: "", alertWebhook: "https://hooks.acme-corp.io/zdp" }), []);
    });

    it("docs/<cloud>.md names every key pulumi up refuses the shipped stack file without, and the plain-HTTP opt-out", () => {
        for (const stack of ["aws", "azure", "gcp"] as const) {
            const doc = fs.readFileSync(path.join(ROOT, "docs", `${stack}.md`), "utf8");
            const prerequisites = doc.slice(doc.indexOf("## Prerequisites"), doc.indexOf("\n## ", doc.indexOf("## Prerequisites") + 1));
            const findings = parse(stack);
            // "alertEmails, alertWebhook" is one finding (either will do); the domain finding names its opt-out.
            const keys = findings.flatMap((f) => f.key.split(", "));
            const optOut = /set (\w+) true/.exec(findings.find((f) => f.key === "domain")!.why)![1];
            assert.ok(keys.length >= 4, `${stack}: ${keys.join()}`);
            for (const key of [...keys, optOut])
                assert.match(prerequisites, new RegExp(`\`${key.replace(/\./g, "\\.")}[\` :]`), `docs/${stack}.md Prerequisites does not name ${key}`);
        }
    });

    it("exempts the dev stack (a laptop: plain HTTP, no alerts, example domains)", () => {
        assert.deepStrictEqual(parse("dev", { domain: "app.example.com" }), []);
    });

    it("allowPlainHttp is refused where it would say nothing: with a domain, or on the dev stack", () => {
        assert.throws(() => parse("gcp", { domain: "shop.acme-corp.io", allowPlainHttp: "true" }), /allowPlainHttp = "true": applies only without domain/);
        assert.throws(() => parse("dev", { allowPlainHttp: "true" }), /allowPlainHttp = "true": applies only to cloud stacks/);
    });
});

describe("preflight through the mock runtime: preview warns, update refuses", function () {
    this.timeout(120_000);

    it("a preview of the shipped azure stack completes and warns, naming each key to set", async () => {
        const run = await runStack("azure", {}, { preview: true });
        assert.ok(run.resources.length > 50);
        assert.deepStrictEqual(
            run.warnings.map((w) => w.split(/[:=]/)[0].trim()),
            ["azure.apiServerAuthorizedIpRanges", "azure.adminGroupObjectIds", "domain", "alertEmails, alertWebhook"],
        );
    });

    it("an update of the shipped azure stack is refused before any resource, listing every key", async () => {
        await assert.rejects(runStack("azure", {}, { refuseUnsafe: true }), (e: Error) => {
            assert.match(e.message, /pulumi up refuses this azure stack until these are set \(4\)/);
            for (const key of ["azure.apiServerAuthorizedIpRanges", "azure.adminGroupObjectIds", "domain", "alertEmails, alertWebhook"])
                assert.ok(e.message.includes(`  - ${key}`), key);
            return true;
        });
    });

    it("an update with real values goes through; so does the dev stack's (exempt)", async () => {
        const azure = await runStack("azure", REAL.azure, { refuseUnsafe: true });
        assert.deepStrictEqual(azure.warnings, []);
        assert.ok(find(azure, "azure-native:containerservice:ManagedCluster"));
        const dev = await runStack("dev", {}, { refuseUnsafe: true });
        assert.ok(dev.resources.length > 10);
    });

    it("a webhook set as a secret (secure: in the stack file, [secret] offline) is accepted, wrapped as a secret and never printed", async () => {
        const url = "https://hooks.acme-corp.io/services/T0/B0/tok3n";
        const plan = await buildPlan("azure", { alertWebhook: url }, false);
        const group = find(plan.run, "azure-native:monitor:ActionGroup");
        assert.ok(
            group.secretPaths.some((p) => "webhookReceivers[0].serviceUri".startsWith(p)),
            group.secretPaths.join(),
        );
        assert.doesNotMatch(renderPlan(plan), /tok3n/);
        assert.doesNotMatch(planJson(plan, { alertWebhook: url }), /tok3n/);
        // The other clouds' receivers take it as a secret too (SNS subscription, Cloud Monitoring channel).
        const aws = await runStack("aws", { alertWebhook: url });
        assert.ok(find(aws, "aws:sns/topicSubscription:TopicSubscription", "zdp-aws-monitoring-webhook").secretPaths.includes("endpoint"));
        const gcp = await runStack("gcp", { alertWebhook: url });
        const channel = find(gcp, "gcp:monitoring/notificationChannel:NotificationChannel", "zdp-gcp-monitoring-webhook");
        assert.ok(
            channel.secretPaths.some((p) => "labels.url".startsWith(p)),
            channel.secretPaths.join(),
        );
        const offline = await buildPlan("azure", { alertWebhook: "[secret]" }, false);
        assert.ok(!offline.run.warnings.some((w) => w.startsWith("alertEmails")), "an encrypted webhook is an alert target");
        await assert.rejects(runStack("azure", { ...REAL.azure, alertWebhook: "http://hooks.acme-corp.io/tok3n" }), (e: Error) => {
            assert.match(e.message, /alertWebhook = "\[secret\]": must be an https:\/\/ URL/);
            return !e.message.includes("tok3n");
        });
    });

    it("preflight knows the create action of every resource type a stack with a domain and both alert targets declares", async () => {
        const https = {
            aws: { domain: "shop.acme-corp.io", previewHost: "preview.acme-corp.io", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ" },
            azure: { domain: "shop.acme-corp.io", previewHost: "preview.acme-corp.io", "azure.tlsSecretName": "app-tls" },
            gcp: { domain: "shop.acme-corp.io", previewHost: "preview.acme-corp.io" },
        };
        for (const stack of ["aws", "azure", "gcp"] as const) {
            const run = await runStack(
                stack,
                { ...REAL[stack], allowPlainHttp: "false", alertWebhook: "https://hooks.acme-corp.io/zdp", ...https[stack] },
                { preview: true },
            );
            assert.deepStrictEqual(run.warnings, [], stack);
            const needs = needsFor(run.config, run.resources, sizingFor(run.config).nodes.vcpu, "acme-shop-prod");
            assert.deepStrictEqual(needs.unmapped, [], `${stack}: resource types without a create action in scripts/preflight/needs.ts`);
        }
    });

    it("`npm run plan` prints the warnings for a shipped stack file, and none once real values are set", async () => {
        const shipped = renderPlan(await buildPlan("aws", {}, false));
        assert.match(shipped, /Before `pulumi up` \(it refuses this stack until each is set/);
        assert.match(shipped, / {2}! aws\.apiPublicAccessCidrs = "203\.0\.113\.0\/24": 203\.0\.113\.0\/24 is a documentation address range/);
        const real = renderPlan(await buildPlan("aws", REAL.aws, false));
        assert.doesNotMatch(real, /Before `pulumi up`/);
        assert.deepStrictEqual(JSON.parse(planJson(await buildPlan("aws", REAL.aws, false), REAL.aws)).refusedByPulumiUp, []);
    });
});
