// Every rule of the ZDP guardrails pack, in one list: policy/index.ts serves it to the Pulumi CLI,
// policy/offline.ts runs it over the mock harness's recorded resources.
import type { Policies } from "@pulumi/policy";
import { clusterPolicies } from "./rules/clusters";
import { databasePolicies } from "./rules/databases";
import { kubernetesPolicies } from "./rules/kubernetes";
import { networkPolicies } from "./rules/network";
import { redisPolicies } from "./rules/redis";

export const PACK_NAME = "zdp-guardrails";

export const policies: Policies = [
    ...databasePolicies,
    ...redisPolicies,
    ...clusterPolicies,
    ...networkPolicies,
    ...kubernetesPolicies,
];

export const RULE_NAMES: string[] = policies.map((p) => p.name);
