// The package as another program installs it: `npm pack` (which builds dist/), the tarball unpacked
// into a temp project's node_modules, and a program of that project's own — project "shop", an app
// named "shop" on the dev platform — run from it under Pulumi's mocks. Fails if the tarball lacks a
// file the entry needs, if importing the entry declares anything, or if an asset is looked up outside
// the package.
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ROOT, stackConfigMap } from "./harness";
import { cloudMocks } from "../scripts/offline/mocks";

/** Run a tool the test needs; a missing tool or a failure is an error naming it, never a skip. */
function run(cmd: string, args: string[], cwd: string): string {
    const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw new Error(`tests/library.spec.ts needs \`${cmd}\` on PATH to pack the library: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` failed (${r.status}):\n${r.stderr}`);
    return r.stdout;
}

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

describe("the packed library (npm pack)", function () {
    // npm pack compiles the package (about 15 s on a loaded 2-core machine); no assertion depends on it.
    this.timeout(240_000);
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-library-"));
    const pkgDir = path.join(project, "node_modules", "zdp");
    const registered: Registered[] = [];
    let files: string[] = [];

    before(async () => {
        const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", project], ROOT)) as { filename: string; files: { path: string }[] }[];
        files = packed[0].files.map((f) => f.path);
        fs.mkdirSync(pkgDir, { recursive: true });
        run("tar", ["xzf", path.join(project, packed[0].filename), "-C", pkgDir, "--strip-components=1"], project);
        // The package's dependencies, as npm install would place them beside it (the same copies this
        // process loaded, so the mocks below are the ones the package's resources register with).
        const deps = Object.keys((JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { dependencies: object }).dependencies);
        for (const scope of new Set(deps.map((d) => d.split("/")[0])))
            fs.symlinkSync(path.join(ROOT, "node_modules", scope), path.join(project, "node_modules", scope), "dir");

        await pulumi.runtime.setMocks(
            {
                newResource(args) {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                    let state: Record<string, any> = { ...args.inputs };
                    for (const m of cloudMocks) state = { ...state, ...m.newResource?.(args, { preview: false, generatedSecrets: [] }) };
                    return { id: `${args.name}-id`, state };
                },
                call(args) {
                    for (const m of cloudMocks) {
                        const result = m.call?.(args, { preview: false, generatedSecrets: [] });
                        if (result) return result;
                    }
                    throw new Error(`No mock for invoke ${args.token}; add one to scripts/offline/mocks/`);
                },
            },
            "shop",
            "dev",
            false,
        );
    });

    after(() => fs.rmSync(project, { recursive: true, force: true }));

    it("ships compiled JavaScript with declarations and the assets, and no TypeScript source", () => {
        for (const f of [
            "dist/library.js",
            "dist/library.d.ts",
            "dist/stacks/aws.js",
            "dist/model/certs/rds-global-bundle.pem",
            "dist/components/aws/lbcIamPolicy.json",
        ])
            assert.ok(files.includes(f), `the tarball has no ${f}; it has ${files.length} files`);
        assert.deepStrictEqual(
            files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
            [],
        );
    });

    it("leaves index.ts the program pulumi runs: Pulumi.yaml names it, since package.json's exports are the library", () => {
        const exports = (JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { exports: Record<string, unknown> }).exports;
        assert.ok(exports["."], "package.json has no exports entry");
        // @pulumi/pulumi's run command takes package.json's exports, then main, unless Pulumi.yaml sets main.
        assert.match(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"), /^main: index\.ts$/m);
    });

    it("resolves the AWS CRD manifests inside the package, wherever the program runs", () => {
        const { LBC } = createRequire(path.join(pkgDir, "dist", "index.js"))("./components/aws/loadBalancer.js") as { LBC: Record<string, string> };
        for (const file of [LBC.gatewayApiCrds, LBC.lbcGatewayCrds]) assert.ok(fs.existsSync(path.join(pkgDir, "dist", file)), `${file} is not in the package`);
    });

    it("declares nothing on import, then a program of its own: the dev platform and an app named shop", async () => {
        const load = createRequire(path.join(project, "index.js"));
        const zdp = load("zdp") as typeof import("../library");
        load("zdp/aws");
        assert.strictEqual(registered.length, 0, `importing the package declared ${registered.map((r) => r.name).join(", ")}`);

        const raw = Object.fromEntries(Object.entries(stackConfigMap("dev")).map(([k, v]) => [k.replace(/^zdp:/, "shop:"), v]));
        const cfg = zdp.parseConfig(raw, "dev", "shop");
        const sizing = zdp.sizingFor(cfg);
        const app = { ...zdp.appSpecFrom(cfg, sizing), name: "shop", namespace: "shop" };
        const outputs = zdp.deployApp(zdp.localPlatform(cfg, sizing, [app]), app);
        assert.ok(await (pulumi.output(outputs.databaseHost) as any).promise(), "no database host");
        await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

        const has = (type: string, name: string) =>
            assert.ok(
                registered.some((r) => r.type === type && r.name === name),
                `no ${type} named ${name}; declared ${registered.map((r) => `${r.type} ${r.name}`).join(", ")}`,
            );
        has("zdp:k8s:Release", "shop");
        has("zdp:k8s:AppSecret", "shop");
        has("zdp:k8s:AppTraffic", "shop");
        has("zdp:k8s:AppDbRole", "shop-db");
        has("zdp:k8s:LocalDatastores", "data");
        has("zdp:k8s:EnvoyGateway", "envoy");
        const ns = registered.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata?.name === "shop");
        assert.ok(ns, "no Namespace shop");
        assert.strictEqual(ns.inputs.metadata.labels["app.kubernetes.io/part-of"], "shop", "the app's namespace is labelled with the caller's project");
    });
});
