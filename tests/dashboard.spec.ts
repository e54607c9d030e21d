// The release page's server and sources without a browser (the browser test is npm run test:browser).
import * as assert from "assert";
import { serveDashboard } from "../scripts/dashboard/server";
import { SimulatedCanary } from "../scripts/dashboard/simulated";
import { kubectlReadyPods } from "../scripts/dashboard/readyPods";
import { StackFileSource } from "../scripts/dashboard/stackSource";
import { ROOT } from "./harness";

describe("release dashboard: server and sources", () => {
    it("serves the page, a snapshot and an event stream of snapshots", async () => {
        const server = await serveDashboard(new SimulatedCanary("aws"), { intervalMs: 50 });
        try {
            const page = await fetch(server.url);
            assert.match(await page.text(), /<title>zdp release<\/title>/);
            const snap = (await (await fetch(`${server.url}snapshot`)).json()) as { stack: string };
            assert.strictEqual(snap.stack, "aws");
            const events = await fetch(`${server.url}events`);
            assert.strictEqual(events.headers.get("content-type"), "text/event-stream");
            const reader = events.body!.getReader();
            const decoder = new TextDecoder();
            let text = "";
            // Two whole events (each ends in a blank line), however the stream happens to be cut into reads.
            while ((text.match(/\n\n/g) ?? []).length < 2) text += decoder.decode((await reader.read()).value, { stream: true });
            await reader.cancel();
            const weights = text
                .split("\n\n")
                .slice(0, 2)
                .map((e) => JSON.parse(e.replace(/^data: /, "")).colours.green.weight);
            assert.ok(weights.length >= 2 && weights[1] >= weights[0], JSON.stringify(weights));
            assert.strictEqual((await fetch(`${server.url}nope`)).status, 404);
        } finally {
            await server.close();
        }
    });

    it("the simulated canary steps the weights up, always summing to 100, and ends promoted", async () => {
        const sim = new SimulatedCanary();
        const seen: number[] = [];
        let last;
        for (let i = 0; i < 10; i++) {
            last = await sim.snapshot();
            assert.strictEqual(last.colours.blue!.weight + last.colours.green!.weight, 100);
            seen.push(last.colours.green!.weight);
        }
        assert.deepStrictEqual([...new Set(seen)], [0, 10, 25, 50, 100]);
        assert.strictEqual(last?.activeColor, "green");
    });

    it("a stack's source shows the stack file's weights and versions and says live metrics are missing", async () => {
        const snap = await new StackFileSource(ROOT, "aws").snapshot();
        assert.strictEqual(snap.colours.blue!.weight + snap.colours.green!.weight, 100);
        assert.strictEqual(snap.colours[snap.activeColor]!.weight, 100);
        assert.strictEqual(snap.colours.blue!.errorRate, undefined);
        assert.match(snap.notes.join(), /no metric source/);
    });

    it("with the release analysis's metric source, each colour gets its rate, error share and p99; a failing source is named, not hidden", async () => {
        const asked: string[][] = [];
        const metrics = {
            name: "fake",
            read: async (colors: string[]) => (asked.push(colors), { blue: { requests: 6000, successRate: 0.999, p99Ms: 120 }, green: { requests: 0 } }),
        };
        const snap = await new StackFileSource(ROOT, "aws", { metrics, windowMs: 60_000 }).snapshot();
        assert.deepStrictEqual(asked, [["blue", "green"]]);
        assert.strictEqual(snap.colours.blue!.requestsPerSecond, 100);
        assert.ok(Math.abs(snap.colours.blue!.errorRate! - 0.001) < 1e-9);
        assert.strictEqual(snap.colours.blue!.p99Ms, 120);
        assert.strictEqual(snap.colours.green!.errorRate, undefined, "no requests must not read as 0% errors");
        const broken = await new StackFileSource(ROOT, "aws", {
            metrics: {
                name: "cloudwatch",
                read: async () => {
                    throw new Error("AccessDenied");
                },
            },
        }).snapshot();
        assert.match(broken.notes.join(), /cloudwatch could not be read: AccessDenied/);
        assert.strictEqual(broken.colours.blue!.p99Ms, undefined);
    });

    it("ready pods come from the cluster's Deployments; a failed read is named on the page, never shown as 0", async () => {
        const calls: string[][] = [];
        const kubectl = async (args: string[]) => {
            calls.push(args);
            // kubectl's List; the Deployment API leaves readyReplicas out when none is ready.
            return JSON.stringify({
                kind: "List",
                items: [
                    { metadata: { name: "app-blue" }, status: { readyReplicas: 7 } },
                    { metadata: { name: "app-green" }, status: {} },
                ],
            });
        };
        const snap = await new StackFileSource(ROOT, "aws", { pods: kubectlReadyPods({ kubeconfig: "/tmp/kc" }, kubectl) }).snapshot();
        assert.deepStrictEqual(calls, [
            ["--kubeconfig", "/tmp/kc", "--namespace", "zdp", "get", "deployments.apps", "app-blue", "app-green", "--output", "json"],
        ]);
        assert.deepStrictEqual([snap.colours.blue!.readyPods, snap.colours.green!.readyPods], [7, 0]);
        assert.match(snap.notes.join(), /ready pods from the cluster \(kubectl\)/);

        const failing = kubectlReadyPods({ context: "kind-zdp" }, async () => {
            throw new Error('Error from server (NotFound): deployments.apps "app-green" not found');
        });
        const broken = await new StackFileSource(ROOT, "aws", { pods: failing }).snapshot();
        assert.strictEqual(broken.colours.blue!.readyPods, undefined);
        assert.strictEqual(broken.colours.green!.readyPods, undefined);
        assert.match(broken.notes.join(), /ready pods could not be read \(kubectl\): Error from server \(NotFound\)/);
        // A Deployment missing from kubectl's answer is a failed read too, not 0.
        const partial = kubectlReadyPods({}, async () =>
            JSON.stringify({ kind: "List", items: [{ metadata: { name: "app-blue" }, status: { readyReplicas: 2 } }] }),
        );
        await assert.rejects(partial.read("zdp", ["app-blue", "app-green"]), /no Deployment app-green in namespace zdp/);
    });

    it("without cluster access the page says ready pods were not read", async () => {
        const snap = await new StackFileSource(ROOT, "aws").snapshot();
        assert.strictEqual(snap.colours.blue!.readyPods, undefined);
        assert.match(snap.notes.join(), /ready pods not read/);
    });
});
