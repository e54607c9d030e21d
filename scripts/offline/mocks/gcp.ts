// Realistic @pulumi/gcp provider outputs: ids, selfLinks, endpoints, private IPs, CA certificates,
// the Memorystore AUTH string. Shapes follow the provider's output types (node_modules/@pulumi/gcp/types/output.d.ts).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { MockContext, ResourceMock } from "./types";

const hex = (s: string, n: number) => createHash("sha256").update(s).digest("hex").slice(0, n);
const octet = (s: string) => (parseInt(hex(s, 2), 16) % 250) + 2;

function project(inputs: Record<string, any>): string {
    return inputs.project ?? pulumi.runtime.allConfig()["gcp:project"] ?? "mock-project";
}
function region(inputs: Record<string, any>): string {
    return inputs.region ?? inputs.location ?? pulumi.runtime.allConfig()["gcp:region"] ?? "europe-west1";
}

/** A base64 PEM like masterAuth.clusterCaCertificate; the body is a stand-in, the framing is real. */
function pem(seed: string): string {
    const body = Buffer.from(`mock-ca-${seed}-${hex(seed, 48)}`).toString("base64");
    return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

const COMPUTE = "https://www.googleapis.com/compute/v1";

/** Outputs of the network, addresses, firewalls, service accounts, KMS and IAM. */
function networkOutputs(type: string, inputs: Record<string, any>, n: string, p: string, r: string): Record<string, any> | undefined {
    switch (type) {
        case "gcp:compute/network:Network":
            return { name: n, id: `projects/${p}/global/networks/${n}`, selfLink: `${COMPUTE}/projects/${p}/global/networks/${n}`, numericId: hex(n, 12) };
        case "gcp:compute/subnetwork:Subnetwork":
            return {
                name: n,
                id: `projects/${p}/regions/${r}/subnetworks/${n}`,
                selfLink: `${COMPUTE}/projects/${p}/regions/${r}/subnetworks/${n}`,
                gatewayAddress: String(inputs.ipCidrRange ?? "10.10.0.0/20").replace(/\.0\/\d+$/, ".1"),
            };
        case "gcp:compute/router:Router":
            return { name: n, id: `projects/${p}/regions/${r}/routers/${n}`, selfLink: `${COMPUTE}/projects/${p}/regions/${r}/routers/${n}` };
        case "gcp:compute/routerNat:RouterNat":
            return { name: n, id: `${p}/${r}/${inputs.router}/${n}` };
        case "gcp:compute/globalAddress:GlobalAddress":
            return {
                name: n,
                id: `projects/${p}/global/addresses/${n}`,
                selfLink: `${COMPUTE}/projects/${p}/global/addresses/${n}`,
                // Private Service Access ranges are internal /16s; Gateway addresses are Google anycast IPs.
                address: inputs.purpose === "VPC_PEERING" ? "10.100.0.0" : `34.120.${octet(n)}.${octet(`${n}x`)}`,
            };
        case "gcp:compute/firewall:Firewall":
        case "gcp:compute/securityPolicy:SecurityPolicy":
        case "gcp:compute/sSLPolicy:SSLPolicy":
            return {
                name: n,
                id: `projects/${p}/global/${type.endsWith("Firewall") ? "firewalls" : "sslPolicies"}/${n}`,
                selfLink: `${COMPUTE}/projects/${p}/global/x/${n}`,
            };
        case "gcp:servicenetworking/connection:Connection":
            return { id: `${inputs.network}:servicenetworking.googleapis.com`, peering: "servicenetworking-googleapis-com" };
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${p}.iam.gserviceaccount.com`;
            return {
                email,
                member: `serviceAccount:${email}`,
                name: `projects/${p}/serviceAccounts/${email}`,
                uniqueId: String(parseInt(hex(email, 10), 16)),
            };
        }
        case "gcp:kms/keyRing:KeyRing":
            return { name: n, id: `projects/${p}/locations/${inputs.location}/keyRings/${n}` };
        case "gcp:kms/cryptoKey:CryptoKey":
            return { name: n, id: `${inputs.keyRing}/cryptoKeys/${n}` };
        case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
        case "gcp:projects/iAMMember:IAMMember":
            return { etag: `BwY${hex(`${inputs.role}${inputs.member}`, 9)}` };
    }
    return undefined;
}

/** Outputs of GKE, Cloud SQL and Memorystore. */
function clusterAndDataOutputs(type: string, inputs: Record<string, any>, n: string, p: string, r: string, ctx: MockContext): Record<string, any> | undefined {
    switch (type) {
        case "gcp:container/cluster:Cluster":
            return {
                name: n,
                id: `projects/${p}/locations/${r}/clusters/${n}`,
                selfLink: `https://container.googleapis.com/v1/projects/${p}/locations/${r}/clusters/${n}`,
                endpoint: `34.${octet(n)}.${octet(`${n}a`)}.${octet(`${n}b`)}`,
                masterVersion: "1.34.1-gke.1000",
                // GKE gives every cluster a DNS endpoint name; allowExternalTraffic decides who may use it.
                controlPlaneEndpointsConfig: {
                    ...inputs.controlPlaneEndpointsConfig,
                    dnsEndpointConfig: { ...inputs.controlPlaneEndpointsConfig?.dnsEndpointConfig, endpoint: `gke-${hex(n, 32)}.${r}.gke.goog` },
                },
                masterAuth: {
                    clusterCaCertificate: Buffer.from(pem(n)).toString("base64"),
                    clientCertificate: "",
                    clientKey: "",
                    clientCertificateConfig: { issueClientCertificate: false },
                },
            };
        case "gcp:container/nodePool:NodePool":
            return { name: n, id: `projects/${p}/locations/${r}/clusters/${inputs.cluster}/nodePools/${n}`, version: "1.34.1-gke.1000" };
        case "gcp:sql/databaseInstance:DatabaseInstance": {
            const ip = `10.100.0.${octet(n)}`;
            return {
                name: n,
                connectionName: `${p}:${r}:${n}`,
                selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${p}/instances/${n}`,
                privateIpAddress: ip,
                publicIpAddress: "",
                ipAddresses: [{ ipAddress: ip, type: "PRIVATE", timeToRetire: "" }],
                serverCaCerts: [
                    {
                        cert: pem(`sql-${n}`),
                        commonName: `C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA,dnQualifier=${hex(n, 8)}`,
                        createTime: "2026-11-22T04:00:00Z",
                        expirationTime: "2036-11-20T04:00:00Z",
                        sha1Fingerprint: hex(`sha1${n}`, 40),
                    },
                ],
                dnsName: "",
            };
        }
        case "gcp:sql/database:Database":
        case "gcp:sql/user:User":
            return { name: inputs.name ?? n, id: `${inputs.name ?? n}//${inputs.instance}` };
        case "gcp:redis/instance:Instance": {
            const authString = `${hex(`auth-${n}`, 8)}-${hex(`auth2-${n}`, 4)}-${hex(`auth3-${n}`, 4)}-${hex(`auth4-${n}`, 12)}`;
            if (inputs.authEnabled) ctx.generatedSecrets.push(authString);
            const tls = inputs.transitEncryptionMode === "SERVER_AUTHENTICATION";
            return {
                name: n,
                id: `projects/${p}/locations/${r}/instances/${n}`,
                host: `10.100.1.${octet(n)}`,
                port: tls ? 6378 : 6379,
                readEndpoint: inputs.readReplicasMode === "READ_REPLICAS_ENABLED" ? `10.100.1.${octet(`${n}r`)}` : "",
                readEndpointPort: inputs.readReplicasMode === "READ_REPLICAS_ENABLED" ? (tls ? 6378 : 6379) : 0,
                authString: inputs.authEnabled ? authString : "",
                currentLocationId: `${r}-b`,
                serverCaCerts: tls
                    ? [
                          {
                              cert: pem(`redis-${n}`),
                              createTime: "2026-11-22T04:00:00Z",
                              expireTime: "2036-11-20T04:00:00Z",
                              serialNumber: hex(`sn${n}`, 16),
                              sha1Fingerprint: hex(`fp${n}`, 40),
                          },
                      ]
                    : [],
            };
        }
        // Log buckets are named by their id (bucketId); sinks and exclusions by name, under the project.
    }
    return undefined;
}

/** Outputs of the log routing and Certificate Manager. */
function logsAndEdgeOutputs(type: string, inputs: Record<string, any>, n: string, p: string): Record<string, any> | undefined {
    switch (type) {
        case "gcp:logging/projectBucketConfig:ProjectBucketConfig": {
            const bucket = `projects/${p}/locations/${inputs.location}/buckets/${inputs.bucketId}`;
            return { name: bucket, id: bucket, lifecycleState: "ACTIVE" };
        }
        case "gcp:logging/projectSink:ProjectSink":
            return {
                name: n,
                id: `projects/${p}/sinks/${n}`,
                writerIdentity: "serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
            };
        case "gcp:logging/projectExclusion:ProjectExclusion":
            return { name: n, id: `projects/${p}/exclusions/${n}` };
        case "gcp:certificatemanager/dnsAuthorization:DnsAuthorization":
            return {
                name: n,
                id: `projects/${p}/locations/global/dnsAuthorizations/${n}`,
                dnsResourceRecords: [
                    {
                        name: `_acme-challenge.${inputs.domain}.`,
                        type: "CNAME",
                        data: `${hex(n, 8)}-${hex(`${n}1`, 4)}.${hex(`${n}2`, 2)}.authorize.certificatemanager.goog.`,
                    },
                ],
            };
        case "gcp:certificatemanager/certificate:Certificate":
        case "gcp:certificatemanager/certificateMap:CertificateMap":
        case "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": {
            const kind = type.split(":").pop()!;
            const collection = { Certificate: "certificates", CertificateMap: "certificateMaps", CertificateMapEntry: "certificateMapEntries" }[kind];
            return { name: n, id: `projects/${p}/locations/global/${collection}/${n}` };
        }
    }
    return undefined;
}

export const gcpMock: ResourceMock = {
    call({ token, inputs }) {
        // europe-west1 has zones b, c, d; us-central1 has a, b, c, f.
        if (token === "gcp:compute/getZones:getZones")
            return { id: inputs.region, names: ["d", "b", "c"].map((z) => `${inputs.region}-${z}`), project: inputs.project, region: inputs.region };
        // An instance mid-rotation: the active CA and the upcoming one (listServerCas returns both).
        if (token === "gcp:sql/getCaCerts:getCaCerts")
            return {
                id: inputs.instance,
                instance: inputs.instance,
                project: "my-gcp-project-id",
                activeVersion: hex(`sha1${inputs.instance}`, 40),
                certs: [`sql-${inputs.instance}`, `sql-${inputs.instance}-upcoming`].map((cn) => ({
                    cert: pem(cn),
                    commonName: `C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA,dnQualifier=${hex(cn, 8)}`,
                    createTime: "2026-11-22T04:00:00Z",
                    expirationTime: "2036-11-20T04:00:00Z",
                    sha1Fingerprint: hex(`sha1${cn}`, 40),
                })),
            };
        if (token === "gcp:organizations/getProject:getProject")
            return { id: `projects/${inputs.projectId}`, projectId: inputs.projectId, number: "123456789012" };
        return undefined;
    },
    newResource({ type, name, inputs }, ctx) {
        if (!type.startsWith("gcp:")) return undefined;
        const p = project(inputs);
        const r = region(inputs);
        const n: string = inputs.name ?? `${name}-${hex(name, 7)}`;
        return (
            networkOutputs(type, inputs, n, p, r) ??
            clusterAndDataOutputs(type, inputs, n, p, r, ctx) ??
            logsAndEdgeOutputs(type, inputs, n, p) ?? { name: n, id: `projects/${p}/mock/${n}` }
        );
    },
};
