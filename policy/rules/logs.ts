// Log routing on GCP: a stack keeps its own logs for its own retention and leaves the project's
// logging to the project. The _Default and _Required buckets and sinks exist in every project and
// cannot be deleted: a stack that "creates" one takes over the project's, and its destroy leaves the
// change behind (https://www.pulumi.com/registry/packages/gcp/api-docs/logging/projectbucketconfig/).
// A project exclusion drops matching logs from the _Default sink
// (https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.exclusions): without a sink
// routing the same logs to a log bucket, they are not stored at all.
import { Policies } from "@pulumi/policy";

const BUILT_IN = ["_Default", "_Required"];
const BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
const SINK = "gcp:logging/projectSink:ProjectSink";
const EXCLUSION = "gcp:logging/projectExclusion:ProjectExclusion";

export const logPolicies: Policies = [
    {
        name: "gcp-log-routing",
        description:
            "A stack never takes over the project's _Default or _Required log bucket or sink, and every exclusion it adds to _Default routes the same logs to a log bucket.",
        validateStack: (args, report) => {
            const of = (type: string) => args.resources.filter((r) => r.type === type);
            if (![BUCKET, SINK, EXCLUSION].some((t) => of(t).length)) args.notApplicable("no GCP log bucket, sink or exclusion in this stack");
            for (const b of of(BUCKET))
                if (BUILT_IN.includes(b.props.bucketId))
                    report(
                        `Log bucket ${b.props.bucketId} is the project's, shared with everything in it: keep the stack's logs in a bucket of its own.`,
                        b.urn,
                    );
            for (const s of of(SINK))
                if (BUILT_IN.includes(s.props.name)) report(`Sink ${s.props.name} is the project's: route the stack's logs with a sink of its own.`, s.urn);
            const routed = of(SINK)
                .filter((s) => String(s.props.destination ?? "").startsWith("logging.googleapis.com/") && !s.props.disabled)
                .map((s) => s.props.filter);
            for (const e of of(EXCLUSION))
                if (!routed.includes(e.props.filter))
                    report(
                        "Exclusion drops logs from _Default that no sink of the stack routes to a log bucket (they would be stored nowhere): give a sink to a log bucket the same filter.",
                        e.urn,
                    );
        },
    },
];
