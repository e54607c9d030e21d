// Zones fixed for a stack's life. Reading them from the cloud at every run would let one zone reported
// impaired or DOWN shift the list: every `pulumi up` (an emergency rollback too) would fail, or move
// subnets and node locations. The first run's choice is kept in the state by a Stash; later runs
// ignore what the cloud reports now.
import * as pulumi from "@pulumi/pulumi";

export function zonesChosenOnce(
    name: string,
    candidates: pulumi.Input<string[]>,
    count: number,
    hint: string,
    opts: pulumi.CustomResourceOptions = {},
): pulumi.Output<string[]> {
    const chosen = new pulumi.Stash(
        `${name}-zones`,
        { input: pulumi.output(candidates).apply((z) => z.slice(0, count)) },
        { ...opts, ignoreChanges: ["input"] },
    );
    return chosen.output.apply((zones: string[]) => {
        if (zones.length < count)
            throw new pulumi.RunError(`only ${zones.length} zone(s) were available when the stack was created; it needs ${count}. ${hint}`);
        return zones;
    });
}
