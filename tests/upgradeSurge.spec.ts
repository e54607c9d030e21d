// The nodes at their peak (autoscaler maxima plus each cloud's upgrade surge) as one number for the
// model, the planned resources (what preflight asks the quota for) and docs/<cloud>.md.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { sizingFor, type Sizing } from "../model/capacity";
import { AKS_MAX_SURGE, nodeVcpuQuota, peakNodes, peakPools, surgeNodes } from "../model/upgradeSurge";
import { needsFor, vcpuNeed } from "../scripts/preflight/needs";
import { parseConfig } from "../model/config";
import { ROOT, runStack, stackConfigMap } from "./harness";

/** A doc's section from `heading` to the next `## `, whitespace collapsed (prose wraps anywhere). */
function section(cloud: string, heading: string): string {
    const doc = fs.readFileSync(path.join(ROOT, "docs", `${cloud}.md`), "utf8");
    const start = doc.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `docs/${cloud}.md has "${heading}"`);
    const end = doc.indexOf("\n## ", start + heading.length + 2);
    return doc.slice(start, end < 0 ? undefined : end).replace(/\s+/g, " ");
}

describe("upgrade surge: the nodes at their peak", () => {
    it("each cloud's rule: AKS a rounded-up share of the pool, EKS twice the group's zones or maxUnavailable, GKE maxSurge per zone", () => {
        const aks = (maxSurge: string, nodes: number) => surgeNodes({ cloud: "azure", maxSurge }, nodes);
        assert.deepEqual([aks("33%", 33), aks("33%", 6), aks("33%", 3), aks("33%", 0), aks("50%", 7)], [11, 2, 1, 0, 4]);
        assert.deepEqual([aks("5", 20), aks("5", 3)], [5, 3], "a count above the pool's size surges the pool");
        assert.throws(() => aks("a third", 6), /AKS maxSurge "a third" is neither a node count \("5"\) nor a percentage \("33%"\)/);
        // The EKS guide's own examples: five zones with maxUnavailable 1 launch 10; maxUnavailable 20 launches 20.
        const eks = (maxUnavailable: number, zones: number) => surgeNodes({ cloud: "aws", maxUnavailable, zones }, 11);
        assert.deepEqual([eks(1, 5), eks(20, 5), eks(1, 1)], [10, 20, 2]);
        assert.equal(surgeNodes({ cloud: "gcp", maxSurge: 1, zones: 3 }, 33), 3);
    });

    it("the shipped stacks at 10,000 users: EKS 3 × (11 + 2), AKS (33 + 11) + (6 + 2), GKE 33 + 3 nodes of 4 vCPUs", () => {
        const at = (stack: "aws" | "azure" | "gcp") => sizingFor(parseConfig(stackConfigMap(stack, {}), stack));
        const shape = (s: Sizing) => peakPools(s).map((p) => [p.name, p.max, p.surge]);
        assert.deepEqual(shape(at("aws")), [
            ["node group 1", 11, 2],
            ["node group 2", 11, 2],
            ["node group 3", 11, 2],
        ]);
        assert.deepEqual(shape(at("azure")), [
            ["system pool", 6, 2],
            ["app pool", 33, 11],
        ]);
        assert.deepEqual(shape(at("gcp")), [["node pool", 33, 3]]);
        assert.deepEqual(
            (["aws", "azure", "gcp"] as const).map((c) => [peakNodes(at(c)), nodeVcpuQuota(at(c))]),
            [
                [39, 156],
                [52, 208],
                [36, 144],
            ],
        );
    });

    // The components configure the surge (updateConfig, upgradeSettings) and preflight reads it from the
    // planned resources; the model computes it from the same constants. Any drift between them shows here.
    for (const [cloud, overrides] of [
        ["aws", {}],
        ["aws", { targetUsers: "40000" }],
        ["azure", {}],
        ["azure", { targetUsers: "40000", nodeArch: "arm64" }],
        ["gcp", {}],
        ["gcp", { targetUsers: "40000" }],
    ] as const)
        it(`the planned ${cloud} resources ${JSON.stringify(overrides)} need what the model says`, async () => {
            const run = await runStack(cloud, overrides, { preview: true });
            const sizing = sizingFor(run.config);
            const needs = needsFor(run.config, run.resources, sizing.nodes.vcpu, "acme-shop-prod");
            assert.deepEqual(
                needs.pools.map((p) => [p.size, p.max, p.surge]),
                peakPools(sizing).map((p) => [p.machineType, p.max, p.surge]),
            );
            assert.equal(vcpuNeed(needs.pools), nodeVcpuQuota(sizing));
        });

    it("docs/<cloud>.md states the model's quota figures for the stack file as shipped", () => {
        const shipped = (stack: "aws" | "azure" | "gcp") => sizingFor(parseConfig(stackConfigMap(stack, {}), stack));
        const aws = shipped("aws");
        const [group] = peakPools(aws);
        assert.ok(
            section("aws", "## Prerequisites").includes(
                `**Running On-Demand Standard instances ≥ ${nodeVcpuQuota(aws)} vCPUs** (${peakNodes(aws)} × ${aws.nodes.machineType}: the autoscaler's ceiling of ${aws.nodes.max}, ${group.max} in each zone's node group, plus ${group.surge} per group`,
            ),
            "docs/aws.md: the On-Demand vCPU quota",
        );

        const gcp = shipped("gcp");
        const [pool] = peakPools(gcp);
        assert.ok(
            section("gcp", "## Prerequisites").includes(
                `**N2 CPUs ≥ ${nodeVcpuQuota(gcp)}** (${peakNodes(gcp)} × ${gcp.nodes.machineType}: the autoscaler's ceiling of ${pool.max} plus ${pool.surge} surge nodes`,
            ),
            "docs/gcp.md: the N2 CPU quota",
        );

        const az = shipped("azure");
        const [system, app] = peakPools(az);
        const quotas = section("azure", "## Prerequisites");
        const vcpus = (p: { max: number; surge: number; vcpu: number }) => (p.max + p.surge) * p.vcpu;
        for (const text of [
            `(\`maxSurge: ${AKS_MAX_SURGE}\` on both pools`,
            `| Total Regional vCPUs | ${nodeVcpuQuota(az)} | (${app.max} app + ${system.max} system nodes at the autoscaler max, + ${app.surge} + ${system.surge} surge) × ${app.vcpu} |`,
            `| Standard DDSv5 Family vCPUs | ${nodeVcpuQuota(az)} | the same nodes (with \`nodeArch: arm64\`: the system pool's ${vcpus(system)} here, the app pool's ${vcpus(app)} in Standard DPDSv5 Family vCPUs) |`,
            `the first \`up\` itself starts ${az.nodes.desired} app + ${az.zones} system nodes (${(az.nodes.desired + az.zones) * app.vcpu} vCPUs)`,
        ])
            assert.ok(quotas.includes(text), `docs/azure.md: ${text}`);
    });
});
