// The aws platform with two apps under mocks: the second app gets its own ALB (GatewayClass,
// LoadBalancerConfiguration, certificate, target groups, access-log prefix) and its own dashboard on the
// stack's one controller, data stores, web ACL and alert topic; the default app's resources stay as a
// one-app stack declares them.
import * as assert from "assert";
import { targetGroupName } from "../components/monitoring/cloudwatch";
import { deployApps } from "../components/k8s/app";
import { appSpecFrom, type AppSpec } from "../model/appSpec";
import { sizingFor } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { awsPlatform } from "../stacks/aws";
import { all, runStack, type Recorded, type StackRun } from "./harness";

const T = {
    helm: "kubernetes:helm.sh/v3:Release",
    lbConfig: "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration",
    gatewayClass: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    tgConfig: "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration",
    cert: "aws:acm/certificate:Certificate",
    rds: "aws:rds/instance:Instance",
    valkey: "aws:elasticache/replicationGroup:ReplicationGroup",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    wafLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    topic: "aws:sns/topic:Topic",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
};

const HTTPS = { domain: "shop.example.com", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ", previewHost: "preview.shop.example.com" };

/** A second app as the config side would make it: its own namespace, domain, preview host and header, port and health path. */
function apiApp(cfg: StackConfig, sizing = sizingFor(cfg)): AppSpec {
    const app = appSpecFrom(cfg, sizing);
    const release = { ...app.release, previewHost: "preview.api.example.com", previewHeader: "x-api-preview" };
    return { ...app, name: "api", namespace: "api", domain: "api.example.com", port: 9090, healthPath: "/api/healthz", release };
}

const twoApps = (cfg: StackConfig) => {
    const sizing = sizingFor(cfg);
    const apps = [appSpecFrom(cfg, sizing), apiApp(cfg, sizing)];
    return deployApps(awsPlatform(cfg, sizing, apps), apps);
};

const inNamespace = (run: StackRun, type: string, namespace: string) => all(run, type).filter((r) => r.inputs.metadata?.namespace === namespace);
const only = (rs: Recorded[], what: string): Recorded => {
    assert.strictEqual(rs.length, 1, `one ${what}, found ${rs.map((r) => r.name).join(", ")}`);
    return rs[0];
};
const attribute = (lbConfig: Recorded, key: string) => lbConfig.inputs.spec.loadBalancerAttributes.find((a: any) => a.key === key)?.value;

describe("aws platform with two apps (mocks)", function () {
    let one: StackRun;
    let two: StackRun;
    before(async () => {
        one = await runStack("aws", HTTPS);
        two = await runStack("aws", HTTPS, { program: { label: "aws-two-apps", deploy: twoApps } });
    });

    it("shares the controller, the database server, the cache, the web ACL, the log bucket and the alert topic", () => {
        for (const type of [T.helm, T.rds, T.valkey, T.webAcl, T.bucket, T.topic])
            assert.strictEqual(all(two, type).length, all(one, type).length, `${type} declared as often as in the one-app stack`);
        assert.strictEqual(all(two, T.rds).length, 1);
        assert.deepStrictEqual(
            all(two, T.helm)
                .map((h) => h.inputs.name)
                .filter((n) => n === "aws-load-balancer-controller"),
            ["aws-load-balancer-controller"],
        );
    });

    it("gives the second app its own GatewayClass and LoadBalancerConfiguration, so its own ALB, with its certificate, log prefix and the shared web ACL", () => {
        const mine = only(inNamespace(two, T.lbConfig, "api"), "LoadBalancerConfiguration in api");
        const theirs = only(inNamespace(two, T.lbConfig, one.config.app.namespace), "the default app's LoadBalancerConfiguration");
        const cls = only(
            all(two, T.gatewayClass).filter((c) => c.inputs.spec.parametersRef.namespace === "api"),
            "GatewayClass for api",
        );
        assert.strictEqual(cls.inputs.metadata.name, "alb-api");
        assert.strictEqual(cls.inputs.spec.parametersRef.name, mine.inputs.metadata.name);
        assert.strictEqual(only(inNamespace(two, T.gateway, "api"), "Gateway in api").inputs.spec.gatewayClassName, "alb-api");
        assert.strictEqual(only(inNamespace(two, T.gateway, one.config.app.namespace), "the default app's Gateway").inputs.spec.gatewayClassName, "alb");

        const apiCert = only(
            all(two, T.cert).filter((c) => c.inputs.domainName === "api.example.com"),
            "certificate for api.example.com",
        );
        assert.deepStrictEqual(apiCert.inputs.subjectAlternativeNames, ["preview.api.example.com"]);
        const [listener] = mine.inputs.spec.listenerConfigurations;
        const [defaultListener] = theirs.inputs.spec.listenerConfigurations;
        assert.match(listener.defaultCertificate, /^arn:aws:acm:/);
        assert.notStrictEqual(listener.defaultCertificate, defaultListener.defaultCertificate, "the api ALB serves its own certificate");

        assert.strictEqual(attribute(mine, "access_logs.s3.prefix"), "alb/api");
        assert.strictEqual(attribute(theirs, "access_logs.s3.prefix"), "alb");
        assert.strictEqual(attribute(mine, "access_logs.s3.bucket"), attribute(theirs, "access_logs.s3.bucket"));
        assert.ok(mine.inputs.spec.wafV2.webACL, "the api ALB is behind the web ACL");
        assert.strictEqual(mine.inputs.spec.wafV2.webACL, theirs.inputs.spec.wafV2.webACL);
    });

    it("checks the second app's health path on its own target groups, named for it within ALB's 32 characters", () => {
        const mine = inNamespace(two, T.tgConfig, "api");
        const theirs = inNamespace(two, T.tgConfig, one.config.app.namespace);
        assert.deepStrictEqual(mine.map((t) => t.inputs.metadata.name).sort(), ["app-blue", "app-green"]);
        for (const t of mine) assert.strictEqual(t.inputs.spec.defaultConfiguration.healthCheckConfig.healthCheckPath, "/api/healthz");
        const names = (rs: Recorded[]) => rs.map((t) => t.inputs.spec.routeConfigurations[0].targetGroupProps.targetGroupName as string).sort();
        assert.deepStrictEqual(names(mine), ["zdpawsapiappblue", "zdpawsapiappgreen"]);
        assert.deepStrictEqual(names(theirs), ["zdpawsappblue", "zdpawsappgreen"]);
        assert.strictEqual(mine[0].inputs.spec.routeConfigurations[0].routeIdentifier.namespace, "api");
    });

    it("lets the second app's ALB write its logs and redacts its preview header in the WAF logs", () => {
        const statement = JSON.parse(only(all(two, T.bucketPolicy), "bucket policy").inputs.policy).Statement.find(
            (s: any) => s.Sid === "AlbAccessLogDelivery",
        );
        assert.strictEqual(statement.Resource.length, 2, JSON.stringify(statement.Resource));
        assert.match(statement.Resource[0], /:::[^/]+\/alb\/AWSLogs\/\d{12}\/\*$/);
        assert.match(statement.Resource[1], /:::[^/]+\/alb\/api\/AWSLogs\/\d{12}\/\*$/);
        const redacted = only(all(two, T.wafLogging), "WAF logging").inputs.redactedFields.map((f: any) => f.singleHeader.name);
        assert.ok(redacted.includes("x-api-preview"), redacted.join(", "));
        assert.ok(redacted.includes(one.config.release.previewHeader), redacted.join(", "));
    });

    it("gives the second app its own dashboard (its target groups) and certificate alarm, on the stack's topic; data-store alarms stay once", () => {
        const dashboard = only(
            all(two, T.dashboard).filter((d) => d.inputs.dashboardName === "zdp-aws-api-golden-signals"),
            "api dashboard",
        );
        const body = dashboard.inputs.dashboardBody as string;
        assert.ok(body.includes("TargetGroup=zdpawsapiappblue") && body.includes("TargetGroup=zdpawsapiappgreen"), "searches the api's target groups");
        assert.ok(!body.includes("TargetGroup=zdpawsappblue"), "not the default app's");
        const alarms = all(two, T.alarm);
        const expiry = only(
            alarms.filter((a) => a.inputs.name === "zdp-aws-api-certificate-expiry"),
            "api certificate alarm",
        );
        only(all(two, T.topic), "alert topic");
        assert.strictEqual(expiry.inputs.alarmActions.length, 1);
        assert.deepStrictEqual(
            expiry.inputs.alarmActions,
            only(
                alarms.filter((a) => a.inputs.name === "zdp-aws-certificate-expiry"),
                "default certificate alarm",
            ).inputs.alarmActions,
        );
        assert.strictEqual(alarms.length, all(one, T.alarm).length + 1, "one alarm more than the one-app stack: the api certificate's");
        const outputs = two.outputs.apps.value as Record<string, Record<string, unknown>>;
        assert.strictEqual(outputs.api.dashboard, "zdp-aws-api-golden-signals");
        assert.strictEqual(two.outputs.dashboard.value, one.outputs.dashboard.value);
    });

    it("declares every resource of the one-app stack unchanged, except the two the second app widens (log bucket policy, WAF log redaction)", () => {
        const byUrn = new Map(two.resources.map((r) => [r.urn, r]));
        const changed: string[] = [];
        for (const r of one.resources) {
            const other = byUrn.get(r.urn);
            assert.ok(other, `${r.urn} still declared`);
            // Stashes hold values drawn at random on each run (generated passwords, zones chosen once).
            if (r.type === "pulumi:index:Stash") continue;
            try {
                assert.deepStrictEqual(other.inputs, r.inputs);
            } catch {
                changed.push(r.type);
            }
        }
        assert.deepStrictEqual(changed.sort(), [T.bucketPolicy, T.wafLogging]);
        assert.ok(two.resources.length > one.resources.length + 20, "the second app's own resources are declared");
    });

    it("refuses an app the platform was not built for (its ALB could not write its access logs)", async () => {
        const unplanned = (cfg: StackConfig) => {
            const sizing = sizingFor(cfg);
            return deployApps(awsPlatform(cfg, sizing, [appSpecFrom(cfg, sizing)]), [appSpecFrom(cfg, sizing), apiApp(cfg, sizing)]);
        };
        await assert.rejects(
            runStack("aws", HTTPS, { program: { label: "aws-unplanned-app", deploy: unplanned } }),
            /App api: the access-log bucket lets only \[\]/,
        );
    });
});

describe("aws target group names per app (pure)", () => {
    it("keeps the default app's names and puts an extra app's name before the colour", () => {
        assert.strictEqual(targetGroupName("zdp-aws", "app-green"), "zdpawsappgreen");
        assert.strictEqual(targetGroupName("zdp-aws", "app-green", "api"), "zdpawsapiappgreen");
        const long = targetGroupName("zdp-" + "x".repeat(60), "app-green", "billing");
        assert.strictEqual(long.length, 32);
        assert.ok(long.endsWith("billingappgreen"), long);
    });

    it("refuses an app name that would leave the stack's name fewer than 8 of the 32 characters", () => {
        assert.throws(() => targetGroupName("zdp-aws", "app-green", "a-much-longer-app-name"), /App a-much-longer-app-name: .* is 26 characters; at most 24/);
    });
});
