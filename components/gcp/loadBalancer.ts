// The GCP side of the global external Application Load Balancer that GKE's Gateway controller builds
// for GatewayClass gke-l7-global-external-managed: a reserved static IP, the firewall opening for
// Google's health checkers and proxies, and (with a domain) a Google-managed certificate served
// through a Certificate Manager map plus a TLS 1.2+ SSL policy.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "./naming";

export const GATEWAY_CLASS = "gke-l7-global-external-managed";
export const CERTMAP_ANNOTATION = "networking.gke.io/certmap";

// Google Front Ends and health checkers reach NEG endpoints (Pod IPs) from these ranges.
// https://cloud.google.com/load-balancing/docs/firewall-rules
export const HEALTH_CHECK_RANGES = ["35.191.0.0/16", "130.211.0.0/22"] as const;

export interface LoadBalancerArgs {
    /** Fixed name of the global address: the Gateway refers to it by name (NamedAddress). */
    addressName: string;
    networkSelfLink: pulumi.Input<string>;
    /** Node VMs' service account: the firewall opens the app port on these VMs only. */
    nodeServiceAccountEmail: pulumi.Input<string>;
    appPort: number;
    /** Hostnames to serve over HTTPS (domain, preview host); empty for HTTP only. */
    hostnames: string[];
    /** Fixed name of the certificate map (the Gateway annotation takes a plain string). */
    certificateMapName: string;
    sslPolicyName: string;
    protect: boolean;
    labels: Labels;
}

export class LoadBalancer extends pulumi.ComponentResource {
    /** The reserved IPv4 address clients (and DNS) point at. */
    public readonly address: pulumi.Output<string>;
    public readonly addressName: string;
    /** Annotations for the Gateway (certificate map when HTTPS is on). */
    public readonly gatewayAnnotations: Record<string, string>;
    /** SSL policy for a GCPGatewayPolicy on the Gateway, when HTTPS is on. */
    public readonly sslPolicyName?: string;
    /** CNAME records to create in DNS so Google can issue the managed certificate (empty without HTTPS). */
    public readonly dnsAuthorizationRecords: pulumi.Output<{ name: string; type: string; data: string }[]>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:gcp:LoadBalancer", name, {}, opts);
        if (!Number.isInteger(args.appPort) || args.appPort < 1 || args.appPort > 65535)
            throw new Error(`LoadBalancer ${name}: appPort ${args.appPort} is not a TCP port.`);
        if (new Set(args.hostnames).size !== args.hostnames.length) throw new Error(`LoadBalancer ${name}: hostnames repeat (${args.hostnames.join(", ")}).`);
        // The component's dependsOn (the project's APIs) is not inherited by children: passed on here.
        const parent = { parent: this, dependsOn: opts?.dependsOn };

        // Premium tier global anycast IP. Protected like stateful resources: DNS points at it.
        const ip = new gcp.compute.GlobalAddress(
            `${name}-ip`,
            { name: args.addressName, addressType: "EXTERNAL", ipVersion: "IPV4", description: "Gateway (global external ALB) address", labels: args.labels },
            { ...parent, protect: args.protect },
        );

        new gcp.compute.Firewall(
            `${name}-health-checks`,
            {
                network: args.networkSelfLink,
                direction: "INGRESS",
                description: "Google health checkers and GFE proxies to the app's Pods (container-native NEGs)",
                sourceRanges: [...HEALTH_CHECK_RANGES],
                allows: [{ protocol: "tcp", ports: [String(args.appPort)] }],
                targetServiceAccounts: [args.nodeServiceAccountEmail],
            },
            parent,
        );

        this.address = ip.address;
        this.addressName = args.addressName;
        this.gatewayAnnotations = {};
        let records: pulumi.Output<{ name: string; type: string; data: string }[]> = pulumi.output([]);

        if (args.hostnames.length > 0) {
            // DNS authorization lets Google issue the certificate before DNS points at the load balancer,
            // so a cut-over from another environment never serves a certificate error.
            // https://cloud.google.com/certificate-manager/docs/dns-authorizations
            const authorizations = args.hostnames.map(
                (hostname, i) => new gcp.certificatemanager.DnsAuthorization(`${name}-dns-auth-${i}`, { domain: hostname, labels: args.labels }, parent),
            );
            const certificate = new gcp.certificatemanager.Certificate(
                `${name}-cert`,
                {
                    scope: "DEFAULT",
                    managed: { domains: args.hostnames, dnsAuthorizations: authorizations.map((a) => a.id) },
                    labels: args.labels,
                },
                parent,
            );
            const map = new gcp.certificatemanager.CertificateMap(`${name}-certmap`, { name: args.certificateMapName, labels: args.labels }, parent);
            args.hostnames.forEach(
                (hostname, i) =>
                    new gcp.certificatemanager.CertificateMapEntry(
                        `${name}-certmap-${i}`,
                        { map: map.name, hostname, certificates: [certificate.id], labels: args.labels },
                        parent,
                    ),
            );
            new gcp.compute.SSLPolicy(`${name}-tls`, { name: args.sslPolicyName, profile: "MODERN", minTlsVersion: "TLS_1_2" }, parent);
            // https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway (certmap annotation, no certificateRefs)
            this.gatewayAnnotations = { [CERTMAP_ANNOTATION]: args.certificateMapName };
            this.sslPolicyName = args.sslPolicyName;
            records = pulumi
                .all(authorizations.map((a) => a.dnsResourceRecords))
                .apply((lists) => lists.flat().map(({ name, type, data }) => ({ name, type, data })));
        }
        this.dnsAuthorizationRecords = records;

        this.registerOutputs({ address: this.address, addressName: this.addressName, dnsAuthorizationRecords: this.dnsAuthorizationRecords });
    }
}
