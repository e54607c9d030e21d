// GKE Gateway policy objects (networking.gke.io/v1) for the release's Services: the load balancer's
// health check on the app's health path, connection draining matched to the Pods' preStop delay,
// and (with HTTPS) the Gateway's SSL policy. Field names and bounds follow the CRD types in
// https://github.com/GoogleCloudPlatform/gke-gateway-api (apis/networking/v1).
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const GKE_POLICY_API = "networking.gke.io/v1";

/** HealthCheckPolicy spec for one Service: HTTP on the Pods' serving port (the NEG endpoint port). */
export function healthCheckPolicySpec(service: string, healthPath: string) {
    return {
        default: {
            // Probe every 5 s; 2 failures (10 s) take an endpoint out, 2 successes bring it back.
            checkIntervalSec: 5,
            timeoutSec: 3,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
            logConfig: { enabled: false },
            config: { type: "HTTP", httpHealthCheck: { portSpecification: "USE_SERVING_PORT", requestPath: healthPath } },
        },
        targetRef: { group: "", kind: "Service", name: service },
    };
}

/**
 * GCPBackendPolicy spec for one Service. A terminating Pod leaves the NEG first; the load balancer
 * then lets its in-flight requests finish for `drainingTimeoutSec`, which must not exceed the Pods'
 * preStop delay (they keep serving until it ends).
 */
export function backendPolicySpec(service: string, drainingTimeoutSec: number, requestTimeoutSec: number, securityPolicy?: pulumi.Input<string>) {
    return {
        default: {
            ...(securityPolicy !== undefined ? { securityPolicy } : {}),
            connectionDraining: { drainingTimeoutSec },
            timeoutSec: requestTimeoutSec,
            // 10% of requests in Cloud Logging: enough to debug, not a log bill per request.
            logging: { enabled: true, sampleRate: 100_000 },
        },
        targetRef: { group: "", kind: "Service", name: service },
    };
}

export interface GkeBackendPoliciesArgs {
    namespace: pulumi.Input<string>;
    /** The release's Service names (stable: app, or app-blue and app-green). */
    services: string[];
    healthPath: string;
    /** Seconds a terminating Pod keeps serving (its preStop sleep). */
    preStopSeconds: number;
    requestTimeoutSec?: number;
    /** Cloud Armor policy (name) for every backend; unset, none. */
    securityPolicy?: pulumi.Input<string>;
    /** With HTTPS: the Gateway to attach the SSL policy to. */
    gateway?: { name: pulumi.Input<string>; sslPolicyName: string };
    labels: Record<string, string>;
}

export class GkeBackendPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: GkeBackendPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:BackendPolicies", name, {}, opts);
        if (args.services.length === 0) throw new Error(`GkeBackendPolicies ${name}: no Services to attach policies to.`);
        if (!/^\/[A-Za-z0-9/\-._~%!?$&'()*+,;=:]*$/.test(args.healthPath))
            throw new Error(`GkeBackendPolicies ${name}: health path "${args.healthPath}" is not a request path the health check accepts.`);
        if (!Number.isInteger(args.preStopSeconds) || args.preStopSeconds < 1 || args.preStopSeconds > 3600)
            throw new Error(`GkeBackendPolicies ${name}: preStopSeconds ${args.preStopSeconds} must be 1..3600 (the draining timeout follows it).`);
        const parent = { parent: this };
        const meta = (objectName: string) => ({ name: objectName, namespace: args.namespace, labels: args.labels });

        for (const service of args.services) {
            new kubernetes.apiextensions.CustomResource(
                `${name}-${service}-health`,
                {
                    apiVersion: GKE_POLICY_API,
                    kind: "HealthCheckPolicy",
                    metadata: meta(`${service}-health`),
                    spec: healthCheckPolicySpec(service, args.healthPath),
                },
                parent,
            );
            new kubernetes.apiextensions.CustomResource(
                `${name}-${service}-backend`,
                {
                    apiVersion: GKE_POLICY_API,
                    kind: "GCPBackendPolicy",
                    metadata: meta(`${service}-backend`),
                    spec: backendPolicySpec(service, args.preStopSeconds, args.requestTimeoutSec ?? 30, args.securityPolicy),
                },
                parent,
            );
        }
        if (args.gateway) {
            new kubernetes.apiextensions.CustomResource(
                `${name}-gateway-tls`,
                {
                    apiVersion: GKE_POLICY_API,
                    kind: "GCPGatewayPolicy",
                    metadata: meta("gateway-tls"),
                    spec: {
                        default: { sslPolicy: args.gateway.sslPolicyName },
                        targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway.name },
                    },
                },
                parent,
            );
        }
        this.registerOutputs({});
    }
}
