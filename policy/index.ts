// The CrossGuard entry point: `pulumi preview --policy-pack policy` loads this file.
// Every rule is mandatory; a stack waives one only through `policy.exceptions` (see packConfig.ts).
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
    description:
        "ZDP guardrails: private, encrypted, backed-up, highly available data stores and clusters; no public ingress but the load balancer; hardened, replicated Kubernetes workloads.",
    enforcementLevel: "mandatory",
    policies,
});
