import type * as pulumi from "@pulumi/pulumi";

/** What every stack exports. Values carrying credentials are Pulumi secrets. */
export interface StackOutputs {
    /** Public hostname or IP of the L7 load balancer (the Gateway). */
    endpoint: pulumi.Input<string | undefined>;
    activeColor: pulumi.Input<string | undefined>;
    weights: pulumi.Input<Record<string, number>>;
    /** Image tag per colour (or the single `app` track), as deployed. */
    versions: pulumi.Input<Record<string, string>>;
    kubeconfig?: pulumi.Output<string>;
    databaseHost?: pulumi.Input<string>;
    redisHost?: pulumi.Input<string>;
    [extra: string]: unknown;
}
