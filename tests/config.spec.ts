import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ConfigError, PROJECT_KEYS, parseConfig, type StackConfig } from "../model/config";
import { awsSchema } from "../model/aws/config";
import { azureSchema } from "../model/azure/config";
import { gcpSchema } from "../model/gcp/config";
import { costPolicySchema, usageSchema } from "../model/cost/usage";
import { ROOT, stackConfigMap } from "./harness";

/** Parse the dev stack with `overrides` (`key=value` as `pulumi config set`, "" deletes a key). */
function parseDev(overrides: Record<string, string | undefined>, stack = "dev"): StackConfig {
    const raw = stackConfigMap(stack);
    for (const [k, v] of Object.entries(overrides)) {
        const key = k.includes(":") ? k : `zdp:${k}`;
        if (v === undefined) delete raw[key];
        else raw[key] = v;
    }
    return parseConfig(raw, stack);
}

function issuesOf(overrides: Record<string, string | undefined>): ConfigError {
    try {
        parseDev(overrides);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    assert.fail(`expected a ConfigError for ${JSON.stringify(overrides)}`);
}

/** The config errors of stack file `stack` with `overrides`, as `key: message` lines; none when it parses. */
function refusals(stack: string, overrides: Record<string, string> = {}): string[] {
    try {
        parseConfig(stackConfigMap(stack, overrides), stack);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.issues.map((i) => `${i.key}: ${i.message}`);
    }
    return [];
}

describe("config: the stack config contract", () => {
    it("parses the dev stack into one typed object", () => {
        const cfg = parseDev({});
        assert.strictEqual(cfg.cloud, "local");
        assert.strictEqual(cfg.release.strategy, "blueGreen");
        assert.strictEqual(cfg.release.activeColor, "blue");
        assert.strictEqual(cfg.release.canaryWeight, 0);
        assert.strictEqual(cfg.protect, true);
        assert.strictEqual(typeof cfg.targetUsers, "number");
        assert.strictEqual(typeof cfg.app.port, "number");
    });

    it("reads cloud and policy settings from Pulumi's structured objects, project defaults filling unset fields", () => {
        const aws = parseConfig(stackConfigMap("aws", { "aws.cacheNodes": "3" }), "aws").aws!;
        assert.strictEqual(aws.cacheNodes, 3);
        assert.strictEqual(aws.logRetentionDays, 90, "from the stack file's object");
        assert.deepStrictEqual(parseDev({}).policyExceptions, ["k8s-min-replicas", "k8s-pdb", "datastore-tls-verified", "k8s-no-allow-all-network"]);
        assert.deepStrictEqual(parseConfig(stackConfigMap("aws"), "aws").policyExceptions, [], 'the project default "" is unset');
    });

    it("refuses a literal dotted key (set without --path), naming the --path command", () => {
        const err = (() => {
            try {
                parseConfig(stackConfigMap("aws", { "zdp:aws.cacheNodes": "3" }), "aws");
            } catch (e) {
                return e as ConfigError;
            }
            assert.fail("a literal zdp:aws.cacheNodes was accepted (Pulumi would leave the cluster at the object's 2 nodes)");
        })();
        assert.deepStrictEqual(
            err.issues.map((i) => i.key),
            ["aws.cacheNodes"],
        );
        assert.match(err.issues[0].message, /pulumi config rm aws\.cacheNodes && pulumi config set --path aws\.cacheNodes 3/);
    });

    it("takes a version as a tag, a tag with its digest, or a digest alone, per colour and for rolling", () => {
        const digest = `@sha256:${"0f".repeat(32)}`;
        const cfg = parseDev({ blueVersion: `6.9.1${digest}`, greenVersion: digest });
        assert.deepStrictEqual([cfg.release.blueVersion, cfg.release.greenVersion], [`6.9.1${digest}`, digest]);
        const rolling = parseDev({ releaseStrategy: "rolling", appVersion: digest, blueVersion: undefined, greenVersion: undefined });
        assert.strictEqual(rolling.release.appVersion, digest);
        // The refusal says which forms are allowed.
        assert.match(issuesOf({ greenVersion: "sha256:abc" }).message, /greenVersion.*"sha256:abc".*@sha256:<64 lower-case hex digits>/s);
    });

    it("canary weight is the inactive colour's share; absent strategies get 0", () => {
        const cfg = parseDev({ releaseStrategy: "canary", canaryWeight: "10" });
        assert.strictEqual(cfg.release.canaryWeight, 10);
    });

    // Each row: a bad config (overrides on the dev stack) and the key the error must name.
    const bad: [string, Record<string, string | undefined>, string][] = [
        ["unknown cloud", { cloud: "digitalocean" }, "cloud"],
        ["unknown strategy", { releaseStrategy: "bigbang" }, "releaseStrategy"],
        ["colour other than blue/green", { activeColor: "red" }, "activeColor"],
        ["a release.* spelling (one spelling per key)", { "release.activeColor": "green" }, "release.activeColor"],
        ["a cloud object that is not an object", { aws: "fast" }, "aws"],
        ["an unknown policy setting", { policy: JSON.stringify({ exception: "k8s-pdb" }) }, "policy.exception"],
        ["a list where a policy setting is one value", { policy: JSON.stringify({ exceptions: ["k8s-pdb"] }) }, "policy.exceptions"],
        [
            "a policy exception naming no rule (a typo waives nothing)",
            { policy: JSON.stringify({ exceptions: "k8s-pdb,k8s-min-replica" }) },
            "policy.exceptions",
        ],
        ["negative users", { targetUsers: "-5" }, "targetUsers"],
        ["zero users", { targetUsers: "0" }, "targetUsers"],
        ["fractional users", { targetUsers: "10000.5" }, "targetUsers"],
        ["absurd users", { targetUsers: "50000000" }, "targetUsers"],
        ["non-numeric users", { targetUsers: "lots" }, "targetUsers"],
        ["weight above 100", { releaseStrategy: "canary", canaryWeight: "150" }, "canaryWeight"],
        ["negative weight", { releaseStrategy: "canary", canaryWeight: "-1" }, "canaryWeight"],
        [
            "canary weight with rolling",
            { releaseStrategy: "rolling", appVersion: "1.0.0", blueVersion: undefined, greenVersion: undefined, canaryWeight: "10" },
            "canaryWeight",
        ],
        ["canary weight with blueGreen", { canaryWeight: "20" }, "canaryWeight"],
        ["rolling without appVersion", { releaseStrategy: "rolling", blueVersion: undefined, greenVersion: undefined }, "appVersion"],
        ["rolling with colour versions", { releaseStrategy: "rolling", appVersion: "1.0.0" }, "blueVersion"],
        ["blueGreen with appVersion", { appVersion: "1.0.0" }, "appVersion"],
        ["blueGreen without greenVersion", { greenVersion: undefined }, "greenVersion"],
        ["image with a tag", { appImage: "ghcr.io/org/app:1.0" }, "appImage"],
        ["image with upper case", { appImage: "ghcr.io/Org/App" }, "appImage"],
        ["image with spaces", { appImage: "my app" }, "appImage"],
        ["version latest", { greenVersion: "latest" }, "greenVersion"],
        ["malformed version", { blueVersion: "1.0 beta" }, "blueVersion"],
        ["a digest without its @", { blueVersion: `sha256:${"a".repeat(64)}` }, "blueVersion"],
        ["a digest in upper case", { greenVersion: `@sha256:${"A".repeat(64)}` }, "greenVersion"],
        ["a digest of another algorithm", { blueVersion: `6.9.1@sha512:${"a".repeat(64)}` }, "blueVersion"],
        ["a tag with two digests", { blueVersion: `6.9.1@sha256:${"a".repeat(64)}@sha256:${"b".repeat(64)}` }, "blueVersion"],
        ["a short digest", { blueVersion: `6.9.1@sha256:${"a".repeat(63)}` }, "blueVersion"],
        ["latest pinned by digest", { blueVersion: `latest@sha256:${"a".repeat(64)}` }, "blueVersion"],
        ["privileged port", { appPort: "80" }, "appPort"],
        ["port out of range", { appPort: "70000" }, "appPort"],
        ["health path without slash", { healthPath: "healthz" }, "healthPath"],
        ["bad namespace", { namespace: "Prod_NS" }, "namespace"],
        ["bad domain", { domain: "not a domain" }, "domain"],
        ["preview host equal to domain", { domain: "app.example.com", previewHost: "app.example.com" }, "previewHost"],
        ["protectStateful not boolean", { protectStateful: "yes" }, "protectStateful"],
        ["typo in a key", { activeColour: "green" }, "activeColour"],
        ["aws without region", { cloud: "aws" }, "aws:region"],
        ["aws with an Azure location name", { cloud: "aws", "aws:region": "westeurope" }, "aws:region"],
        ["azure with an AWS region name", { cloud: "azure", "azure-native:location": "us-east-1" }, "azure-native:location"],
        ["gcp with an AWS region name", { cloud: "gcp", "gcp:project": "p", "gcp:region": "eu-west-1" }, "gcp:region"],
        ["gcp without project", { cloud: "gcp", "gcp:region": "europe-west1" }, "gcp:project"],
        ["another cloud's region key", { "aws:region": "us-east-1" }, "aws:region"],
        ["a version too long for a label value", { greenVersion: `1.${"0".repeat(70)}` }, "greenVersion"],
        ["a version ending in '-' (not a label value)", { blueVersion: "6.9.2-" }, "blueVersion"],
        ["the kube-system namespace", { namespace: "kube-system" }, "namespace"],
        ["a controller's namespace", { namespace: "envoy-gateway-system" }, "namespace"],
        ["a namespace with a cloud's reserved prefix", { namespace: "gke-managed-app" }, "namespace"],
        ["a GatewayClass that is not a Kubernetes name", { gatewayClass: "My Class" }, "gatewayClass"],
        [
            "a GatewayClass on a cloud",
            { cloud: "gcp", "gcp:project": "p", "gcp:region": "europe-west1", "aws:region": undefined, gatewayClass: "istio" },
            "gatewayClass",
        ],
    ];

    for (const [what, overrides, key] of bad) {
        it(`rejects ${what}, naming ${key}`, () => {
            const err = issuesOf(overrides);
            const hit = err.issues.find((i) => i.key === key);
            assert.ok(hit, `no issue names ${key}: ${err.message}`);
            assert.ok(err.message.includes(key), err.message);
            // The message says what is allowed, not just that something is wrong.
            assert.match(hit.message, /must|is required|applies only|belongs to|is not|conflicts/);
            if (hit.value !== undefined) assert.ok(err.message.includes(`"${hit.value}"`), "the bad value is quoted");
        });
    }

    it("refuses on aws what the AWS APIs would refuse later: a log retention CloudWatch does not offer, more than 40 API CIDRs", () => {
        const issues = (overrides: Record<string, string>) => {
            try {
                parseConfig(stackConfigMap("aws", overrides), "aws");
            } catch (e) {
                return (e as ConfigError).issues;
            }
            return [];
        };
        assert.deepStrictEqual(
            issues({ "aws.logRetentionDays": "45" }).map((i) => i.key),
            ["aws.logRetentionDays"],
        );
        assert.match(issues({ "aws.logRetentionDays": "45" })[0].message, /one of 1, 3, 5, 7, 14, 30, 60, 90/);
        assert.deepStrictEqual(issues({ "aws.logRetentionDays": "731" }), []);
        const cidrs = (n: number) => Array.from({ length: n }, (_, i) => `198.51.${i}.0/24`).join(",");
        assert.deepStrictEqual(issues({ "aws.apiPublicAccessCidrs": cidrs(40) }), []);
        assert.deepStrictEqual(
            issues({ "aws.apiPublicAccessCidrs": cidrs(41) }).map((i) => i.key),
            ["aws.apiPublicAccessCidrs"],
        );
        // The internet, however it is split up, and ranges wider than a /8 are no allow-list.
        for (const open of ["0.0.0.0/0", "0.0.0.0/1,128.0.0.0/1", "203.0.113.0/24,0.0.0.0/4"])
            assert.deepStrictEqual(
                issues({ "aws.apiPublicAccessCidrs": open }).map((i) => i.key),
                ["aws.apiPublicAccessCidrs"],
                open,
            );
        assert.match(issues({ "aws.apiPublicAccessCidrs": "0.0.0.0/1,128.0.0.0/1" })[0].message, /must not admit the whole internet/);
    });

    it("refuses a stack name that cannot make the cloud's identifiers (characters, length), naming the limit", () => {
        const problem = (stack: string, cloud: string) => {
            try {
                parseConfig(stackConfigMap(cloud), stack);
            } catch (e) {
                return (e as ConfigError).issues.filter((i) => i.key === "stack name").map((i) => i.message);
            }
            return [];
        };
        assert.deepStrictEqual(problem("prod-eu", "aws"), []);
        assert.match(problem("Prod_EU", "aws")[0], /cannot name aws resources .*lower-case letters, digits and single hyphens/);
        assert.match(problem("prod--eu", "gcp")[0], /cannot name gcp resources/);
        // ElastiCache ids stop at 40: zdp-<stack>-valkey leaves 29 characters for the stack.
        assert.deepStrictEqual(problem("a".repeat(29), "aws"), []);
        assert.match(problem("a".repeat(30), "aws")[0], /ElastiCache replication group id 41 characters, over the 40 .*at most 29 characters$/);
        // Memorystore ids stop at 40 too, and Pulumi appends 8 characters to zdp-<stack>-redis.
        assert.match(problem("a".repeat(23), "gcp")[0], /Memorystore instance id 41 characters, over the 40 .*at most 22 characters$/);
        assert.deepStrictEqual(problem("a".repeat(22), "gcp"), []);
        assert.deepStrictEqual(problem("Any_Name.OK", "dev"), [], "the dev stack names no cloud resource");
    });

    it("refuses address ranges too small for the nodes the capacity model may run (autoscaler max + upgrade surge)", () => {
        const keys = refusals;
        // GKE: a /24 of the pod range per node. 10k users may run 33 nodes + 3 surge: a /21 holds 8, a /18 64.
        assert.deepStrictEqual(keys("gcp", { "gcp.podsCidr": "10.16.0.0/18" }), []);
        const pods = keys("gcp", { "gcp.podsCidr": "10.16.0.0/21" });
        assert.strictEqual(pods.length, 1);
        assert.match(pods[0], /^gcp\.podsCidr: is too small: .*holds 8 nodes, but 10,000 users need up to 36 .*; use a \/18 or larger$/);
        // 100k users: 327 + 3 nodes do not fit a /24 node range (252 usable).
        assert.match(
            keys("gcp", { targetUsers: "100000", "gcp.nodesCidr": "10.10.0.0/24" }).join("\n"),
            /gcp\.nodesCidr: is too small: .*holds 252 nodes, but 100,000 users need up to 330/,
        );
        // EKS: pods take VPC addresses, up to 60 per m7i.xlarge; a /20 VPC leaves a /22 per zone.
        assert.deepStrictEqual(keys("aws", { targetUsers: "100000" }), []);
        assert.match(
            keys("aws", { targetUsers: "100000", "aws.vpcCidr": "10.0.0.0/20" }).join("\n"),
            /aws\.vpcCidr: is too small: .*private \/22 per zone, 60 addresses per m7i\.xlarge node holds 48 nodes.*use a larger aws\.vpcCidr \(up to a \/16\)$/,
        );
        // AKS overlay: a /24 per node out of a fixed /16 caps the cluster at 256 nodes.
        assert.deepStrictEqual(keys("azure", {}), []);
        assert.match(
            keys("azure", { targetUsers: "100000" }).join("\n"),
            /targetUsers: is too small: AKS overlay pod range 192\.168\.0\.0\/16 .*holds 256 nodes/,
        );
        // Cluster networks are private: multicast, link-local and public ranges are refused on every cloud.
        for (const [stack, key, value] of [
            ["aws", "aws.vpcCidr", "224.0.0.0/16"],
            ["aws", "aws.vpcCidr", "8.8.0.0/16"],
            ["azure", "azure.vnetCidr", "169.254.0.0/16"],
            ["gcp", "gcp.nodesCidr", "11.0.0.0/20"],
            ["gcp", "gcp.servicesCidr", "172.32.0.0/20"],
        ])
            assert.match(
                keys(stack, { [key]: value }).join("\n"),
                new RegExp(`^${key.replace(".", "\\.")}: must lie inside a private range: 10\\.0\\.0\\.0/8, `),
                `${key}=${value}`,
            );
        assert.deepStrictEqual(keys("aws", { "aws.vpcCidr": "100.64.0.0/16" }), [], "RFC 6598 shared address space is private");
        // And the VNet may not overlap the overlay ranges it routes to.
        assert.match(keys("azure", { "azure.vnetCidr": "192.168.0.0/16" }).join("\n"), /^azure\.vnetCidr: must not overlap the AKS overlay pod range/);
    });

    it("refuses a dev namespace whose monitoring namespace would pass Kubernetes' 63 characters", () => {
        const issues = (namespace: string) => refusals("dev", { namespace });
        assert.deepStrictEqual(issues("a".repeat(52)), []);
        assert.deepStrictEqual(issues("a".repeat(53)), [
            `namespace: makes the dev stack's monitoring namespace ${"a".repeat(53)}-monitoring 64 characters, over Kubernetes' 63; use at most 52 characters`,
        ]);
    });

    it("refuses engine versions and ids the clouds do not accept, naming what they do", () => {
        const issue = (overrides: Record<string, string>) => refusals("aws", overrides).join("\n");
        assert.match(issue({ "aws.postgresVersion": "99" }), /^aws\.postgresVersion: must be an RDS for PostgreSQL major in standard support, 14 to 18/);
        assert.match(issue({ "aws.postgresVersion": "13" }), /^aws\.postgresVersion: /);
        assert.strictEqual(issue({ "aws.postgresVersion": "17.6" }), "");
        assert.match(issue({ "aws.valkeyVersion": "99.9" }), /^aws\.valkeyVersion: must be one of 7\.2, 8\.0, 8\.1, 8\.2, 9\.0, 9\.1$/);
        assert.strictEqual(issue({ "aws.valkeyVersion": "9.1" }), "");
        assert.match(issue({ "aws.kubernetesVersion": "1.99" }), /^aws\.kubernetesVersion: must be one of 1\.35, 1\.36$/);
        assert.match(issue({ "aws.kubernetesVersion": "1.10" }), /^aws\.kubernetesVersion: /);
        assert.match(issue({ "aws.kubernetesVersion": "1.34" }), /^aws\.kubernetesVersion: /, "extended support only: refused under upgradePolicy STANDARD");
        assert.strictEqual(issue({ "aws.kubernetesVersion": "1.36" }), "");
        const gcp = (project: string) => refusals("gcp", { "gcp:project": project }).join("\n");
        for (const bad of ["My_Project", "abc", "1project", "project-", "a".repeat(31)])
            assert.match(gcp(bad), /^gcp:project: must be a GCP project id: 6 to 30/, bad);
        assert.strictEqual(gcp("acme-prod-123456"), "");
    });

    it("refuses a domain a cloud cannot get a certificate for, before anything is declared", () => {
        const aws = () => parseConfig(stackConfigMap("aws", { domain: "shop.example.com" }), "aws");
        assert.throws(aws, (e: ConfigError) => e.issues.some((i) => i.key === "domain" && /aws\.certificateArn, or aws\.hostedZoneId/.test(i.message)));
        assert.strictEqual(
            parseConfig(stackConfigMap("aws", { domain: "shop.example.com", "aws.hostedZoneId": "Z0123456789ABCDEFGHIJ" }), "aws").domain,
            "shop.example.com",
        );
        // An ACM certificate serves only a load balancer of its own region.
        const withCert = (arn: string) => () => parseConfig(stackConfigMap("aws", { domain: "shop.example.com", "aws.certificateArn": arn }), "aws");
        const arn = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
        assert.throws(withCert(arn("us-east-1")), (e: ConfigError) =>
            e.issues.some((i) => i.key === "aws.certificateArn" && /in us-east-1, but the load balancer runs in eu-west-1 \(aws:region\)/.test(i.message)),
        );
        assert.strictEqual(withCert(arn("eu-west-1"))().domain, "shop.example.com");
        const azure = () => parseConfig(stackConfigMap("azure", { domain: "app.example.com" }), "azure");
        assert.throws(azure, (e: ConfigError) => e.issues.some((i) => i.key === "domain" && /azure\.tlsSecretName/.test(i.message)));
        assert.strictEqual(parseConfig(stackConfigMap("gcp", { domain: "app.example.com" }), "gcp").domain, "app.example.com");
    });

    it("reports all problems together", () => {
        const err = issuesOf({ cloud: "mars", targetUsers: "-1", activeColor: "red", appPort: "22" });
        assert.deepStrictEqual(err.issues.map((i) => i.key).sort(), ["activeColor", "appPort", "cloud", "targetUsers"]);
    });

    it("tells the allowed values", () => {
        const err = issuesOf({ releaseStrategy: "bigbang" });
        assert.match(err.message, /rolling, blueGreen, canary/);
    });
});

describe("config: Pulumi.yaml declares exactly the keys the parser knows", () => {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const declared = Object.keys(project.config);

    it("every project key has a type, a description and a default", () => {
        for (const key of declared) {
            const spec = project.config[key];
            assert.ok(spec.type && spec.description && "default" in spec, `Pulumi.yaml config ${key} lacks type/description/default`);
        }
    });

    it("the declared keys are the parser's keys plus each cloud's own", () => {
        const cloudKeys = [
            "policy.exceptions",
            ...Object.keys(awsSchema.shape).map((k) => `aws.${k}`),
            ...Object.keys(azureSchema.shape).map((k) => `azure.${k}`),
            ...Object.keys(gcpSchema.shape).map((k) => `gcp.${k}`),
            ...Object.keys(usageSchema.shape).map((k) => `usage.${k}`),
            ...Object.keys(costPolicySchema.shape).map((k) => `cost.${k}`),
        ];
        assert.deepStrictEqual([...declared].sort(), [...PROJECT_KEYS, ...cloudKeys].sort());
    });

    it("docs/config.md's config reference lists every key with Pulumi.yaml's type, default and description", () => {
        const page = fs.readFileSync(path.join(ROOT, "docs", "config.md"), "utf8");
        assert.deepStrictEqual(
            declared.filter((k) => !page.includes(`| \`${k}\` |`)),
            [],
        );
        const rows = [...page.matchAll(/^\| `([^`]+)` \| (\w+) \| (.+?) \| (.+) \|$/gm)];
        assert.strictEqual(rows.length, declared.length, "one row per declared key, no more");
        for (const [, key, type, def, description] of rows) {
            const spec = project.config[key];
            assert.ok(spec, `docs/config.md lists ${key}, which Pulumi.yaml does not declare`);
            assert.strictEqual(type, spec.type, `${key}: type`);
            assert.strictEqual(def, spec.default === "" ? "(unset)" : `\`${String(spec.default)}\``, `${key}: default`);
            assert.strictEqual(description.replace(/\\\|/g, "|"), spec.description, `${key}: description`);
        }
    });

    it("the contract's release keys exist with exactly these names", () => {
        for (const key of [
            "cloud",
            "targetUsers",
            "appImage",
            "appPort",
            "healthPath",
            "releaseStrategy",
            "appVersion",
            "blueVersion",
            "greenVersion",
            "activeColor",
            "canaryWeight",
        ])
            assert.ok(declared.includes(key), key);
    });
});
