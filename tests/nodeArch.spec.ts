// nodeArch: Arm nodes where the cloud and the project support them, refused (naming the key) where not.
import * as assert from "assert";
import { ConfigError, parseConfig } from "../model/config";
import { runStack, stackConfigMap } from "./harness";
import { diffResources } from "../scripts/offline/diff";

describe("nodeArch", function () {
    it("aws arm64: Graviton nodes on the AL2023 Arm image; the node groups are replaced (by prefix: new before old)", async () => {
        const x86 = await runStack("aws");
        const arm = await runStack("aws", { nodeArch: "arm64" });
        const groups = arm.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        assert.strictEqual(groups.length, 3);
        for (const g of groups) {
            assert.deepStrictEqual(g.inputs.instanceTypes, ["m7g.xlarge"]);
            assert.strictEqual(g.inputs.amiType, "AL2023_ARM_64_STANDARD");
            assert.ok(g.inputs.nodeGroupNamePrefix, "a prefix lets the replacement exist beside the old group");
        }
        const x86Groups = x86.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        assert.ok(x86Groups.every((g) => g.inputs.amiType === "AL2023_x86_64_STANDARD" && g.inputs.instanceTypes[0] === "m7i.xlarge"));
    });

    it("azure arm64: the user pool becomes a new Ampere pool under a new name; the system pool stays x86", async () => {
        const x86 = await runStack("azure");
        const arm = await runStack("azure", { nodeArch: "arm64" });
        const pool = (run: typeof arm) => run.resources.find((r) => r.type === "azure-native:containerservice:AgentPool")!;
        assert.deepStrictEqual([pool(x86).inputs.agentPoolName, pool(x86).inputs.vmSize], ["user", "Standard_D4ds_v5"]);
        assert.deepStrictEqual([pool(arm).inputs.agentPoolName, pool(arm).inputs.vmSize], ["userarm", "Standard_D4pds_v5"]);
        const cluster = (run: typeof arm) => run.resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
        assert.strictEqual(cluster(arm).inputs.agentPoolProfiles[0].vmSize, "Standard_D4ds_v5");
        // Only the pool changes: the cluster (and its system pool) is untouched.
        const d = diffResources(x86.resources, arm.resources);
        assert.ok(!d.changed.some((c) => c.type === "azure-native:containerservice:ManagedCluster"));
    });

    it("gcp arm64 and an unknown architecture are refused, naming nodeArch and what is allowed", () => {
        const refused = (stack: string, value: string) => {
            try {
                parseConfig(stackConfigMap(stack, { nodeArch: value }), stack);
            } catch (e) {
                if (e instanceof ConfigError) return e.message;
            }
            assert.fail(`nodeArch=${value} accepted on ${stack}`);
        };
        assert.match(refused("gcp", "arm64"), /nodeArch = "arm64": .*aws .* azure/);
        assert.match(refused("aws", "riscv64"), /nodeArch = "riscv64": .*amd64.*arm64/);
    });
});
