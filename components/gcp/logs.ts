// How long the stack's logs are kept (gcp.logRetentionDays): a log bucket of the stack's own in its
// region, a sink routing the stack's logs into it, and an exclusion on the project's _Default sink so
// they are stored (and billed) once. The project's _Default bucket and sink, shared with everything
// else in the project, are never taken over: a ProjectBucketConfig on _Default would change the whole
// project's retention and, being undeletable, stays changed after a destroy (provider docs:
// https://www.pulumi.com/registry/packages/gcp/api-docs/logging/projectbucketconfig/).
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { stackLogFilter, type StackLogSources } from "./logFilter";

export interface StackLogsArgs {
    /** The Pulumi stack, named in the descriptions. */
    stack: string;
    projectId: string;
    region: string;
    /** The bucket's id, fixed per stack: a deleted bucket keeps its id for 7 days (`gcloud logging buckets undelete`). */
    bucketId: string;
    /** 1 to 3650 days (the LogBucket minimum is 1 day: https://cloud.google.com/logging/docs/reference/v2/rest/v2/locations.buckets). */
    retentionDays: number;
    sources: pulumi.Input<StackLogSources>;
    protect: boolean;
}

export class StackLogs extends pulumi.ComponentResource {
    /** The Cloud Logging query selecting the stack's logs (the sink's filter and the exclusion's). */
    public readonly filter: pulumi.Output<string>;

    constructor(name: string, args: StackLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:Logs", name, {}, opts);
        const parent = { parent: this, dependsOn: opts?.dependsOn };
        const project = args.projectId;
        this.filter = pulumi.output(args.sources).apply(stackLogFilter);

        const bucket = new gcp.logging.ProjectBucketConfig(
            name,
            {
                project,
                location: args.region,
                bucketId: args.bucketId,
                retentionDays: args.retentionDays,
                description: `Logs of zdp stack ${args.stack}, kept ${args.retentionDays} days (gcp.logRetentionDays)`,
            },
            { ...parent, protect: args.protect },
        );
        // A sink to a log bucket in its own project needs no grant to its writer identity
        // (https://cloud.google.com/logging/docs/export/configure_export_v2).
        const sink = new gcp.logging.ProjectSink(
            name,
            {
                project,
                destination: pulumi.interpolate`logging.googleapis.com/${bucket.name}`,
                filter: this.filter,
                description: `The logs of zdp stack ${args.stack}, into its own bucket`,
            },
            parent,
        );
        // Project exclusions apply to the _Default sink (https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions);
        // created after the sink and deleted before it, so no log goes to neither bucket.
        new gcp.logging.ProjectExclusion(
            name,
            { project, filter: this.filter, description: `Routed to the bucket of zdp stack ${args.stack} by its sink` },
            { parent: this, dependsOn: [sink] },
        );
        this.registerOutputs({ filter: this.filter });
    }
}
