// Config as the Pulumi CLI reads it (issue 26): stack files the offline tools must read exactly as the
// CLI's Go reader does, and every refusal one config error naming the key and the fix. Pure (reader
// and parser, no Pulumi engine).
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, parseConfig } from "../model/config";
import * as os from "os";
import { mergedConfig, stackConfig, stackEnvironments, unresolvedNote } from "../scripts/pulumiConfig";
import { proposeRelease } from "../scripts/release/propose";

const ROOT = path.resolve(__dirname, "..");
const PULUMI_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
const DEV = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
const AWS = fs.readFileSync(path.join(ROOT, "Pulumi.aws.yaml"), "utf8");
const CIPHERTEXT = "v1:Zm9vYmFyOnNlY3JldA==";

/** The stack file `file` of stack `stack` read and parsed as the offline plan does; the ConfigError's text if refused. */
function read(file: string, stack = "dev", project = PULUMI_YAML): { raw?: Record<string, string>; error?: string } {
    try {
        const raw = mergedConfig(project, file);
        parseConfig(raw, stack, /^name: (.+)$/m.exec(project)![1]);
        return { raw };
    } catch (e) {
        if (e instanceof ConfigError) return { error: e.message };
        throw e; // anything else is a stack trace for the user: the test fails
    }
}

describe("config parity: secure values", () => {
    it("accepts an encrypted alertWebhook offline and never passes its ciphertext on", () => {
        const { raw, error } = read(`${AWS}  zdp:alertWebhook:\n    secure: ${CIPHERTEXT}\n`, "aws");
        assert.equal(error, undefined);
        assert.equal(raw!["zdp:alertWebhook"], "[secret]");
        assert.ok(!JSON.stringify(raw).includes(CIPHERTEXT));
    });

    it("reads an encrypted field inside an object as [secret], never as its ciphertext", () => {
        const raw = mergedConfig(PULUMI_YAML, `${AWS}`.replace("    waf: true\n", `    waf: true\n    certificateArn:\n      secure: ${CIPHERTEXT}\n`));
        assert.equal(JSON.parse(raw["zdp:aws"]).certificateArn, "[secret]");
        assert.ok(!JSON.stringify(raw).includes(CIPHERTEXT));
    });

    // Offline an encrypted value cannot be checked; a key whose value the plan needs says how to give it.
    for (const [what, file, key] of [
        ["a field inside zdp:aws", AWS.replace("    waf: true\n", `    waf: true\n    certificateArn:\n      secure: ${CIPHERTEXT}\n`), "aws.certificateArn"],
        ["a flat key", `${AWS}  zdp:domain:\n    secure: ${CIPHERTEXT}\n`, "domain"],
    ] as const)
        it(`refuses ${what} it must check, naming the key and --config, without the ciphertext`, () => {
            const { error } = read(file, "aws");
            assert.match(error ?? "", new RegExp(`- ${key.replace(".", "\\.")} = "\\[secret\\]": is encrypted .*--config ${key}=<value>`));
            assert.ok(!error!.includes(CIPHERTEXT));
        });
});

describe("config parity: YAML as gopkg.in/yaml.v3 reads it", () => {
    const withoutActive = DEV.replace("  zdp:activeColor: blue\n", "");
    const cases: [string, string, Record<string, string>][] = [
        ["a merge key supplies a key", `${withoutActive}  <<: {"zdp:activeColor": green}\n`, { "zdp:activeColor": "green" }],
        ["a key written in the mapping wins over a merged one", `${DEV}  <<: {"zdp:activeColor": green}\n`, { "zdp:activeColor": "blue" }],
        [
            "of a list of merged maps the first wins",
            `${withoutActive}  <<: [{"zdp:activeColor": green}, {"zdp:activeColor": blue}]\n`,
            { "zdp:activeColor": "green" },
        ],
        [
            "an alias repeats its anchor's value",
            DEV.replace("  zdp:blueVersion: 6.9.1\n  zdp:greenVersion: 6.9.1\n", '  zdp:blueVersion: &v "6.9.2"\n  zdp:greenVersion: *v\n'),
            { "zdp:blueVersion": "6.9.2", "zdp:greenVersion": "6.9.2" },
        ],
    ];
    for (const [what, file, expected] of cases)
        it(what, () => {
            const { raw, error } = read(file);
            assert.equal(error, undefined);
            for (const [k, v] of Object.entries(expected)) assert.equal(raw![k], v, k);
        });
});

describe("config parity: every refusal is one config error naming the key and the fix", () => {
    const cases: [string, string, RegExp][] = [
        [
            "a key without a namespace",
            `${DEV}  activeColor: green\n`,
            /- activeColor: is not a configuration key.*`<namespace>:<name>`.*write it as `zdp:activeColor`/,
        ],
        [
            "a duplicate key",
            `${DEV}  zdp:activeColor: green\n`,
            /- zdp:activeColor: makes the stack file invalid YAML \(Map keys must be unique.*keep one line per key/,
        ],
        ["a tab", DEV.replace("  zdp:cloud: local", "\tzdp:cloud: local"), /- zdp:cloud: makes the stack file invalid YAML \(Tabs .*indent with spaces/],
        [
            "unquoted 6.10",
            DEV.replace("zdp:blueVersion: 6.9.1", "zdp:blueVersion: 6.10"),
            /- zdp:blueVersion: Pulumi reads the unquoted value 6\.10 as 6\.1; quote it/,
        ],
        ["unquoted 1e4", DEV.replace('zdp:targetUsers: "200"', "zdp:targetUsers: 1e4"), /- zdp:targetUsers: .*1e4 as 10000; quote it/],
        ["unquoted True", `${DEV}  zdp:protectStateful: True\n`, /- zdp:protectStateful: .*True as true; quote it/],
        ["a field read as other text", `${DEV}  zdp:usage:\n    monthlyRequests: 1e4\n`, /- zdp:usage\.monthlyRequests: .*quote it/],
        [
            "an empty required value",
            DEV.replace("zdp:cloud: local", "zdp:cloud:"),
            /- cloud = "": is empty in the stack file: give it a value, or remove the line/,
        ],
        [
            "an empty strategy",
            `${DEV}  zdp:releaseStrategy: ""\n`.replace("  zdp:releaseStrategy: blueGreen\n", ""),
            /- releaseStrategy = "": is empty in the stack file/,
        ],
    ];
    for (const [what, file, message] of cases)
        it(what, () => {
            const { error } = read(file);
            assert.match(error ?? "(accepted)", message);
            assert.match(error!, /^Invalid stack config \(1 problem\):/);
            assert.doesNotMatch(error!, /is the project file missing|\n\s+at /);
        });
});

describe("config parity: a renamed project (a fork's first step)", () => {
    const renamed = PULUMI_YAML.replace(/^name: zdp$/m, "name: acme");
    const renamedStack = (file: string) => file.replace(/^(\s+)zdp:/gm, "$1acme:");

    for (const stack of ["dev", "aws"])
        it(`reads the ${stack} stack file under the new name exactly as under the old`, () => {
            const file = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            const { raw, error } = read(renamedStack(file), stack, renamed);
            assert.equal(error, undefined);
            const original = mergedConfig(PULUMI_YAML, file);
            assert.deepEqual(raw, Object.fromEntries(Object.entries(original).map(([k, v]) => [k.replace(/^zdp:/, "acme:"), v])));
            assert.equal(parseConfig(raw, stack, "acme").project, "acme");
        });

    it("refuses keys left under the old namespace, naming the new one", () => {
        const { error } = read(DEV, "dev", renamed);
        assert.match(error ?? "(accepted)", /- zdp:cloud = "local": is in namespace zdp, but the project is acme .*rename the key to acme:cloud/);
        assert.match(error!, /- zdp:policy = .*rename the key to acme:policy/);
    });

    it("the release CLI's --edit-only writes the renamed project's keys", () => {
        const { stackYaml } = proposeRelease({ kind: "promote" }, renamed, renamedStack(DEV), "dev");
        assert.match(stackYaml, /^ {2}acme:activeColor: green$/m);
        assert.doesNotMatch(stackYaml, /zdp:/);
    });
});

describe("config parity: Pulumi ESC environments", () => {
    /** A project directory holding Pulumi.yaml and `Pulumi.esc.yaml` = the aws stack file with `edit` applied. */
    function project(edit: (aws: string) => string): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-esc-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PULUMI_YAML);
        fs.writeFileSync(path.join(dir, "Pulumi.esc.yaml"), edit(AWS));
        return dir;
    }
    const withEnvironments = (aws: string) => `environment:\n  - acme/common\n  - acme/aws\n${aws}`;

    it("reads the environments a stack file imports, in order; anything but a list of names is refused naming the key", () => {
        assert.deepEqual(stackEnvironments(withEnvironments(AWS)), ["acme/common", "acme/aws"]);
        assert.deepEqual(stackEnvironments(AWS), []);
        assert.throws(
            () => stackEnvironments(`environment: acme/aws\n${AWS}`),
            (e: ConfigError) => /environment .*must be a list of ESC environment names/.test(e.message),
        );
    });

    it("without a Pulumi CLI to open them, plans the files' values and says why, naming the environments and the missing keys", () => {
        const root = project((aws) => withEnvironments(aws).replace(/^ {2}aws:region: .*\n/m, ""));
        const { raw, source } = stackConfig("esc", {}, { root, pulumi: path.join(root, "no-such-pulumi") });
        assert.equal(source.unresolved, "the Pulumi CLI is not installed");
        const note = unresolvedNote("esc", source)!;
        assert.match(
            note,
            /Pulumi\.esc\.yaml imports ESC environment\(s\) acme\/common, acme\/aws, which only the Pulumi CLI can open \(here: the Pulumi CLI is not installed\)/,
        );
        assert.match(note, /--config KEY=VALUE/);
        // The region the environment would set is reported as a config error, not a stack trace.
        assert.throws(
            () => parseConfig(raw, "aws"),
            (e: ConfigError) => /aws:region: is required for cloud aws/.test(e.message),
        );
        assert.equal(unresolvedNote("aws", { environments: [] }), undefined, "a stack without environments has nothing to say");
    });

    it("with the Pulumi CLI, takes its resolved values (the environments' included), keeps secrets unread, and applies --config on top", () => {
        const root = project(withEnvironments);
        // A stand-in for `pulumi config --json`, printing the shapes the real CLI prints (e2e/config.e2e.ts
        // checks them against the real one): a value, an object, and secrets without their value.
        const resolved = {
            "zdp:cloud": { value: "aws", secret: false },
            "zdp:activeColor": { value: "green", secret: false },
            "zdp:aws": { objectValue: { region: "ignored" }, secret: false },
            "zdp:alertWebhook": { secret: true },
            // An object with one secret field: the CLI prints neither its fields nor a value.
            "zdp:usage": { secret: true },
        };
        const fake = path.join(root, "pulumi");
        fs.writeFileSync(fake, `#!/bin/sh\n[ "$1 $2 $3 $4" = "config --json --stack esc" ] || exit 3\necho '${JSON.stringify(resolved)}'\n`, { mode: 0o755 });
        const { raw, source } = stackConfig("esc", { canaryWeight: "10" }, { root, pulumi: fake });
        assert.equal(source.unresolved, undefined);
        assert.equal(raw["zdp:activeColor"], "green", "the environment's value, not the file's");
        assert.equal(raw["zdp:aws"], JSON.stringify({ region: "ignored" }));
        assert.equal(raw["zdp:alertWebhook"], "[secret]");
        assert.equal(raw["zdp:canaryWeight"], "10");
        assert.equal(raw["zdp:usage"], mergedConfig(PULUMI_YAML, AWS)["zdp:usage"], "the object keeps the files' fields");
        assert.ok(!Object.values(raw).some((v) => v.includes("secure")), "no ciphertext");
    });
});
