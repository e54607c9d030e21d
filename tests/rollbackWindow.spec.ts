// The rollback window (model/rollbackWindow.ts): the maths, what the program declares inside and after
// it (a fixed clock, so every run is repeatable), and what the bill charges for it.
import { strict as assert } from "assert";
import { sizingFor } from "../model/capacity";
import { ConfigError, parseConfig } from "../model/config";
import { releaseState } from "../model/releasePlan";
import { describeWindow, heldExtraNodes, promotedAtProblem, rollbackWindow, windowNodeHoursPerMonth } from "../model/rollbackWindow";
import { diffResources } from "../scripts/offline/diff";
import { priceStack } from "../scripts/planCost";
import { find, runStack, stackConfigMap, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";

const PROMOTED = "2026-12-07T18:00:00Z";
const at = (minutesAfter: number) => new Date(Date.parse(PROMOTED) + minutesAfter * 60_000);
const minimal = { blueVersion: "6.9.1", greenVersion: "6.9.2", inactiveScale: "minimal" };

describe("rollback window", () => {
    describe("maths", () => {
        it("is open from promotedAt until promotedAt + minutes, not at the end itself", () => {
            const p = new Date(PROMOTED);
            assert.equal(rollbackWindow(60, p, at(0)).open, true);
            assert.equal(rollbackWindow(60, p, at(59.99)).open, true);
            assert.equal(rollbackWindow(60, p, at(60)).open, false);
            assert.equal(rollbackWindow(0, p, at(0)).open, false, "0 minutes turns it off");
            assert.equal(rollbackWindow(60, undefined, at(0)).open, false, "no promote recorded");
            assert.equal(rollbackWindow(60, p, at(1)).until!.toISOString(), "2026-12-07T19:00:00.000Z");
        });

        it("promotedAt must be a UTC second, and not later than the run's clock plus 5 minutes of skew", () => {
            assert.equal(promotedAtProblem(PROMOTED, at(0)), undefined);
            assert.equal(promotedAtProblem(PROMOTED, at(-4)), undefined, "within the skew");
            assert.match(promotedAtProblem(PROMOTED, at(-6)) ?? "", /is in the future \(this run reads the config at 2026-12-07T17:54:00Z\)/);
            for (const bad of ["2026-12-07 18:00:00", "2026-12-07T18:00:00+01:00", "2026-02-30T18:00:00Z", "2026-12-07T18:00:00.5Z", "yesterday"])
                assert.match(promotedAtProblem(bad, at(0)) ?? "", /must be a UTC time to the second/, bad);
        });

        it("the config parser names the key, the value and what is allowed", () => {
            const issues = (overrides: Record<string, string>) => {
                try {
                    parseConfig(stackConfigMap("aws", overrides), "aws", "zdp", at(0));
                    return [];
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    return e.issues.map((i) => `${i.key} = ${i.value}: ${i.message}`);
                }
            };
            assert.deepEqual(issues({ promotedAt: "2026-12-08T18:00:00Z" }), [
                "promotedAt = 2026-12-08T18:00:00Z: is in the future (this run reads the config at 2026-12-07T18:00:00Z): it would hold the idle colour at full size past the window; set it to the time of the promote",
            ]);
            assert.deepEqual(issues({ rollbackWindowMinutes: "1441" }), ["rollbackWindowMinutes = 1441: must be minutes from 0 to 1440"]);
            assert.deepEqual(
                issues({ releaseStrategy: "rolling", appVersion: "6.9.1", blueVersion: "", greenVersion: "", promotedAt: PROMOTED, inactiveScale: "full" }),
                [
                    "promotedAt = 2026-12-07T18:00:00Z: applies only to blueGreen and canary releases, not to releaseStrategy rolling; remove it or change releaseStrategy",
                ],
            );
        });

        it("holds the colour that lost its traffic at its full floor while open, then one pod per zone (aws, 10,000 users)", () => {
            const floors = (minutesAfter: number) => {
                const cfg = parseConfig(stackConfigMap("aws", { activeColor: "green", promotedAt: PROMOTED }), "aws", "zdp", at(minutesAfter));
                const s = releaseState(cfg, sizingFor(cfg));
                return s.tracks.map((t) => `${t.track} ${t.minReplicas}${t.heldUntil ? ` held until ${t.heldUntil.toISOString()}` : ""}`);
            };
            assert.deepEqual(floors(10), ["green 60", "blue 60 held until 2026-12-07T19:00:00.000Z"]);
            assert.deepEqual(floors(60), ["green 60", "blue 3"]);
        });

        it("the plan's line says until when, and what the first up after it does", () => {
            const p = new Date(PROMOTED);
            assert.equal(
                describeWindow(rollbackWindow(60, p, at(10)), "blue", 60, 3),
                "rollback window 60 min: blue at full size (60 pods) until 2026-12-07T19:00:00Z, then minimal (3 pods); the first `pulumi up` after that scales it down (as of 2026-12-07T18:10:00Z)",
            );
            assert.match(describeWindow(rollbackWindow(60, p, at(61)), "blue", 60, 3), /closed at 2026-12-07T19:00:00Z: blue at minimal \(3 pods\)/);
        });
    });

    describe("what the program declares (dev stack, inactiveScale minimal, fixed clock)", () => {
        const run = (config: Record<string, string>, minutesAfter: number): Promise<StackRun> => runStack("dev", config, { asOf: at(minutesAfter) });
        const changed = async (before: [Record<string, string>, number], after: [Record<string, string>, number]) => {
            const d = diffResources((await run(...before)).resources, (await run(...after)).resources);
            assert.deepEqual([d.added, d.removed, d.changed.filter((c) => c.replaces)], [[], [], []]);
            return Object.fromEntries(d.changed.map((c) => [`${c.type.split(":").pop()} ${c.name}`, c.paths.sort()]));
        };
        const green = { ...minimal, activeColor: "green", promotedAt: PROMOTED };
        const blue = { ...minimal, activeColor: "blue", promotedAt: PROMOTED };

        it("a rollback inside the window changes the routes and nothing else: two weights and the preview route's colour", async () => {
            assert.deepEqual(await changed([green, 30], [blue, 30]), {
                "HTTPRoute app-preview-token-route": ["spec.rules[0].backendRefs[0].name"],
                "HTTPRoute app-route": ["spec.rules[0].backendRefs[0].weight", "spec.rules[0].backendRefs[1].weight"],
            });
        });

        it("the same rollback after the window also scales the colour it returns to (written, waited for)", async () => {
            const d = await changed([green, 90], [blue, 90]);
            assert.deepEqual(d["Deployment app-blue"], ["metadata.annotations.zdp.io/serving", "spec.replicas"]);
            assert.deepEqual(d["HorizontalPodAutoscaler app-blue"], ["spec.minReplicas"]);
        });

        it("the promote that opens the window leaves the colour losing traffic as it is", async () => {
            const d = await changed([{ ...minimal, activeColor: "blue" }, 1], [green, 1]);
            assert.deepEqual(Object.keys(d).sort(), [
                "Deployment app-green",
                "HTTPRoute app-preview-token-route",
                "HTTPRoute app-route",
                "HorizontalPodAutoscaler app-green",
            ]);
        });

        it("the first run after the window changes only the idle colour: its HPA floor to one pod per zone, its count left to the HPA", async () => {
            const d = await changed([green, 59], [green, 61]);
            assert.deepEqual(d, {
                "Deployment app-blue": ["metadata.annotations.zdp.io/serving"],
                "HorizontalPodAutoscaler app-blue": ["spec.minReplicas"],
            });
            const after = await run(green, 61);
            assert.deepEqual(find(after, DEPLOYMENT, "app-blue").ignoreChanges, ["spec.replicas"]);
            assert.equal(find(after, HPA, "app-blue").inputs.spec.minReplicas, sizingFor(after.config).zones, "one pod per zone");
            assert.ok(sizingFor(after.config).app.replicas > sizingFor(after.config).zones, "a real drop from the full floor");
        });

        it("inside the window the held colour is declared like the serving one, and every object is schema-valid", async () => {
            const r = await run(green, 30);
            const [g, b] = [find(r, DEPLOYMENT, "app-green"), find(r, DEPLOYMENT, "app-blue")];
            assert.equal(b.inputs.spec.replicas, g.inputs.spec.replicas);
            assert.deepEqual(b.ignoreChanges, []);
            assert.equal(b.inputs.metadata.annotations["zdp.io/serving"], "true");
            assert.equal(find(r, HPA, "app-blue").inputs.spec.minReplicas, find(r, HPA, "app-green").inputs.spec.minReplicas);
            const report = validateK8s(r.resources);
            assert.deepEqual(report.errors, []);
            assert.ok(report.validated.length > 0);
        });
    });

    describe("what it costs", () => {
        it("the extra nodes for the window after each promote, priced per promote a month (aws, 10,000 users)", async () => {
            const resources = (await runStack("aws")).resources;
            const line = (overrides: Record<string, string>) => {
                const cfg = parseConfig(stackConfigMap("aws", overrides), "aws");
                const pic = priceStack(cfg, sizingFor(cfg), resources);
                if (typeof pic === "string") assert.fail(pic);
                return pic.stack.lines.find((l) => l.component === "rollback window")?.usd.desired;
            };
            const base = line({});
            assert.ok(base !== undefined && base > 0);
            assert.equal(Math.round(line({ "usage.releasesPerMonth": "40" })! * 100), Math.round(base * 2 * 100), "twice the promotes, twice the cost");
            assert.equal(Math.round(line({ rollbackWindowMinutes: "30" })! * 100), Math.round((base / 2) * 100), "half the window, half the cost");
            assert.equal(line({ rollbackWindowMinutes: "0" }), undefined, "no window, no line");
            assert.equal(line({ inactiveScale: "full" }), undefined, "both colours at full size anyway: nothing extra");
            const s = sizingFor(parseConfig(stackConfigMap("aws", {}), "aws"));
            // 60 more pods at 4 vCPU nodes' pods per node, per zone: what the capacity model needs for both colours.
            assert.equal(heldExtraNodes(s), s.zones * (Math.ceil((2 * s.app.replicas) / s.zones / s.nodes.podsPerNode) - s.nodes.perZone));
            assert.equal(windowNodeHoursPerMonth({ minutes: 60, releasesPerMonth: 20, extraNodes: heldExtraNodes(s) }), heldExtraNodes(s) * 20);
        });
    });
});
