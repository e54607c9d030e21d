// The zones a GCP stack runs in: `gcp.zones`, or the region's first three standard zones that were UP
// on the first run, kept from then on (in four-zone regions the choice would otherwise move too).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { zonesChosenOnce } from "../zonesChosenOnce";

/**
 * Standard zones of `region`, sorted: `<region>-<letter>`. Opt-in AI zones (e.g. us-central1-ai1,
 * us-south1-ai1b; https://cloud.google.com/tpu/docs/types-zones) are accelerator capacity, not a
 * place for the app's nodes.
 */
export function standardZones(names: string[], region: string): string[] {
    return names.filter((n) => new RegExp(`^${region}-[a-z]$`).test(n)).sort();
}

export function stackZones(
    name: string,
    args: { projectId: string; region: string; count: number; configured?: string[] },
    opts: pulumi.CustomResourceOptions = {},
): pulumi.Output<string[]> {
    if (args.configured) return pulumi.output(args.configured);
    const up = gcp.compute
        .getZonesOutput({ project: args.projectId, region: args.region, status: "UP" }, opts)
        .names.apply((names) => standardZones(names, args.region));
    return zonesChosenOnce(name, up, args.count, "Name them with `pulumi config set --path gcp.zones <zone,zone,zone>`.", opts);
}
