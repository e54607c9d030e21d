// The zones a GCP stack runs in, fixed for the stack's life. Reading them from the API at every run
// would make one zone reported DOWN fail every `pulumi up` (an emergency rollback too) and, in
// regions with four zones, move the node locations. Either `gcp.zones` names them, or the first run
// picks the region's first three standard zones and a Stash keeps that choice in the state.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/**
 * Standard zones of `region`, sorted: `<region>-<letter>`. Opt-in AI zones (e.g. us-central1-ai1,
 * us-south1-ai1b; https://cloud.google.com/tpu/docs/types-zones) are accelerator capacity, not a
 * place for the app's nodes.
 */
export function standardZones(names: string[], region: string): string[] {
    return names.filter((n) => new RegExp(`^${region}-[a-z]$`).test(n)).sort();
}

export function stackZones(name: string, args: { projectId: string; region: string; count: number; configured?: string[] }, opts: pulumi.CustomResourceOptions = {}): pulumi.Output<string[]> {
    if (args.configured) return pulumi.output(args.configured);
    const candidates = gcp.compute
        .getZonesOutput({ project: args.projectId, region: args.region, status: "UP" }, opts)
        .names.apply((names) => standardZones(names, args.region).slice(0, args.count));
    // ignoreChanges: later runs read the zones of the first, whatever the API reports now.
    const chosen = new pulumi.Stash(`${name}-zones`, { input: candidates }, { ...opts, ignoreChanges: ["input"] });
    return chosen.output.apply((zones: string[]) => {
        if (zones.length < args.count)
            throw new pulumi.RunError(`region ${args.region} had ${zones.length} standard zone(s) up when the stack was created; it needs ${args.count}. Name them with \`pulumi config set --path gcp.zones <zone,zone,zone>\`.`);
        return zones;
    });
}
