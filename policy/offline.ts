// Runs the pack without the Pulumi CLI: each rule's validateResource / validateStack is called with the
// same argument shapes the CrossGuard analyzer builds (node_modules/@pulumi/policy/server.js),
// over resources recorded by the mock harness. Used by tests/policy.spec.ts and scripts/plan.ts.
import type {
    EnforcementLevel,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { StackConfig } from "../model/config";
import { exceptionConfig } from "./exceptions";
import { policies as packPolicies } from "./policies";
import { unknownCheckingProxy, UnknownValueError } from "./unknowns";

/** What the runner needs of a recorded resource (scripts/offline/run.ts `Recorded` has all of it). */
export interface OfflineResource {
    type: string;
    name: string;
    urn: string;
    parent?: string;
    /** Plain values: secrets already unwrapped, as CrossGuard hands them to rules. */
    inputs: Record<string, any>;
    protect: boolean;
    /** URNs it depends on (explicit and through inputs), as the engine records them. */
    dependsOn: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
}

export interface Violation {
    rule: string;
    /** `<type>::<name>` of the offending resource, or "stack" for a stack-wide finding. */
    resource: string;
    message: string;
    level: "mandatory" | "advisory";
}

/**
 * A rule that read a value unknown during preview, so it could not judge that resource (or, for a stack
 * rule, the stack). The CLI's analyzer reports these as advisory "can't run policy ... during preview"
 * diagnostics, whatever the rule's level; kept apart here at the rule's own level, the plan says a
 * mandatory rule went unjudged instead of listing it among the advisory findings. The real analyzer
 * judges them during `pulumi up`, once the values are known.
 */
export interface NotJudged {
    rule: string;
    resource: string;
    /** The analyzer's own message: which value at which path. */
    reason: string;
    /** The level the rule would have enforced had it run. */
    level: "mandatory" | "advisory";
}

export interface PolicyReport {
    rulesRun: number;
    violations: Violation[];
    /** Rules that found at least one resource of theirs: a rule missing here passed vacuously. */
    rulesApplied: string[];
    notJudged: NotJudged[];
}

class NotApplicable extends Error {}

const isStackPolicy = (p: Policy): p is StackValidationPolicy => "validateStack" in p;

function options(r: OfflineResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges ?? [],
        deleteBeforeReplace: r.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.parent,
    };
}

// The analyzer compares the class's `__pulumiType` with the resource's type token.
const typeOf = (cls: unknown): string | undefined => (cls as { __pulumiType?: string }).__pulumiType;

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/**
 * Call a rule (it must be synchronous: offline results must not depend on timing); false when not
 * applicable. A rule that reads a value unknown during preview goes to `unknown` (see NotJudged).
 */
function call(fn: () => unknown, rule: string, unknown: (message: string) => void): boolean {
    try {
        const result = fn();
        if (result instanceof Promise) throw new Error(`rule ${rule} is asynchronous; the offline runner needs synchronous rules`);
        return true;
    } catch (e) {
        if (e instanceof NotApplicable) return false;
        if (e instanceof UnknownValueError) {
            unknown(e.message);
            return true;
        }
        throw e;
    }
}

/**
 * Evaluate every rule of the pack over one stack's resources. Rules listed in the stack's
 * `policy.exceptions` still run; their findings are reported at level "advisory".
 */
export function runPolicies(resources: OfflineResource[], stackConfig: Pick<StackConfig, "policyExceptions">, policies = packPolicies): PolicyReport {
    const packConfig = exceptionConfig(stackConfig.policyExceptions);
    const violations: Violation[] = [];
    const notJudged: NotJudged[] = [];
    const applied = new Set<string>();
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const label = (r: OfflineResource) => `${r.type}::${r.name}`;
    const custom = resources.filter((r) => !r.type.startsWith("pulumi:providers:"));

    for (const p of policies) {
        // Precedence as in the analyzer: pack config, then the policy's own level, then the pack default.
        const configured = packConfig[p.name];
        const set = typeof configured === "string" ? configured : configured?.enforcementLevel;
        const packLevel: EnforcementLevel = set ?? p.enforcementLevel ?? "mandatory";
        if (packLevel === "disabled") continue;
        const level = packLevel === "advisory" ? "advisory" : "mandatory";
        const push = (resource: string, message: string) => violations.push({ rule: p.name, resource, message, level });
        const unjudged = (resource: string) => (reason: string) => notJudged.push({ rule: p.name, resource, reason, level });

        if (isStackPolicy(p)) {
            const stackResources: PolicyResource[] = custom.map((r) => {
                const props = unknownCheckingProxy(r.inputs);
                return {
                    type: r.type,
                    props,
                    urn: r.urn,
                    name: r.name,
                    opts: options(r),
                    dependencies: [],
                    propertyDependencies: {},
                    isType: (cls) => typeOf(cls) === r.type,
                    asType: (cls) => (typeOf(cls) === r.type ? (props as any) : undefined),
                };
            });
            // Parents and dependencies point at the other resource objects, as the analyzer links them.
            const byUrnPolicy = new Map(stackResources.map((pr) => [pr.urn, pr]));
            custom.forEach((r, i) => {
                stackResources[i].parent = r.parent ? byUrnPolicy.get(r.parent) : undefined;
                stackResources[i].dependencies = r.dependsOn.map((u) => byUrnPolicy.get(u)).filter((d): d is PolicyResource => !!d);
            });
            const args = { resources: stackResources, stackTags: new Map(), getConfig: <T>() => ({}) as T, notApplicable };
            const ran = call(
                () =>
                    p.validateStack(args, (message, urn) => {
                        const r = urn ? byUrn.get(urn) : undefined;
                        push(r ? label(r) : (urn ?? "stack"), message);
                    }),
                p.name,
                unjudged("stack"),
            );
            if (ran) applied.add(p.name);
            continue;
        }

        const v = p.validateResource;
        const validations: ResourceValidation[] = v === undefined ? [] : Array.isArray(v) ? v : [v];
        for (const r of custom) {
            const props = unknownCheckingProxy(r.inputs);
            const args: ResourceValidationArgs = {
                type: r.type,
                props,
                urn: r.urn,
                name: r.name,
                opts: options(r),
                stackTags: new Map(),
                isType: (cls) => typeOf(cls) === r.type,
                asType: ((cls: unknown) => (typeOf(cls) === r.type ? props : undefined)) as ResourceValidationArgs["asType"],
                getConfig: <T>() => ({}) as T,
                notApplicable,
            };
            for (const validate of validations) {
                const ran = call(() => validate(args, (message) => push(label(r), message)), p.name, unjudged(label(r)));
                if (ran) applied.add(p.name);
            }
        }
    }
    return { rulesRun: policies.length, violations, rulesApplied: [...applied], notJudged };
}

/**
 * One line for the plan: "12 rules, 0 mandatory violations, 1 advisory (k8s-min-replicas)", and the
 * rules a preview could not judge: "…; not judged, a value is known only after apply: 1 mandatory (database-not-public)".
 */
export function summarize(report: PolicyReport): string {
    const mandatory = report.violations.filter((v) => v.level === "mandatory");
    const advisory = report.violations.filter((v) => v.level === "advisory");
    const rules = (vs: { rule: string }[]) => [...new Set(vs.map((v) => v.rule))].join(", ");
    let line = `${report.rulesRun} rules, ${mandatory.length} mandatory violation${mandatory.length === 1 ? "" : "s"}`;
    if (mandatory.length > 0) line += ` (${rules(mandatory)})`;
    if (advisory.length > 0) line += `, ${advisory.length} advisory (${rules(advisory)})`;
    if (report.notJudged.length > 0) {
        const byLevel = (["mandatory", "advisory"] as const)
            .map((level) => report.notJudged.filter((n) => n.level === level))
            .filter((ns) => ns.length > 0)
            .map((ns) => `${ns.length} ${ns[0].level} (${rules(ns)})`);
        line += `; not judged, a value is known only after apply: ${byLevel.join(", ")}`;
    }
    return line;
}
