// The GKE Gateway in front of an app: its backend policies (health check, draining, Cloud Armor, the
// SSL policy) declared before the release, and the Gateway settings the release declares.
import type * as kubernetes from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_APP } from "../../model/stackConfig";
import { HSTS_VALUE } from "../hsts";
import { GATEWAY_NAME, PRE_STOP_SECONDS, serviceNamesFor } from "../k8s/release";
import type { AppEdge, AppPlacement } from "../platform";
import { GkeBackendPolicies } from "./backendPolicies";
import { GATEWAY_CLASS, HEALTH_CHECK_RANGES, type LoadBalancer } from "./loadBalancer";

export interface GkeEdgeArgs {
    lb: LoadBalancer;
    provider: kubernetes.Provider;
    /** Cloud Armor policy (name) for every backend; unset, none. */
    securityPolicy?: pulumi.Input<string>;
    /** Whether the load balancer serves HTTPS (a domain is configured). */
    https: boolean;
}

export function gkeGatewayEdge({ lb, provider, securityPolicy, https }: GkeEdgeArgs, { spec, namespace }: AppPlacement): AppEdge {
    // Policies first: the Gateway controller builds the backends with the right health check from the
    // start instead of GKE's default (GET / on the serving port). Service names are stable per track.
    // The default app keeps the name it always had; another app's policies are named after it.
    const policies = new GkeBackendPolicies(
        spec.name === DEFAULT_APP ? "gke" : `${spec.name}-gke`,
        {
            namespace,
            services: serviceNamesFor(spec),
            healthPath: spec.healthPath,
            preStopSeconds: PRE_STOP_SECONDS,
            securityPolicy,
            gateway: lb.sslPolicyName ? { name: GATEWAY_NAME, sslPolicyName: lb.sslPolicyName } : undefined,
            labels: { "app.kubernetes.io/part-of": spec.partOf },
        },
        { provider },
    );
    return {
        // The load balancer's proxies and health checks come from Google's front-end ranges.
        from: [{ cidrs: [...HEALTH_CHECK_RANGES] }],
        gateway: {
            className: GATEWAY_CLASS,
            addresses: [{ type: "NamedAddress", value: lb.addressName }],
            annotations: lb.gatewayAnnotations,
            // The certificate comes from the certificate map annotation: no certificateRefs. HSTS from
            // the routes: gke-l7-global-external-managed implements ResponseHeaderModifier (GKE's own
            // conformance report lists HTTPRouteResponseHeaderModification for that class,
            // https://github.com/kubernetes-sigs/gateway-api/blob/main/conformance/reports/v1.1.0/gke-gateway/standard-1.30.3-gxlb-report.yaml).
            ...(https ? { https: { strictTransportSecurity: HSTS_VALUE } } : {}),
        },
        ready: [lb, policies],
    };
}
