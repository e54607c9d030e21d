// Envoy Gateway for the local stack: the Helm chart (which also installs the Gateway API CRDs) and the
// GatewayClass the Release's Gateway uses. The clouds bring their own Gateway API implementations.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** https://gateway.envoyproxy.io/docs/install/install-helm/ — chart published at oci://docker.io/envoyproxy/gateway-helm. */
export const ENVOY_GATEWAY_CHART = "oci://docker.io/envoyproxy/gateway-helm";
export const ENVOY_GATEWAY_VERSION = "v1.9.2";
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
export const ENVOY_GATEWAY_CLASS = "envoy-gateway";
export const ENVOY_GATEWAY_NAMESPACE = "envoy-gateway-system";

export class EnvoyGateway extends pulumi.ComponentResource {
    public readonly className: pulumi.Output<string>;
    /** Resources a Gateway must wait for: the controller (with the CRDs) and the GatewayClass. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:EnvoyGateway", name, {}, opts);
        const release = new k8s.helm.v3.Release(
            `${name}-chart`,
            {
                name: "eg",
                chart: ENVOY_GATEWAY_CHART,
                version: ENVOY_GATEWAY_VERSION,
                namespace: ENVOY_GATEWAY_NAMESPACE,
                createNamespace: true,
                // Wait for the controller to be ready: the GatewayClass must find it accepting.
                skipAwait: false,
                atomic: true,
                timeout: 600,
            },
            { parent: this },
        );
        const gatewayClass = new k8s.apiextensions.CustomResource(
            `${name}-class`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "GatewayClass",
                metadata: { name: ENVOY_GATEWAY_CLASS, labels: { "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" } },
                spec: { controllerName: ENVOY_GATEWAY_CONTROLLER },
            },
            { parent: this, dependsOn: [release] },
        );
        this.className = gatewayClass.metadata.name;
        this.ready = [release, gatewayClass];
        this.registerOutputs({ className: this.className });
    }
}
