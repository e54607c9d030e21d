// The size check on a colour that is about to receive traffic. Pure: the Release applies it to the
// replica count pulumi-kubernetes reports for the receiving Deployment before it writes the route.

/** Refusal with what the user does next; thrown from the route's inputs, so the route is never written. */
export class UndersizedColourError extends Error {
    constructor(colour: string, replicas: number, floor: number) {
        super(
            `Refusing to route traffic to ${colour}: its Deployment runs ${replicas} replica(s), below its floor of ${floor}. ` +
                `It was scaled down by inactiveScale=minimal. First run \`pulumi up\` with inactiveScale=full while ${colour} ` +
                `takes no traffic (Pulumi scales it to ${floor} and waits until every pod is ready), then move traffic to it.`,
        );
        this.name = "UndersizedColourError";
    }
}

/**
 * The weight for a colour, once the replica count Pulumi recorded for its Deployment reaches `floor`.
 * A colour without weight needs no size; an unknown count (preview of a changing Deployment) is
 * checked when the update resolves it.
 */
export function gatedWeight(colour: string, weight: number, replicas: number | undefined, floor: number): number {
    if (weight > 0 && replicas !== undefined && replicas < floor) throw new UndersizedColourError(colour, replicas, floor);
    return weight;
}
