// The mock-runtime run of a stack (scripts/offline/run.ts) and the specs' lookups over what it recorded.
export * from "../scripts/offline/run";
export { listStacks, stackConfigMap } from "../scripts/pulumiConfig";
import type { Recorded, StackRun } from "../scripts/offline/run";

/** Find one recorded resource by type token and name; throws with the candidates when absent. */
export function find(run: StackRun | Recorded[], type: string, name?: string): Recorded {
    const list = Array.isArray(run) ? run : run.resources;
    const hits = list.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (hits.length !== 1) {
        const names = list.filter((r) => r.type === type).map((r) => r.name);
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${hits.length} (${names.join(", ") || "none of that type"})`);
    }
    return hits[0];
}

/**
 * Whether the engine waits for `target` before `r`: recorded dependencies, transitively; a component
 * stands for its children, a custom resource (an IAM role, say) only for itself.
 */
export function waitsFor(run: StackRun, r: Recorded, target: Recorded): boolean {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const todo = [...r.dependsOn];
    while (todo.length) {
        const urn = todo.pop()!;
        if (urn === target.urn) return true;
        if (seen.has(urn)) continue;
        seen.add(urn);
        const dep = byUrn.get(urn);
        if (dep) todo.push(...dep.dependsOn);
        if (dep && !dep.custom) todo.push(...run.resources.filter((c) => c.parent === urn).map((c) => c.urn));
    }
    return false;
}

export function all(run: StackRun | Recorded[], type: string): Recorded[] {
    return (Array.isArray(run) ? run : run.resources).filter((r) => r.type === type);
}
