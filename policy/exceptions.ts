// A stack waives rules only through its `policy.exceptions` config key (Pulumi.<stack>.yaml, reviewed in
// PRs). A waived rule still runs and reports, as "advisory" instead of blocking. The same mapping feeds
// the offline runner and the real CLI:
//   npx tsx policy/exceptions.ts "$(pulumi config get --path policy.exceptions --stack aws 2>/dev/null)" > policy-config.json
//   pulumi preview --stack aws --policy-pack policy --policy-pack-config policy-config.json
// Config format: https://www.pulumi.com/docs/iac/using-pulumi/crossguard/configuration/
import type { PolicyPackConfig } from "@pulumi/policy";
import { RULE_NAMES } from "./ruleNames";

/** CrossGuard config that downgrades each waived rule to advisory; unknown names are refused (a typo waives nothing). */
export function exceptionConfig(exceptions: string[]): PolicyPackConfig {
    const unknown = exceptions.filter((e) => !(RULE_NAMES as readonly string[]).includes(e));
    if (unknown.length > 0) {
        throw new Error(`policy.exceptions names unknown rule(s) ${unknown.join(", ")}; the rules are: ${RULE_NAMES.join(", ")}`);
    }
    return Object.fromEntries(exceptions.map((rule) => [rule, { enforcementLevel: "advisory" as const }]));
}

if (require.main === module) {
    const raw = process.argv[2] ?? "";
    if (raw === "--help" || raw === "-h" || process.argv.length > 3 || raw.startsWith("-")) {
        const usage = `usage: npx tsx policy/exceptions.ts "RULE[,RULE...]"   (the stack's policy.exceptions; prints the CrossGuard config)`;
        if (raw === "--help" || raw === "-h") console.log(usage);
        else console.error(`error: expected one comma-separated list of rule names, got ${JSON.stringify(process.argv.slice(2))}\n${usage}`);
        process.exit(raw === "--help" || raw === "-h" ? 0 : 2);
    }
    const names = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    process.stdout.write(`${JSON.stringify(exceptionConfig(names), null, 2)}\n`);
}
