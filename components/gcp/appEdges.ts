// Each app's edge on GCP. GKE's Gateway controller builds one load balancer per Gateway ("When you create
// a Gateway based on a GatewayClass, the corresponding load balancer is created to implement the
// specified configuration", https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api) and each
// app has its own Gateway in its own namespace, so each app has its own static IP, certificate map, SSL
// policy, firewall opening for its port, backend policies and (an extra app) dashboard and route alerts.
// Shared by all: the Cloud Armor policy. A security policy names no load balancer; each backend service
// refers to one (https://cloud.google.com/compute/docs/reference/rest/v1/backendServices/setSecurityPolicy),
// so one policy covers every app's backends, as it already covers both colours' of one app.
import type * as kubernetes from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AppSpec } from "../../model/appSpec";
import { DEFAULT_APP } from "../../model/stackConfig";
import type { Sizing } from "../../model/capacity";
import type { StackConfig } from "../../model/config";
import type { Thresholds } from "../../model/monitoring/thresholds";
import { serviceNamesFor } from "../k8s/release";
import { appBackendsFilter } from "../monitoring/cloudMonitoring";
import type { Platform } from "../platform";
import { gkeGatewayEdge } from "./gatewayEdge";
import { LoadBalancer } from "./loadBalancer";
import { GcpAppMonitoring, type GcpMonitoring } from "./monitoring";
import { gcpAppName, gcpLabels } from "./naming";

export interface GcpEdgeStack {
    cfg: Pick<StackConfig, "project" | "stack">;
    /** `<project>-<stack>`: the prefix of the stack's Pulumi names. */
    name: string;
    networkSelfLink: pulumi.Input<string>;
    nodeServiceAccountEmail: pulumi.Input<string>;
    protect: boolean;
    opts: pulumi.ComponentResourceOptions;
}

/** The hostnames an app serves over HTTPS: its domain and its preview host; none without a domain (HTTP only). */
export function appHostnames(spec: Pick<AppSpec, "domain" | "release">): string[] {
    return spec.domain ? [spec.domain, ...(spec.release.previewHost ? [spec.release.previewHost] : [])] : [];
}

/** The app's load balancer; the default app keeps the stack's names (`<name>-lb`, `<project>-<stack>-gateway-ip`, ...). */
export function appLoadBalancer(stack: GcpEdgeStack, spec: AppSpec): LoadBalancer {
    const own = spec.name === DEFAULT_APP;
    const fixed = (suffix: string) => gcpAppName(stack.cfg, spec.name, suffix);
    const labels = gcpLabels(stack.cfg, "load-balancer");
    return new LoadBalancer(
        own ? `${stack.name}-lb` : `${stack.name}-${spec.name}-lb`,
        {
            addressName: fixed("gateway-ip"),
            certificateMapName: fixed("certmap"),
            sslPolicyName: fixed("tls"),
            networkSelfLink: stack.networkSelfLink,
            nodeServiceAccountEmail: stack.nodeServiceAccountEmail,
            appPort: spec.port,
            hostnames: appHostnames(spec),
            protect: stack.protect,
            labels: own ? labels : { ...labels, app: spec.name },
        },
        stack.opts,
    );
}

export interface GcpAppEdgesArgs extends GcpEdgeStack {
    provider: kubernetes.Provider;
    /** Cloud Armor policy (name) for every app's backends; unset, none. */
    securityPolicy?: pulumi.Input<string>;
    /** The stack's monitoring: an extra app's alerts notify its channels. */
    monitoring: GcpMonitoring;
    /** Alert thresholds from an app's own sizing. */
    thresholds: (sizing: Sizing) => Thresholds;
}

/** The Platform's edge and watch: the default app's load balancer is declared with the stack; another app's, with the app. */
export function gcpAppEdges(args: GcpAppEdgesArgs, defaultLb: LoadBalancer): Pick<Platform, "edge" | "watch"> {
    const lbs = new Map<string, LoadBalancer>([[DEFAULT_APP, defaultLb]]);
    const lbOf = (spec: AppSpec) => lbs.get(spec.name) ?? lbs.set(spec.name, appLoadBalancer(args, spec)).get(spec.name)!;
    return {
        edge: (app) => {
            const lb = lbOf(app.spec);
            return gkeGatewayEdge({ lb, provider: args.provider, securityPolicy: args.securityPolicy, https: appHostnames(app.spec).length > 0 }, app);
        },
        watch: ({ spec }) => {
            const lb = lbOf(spec);
            if (spec.name === DEFAULT_APP) return { endpoint: lb.address };
            new GcpAppMonitoring(
                `${args.name}-${spec.name}-monitoring`,
                {
                    displayName: `${args.name} ${spec.name}`,
                    backends: appBackendsFilter(spec.namespace, serviceNamesFor(spec), spec.port),
                    thresholds: args.thresholds(spec.sizing),
                    channels: args.monitoring.channels,
                },
                args.opts,
            );
            return { endpoint: lb.address, outputs: { certificateDnsRecords: lb.dnsAuthorizationRecords } };
        },
    };
}
