// Every rule of the ZDP guardrails pack, in one list: policy/index.ts serves it to the Pulumi CLI,
// policy/offline.ts runs it over the mock harness's recorded resources.
import type { Policies } from "@pulumi/policy";
import { clusterAuthentication, clusterNetworkPolicyEnforced, clusterPolicies, clusterShieldedNodes } from "./rules/clusters";
import { databasePolicies } from "./rules/databases";
import { edgePolicies, wafBlocks } from "./rules/edge";
import { iamNoAdminGrants } from "./rules/iam";
import { kubernetesPolicies } from "./rules/kubernetes";
import { logPolicies } from "./rules/logs";
import { networkDataPortsPrivate, networkPolicies } from "./rules/network";
import { redisPolicies } from "./rules/redis";
import { bucketNotPublic, kmsKeyRotation } from "./rules/storage";
import { RULE_NAMES } from "./ruleNames";

export { RULE_NAMES };

export const PACK_NAME = "zdp-guardrails";

// Cloud classes (issue 26), in ruleNames.ts's order.
const cloudClassPolicies: Policies = [
    clusterAuthentication,
    networkDataPortsPrivate,
    wafBlocks,
    kmsKeyRotation,
    iamNoAdminGrants,
    bucketNotPublic,
    clusterShieldedNodes,
    clusterNetworkPolicyEnforced,
];

export const policies: Policies = [
    ...databasePolicies,
    ...redisPolicies,
    ...clusterPolicies,
    ...networkPolicies,
    ...edgePolicies,
    ...kubernetesPolicies,
    ...logPolicies,
    ...cloudClassPolicies,
];

// The config check reads ruleNames.ts; a rule added or renamed without it must not load.
const packNames = policies.map((p) => p.name);
if (packNames.length !== RULE_NAMES.length || packNames.some((n, i) => n !== RULE_NAMES[i]))
    throw new Error(`policy/ruleNames.ts lists ${RULE_NAMES.join(", ")}; the pack has ${packNames.join(", ")}. Keep them equal, in pack order.`);
