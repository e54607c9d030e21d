// Preflight: will this stack's first `pulumi up` succeed? Reads the offline plan (scripts/plan.ts) and asks
// the cloud's read-only APIs about quotas, sizes per zone, versions, database/cache classes, enabled
// APIs, the caller's permissions and the control plane's allow-list, before anything is created.
//   npm run preflight -- --stack aws|azure|gcp [--config KEY=VALUE ...] [--json] [--principal ARN | --skip-permissions]
import Table from "cli-table3";
import { parseConfig } from "../model/config";
import { configOverrides, listStacks, stackConfigMap } from "./pulumiConfig";
import type { Row } from "./preflight/judge";
import { commandLine, usageError } from "./cli";

/* eslint-disable @typescript-eslint/no-require-imports -- the plan, the cloud SDKs and their checks load only once the arguments are good: --help and a wrong argument answer at once */
const planReport = () => require("./planReport") as typeof import("./planReport");
const judge = () => require("./preflight/judge") as typeof import("./preflight/judge");
/* eslint-enable @typescript-eslint/no-require-imports */

const ECHO = "https://checkip.amazonaws.com";

const USAGE = `usage: npm run preflight -- --stack aws|azure|gcp [--config KEY=VALUE ...] [--json] [--egress-url URL | --egress-ip IP]
                        [--principal ARN | --skip-permissions]

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
         elasticloadbalancing:DescribeTags, iam:SimulatePrincipalPolicy, iam:GetRole (e.g. the ReadOnlyAccess policy)
  gcp    Application Default Credentials (gcloud auth application-default login) on gcp:project:
         roles/viewer, plus serviceusage.services.list
  azure  DefaultAzureCredential (az login, a service principal, workload identity) and
         AZURE_SUBSCRIPTION_ID (or azure-native:subscriptionId): Reader on the subscription
  --stack S            stack file to check (aws, azure or gcp)
  --config KEY=VALUE   override a key as \`pulumi config set\` would (repeatable)
  --json               one JSON document instead of the table
  --egress-url URL     HTTPS echo answering with this runner's IPv4 address (default ${ECHO}; env ZDP_EGRESS_URL)
  --egress-ip IP       this runner's egress address, instead of asking an echo
  --principal ARN      aws: simulate this IAM role's (or user's) policies instead of the caller's, e.g.
                       the deploy role when a read-only identity runs preflight; the caller needs
                       iam:SimulatePrincipalPolicy on it
  --skip-permissions   the caller is not the deployer (a read-only CI identity): the permission rows
                       say "could not check: run as the deployer" (Azure and GCP can only test the
                       caller's own permissions)
  -h, --help           this help

Quotas count what the account already runs. On AWS the stack's own instances, addresses, NAT gateways,
VPC and ALB (its project and stack tags) are inside its need and not counted twice; on Azure and GCP
the usage the APIs report includes an existing stack's own nodes, and the rows say so.`;

const PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user|group)\/\S+$/;

interface Options {
    egressUrl: string;
    egressIp?: string;
    principal?: string;
    skipPermissions: boolean;
}

async function cloudRows(stack: string, overrides: Record<string, string>, o: Options): Promise<{ header: object; rows: Row[] }> {
    /* eslint-disable @typescript-eslint/no-require-imports -- see planReport() */
    const { needsFor } = require("./preflight/needs") as typeof import("./preflight/needs");
    const { egressAddress, callerIsNotDeployer } = judge();
    /* eslint-enable @typescript-eslint/no-require-imports */
    const plan = await planReport().buildPlan(stack, overrides, false);
    const cfg = plan.run.config;
    const raw = stackConfigMap(stack, overrides);
    const needs = needsFor(cfg, plan.run.resources, plan.sizing.nodes.vcpu, raw["gcp:project"]);
    let egress: { ip?: string; error?: string } = { ip: o.egressIp };
    if (!o.egressIp)
        egress = await egressAddress(o.egressUrl).then(
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
    /* eslint-disable @typescript-eslint/no-require-imports -- each cloud's SDK loads only for its own stack */
    if (cfg.cloud === "aws") {
        const { awsChecks, awsClients } = require("./preflight/aws") as typeof import("./preflight/aws");
        rows.push(...(await awsChecks(awsClients(needs.region), { needs, egress, principal: o.principal })));
    } else if (cfg.cloud === "gcp") {
        const [{ GoogleAuth }, { gcpChecks, gcpClients }] = [
            require("google-auth-library") as typeof import("google-auth-library"),
            require("./preflight/gcp") as typeof import("./preflight/gcp"),
        ];
        const auth = await new GoogleAuth({ scopes: ["https://www.googleapis.com/auth/cloud-platform"] }).getClient().catch((e: Error) => e);
        rows.push(
            ...(auth instanceof Error
                ? [{ check: "credentials", status: "unknown" as const, detail: auth.message, fix: "gcloud auth application-default login" }]
                : await gcpChecks(gcpClients(auth), { needs, egress })),
        );
    } else {
        const [{ DefaultAzureCredential }, { azureChecks, azureClients }] = [
            require("@azure/identity") as typeof import("@azure/identity"),
            require("./preflight/azure") as typeof import("./preflight/azure"),
        ];
        const subscription = process.env.AZURE_SUBSCRIPTION_ID ?? process.env.ARM_SUBSCRIPTION_ID ?? raw["azure-native:subscriptionId"];
        rows.push(...(await azureChecks(subscription ? azureClients(new DefaultAzureCredential(), subscription) : undefined, { needs, egress })));
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    const permissionsOf = o.skipPermissions ? "not checked" : (o.principal ?? "the caller");
    return {
        header: { stack, cloud: cfg.cloud, region: needs.region, egress: egress.ip ?? null, permissionsOf },
        rows: o.skipPermissions ? callerIsNotDeployer(rows) : rows,
    };
}

async function main(): Promise<void> {
    const values = commandLine(USAGE, {
        stack: { type: "string" },
        config: { type: "string", multiple: true, default: [] },
        json: { type: "boolean", default: false },
        "egress-url": { type: "string", default: process.env.ZDP_EGRESS_URL ?? ECHO },
        "egress-ip": { type: "string" },
        principal: { type: "string" },
        "skip-permissions": { type: "boolean", default: false },
    });
    if (!values) return;
    const stack = values.stack;
    if (!stack) usageError(USAGE, "--stack is required");
    if (!listStacks().includes(stack)) usageError(USAGE, `unknown stack "${stack}"`);
    const { overrides, error } = configOverrides(values.config);
    if (error) usageError(USAGE, error);
    const principal = values.principal;
    if (principal !== undefined && !PRINCIPAL.test(principal))
        usageError(USAGE, `--principal "${principal}": not an IAM role, user or group ARN (arn:aws:iam::<account>:role/<name>)`);
    if (principal && values["skip-permissions"]) usageError(USAGE, "--principal and --skip-permissions exclude each other");
    let cloud: string | undefined;
    try {
        cloud = parseConfig(stackConfigMap(stack, overrides), stack).cloud;
    } catch {
        // A config error: the plan below reports it.
    }
    if (principal && cloud && cloud !== "aws")
        usageError(
            USAGE,
            `--principal applies to aws stacks only (stack ${stack} runs on ${cloud}, whose APIs test only the caller's permissions): use --skip-permissions`,
        );

    let result;
    try {
        result = await cloudRows(stack, overrides, {
            egressUrl: values["egress-url"],
            egressIp: values["egress-ip"],
            principal,
            skipPermissions: values["skip-permissions"],
        });
    } catch (e) {
        process.stderr.write(`preflight for stack ${stack} failed:\n${planReport().failureText(e)}\n`);
        process.exit(2);
    }
    const { header, rows } = result;
    const count = (s: Row["status"]) => rows.filter((r) => r.status === s).length;
    const summary = { ok: count("ok"), fail: count("fail"), unknown: count("unknown") };
    if (values.json) process.stdout.write(JSON.stringify({ ...header, summary, rows }, null, 2) + "\n");
    else {
        const t = new Table({ head: ["check", "result", "found", "fix"], style: { head: [], border: [] }, colWidths: [30, 9, 48, 48], wordWrap: true });
        const { MARK } = judge();
        for (const r of rows) t.push([r.check, MARK[r.status], r.detail, r.fix ?? ""]);
        console.log(t.toString());
        console.log(`${summary.ok} ✓, ${summary.fail} ✗, ${summary.unknown} could not check`);
    }
    if (summary.fail > 0) process.exitCode = 1;
}

if (require.main === module) void main();
