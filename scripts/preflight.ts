// Preflight: will this stack's first `pulumi up` succeed? Reads the offline plan (scripts/plan.ts) and asks
// the cloud's read-only APIs about quotas, sizes per zone, versions, database/cache classes, enabled
// APIs, the caller's permissions and the control plane's allow-list, before anything is created.
//   npm run preflight -- --stack aws|azure|gcp [--config KEY=VALUE ...] [--json]
import Table from "cli-table3";
import { DefaultAzureCredential } from "@azure/identity";
import { GoogleAuth } from "google-auth-library";
import { listStacks, stackConfigMap } from "./pulumiConfig";
import { buildPlan, failureText } from "./planReport";
import { awsChecks, awsClients } from "./preflight/aws";
import { azureChecks } from "./preflight/azure";
import { gcpChecks } from "./preflight/gcp";
import { needsFor } from "./preflight/needs";
import { egressAddress, MARK, type Row } from "./preflight/judge";
import { configOverrides } from "./pulumiConfig";
import { commandLine, usageError } from "./cli";

const ECHO = "https://checkip.amazonaws.com";

const USAGE = `usage: npm run preflight -- --stack aws|azure|gcp [--config KEY=VALUE ...] [--json] [--egress-url URL | --egress-ip IP]

Plans the stack offline (as npm run plan) and asks the cloud's read-only APIs whether its first
\`pulumi up\` can succeed: quotas against the autoscaler maxima, sizes offered in every zone, the
Kubernetes version, database and cache classes with HA, enabled APIs / registered providers, the
caller's permissions for what the plan creates, and this runner's egress address in the control
plane's allow-list. Nothing is created or changed. One row per check: ✓, ✗ or "could not check"
(with the reason and the fix); exits 1 on any ✗.

Credentials (the SDKs' usual chains) with read-only permissions:
  aws    AWS_PROFILE / AWS_ACCESS_KEY_ID / a role: ec2:Describe*, servicequotas:GetServiceQuota,
         servicequotas:GetAWSDefaultServiceQuota, eks:DescribeClusterVersions, eks:DescribeAddonVersions,
         rds:DescribeOrderableDBInstanceOptions, elasticache:DescribeCacheEngineVersions,
         elasticache:DescribeReservedCacheNodesOfferings, elasticloadbalancing:DescribeLoadBalancers,
         iam:SimulatePrincipalPolicy, iam:GetRole (e.g. the ReadOnlyAccess policy)
  gcp    Application Default Credentials (gcloud auth application-default login) on gcp:project:
         roles/viewer, plus serviceusage.services.list
  azure  DefaultAzureCredential (az login, a service principal, workload identity) and
         AZURE_SUBSCRIPTION_ID (or azure-native:subscriptionId): Reader on the subscription
  --stack S            stack file to check (aws, azure or gcp)
  --config KEY=VALUE   override a key as \`pulumi config set\` would (repeatable)
  --json               one JSON document instead of the table
  --egress-url URL     HTTPS echo answering with this runner's IPv4 address (default ${ECHO}; env ZDP_EGRESS_URL)
  --egress-ip IP       this runner's egress address, instead of asking an echo
  -h, --help           this help`;

async function cloudRows(stack: string, overrides: Record<string, string>, egressUrl: string, egressIp?: string): Promise<{ header: object; rows: Row[] }> {
    const plan = await buildPlan(stack, overrides, false);
    const cfg = plan.run.config;
    const raw = stackConfigMap(stack, overrides);
    const needs = needsFor(cfg, plan.run.resources, plan.sizing.nodes.vcpu, raw["gcp:project"]);
    let egress: { ip?: string; error?: string } = { ip: egressIp };
    if (!egressIp)
        egress = await egressAddress(egressUrl).then(
            (ip) => ({ ip }),
            (e: Error) => ({ error: e.message }),
        );
    // What `pulumi up` refuses before it asks any cloud (model/preflight.ts): placeholders and the like.
    const rows: Row[] = plan.run.warnings.map((w) => ({
        check: "stack file",
        status: "fail",
        detail: w,
        fix: "set the key named (pulumi up refuses the stack until then)",
    }));
    if (cfg.cloud === "aws") {
        rows.push(...(await awsChecks(awsClients(needs.region), { needs, egress })));
    } else if (cfg.cloud === "gcp") {
        const auth = await new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }).getClient().catch((e: Error) => e);
        rows.push(
            ...(auth instanceof Error
                ? [{ check: "credentials", status: "unknown" as const, detail: auth.message, fix: "gcloud auth application-default login" }]
                : await gcpChecks(auth, { needs, egress })),
        );
    } else {
        const subscription = process.env.AZURE_SUBSCRIPTION_ID ?? process.env.ARM_SUBSCRIPTION_ID ?? raw["azure-native:subscriptionId"];
        rows.push(...(await azureChecks(new DefaultAzureCredential(), { needs, subscription, egress })));
    }
    return { header: { stack, cloud: cfg.cloud, region: needs.region, egress: egress.ip ?? null }, rows };
}

async function main(): Promise<void> {
    const values = commandLine(USAGE, {
        stack: { type: "string" },
        config: { type: "string", multiple: true, default: [] },
        json: { type: "boolean", default: false },
        "egress-url": { type: "string", default: process.env.ZDP_EGRESS_URL ?? ECHO },
        "egress-ip": { type: "string" },
    });
    if (!values) return;
    const stack = values.stack;
    if (!stack) usageError(USAGE, "--stack is required");
    if (!listStacks().includes(stack)) usageError(USAGE, `unknown stack "${stack}"`);
    const { overrides, error } = configOverrides(values.config);
    if (error) usageError(USAGE, error);

    let result;
    try {
        result = await cloudRows(stack, overrides, values["egress-url"], values["egress-ip"]);
    } catch (e) {
        process.stderr.write(`preflight for stack ${stack} failed:\n${failureText(e)}\n`);
        process.exit(2);
    }
    const { header, rows } = result;
    const count = (s: Row["status"]) => rows.filter((r) => r.status === s).length;
    const summary = { ok: count("ok"), fail: count("fail"), unknown: count("unknown") };
    if (values.json) process.stdout.write(JSON.stringify({ ...header, summary, rows }, null, 2) + "\n");
    else {
        const t = new Table({ head: ["check", "result", "found", "fix"], style: { head: [], border: [] }, colWidths: [30, 9, 48, 48], wordWrap: true });
        for (const r of rows) t.push([r.check, MARK[r.status], r.detail, r.fix ?? ""]);
        console.log(t.toString());
        console.log(`${summary.ok} ✓, ${summary.fail} ✗, ${summary.unknown} could not check`);
    }
    if (summary.fail > 0) process.exitCode = 1;
}

if (require.main === module) void main();
