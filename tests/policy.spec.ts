// The guardrails pack (policy/) run offline: over every built stack (zero mandatory violations, and
// every rule that concerns the stack's cloud actually found resources), and rule by rule over
// compliant fixtures (no finding) and the same fixtures with one property broken (the rule fires).
import * as assert from "assert";
import { admitsPublic, coversInternet, widestPrefix } from "../policy/cidr";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { exceptionConfig } from "../policy/exceptions";
import { runPolicies, summarize, type OfflineResource } from "../policy/offline";
import { policies as packPolicies, RULE_NAMES } from "../policy/policies";
import { hstsMaxAge } from "../policy/rules/edge";
import { imagePinned, allowedDisruptions } from "../policy/rules/kubernetes";
import { chartName, helmValueFindings } from "../policy/rules/helmValues";
import { parseAllDocuments } from "yaml";
import { buildPlan, renderPlan } from "../scripts/planReport";
import { all, ROOT, runStack, stackConfigMap, UNKNOWN } from "./harness";
// Cloud classes (issue 26)
import { ConfigError, parseConfig } from "../model/config";
import { internetOpenings, publicDataPorts, type Grant } from "../policy/rules/ingress";
import { isoDays } from "../policy/rules/storage";
import { NOT_WAIVABLE_ON_CLOUD } from "../policy/waivers";

// ---- fixtures: one compliant resource per type the pack inspects ------------------------------------

const container = {
    name: "app",
    image: `ghcr.io/acme/app:6.9.1@sha256:${"5e".repeat(32)}`,
    readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "512Mi" } },
    securityContext: {
        runAsNonRoot: true,
        runAsUser: 10001,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    },
};
const podTemplate = { metadata: { labels: { app: "zdp", color: "blue" } }, spec: { automountServiceAccountToken: false, containers: [container] } };

const GOOD: Record<string, Record<string, any>> = {
    "aws:rds/instance:Instance": {
        engine: "postgres",
        publiclyAccessible: false,
        storageEncrypted: true,
        parameterGroupName: "zdp-pg17",
        backupRetentionPeriod: 14,
        multiAz: true,
        deletionProtection: true,
    },
    "aws:rds/parameterGroup:ParameterGroup": { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "1" }] },
    "azure-native:dbforpostgresql:Server": {
        network: { publicNetworkAccess: "Disabled", delegatedSubnetResourceId: "/subnets/db" },
        backup: { backupRetentionDays: 14 },
        highAvailability: { mode: "ZoneRedundant" },
    },
    "azure-native:dbforpostgresql:Configuration": { configurationName: "require_secure_transport", value: "on" },
    "gcp:sql/databaseInstance:DatabaseInstance": {
        deletionProtection: true,
        settings: {
            availabilityType: "REGIONAL",
            deletionProtectionEnabled: true,
            ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/p/global/networks/zdp", sslMode: "ENCRYPTED_ONLY" },
            backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true, backupRetentionSettings: { retainedBackups: 14 } },
        },
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        transitEncryptionEnabled: true,
        authToken: "token",
        atRestEncryptionEnabled: true,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        numCacheClusters: 2,
        subnetGroupName: "zdp-redis",
        securityGroupIds: ["sg-redis"],
    },
    "azure-native:redisenterprise:RedisEnterprise": {
        sku: { name: "Balanced_B10" },
        publicNetworkAccess: "Disabled",
        minimumTlsVersion: "1.2",
        highAvailability: "Enabled",
    },
    "azure-native:redisenterprise:Database": { clientProtocol: "Encrypted", accessKeysAuthentication: "Enabled" },
    "gcp:redis/instance:Instance": {
        tier: "STANDARD_HA",
        transitEncryptionMode: "SERVER_AUTHENTICATION",
        authEnabled: true,
        authorizedNetwork: "projects/p/global/networks/zdp",
    },
    "aws:eks/cluster:Cluster": {
        vpcConfig: { endpointPrivateAccess: true, subnetIds: ["subnet-a", "subnet-b"], publicAccessCidrs: ["203.0.113.0/24"] },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        enabledClusterLogTypes: ["api", "audit", "authenticator"],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/k" } },
    },
    "aws:eks/nodeGroup:NodeGroup": { subnetIds: ["subnet-a", "subnet-b", "subnet-c"], launchTemplate: { id: "lt-0abc", version: "1" } },
    "aws:ec2/launchTemplate:LaunchTemplate": { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } },
    "aws:iam/role:Role#node": { assumeRolePolicy: JSON.stringify({ Statement: [{ Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) },
    "aws:eks/addon:Addon": { addonName: "eks-pod-identity-agent" },
    "aws:eks/addon:Addon#cni": {
        addonName: "vpc-cni",
        podIdentityAssociations: [{ serviceAccount: "aws-node", roleArn: "arn:aws:iam::123456789012:role/cni" }],
        configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
    },
    "aws:ec2/subnet:Subnet": { mapPublicIpOnLaunch: false },
    "azure-native:containerservice:ManagedCluster": {
        agentPoolProfiles: [{ name: "system", availabilityZones: ["1", "2", "3"], enableNodePublicIP: false }],
        apiServerAccessProfile: { authorizedIPRanges: ["203.0.113.0/24"] },
        azureMonitorProfile: { metrics: { enabled: true } },
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true } },
        disableLocalAccounts: true,
        enableRBAC: true,
        aadProfile: { managed: true, enableAzureRBAC: true, tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47" },
        networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay", networkDataplane: "cilium", networkPolicy: "cilium" },
    },
    "azure-native:monitor:DiagnosticSetting": {
        resourceUri: "/clusters/aks",
        workspaceId: "/workspaces/logs",
        logs: [{ category: "kube-audit-admin", enabled: true }],
    },
    "azure-native:containerservice:AgentPool": { availabilityZones: ["1", "2", "3"] },
    "azure-native:authorization:RoleAssignment": {
        principalId: "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
        principalType: "Group",
        // Reader at subscription scope: wide, but not administrator.
        roleDefinitionId:
            "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
        scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
    },
    "gcp:container/cluster:Cluster": {
        location: "europe-west1",
        privateClusterConfig: { enablePrivateNodes: true },
        masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }] },
        loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"] },
        workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
        databaseEncryption: { state: "ENCRYPTED", keyName: "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k" },
        datapathProvider: "ADVANCED_DATAPATH",
        enableShieldedNodes: true,
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true } },
    },
    "gcp:container/nodePool:NodePool": {
        location: "europe-west1",
        nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" }, shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true } },
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        ingress: [
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] },
        ],
    },
    "aws:ec2/securityGroupRule:SecurityGroupRule": { type: "ingress", protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
    "azure-native:network:NetworkSecurityGroup": {
        securityRules: [
            { name: "https", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", destinationPortRange: "443" },
            { name: "redis", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "VirtualNetwork", destinationPortRange: "10000" },
        ],
    },
    "azure-native:network:SecurityRule": {
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "*",
        destinationPortRanges: ["80", "443"],
    },
    "gcp:compute/firewall:Firewall": { direction: "INGRESS", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["80", "443"] }] },
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": { location: "europe-west1", bucketId: "zdp-gcp-logs", retentionDays: 90 },
    "gcp:logging/projectSink:ProjectSink": {
        destination: "logging.googleapis.com/projects/p/locations/europe-west1/buckets/zdp-gcp-logs",
        filter: 'resource.labels.cluster_name="zdp-gcp"',
    },
    "gcp:logging/projectExclusion:ProjectExclusion": { filter: 'resource.labels.cluster_name="zdp-gcp"' },
    "kubernetes:networking.gke.io/v1:GCPBackendPolicy": {
        spec: { default: { securityPolicy: "zdp-gcp-armor" }, targetRef: { group: "", kind: "Service", name: "app-blue" } },
    },
    "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration": {
        metadata: { name: "alb-internet-facing", namespace: "zdp" },
        spec: {
            scheme: "internet-facing",
            loadBalancerAttributes: [
                { key: "access_logs.s3.enabled", value: "true" },
                { key: "access_logs.s3.bucket", value: "zdp-aws-alb-logs-0a1b2c3" },
            ],
            wafV2: { webACL: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/zdp-aws-alb/0a1b2c3d" },
            listenerConfigurations: [
                {
                    protocolPort: "HTTPS:443",
                    listenerAttributes: [{ key: "routing.http.response.strict_transport_security.header_value", value: "max-age=31536000; includeSubDomains" }],
                },
            ],
        },
    },
    "aws:wafv2/webAcl:WebAcl": {
        name: "zdp-aws-alb",
        scope: "REGIONAL",
        rules: [
            { name: "rate-limit-per-ip", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 6000 } } },
            {
                name: "AWSManagedRulesCommonRuleSet",
                priority: 1,
                overrideAction: { none: {} },
                statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
            },
        ],
    },
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {
        resourceArn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/zdp-aws-alb/0a1b2c3d",
        logDestinationConfigs: ["arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-zdp-aws-alb"],
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    },
    "azure-native:servicenetworking:TrafficControllerInterface": { resourceGroupName: "rg" },
    "azure-native:network:WebApplicationFirewallPolicy": {
        managedRules: { managedRuleSets: [{ ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" }] },
        policySettings: { state: "Enabled", mode: "Prevention" },
    },
    "azure-native:servicenetworking:SecurityPoliciesInterface": { trafficControllerName: "agc", wafPolicy: { id: "/waf/zdp" } },
    "kubernetes:gateway.networking.k8s.io/v1:Gateway": {
        metadata: { name: "app", namespace: "zdp" },
        spec: {
            gatewayClassName: "azure-alb-external",
            listeners: [
                { name: "http", protocol: "HTTP", port: 80 },
                { name: "https", protocol: "HTTPS", port: 443 },
            ],
        },
    },
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute": {
        metadata: { name: "app", namespace: "zdp" },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "app", sectionName: "https" }],
            rules: [
                {
                    backendRefs: [{ name: "app-blue", port: 80 }],
                    filters: [
                        {
                            type: "ResponseHeaderModifier",
                            responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] },
                        },
                    ],
                },
            ],
        },
    },
    // The HTTP listener only redirects: no HSTS there (browsers ignore it over plain HTTP).
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute#redirect": {
        metadata: { name: "app-http-redirect", namespace: "zdp" },
        spec: {
            parentRefs: [{ name: "app", sectionName: "http" }],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        },
    },
    "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy": {
        metadata: { name: "app-waf", namespace: "zdp" },
        spec: { targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: "app", namespace: "zdp" }, webApplicationFirewall: { id: "/waf/zdp" } },
    },
    "kubernetes:apps/v1:Deployment": {
        metadata: { name: "app-blue", namespace: "zdp" },
        spec: { replicas: 3, selector: { matchLabels: podTemplate.metadata.labels }, template: podTemplate },
    },
    "kubernetes:apps/v1:StatefulSet": {
        metadata: { name: "db", namespace: "zdp" },
        spec: { replicas: 2, selector: { matchLabels: { app: "db" } }, template: { ...podTemplate, metadata: { labels: { app: "db" } } } },
    },
    "kubernetes:batch/v1:Job": {
        metadata: { name: "migrate", namespace: "zdp" },
        spec: {
            template: { spec: { automountServiceAccountToken: false, containers: [{ ...container, readinessProbe: undefined, livenessProbe: undefined }] } },
        },
    },
    "kubernetes:policy/v1:PodDisruptionBudget": {
        metadata: { name: "app-blue", namespace: "zdp" },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: "zdp", color: "blue" } } },
    },
    "kubernetes:policy/v1:PodDisruptionBudget#db": {
        metadata: { name: "db", namespace: "zdp" },
        spec: { minAvailable: 1, selector: { matchLabels: { app: "db" } } },
    },
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": {
        metadata: { name: "app-blue", namespace: "zdp" },
        spec: { scaleTargetRef: { kind: "Deployment", name: "app-blue" }, minReplicas: 3, maxReplicas: 9 },
    },
    "kubernetes:core/v1:Service": { metadata: { name: "app-blue", namespace: "zdp" }, spec: { type: "ClusterIP", selector: { app: "zdp" } } },
    "kubernetes:core/v1:Secret": {
        metadata: { name: "app-env", namespace: "zdp" },
        stringData: { DATABASE_SSLMODE: "verify-full", DATABASE_CA_CERT: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", REDIS_TLS: "true" },
    },
    // Kubernetes workload classes (issue 26)
    "kubernetes:core/v1:Namespace": { metadata: { name: "zdp", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": {
        metadata: { name: "default-deny", namespace: "zdp" },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy#allow": {
        metadata: { name: "app-from-gateway", namespace: "zdp" },
        spec: {
            podSelector: { matchLabels: { app: "zdp" } },
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gateway" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            ],
        },
    },
    "kubernetes:rbac.authorization.k8s.io/v1:Role": {
        metadata: { name: "pod-reader", namespace: "zdp" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
    },
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": {
        metadata: { name: "pod-reader", namespace: "zdp" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
        subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: "monitoring" }],
    },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": {
        metadata: { name: "node-reader" },
        rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
    },
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": {
        metadata: { name: "node-reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "node-reader" },
        subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: "monitoring" }],
    },
    // The values the stacks set on the charts they install (components/aws/autoscaler.ts, loadBalancer.ts, k8s/envoyGateway.ts).
    "kubernetes:helm.sh/v3:Release": {
        chart: "cluster-autoscaler",
        values: {
            cloudProvider: "aws",
            autoDiscovery: { clusterName: "zdp-aws" },
            rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
            replicaCount: 2,
        },
    },
    "kubernetes:helm.sh/v3:Release#lbc": {
        chart: "aws-load-balancer-controller",
        values: { clusterName: "zdp-aws", serviceAccount: { create: true, name: "aws-load-balancer-controller" }, enableServiceMutatorWebhook: false },
    },
    "kubernetes:helm.sh/v3:Release#eg": { chart: "oci://docker.io/envoyproxy/gateway-helm", values: {} },
    "kubernetes:core/v1:ConfigMap": { metadata: { name: "app-config", namespace: "zdp" }, data: { DATABASE_SSLMODE: "verify-full", LOG_LEVEL: "info" } },
    // Cloud classes (issue 26)
    "aws:kms/key:Key": { description: "zdp data", enableKeyRotation: true, deletionWindowInDays: 30 },
    "gcp:kms/cryptoKey:CryptoKey": { purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" },
    "azure-native:keyvault:Key": {
        vaultName: "zdp",
        properties: { kty: "RSA", rotationPolicy: { lifetimeActions: [{ action: { type: "rotate" }, trigger: { timeAfterCreate: "P90D" } }] } },
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment#worker": { role: "node", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" },
    "aws:iam/rolePolicy:RolePolicy": {
        role: "autoscaler",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: "*" }] }),
    },
    "gcp:projects/iAMMember:IAMMember": {
        project: "p",
        role: "roles/container.defaultNodeServiceAccount",
        member: "serviceAccount:nodes@p.iam.gserviceaccount.com",
    },
    "aws:s3/bucket:Bucket": { forceDestroy: false },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        bucket: "zdp-alb-logs",
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    },
    // The access log bucket's own policy: the ELB account writes, everyone else is refused plain HTTP.
    "aws:s3/bucketPolicy:BucketPolicy": {
        bucket: "zdp-alb-logs",
        policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Principal: { AWS: "arn:aws:iam::156460612806:root" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::zdp-alb-logs/alb/*" },
                {
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::zdp-alb-logs", "arn:aws:s3:::zdp-alb-logs/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        }),
    },
    "gcp:compute/securityPolicy:SecurityPolicy": {
        name: "zdp-armor",
        rules: [
            { priority: 1000, action: "deny(403)", match: { expr: { expression: "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})" } } },
            { priority: 2147483647, action: "allow", match: { versionedExpr: "SRC_IPS_V1", config: { srcIpRanges: ["*"] } } },
        ],
    },
    // Private sources only, on a data port.
    "gcp:compute/firewall:Firewall#postgres": { direction: "INGRESS", sourceRanges: ["10.10.0.0/16"], allows: [{ protocol: "tcp", ports: ["5432"] }] },
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const urnOf = (type: string, name = "fixture") => `urn:pulumi:test::zdp::${type}::${name}`;
/** Which fixture depends on which (as the engine records dependencies through inputs). */
const DEPENDS: Record<string, string[]> = {
    "azure-native:monitor:DiagnosticSetting": [urnOf("azure-native:containerservice:ManagedCluster")],
    // nodeRoleArn and an attachment's role refer to the node role.
    "aws:eks/nodeGroup:NodeGroup": [urnOf("aws:iam/role:Role", "node")],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [urnOf("aws:iam/role:Role", "node")],
    "azure-native:servicenetworking:SecurityPoliciesInterface": [urnOf("azure-native:servicenetworking:TrafficControllerInterface")],
    // resourceArn is the web ACL's ARN.
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": [urnOf("aws:wafv2/webAcl:WebAcl")],
    // Cloud classes (issue 26)
    "aws:eks/addon:Addon#cni": [urnOf("aws:eks/cluster:Cluster")],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [urnOf("aws:s3/bucket:Bucket")],
    "aws:s3/bucketPolicy:BucketPolicy": [urnOf("aws:s3/bucket:Bucket")],
};

function resource(key: string, inputs = GOOD[key], protect = true): OfflineResource {
    const type = key.split("#")[0];
    const name = key.split("#")[1] ?? "fixture";
    return { type, name, urn: urnOf(type, name), inputs: clone(inputs), protect, dependsOn: DEPENDS[key] ?? [] };
}
const goodStack = (): OfflineResource[] => Object.keys(GOOD).map((k) => resource(k));

/** Set (or with `undefined`, delete) a dotted path such as `spec.template.spec.containers.0.image`. */
function set(obj: Record<string, any>, dotted: string, value: unknown): void {
    const keys = dotted.split(".");
    const last = keys.pop()!;
    const parent = keys.reduce((o, k) => o[k], obj);
    if (value === undefined) delete parent[last];
    else parent[last] = value;
}

// ---- negative cases: [rule, fixture, path, bad value (undefined deletes)] ----------------------------

const C0 = "spec.template.spec.containers.0";
type Case = [rule: string, fixture: string, path: string, bad: unknown];
const CASES: Case[] = [
    ["database-not-public", "aws:rds/instance:Instance", "publiclyAccessible", true],
    ["database-not-public", "azure-native:dbforpostgresql:Server", "network.publicNetworkAccess", "Enabled"],
    ["database-not-public", "gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfiguration.ipv4Enabled", true],
    ["database-not-public", "gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfiguration.authorizedNetworks", [{ value: "0.0.0.0/0" }]],
    ["database-encrypted-at-rest", "aws:rds/instance:Instance", "storageEncrypted", undefined],
    ["database-tls-required", "aws:rds/instance:Instance", "parameterGroupName", undefined],
    ["database-tls-required", "aws:rds/parameterGroup:ParameterGroup", "parameters.0.value", "0"],
    ["database-tls-required", "azure-native:dbforpostgresql:Configuration", "value", "off"],
    ["database-tls-required", "gcp:sql/databaseInstance:DatabaseInstance", "settings.ipConfiguration.sslMode", "ALLOW_UNENCRYPTED_AND_ENCRYPTED"],
    ["database-backups", "aws:rds/instance:Instance", "backupRetentionPeriod", 3],
    ["database-backups", "azure-native:dbforpostgresql:Server", "backup.backupRetentionDays", 1],
    ["database-backups", "gcp:sql/databaseInstance:DatabaseInstance", "settings.backupConfiguration.pointInTimeRecoveryEnabled", false],
    ["database-backups", "gcp:sql/databaseInstance:DatabaseInstance", "settings.backupConfiguration.backupRetentionSettings.retainedBackups", 3],
    ["database-high-availability", "aws:rds/instance:Instance", "multiAz", false],
    ["database-high-availability", "azure-native:dbforpostgresql:Server", "highAvailability.mode", "SameZone"],
    ["database-high-availability", "gcp:sql/databaseInstance:DatabaseInstance", "settings.availabilityType", "ZONAL"],
    ["database-deletion-protection", "aws:rds/instance:Instance", "deletionProtection", false],
    ["database-deletion-protection", "gcp:sql/databaseInstance:DatabaseInstance", "settings.deletionProtectionEnabled", undefined],
    ["database-deletion-protection", "gcp:sql/databaseInstance:DatabaseInstance", "deletionProtection", false],
    ["redis-tls", "aws:elasticache/replicationGroup:ReplicationGroup", "transitEncryptionEnabled", false],
    ["redis-tls", "aws:elasticache/replicationGroup:ReplicationGroup", "transitEncryptionMode", "preferred"],
    ["redis-tls", "azure-native:redisenterprise:Database", "clientProtocol", "Plaintext"],
    ["redis-tls", "azure-native:redisenterprise:RedisEnterprise", "minimumTlsVersion", "1.0"],
    ["redis-tls", "gcp:redis/instance:Instance", "transitEncryptionMode", "DISABLED"],
    ["redis-auth", "aws:elasticache/replicationGroup:ReplicationGroup", "authToken", undefined],
    ["redis-auth", "gcp:redis/instance:Instance", "authEnabled", false],
    ["redis-encryption-at-rest", "aws:elasticache/replicationGroup:ReplicationGroup", "atRestEncryptionEnabled", false],
    ["redis-high-availability", "aws:elasticache/replicationGroup:ReplicationGroup", "numCacheClusters", 1],
    ["redis-high-availability", "aws:elasticache/replicationGroup:ReplicationGroup", "multiAzEnabled", false],
    ["redis-high-availability", "azure-native:redisenterprise:RedisEnterprise", "highAvailability", "Disabled"],
    ["redis-high-availability", "gcp:redis/instance:Instance", "tier", "BASIC"],
    ["redis-not-public", "azure-native:redisenterprise:RedisEnterprise", "publicNetworkAccess", "Enabled"],
    ["redis-not-public", "aws:elasticache/replicationGroup:ReplicationGroup", "securityGroupIds", []],
    ["redis-not-public", "gcp:redis/instance:Instance", "authorizedNetwork", undefined],
    ["cluster-private-nodes", "aws:eks/cluster:Cluster", "vpcConfig.endpointPrivateAccess", false],
    ["cluster-private-nodes", "aws:eks/nodeGroup:NodeGroup", "remoteAccess", { ec2SshKey: "ops" }],
    ["cluster-private-nodes", "aws:ec2/subnet:Subnet", "mapPublicIpOnLaunch", true],
    ["cluster-private-nodes", "azure-native:containerservice:ManagedCluster", "agentPoolProfiles.0.enableNodePublicIP", true],
    ["cluster-private-nodes", "azure-native:containerservice:AgentPool", "enableNodePublicIP", true],
    ["cluster-private-nodes", "gcp:container/cluster:Cluster", "privateClusterConfig.enablePrivateNodes", false],
    ["cluster-private-nodes", "gcp:container/nodePool:NodePool", "networkConfig", { enablePrivateNodes: false }],
    ["eks-node-credentials", "aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.httpPutResponseHopLimit", 2],
    ["eks-node-credentials", "aws:ec2/launchTemplate:LaunchTemplate", "metadataOptions.httpTokens", "optional"],
    ["eks-node-credentials", "aws:eks/nodeGroup:NodeGroup", "launchTemplate", undefined],
    ["eks-node-credentials", "aws:eks/addon:Addon#cni", "podIdentityAssociations", undefined],
    ["cluster-api-allow-list", "aws:eks/cluster:Cluster", "vpcConfig.publicAccessCidrs", undefined],
    ["cluster-api-allow-list", "aws:eks/cluster:Cluster", "vpcConfig.publicAccessCidrs", ["0.0.0.0/1", "128.0.0.0/1"]],
    ["cluster-api-allow-list", "azure-native:containerservice:ManagedCluster", "apiServerAccessProfile", undefined],
    ["cluster-api-allow-list", "azure-native:containerservice:ManagedCluster", "apiServerAccessProfile.authorizedIPRanges", ["0.0.0.0/0"]],
    ["cluster-api-allow-list", "gcp:container/cluster:Cluster", "masterAuthorizedNetworksConfig", undefined],
    [
        "cluster-api-allow-list",
        "gcp:container/cluster:Cluster",
        "masterAuthorizedNetworksConfig.cidrBlocks",
        [{ cidrBlock: "1.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }, { cidrBlock: "0.0.0.0/8" }],
    ],
    ["cluster-control-plane-logging", "aws:eks/cluster:Cluster", "enabledClusterLogTypes", ["api"]],
    ["cluster-control-plane-logging", "azure-native:containerservice:ManagedCluster", "azureMonitorProfile", undefined],
    ["cluster-control-plane-logging", "gcp:container/cluster:Cluster", "loggingConfig.enableComponents", ["SYSTEM_COMPONENTS"]],
    ["cluster-control-plane-logging", "gcp:container/cluster:Cluster", "monitoringService", "none"],
    ["aks-control-plane-logs", "azure-native:monitor:DiagnosticSetting", "logs.0.category", "kube-apiserver"],
    ["aks-control-plane-logs", "azure-native:monitor:DiagnosticSetting", "logs.0.enabled", false],
    ["cluster-secrets-encryption", "aws:eks/cluster:Cluster", "encryptionConfig", undefined],
    ["cluster-secrets-encryption", "gcp:container/cluster:Cluster", "databaseEncryption.state", "DECRYPTED"],
    ["cluster-secrets-encryption", "gcp:container/cluster:Cluster", "databaseEncryption", undefined],
    ["cluster-workload-identity", "azure-native:containerservice:ManagedCluster", "securityProfile.workloadIdentity.enabled", false],
    ["cluster-workload-identity", "gcp:container/cluster:Cluster", "workloadIdentityConfig", undefined],
    ["cluster-workload-identity", "gcp:container/nodePool:NodePool", "nodeConfig.workloadMetadataConfig.mode", "GCE_METADATA"],
    ["eks-pod-identity", "aws:eks/addon:Addon", "addonName", "vpc-cni"],
    ["eks-node-zones", "aws:eks/nodeGroup:NodeGroup", "subnetIds", ["subnet-a"]],
    ["cluster-multi-zone-nodes", "azure-native:containerservice:ManagedCluster", "agentPoolProfiles.0.availabilityZones", ["1"]],
    ["cluster-multi-zone-nodes", "azure-native:containerservice:AgentPool", "availabilityZones", undefined],
    ["cluster-multi-zone-nodes", "gcp:container/cluster:Cluster", "location", "europe-west1-b"],
    ["cluster-multi-zone-nodes", "gcp:container/nodePool:NodePool", "nodeLocations", ["europe-west1-b"]],
    ["azure-role-principal-type", "azure-native:authorization:RoleAssignment", "principalType", undefined],
    ["network-no-public-ingress", "aws:ec2/securityGroup:SecurityGroup", "ingress.1.cidrBlocks", ["0.0.0.0/0"]],
    // The internet in two halves is still the internet.
    ["network-no-public-ingress", "aws:ec2/securityGroup:SecurityGroup", "ingress.1.cidrBlocks", ["0.0.0.0/1", "128.0.0.0/1"]],
    ["network-no-public-ingress", "aws:ec2/securityGroup:SecurityGroup", "ingress.0.toPort", 8443],
    ["network-no-public-ingress", "aws:ec2/securityGroupRule:SecurityGroupRule", "fromPort", 22],
    ["network-no-public-ingress", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ipProtocol", "-1"],
    ["network-no-public-ingress", "azure-native:network:NetworkSecurityGroup", "securityRules.0.destinationPortRange", "*"],
    ["network-no-public-ingress", "azure-native:network:SecurityRule", "destinationPortRanges", ["443", "3389"]],
    ["network-no-public-ingress", "gcp:compute/firewall:Firewall", "allows.0.ports", ["22"]],
    ["network-no-public-ingress", "gcp:compute/firewall:Firewall", "allows.0.protocol", "all"],
    ["gke-cloud-armor", "kubernetes:networking.gke.io/v1:GCPBackendPolicy", "spec.default.securityPolicy", undefined],
    // Taking over the project's own bucket or sink changes every log in the project, and outlives a destroy.
    ["gcp-log-routing", "gcp:logging/projectBucketConfig:ProjectBucketConfig", "bucketId", "_Default"],
    ["gcp-log-routing", "gcp:logging/projectSink:ProjectSink", "name", "_Default"],
    // An exclusion whose logs no sink routes to a log bucket drops them.
    ["gcp-log-routing", "gcp:logging/projectExclusion:ProjectExclusion", "filter", 'resource.type="k8s_container"'],
    ["gcp-log-routing", "gcp:logging/projectSink:ProjectSink", "destination", "storage.googleapis.com/a-gcs-bucket"],
    ["agc-waf", "azure-native:network:WebApplicationFirewallPolicy", "managedRules.managedRuleSets.0.ruleSetType", "OWASP"],
    ["agc-waf", "azure-native:servicenetworking:SecurityPoliciesInterface", "wafPolicy", undefined],
    ["agc-waf", "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy", "spec.targetRef.name", "other"],
    // One listener only leaves the other (and its routes) unguarded.
    ["agc-waf", "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy", "spec.targetRef.sectionNames", ["https"]],
    ["agc-waf", "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy", "spec.webApplicationFirewall", undefined],
    ["k8s-probes", "kubernetes:apps/v1:Deployment", `${C0}.readinessProbe`, undefined],
    ["k8s-probes", "kubernetes:apps/v1:StatefulSet", `${C0}.livenessProbe`, undefined],
    ["k8s-resources", "kubernetes:apps/v1:Deployment", `${C0}.resources.limits`, undefined],
    ["k8s-resources", "kubernetes:batch/v1:Job", `${C0}.resources.requests.cpu`, undefined],
    ["k8s-non-root", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.runAsUser`, 0],
    [
        "k8s-non-root",
        "kubernetes:apps/v1:StatefulSet",
        `${C0}.securityContext`,
        { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    ],
    ["k8s-read-only-root-fs", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.readOnlyRootFilesystem`, false],
    ["k8s-no-privilege-escalation", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.allowPrivilegeEscalation`, undefined],
    ["k8s-no-privilege-escalation", "kubernetes:batch/v1:Job", `${C0}.securityContext.privileged`, true],
    ["k8s-drop-capabilities", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.capabilities.drop`, ["NET_RAW"]],
    ["k8s-image-pinned", "kubernetes:apps/v1:Deployment", `${C0}.image`, "ghcr.io/acme/app:latest"],
    ["k8s-image-pinned", "kubernetes:apps/v1:StatefulSet", `${C0}.image`, "localhost:5000/app"],
    ["k8s-no-loadbalancer-service", "kubernetes:core/v1:Service", "spec.type", "LoadBalancer"],
    ["datastore-tls-verified", "kubernetes:core/v1:Secret", "stringData.DATABASE_SSLMODE", "require"],
    ["datastore-tls-verified", "kubernetes:core/v1:Secret", "stringData.DATABASE_CA_CERT", undefined],
    ["datastore-tls-verified", "kubernetes:core/v1:Secret", "stringData.REDIS_TLS", "false"],

    ["alb-access-logs", "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration", "spec.loadBalancerAttributes.0.value", "false"],
    ["alb-access-logs", "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration", "spec.loadBalancerAttributes", []],
    ["alb-waf", "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration", "spec.wafV2", undefined],
    ["alb-waf-rate-limit-logging", "aws:wafv2/webAcl:WebAcl", "rules.0.action", { count: {} }],
    [
        "alb-waf-rate-limit-logging",
        "aws:wafv2/webAcl:WebAcl",
        "rules.0.statement",
        { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
    ],
    ["alb-waf-rate-limit-logging", "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "redactedFields", [{ singleHeader: { name: "cookie" } }]],
    ["alb-hsts", "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration", "spec.listenerConfigurations.0.listenerAttributes", undefined],
    ["alb-hsts", "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration", "spec.listenerConfigurations.0.listenerAttributes.0.value", "max-age=86400"],
    ["route-hsts", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "spec.rules.0.filters", undefined],
    ["route-hsts", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "spec.rules.0.filters.0.responseHeaderModifier.set.0.value", "max-age=86400"],
    // The header on the request to the backend protects nobody.
    ["route-hsts", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "spec.rules.0.filters.0.type", "RequestHeaderModifier"],
    // Without sectionName the redirect route attaches to the HTTPS listener too.
    ["route-hsts", "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute#redirect", "spec.parentRefs.0.sectionName", undefined],
    ["k8s-min-replicas", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "spec.minReplicas", 1],
    ["k8s-min-replicas", "kubernetes:apps/v1:StatefulSet", "spec.replicas", 1],
    ["k8s-pdb", "kubernetes:policy/v1:PodDisruptionBudget", "spec.maxUnavailable", 0],
    ["k8s-pdb", "kubernetes:policy/v1:PodDisruptionBudget#db", "spec.minAvailable", 2],
    ["k8s-pdb", "kubernetes:policy/v1:PodDisruptionBudget", "spec.selector.matchLabels.color", "green"],
    // Kubernetes workload classes (issue 26)
    ["k8s-no-host-namespaces", "kubernetes:apps/v1:Deployment", "spec.template.spec.hostNetwork", true],
    ["k8s-no-host-namespaces", "kubernetes:apps/v1:StatefulSet", "spec.template.spec.hostPID", true],
    ["k8s-no-host-namespaces", "kubernetes:batch/v1:Job", "spec.template.spec.hostIPC", true],
    ["k8s-no-host-path", "kubernetes:apps/v1:Deployment", "spec.template.spec.volumes", [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }]],
    ["k8s-no-host-path", "kubernetes:batch/v1:Job", "spec.template.spec.volumes", [{ name: "root", hostPath: { path: "/" } }]],
    ["k8s-no-host-ports", "kubernetes:apps/v1:Deployment", `${C0}.ports`, [{ containerPort: 8080, hostPort: 8080 }]],
    // An init container's host port is bound too.
    [
        "k8s-no-host-ports",
        "kubernetes:apps/v1:StatefulSet",
        "spec.template.spec.initContainers",
        [{ ...container, name: "init", ports: [{ containerPort: 53, hostPort: 53 }] }],
    ],
    ["k8s-drop-capabilities", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.capabilities.add`, ["NET_ADMIN"]],
    // Restricted would admit NET_BIND_SERVICE; nothing here needs it.
    ["k8s-drop-capabilities", "kubernetes:batch/v1:Job", `${C0}.securityContext.capabilities.add`, ["NET_BIND_SERVICE"]],
    ["k8s-seccomp", "kubernetes:apps/v1:Deployment", `${C0}.securityContext.seccompProfile.type`, "Unconfined"],
    // Unconfined on the pod is refused even where every container sets its own profile.
    ["k8s-seccomp", "kubernetes:apps/v1:Deployment", "spec.template.spec.securityContext", { seccompProfile: { type: "Unconfined" } }],
    // No profile at all: restricted refuses the absence too.
    ["k8s-seccomp", "kubernetes:apps/v1:StatefulSet", `${C0}.securityContext.seccompProfile`, undefined],
    ["k8s-service-account-token", "kubernetes:apps/v1:Deployment", "spec.template.spec.automountServiceAccountToken", undefined],
    ["k8s-service-account-token", "kubernetes:batch/v1:Job", "spec.template.spec.automountServiceAccountToken", true],
    // Its own ServiceAccount, but nothing grants it a role: the pod has no use for the token.
    [
        "k8s-service-account-token",
        "kubernetes:apps/v1:StatefulSet",
        "spec.template.spec",
        { ...podTemplate.spec, serviceAccountName: "db", automountServiceAccountToken: true },
    ],
    ["k8s-no-nodeport-service", "kubernetes:core/v1:Service", "spec.type", "NodePort"],
    ["k8s-no-cluster-admin", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "roleRef.name", "cluster-admin"],
    [
        "k8s-no-cluster-admin",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "roleRef",
        { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    ],
    ["k8s-no-cluster-admin", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "rules.0", { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    ["k8s-no-cluster-admin", "kubernetes:rbac.authorization.k8s.io/v1:Role", "rules", [{ apiGroups: [""], resources: ["*"], verbs: ["*"] }]],
    ["k8s-namespace-restricted", "kubernetes:core/v1:Namespace", "metadata.labels", { "pod-security.kubernetes.io/enforce": "baseline" }],
    ["k8s-namespace-restricted", "kubernetes:core/v1:Namespace", "metadata.labels", { "pod-security.kubernetes.io/warn": "restricted" }],
    // The app left its namespace (no namespace: "default"), which the stack does not declare.
    ["k8s-namespace-restricted", "kubernetes:apps/v1:Deployment", "metadata.namespace", undefined],
    ["k8s-default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "spec.policyTypes", ["Ingress"]],
    ["k8s-default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "spec.podSelector", { matchLabels: { app: "zdp" } }],
    ["k8s-default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "metadata.namespace", "other"],
    // A "deny" with a rule in it denies nothing that rule allows.
    ["k8s-default-deny", "kubernetes:networking.k8s.io/v1:NetworkPolicy", "spec.egress", [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]],
    ["k8s-no-allow-all-network", "kubernetes:networking.k8s.io/v1:NetworkPolicy#allow", "spec.ingress.0", {}],
    [
        "k8s-no-allow-all-network",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy#allow",
        "spec",
        { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [] }] },
    ],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.hostNetwork", true],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.extraVolumes", [{ name: "host", hostPath: { path: "/" } }]],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.containerSecurityContext", { capabilities: { add: ["SYS_ADMIN"] } }],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.securityContext", { seccompProfile: { type: "Unconfined" } }],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.service", { type: "NodePort" }],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.cloudProvider", "magnum"],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.rbac.additionalRules", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]],
    [
        "k8s-helm-values",
        "kubernetes:helm.sh/v3:Release",
        "values.extraObjects",
        [{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", roleRef: { kind: "ClusterRole", name: "cluster-admin" } }],
    ],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "values.extraObjects", [{ apiVersion: "v1", kind: "Service", spec: { type: "NodePort" } }]],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release", "valueYamlFiles", [{ path: "values.yaml" }]],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release#lbc", "values.clusterSecretsPermissions", { allowAllSecrets: true }],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release#lbc", "values.hostNetwork", true],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release#eg", "values.deployment", { pod: { extraVolumes: [{ name: "etc", hostPath: { path: "/etc" } }] } }],
    ["k8s-helm-values", "kubernetes:helm.sh/v3:Release#eg", "values.service", { type: "LoadBalancer" }],
    ["datastore-tls-verified", "kubernetes:apps/v1:Deployment", `${C0}.env`, [{ name: "DATABASE_SSLMODE", value: "require" }]],
    ["datastore-tls-verified", "kubernetes:apps/v1:Deployment", `${C0}.env`, [{ name: "REDIS_TLS", value: "false" }]],
    [
        "datastore-tls-verified",
        "kubernetes:apps/v1:Deployment",
        `${C0}.env`,
        [{ name: "DATABASE_SSLMODE", valueFrom: { configMapKeyRef: { name: "overrides", key: "DATABASE_SSLMODE" } } }],
    ],
    // Read from a Secret under another key, the value escapes the Secret rule.
    ["datastore-tls-verified", "kubernetes:batch/v1:Job", `${C0}.env`, [{ name: "PGSSLMODE", valueFrom: { secretKeyRef: { name: "db-admin", key: "MODE" } } }]],
    ["datastore-tls-verified", "kubernetes:apps/v1:StatefulSet", `${C0}.env`, [{ name: "DATABASE_URL", value: "postgres://app@db:5432/app?sslmode=require" }]],
    [
        "datastore-tls-verified",
        "kubernetes:apps/v1:Deployment",
        `${C0}.env`,
        [{ name: "DATABASE_CA_CERT", value: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" }],
    ],
    ["datastore-tls-verified", "kubernetes:core/v1:ConfigMap", "data.DATABASE_SSLMODE", "disable"],
    // libpq's own variable, as the database-role Job's Secret carries it.
    ["datastore-tls-verified", "kubernetes:core/v1:Secret", "stringData.PGSSLMODE", "prefer"],
    // Cloud classes (issue 26)
    ["cluster-authentication", "aws:eks/cluster:Cluster", "accessConfig.authenticationMode", "API_AND_CONFIG_MAP"],
    ["cluster-authentication", "aws:eks/cluster:Cluster", "accessConfig", undefined], // the EKS API's default is CONFIG_MAP
    ["cluster-authentication", "azure-native:containerservice:ManagedCluster", "disableLocalAccounts", false],
    ["cluster-authentication", "azure-native:containerservice:ManagedCluster", "disableLocalAccounts", undefined],
    ["cluster-authentication", "azure-native:containerservice:ManagedCluster", "aadProfile.enableAzureRBAC", false],
    ["cluster-authentication", "azure-native:containerservice:ManagedCluster", "aadProfile", undefined],
    ["cluster-authentication", "azure-native:containerservice:ManagedCluster", "enableRBAC", false],
    ["cluster-authentication", "gcp:container/cluster:Cluster", "enableLegacyAbac", true],
    ["cluster-authentication", "gcp:container/cluster:Cluster", "masterAuth.clientCertificateConfig.issueClientCertificate", true],
    // A public range short of the internet, on every port (so on the data ports too).
    ["network-data-ports-private", "aws:ec2/securityGroup:SecurityGroup", "ingress.1.cidrBlocks", ["203.0.113.0/24"]],
    ["network-data-ports-private", "aws:ec2/securityGroup:SecurityGroup", "ingress.1.ipv6CidrBlocks", ["2001:db8::/32"]],
    ["network-data-ports-private", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "ipProtocol", "-1"],
    // A service tag is public addresses, not the internet.
    ["network-data-ports-private", "azure-native:network:NetworkSecurityGroup", "securityRules.1.sourceAddressPrefix", "AzureCloud"],
    ["network-data-ports-private", "azure-native:network:SecurityRule", "destinationPortRanges", ["443", "6380"]],
    ["network-data-ports-private", "gcp:compute/firewall:Firewall#postgres", "sourceRanges", ["35.191.0.0/16"]],
    ["network-data-ports-private", "gcp:compute/firewall:Firewall#postgres", "sourceRanges", undefined], // no source is 0.0.0.0/0
    ["waf-blocks", "aws:wafv2/webAcl:WebAcl", "rules.0.action", { count: {} }],
    ["waf-blocks", "aws:wafv2/webAcl:WebAcl", "rules.1.overrideAction", { count: {} }],
    ["waf-blocks", "azure-native:network:WebApplicationFirewallPolicy", "policySettings.mode", "Detection"],
    ["waf-blocks", "azure-native:network:WebApplicationFirewallPolicy", "policySettings.state", "Disabled"],
    ["waf-blocks", "azure-native:network:WebApplicationFirewallPolicy", "policySettings", undefined], // Azure's default mode is Detection
    ["waf-blocks", "gcp:compute/securityPolicy:SecurityPolicy", "rules.0.preview", true],
    // An allow-everything rule evaluated before the deny rules.
    ["waf-blocks", "gcp:compute/securityPolicy:SecurityPolicy", "rules.1.priority", 10],
    ["waf-blocks", "gcp:compute/securityPolicy:SecurityPolicy", "rules.0.action", "allow"],
    ["kms-key-rotation", "aws:kms/key:Key", "enableKeyRotation", false],
    ["kms-key-rotation", "aws:kms/key:Key", "enableKeyRotation", undefined], // the provider's default is false
    ["kms-key-rotation", "aws:kms/key:Key", "rotationPeriodInDays", 730],
    ["kms-key-rotation", "gcp:kms/cryptoKey:CryptoKey", "rotationPeriod", undefined],
    ["kms-key-rotation", "gcp:kms/cryptoKey:CryptoKey", "rotationPeriod", "63072000s"],
    ["kms-key-rotation", "azure-native:keyvault:Key", "properties.rotationPolicy", undefined],
    ["kms-key-rotation", "azure-native:keyvault:Key", "properties.rotationPolicy.lifetimeActions.0.action.type", "notify"],
    ["kms-key-rotation", "azure-native:keyvault:Key", "properties.rotationPolicy.lifetimeActions.0.trigger.timeAfterCreate", "P2Y"],
    ["iam-no-admin-grants", "aws:iam/rolePolicyAttachment:RolePolicyAttachment#worker", "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess"],
    ["iam-no-admin-grants", "aws:iam/rolePolicyAttachment:RolePolicyAttachment#worker", "policyArn", "arn:aws:iam::aws:policy/PowerUserAccess"],
    ["iam-no-admin-grants", "aws:iam/rolePolicy:RolePolicy", "policy", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*:*", Resource: "*" }] })],
    ["iam-no-admin-grants", "aws:iam/rolePolicy:RolePolicy", "policy", JSON.stringify({ Statement: { Effect: "Allow", Action: ["iam:*"], Resource: ["*"] } })],
    ["iam-no-admin-grants", "aws:iam/rolePolicy:RolePolicy", "policy", JSON.stringify({ Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }] })],
    [
        "iam-no-admin-grants",
        "azure-native:authorization:RoleAssignment",
        "roleDefinitionId",
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
    ],
    [
        "iam-no-admin-grants",
        "azure-native:authorization:RoleAssignment",
        "roleDefinitionId",
        "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    ],
    ["iam-no-admin-grants", "gcp:projects/iAMMember:IAMMember", "role", "roles/editor"],
    ["iam-no-admin-grants", "gcp:projects/iAMMember:IAMMember", "role", "roles/owner"],
    ["bucket-not-public", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicAcls", false],
    ["bucket-not-public", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "blockPublicPolicy", false],
    ["bucket-not-public", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "ignorePublicAcls", false],
    ["bucket-not-public", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "restrictPublicBuckets", undefined],
    ["bucket-not-public", "aws:s3/bucket:Bucket", "acl", "public-read"],
    [
        "bucket-not-public",
        "aws:s3/bucketPolicy:BucketPolicy",
        "policy",
        JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::zdp-alb-logs/*" }] }),
    ],
    ["cluster-shielded-nodes", "gcp:container/nodePool:NodePool", "nodeConfig.shieldedInstanceConfig.enableSecureBoot", false],
    ["cluster-shielded-nodes", "gcp:container/nodePool:NodePool", "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", false],
    ["cluster-shielded-nodes", "gcp:container/nodePool:NodePool", "nodeConfig.shieldedInstanceConfig", undefined], // Secure Boot is off by default
    ["cluster-shielded-nodes", "gcp:container/cluster:Cluster", "enableShieldedNodes", false],
    ["cluster-shielded-nodes", "gcp:container/cluster:Cluster", "nodeConfig.shieldedInstanceConfig.enableSecureBoot", undefined],
    ["cluster-network-policy-enforced", "aws:eks/addon:Addon#cni", "configurationValues", JSON.stringify({ enableNetworkPolicy: "false" })],
    ["cluster-network-policy-enforced", "aws:eks/addon:Addon#cni", "configurationValues", undefined],
    ["cluster-network-policy-enforced", "azure-native:containerservice:ManagedCluster", "networkProfile.networkPolicy", "none"],
    ["cluster-network-policy-enforced", "azure-native:containerservice:ManagedCluster", "networkProfile.networkPolicy", undefined],
    ["cluster-network-policy-enforced", "gcp:container/cluster:Cluster", "datapathProvider", "LEGACY_DATAPATH"],
];

/** Cases that need no compliant baseline: any such resource is a finding. */
const ALWAYS_BAD: [rule: string, type: string, inputs: Record<string, any>][] = [
    ["database-not-public", "azure-native:dbforpostgresql:FirewallRule", { startIpAddress: "0.0.0.0", endIpAddress: "255.255.255.255" }],
    // The CNI's policy on the role the node groups use: every pod reaching IMDS could use it.
    ["eks-node-credentials", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "node", policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" }],
    // A firewall without any source admits 0.0.0.0/0.
    ["network-no-public-ingress", "gcp:compute/firewall:Firewall", { allows: [{ protocol: "tcp", ports: ["22"] }] }],
    // Cloud classes (issue 26)
    [
        "waf-blocks",
        "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
        { ruleName: "common", priority: 5, overrideAction: "count", managedRuleGroup: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" } },
    ],
    [
        "waf-blocks",
        "aws:wafv2/webAclRule:WebAclRule",
        { name: "geo", priority: 6, action: { count: {} }, webAclArn: "arn:aws:wafv2:eu-west-1:1:regional/webacl/x/y" },
    ],
    ["waf-blocks", "gcp:compute/securityPolicyRule:SecurityPolicyRule", { securityPolicy: "zdp-armor", priority: 1100, action: "deny(403)", preview: true }],
    ["bucket-not-public", "aws:s3/bucketAclV2:BucketAclV2", { bucket: "zdp-alb-logs", acl: "public-read-write" }],
    [
        "bucket-not-public",
        "aws:s3/bucketAcl:BucketAcl",
        {
            bucket: "zdp-alb-logs",
            accessControlPolicy: {
                grants: [{ permission: "READ", grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" } }],
                owner: { id: "o" },
            },
        },
    ],
    [
        "iam-no-admin-grants",
        "azure-native:authorization:RoleAssignment",
        {
            principalId: "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            principalType: "ServicePrincipal",
            roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
            scope: "/providers/Microsoft.Management/managementGroups/zdp",
        },
    ],
    [
        "iam-no-admin-grants",
        "gcp:projects/iAMPolicy:IAMPolicy",
        { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/owner", members: ["user:a@example.com"] }] }) },
    ],
    ["iam-no-admin-grants", "aws:iam/policyAttachment:PolicyAttachment", { roles: ["node"], policyArn: "arn:aws:iam::aws:policy/IAMFullAccess" }],
    ["kms-key-rotation", "gcp:kms/cryptoKey:CryptoKey", { keyRing: "r" }],
];

const mandatory = (rs: OfflineResource[], exceptions: string[] = []) =>
    runPolicies(rs, { policyExceptions: exceptions }).violations.filter((v) => v.level === "mandatory");
/** The mandatory findings of one rule alone: a broken fixture's case needs no other rule's verdict. */
const mandatoryOf = (rule: string, rs: OfflineResource[]) =>
    runPolicies(
        rs,
        { policyExceptions: [] },
        packPolicies.filter((p) => p.name === rule),
    ).violations.filter((v) => v.level === "mandatory");
// Kubernetes workload classes (issue 26): a workload's namespace, declared restricted and default-deny, as every stack has it.
const inZdp = (...rs: OfflineResource[]) => [...rs, resource("kubernetes:core/v1:Namespace"), resource("kubernetes:networking.k8s.io/v1:NetworkPolicy")];

describe("policy: the internet as a union of ranges", () => {
    it("counts any set of CIDRs that covers every public address as the internet, and nothing less", () => {
        assert.ok(coversInternet(["0.0.0.0/0"]) && coversInternet(["*"]) && coversInternet(["::/0"]));
        assert.ok(coversInternet(["0.0.0.0/1", "128.0.0.0/1"]));
        // 224.0.0.0/3 is multicast and reserved, not the internet: the rest of the space is enough.
        assert.ok(coversInternet(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]));
        assert.ok(!coversInternet(["0.0.0.0/1", "128.0.0.0/2"]), "192.0.0.0/3 holds public addresses");
        assert.ok(!coversInternet(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]));
        assert.ok(!coversInternet(["203.0.113.0/24", "198.51.100.7/32"]));
        assert.strictEqual(widestPrefix(["203.0.113.0/24", "10.0.0.0/8"]), 8);
    });
});

describe("policy: every rule over compliant fixtures and one broken property at a time", () => {
    it("the compliant fixtures pass every rule, and every rule applies to them", () => {
        const report = runPolicies(goodStack(), { policyExceptions: [] });
        assert.deepStrictEqual(report.violations, []);
        assert.strictEqual(report.rulesRun, RULE_NAMES.length);
        assert.deepStrictEqual([...report.rulesApplied].sort(), [...RULE_NAMES].sort());
    });

    it("every rule has at least one negative case", () => {
        const covered = new Set([...CASES.map((c) => c[0]), ...ALWAYS_BAD.map((c) => c[0]), "k8s-image-digest"]);
        assert.deepStrictEqual(
            RULE_NAMES.filter((r) => !covered.has(r)),
            [],
        );
    });

    for (const [rule, fixture, at, bad] of CASES) {
        it(`${rule} reports ${fixture.split(":").pop()} with ${at} = ${JSON.stringify(bad)}`, () => {
            const stack = goodStack();
            const target = stack.find((r) => `${r.type}${r.name === "fixture" ? "" : `#${r.name}`}` === fixture)!;
            set(target.inputs, at, bad);
            const found = mandatoryOf(rule, stack);
            assert.ok(found.length > 0, `${rule} stayed silent`);
            assert.ok(
                found.every((v) => v.message.includes(":")),
                "messages say what to change after a colon",
            );
        });
    }

    for (const [rule, type, inputs] of ALWAYS_BAD) {
        it(`${rule} reports any ${type.split(":").pop()}`, () => {
            const found = mandatoryOf(rule, [...goodStack(), resource(type, inputs)]);
            assert.strictEqual(found.length, 1);
        });
    }

    it("alb-waf-rate-limit-logging reports a web ACL no logging configuration names", () => {
        const stack = goodStack().filter((r) => r.type !== "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
        assert.deepStrictEqual(
            mandatory(stack).map((v) => [v.rule, /logs nothing/.test(v.message)]),
            [["alb-waf-rate-limit-logging", true]],
        );
    });

    it("k8s-image-digest reports an image pinned by tag only, as advisory; a digest alone or with its tag passes", () => {
        const digestRule = (image: string) => {
            const d = resource("kubernetes:apps/v1:Deployment");
            d.inputs.spec.template.spec.containers[0].image = image;
            return runPolicies([d], { policyExceptions: [] }).violations.filter((v) => v.rule === "k8s-image-digest");
        };
        assert.deepStrictEqual(
            digestRule("ghcr.io/acme/app:6.9.1").map((v) => v.level),
            ["advisory"],
        );
        assert.match(digestRule("ghcr.io/acme/app:6.9.1")[0].message, /pin its digest/);
        assert.deepStrictEqual(digestRule(`ghcr.io/acme/app@sha256:${"ab".repeat(32)}`), []);
        assert.deepStrictEqual(digestRule(`ghcr.io/acme/app:6.9.1@sha256:${"ab".repeat(32)}`), []);
        assert.strictEqual(digestRule(`ghcr.io/acme/app@sha256:${"ab".repeat(31)}`).length, 1, "a short digest is no digest");
    });

    it("datastore-tls-verified reads a Secret's base64 data as well as its stringData", () => {
        const s = resource("kubernetes:core/v1:Secret");
        s.inputs = { metadata: s.inputs.metadata, data: { DATABASE_SSLMODE: Buffer.from("require").toString("base64") } };
        assert.deepStrictEqual(
            mandatory([s]).map((v) => v.rule),
            ["datastore-tls-verified", "datastore-tls-verified"],
        );
    });

    it("eks-node-credentials lets AmazonEKS_CNI_Policy sit on the CNI's own Pod Identity role, not the node role", () => {
        const attachment = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
            role: "cni",
            policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        });
        const cniRole = resource("aws:iam/role:Role#cni", { assumeRolePolicy: "{}" });
        attachment.dependsOn = [cniRole.urn];
        assert.deepStrictEqual(mandatory([...goodStack(), cniRole, attachment]), []);
        attachment.dependsOn = [urnOf("aws:iam/role:Role", "node")];
        assert.deepStrictEqual(
            mandatory([...goodStack(), cniRole, attachment]).map((v) => v.rule),
            ["eks-node-credentials"],
        );
    });

    it("alb-waf leaves an internal ALB alone; alb-hsts reads max-age wherever it sits in the header value", () => {
        const lb = resource("kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration");
        delete lb.inputs.spec.wafV2;
        lb.inputs.spec.scheme = "internal";
        assert.deepStrictEqual(mandatory([lb]), []);
        assert.strictEqual(hstsMaxAge("includeSubDomains; max-age=63072000; preload"), 63072000);
        assert.strictEqual(hstsMaxAge("max-age=31536000"), 31536000);
        assert.strictEqual(hstsMaxAge("includeSubDomains"), undefined);
        assert.strictEqual(hstsMaxAge("x-max-age=31536000"), undefined);
    });

    it("route-hsts reads HSTS added as well as set, and leaves routes of an ALB Gateway to alb-hsts", () => {
        const route = resource("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
        const filter = route.inputs.spec.rules[0].filters[0].responseHeaderModifier;
        route.inputs.spec.rules[0].filters[0].responseHeaderModifier = { add: [{ name: "strict-transport-security", value: filter.set[0].value }] };
        assert.deepStrictEqual(mandatory([...goodStack().filter((r) => r.urn !== route.urn), route]), []);
        delete route.inputs.spec.rules[0].filters;
        assert.deepStrictEqual(
            mandatory([...goodStack().filter((r) => r.urn !== route.urn), route]).map((v) => v.rule),
            ["route-hsts"],
        );
        const alb = resource("kubernetes:gateway.networking.k8s.io/v1:Gateway");
        alb.inputs.spec.gatewayClassName = "alb";
        assert.deepStrictEqual(
            runPolicies([alb, route], { policyExceptions: [] }).violations.filter((v) => v.rule === "route-hsts"),
            [],
        );
    });

    it("database-deletion-protection reports a Flexible Server declared without protect", () => {
        const found = mandatory([resource("azure-native:dbforpostgresql:Server", undefined, false)]);
        assert.deepStrictEqual(
            found.map((v) => v.rule),
            ["database-deletion-protection"],
        );
    });

    it("k8s-min-replicas and k8s-pdb report a Deployment without HPA, replicas or PDB (default 1 replica)", () => {
        const d = resource("kubernetes:apps/v1:Deployment");
        delete d.inputs.spec.replicas;
        const rules = mandatory(inZdp(d))
            .map((v) => v.rule)
            .sort();
        assert.deepStrictEqual(rules, ["k8s-min-replicas", "k8s-pdb"]);
    });

    it("cluster-api-allow-list accepts a private AKS without ranges; without them and not private, AKS is refused", () => {
        const aks = (apiServerAccessProfile: Record<string, unknown>) => {
            const c = resource("azure-native:containerservice:ManagedCluster");
            c.inputs.apiServerAccessProfile = apiServerAccessProfile;
            return mandatoryOf("cluster-api-allow-list", [c]);
        };
        assert.deepStrictEqual(aks({ enablePrivateCluster: true, privateDNSZone: "system" }), []);
        assert.match(aks({ enablePrivateCluster: false })[0].message, /AKS API server admits everyone \(no allow-list\)/);
        assert.strictEqual(aks({ enablePrivateCluster: false, authorizedIPRanges: ["0.0.0.0/1", "128.0.0.0/1"] }).length, 1);
    });

    it("a Deployment scaled to zero needs neither replicas nor a PDB", () => {
        const d = resource("kubernetes:apps/v1:Deployment");
        d.inputs.spec.replicas = 0;
        assert.deepStrictEqual(mandatory(inZdp(d)), []);
    });

    it("an exception turns a rule's findings advisory; an unknown rule name is refused", () => {
        const d = resource("kubernetes:apps/v1:Deployment");
        d.inputs.spec.replicas = 1;
        const report = runPolicies(inZdp(d), { policyExceptions: ["k8s-min-replicas", "k8s-pdb"] });
        assert.deepStrictEqual(
            report.violations.map((v) => v.level),
            ["advisory", "advisory"],
        );
        assert.match(summarize(report), /^\d+ rules, 0 mandatory violations, 2 advisory \(k8s-min-replicas, k8s-pdb\)$/);
        assert.deepStrictEqual(exceptionConfig(["k8s-pdb"]), { "k8s-pdb": { enforcementLevel: "advisory" } });
        assert.throws(() => runPolicies([d], { policyExceptions: ["k8s-replicas"] }), /unknown rule\(s\) k8s-replicas/);
    });

    it("a rule that reads a value unknown during preview is listed as not judged at its own level, not as an advisory pass", () => {
        const rds = resource("aws:rds/instance:Instance");
        rds.inputs.publiclyAccessible = UNKNOWN;
        const report = runPolicies([rds], { policyExceptions: [] });
        assert.deepStrictEqual(
            report.violations.filter((v) => v.rule === "database-not-public"),
            [],
        );
        assert.deepStrictEqual(
            report.notJudged.map((n) => [n.rule, n.level, n.resource]),
            [["database-not-public", "mandatory", "aws:rds/instance:Instance::fixture"]],
        );
        assert.match(report.notJudged[0].reason, /publiclyAccessible can't be known during preview/);
        assert.match(summarize(report), /; not judged, a value is known only after apply: 1 mandatory \(database-not-public\)$/);
        // A waived rule keeps its advisory level there too.
        const waived = runPolicies([rds], { policyExceptions: ["database-not-public"] });
        assert.deepStrictEqual(
            waived.notJudged.map((n) => n.level),
            ["advisory"],
        );
    });

    it("image pinning and PDB arithmetic follow Kubernetes semantics", () => {
        assert.strictEqual(imagePinned("ghcr.io/acme/app@sha256:abc"), true);
        assert.strictEqual(imagePinned("registry:5000/app:1.2"), true);
        assert.strictEqual(imagePinned("registry:5000/app"), false);
        assert.strictEqual(imagePinned("app:"), false);
        // maxUnavailable percentages round up, minAvailable percentages round up too.
        assert.strictEqual(allowedDisruptions({ maxUnavailable: "10%" }, 3), 1);
        assert.strictEqual(allowedDisruptions({ minAvailable: "50%" }, 3), 1);
        assert.strictEqual(allowedDisruptions({ minAvailable: "100%" }, 3), 0);
    });
});

// ---- cloud classes (issue 26) -----------------------------------------------------------------------

describe("policy: cloud classes (issue 26)", () => {
    const violations = (rs: OfflineResource[], rule: string) => mandatoryOf(rule, rs);
    const withDeps = (r: OfflineResource, ...deps: OfflineResource[]) => ({ ...r, dependsOn: deps.map((d) => d.urn) });
    const half = (cidr: string, protocol = "tcp", port = 22) => ({ protocol, fromPort: port, toPort: port, cidrBlocks: [cidr] });

    it("network-no-public-ingress adds up the rules of one security group, inline and separate, and no others", () => {
        const sg = resource("aws:ec2/securityGroup:SecurityGroup#app", { ingress: [half("0.0.0.0/1")] });
        const other = resource("aws:ec2/securityGroup:SecurityGroup#other", { ingress: [] });
        const rule = (on: OfflineResource) =>
            withDeps(
                resource("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule#half", {
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                    cidrIpv4: "128.0.0.0/1",
                }),
                on,
            );
        const found = violations([sg, other, rule(sg)], "network-no-public-ingress");
        assert.deepStrictEqual(found.map((v) => v.resource).sort(), [
            `aws:ec2/securityGroup:SecurityGroup::app`,
            `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::half`,
        ]);
        assert.match(found[0].message, /2 rules together admit the internet on tcp 22 \(0\.0\.0\.0\/1 on app; 128\.0\.0\.0\/1 on half\)/);
        assert.deepStrictEqual(violations([sg, other, rule(other)], "network-no-public-ingress"), []);
    });

    it("network-no-public-ingress adds up the groups a database or instance sits in", () => {
        const a = resource("aws:ec2/securityGroup:SecurityGroup#a", { ingress: [half("0.0.0.0/1", "tcp", 5433)] });
        const b = resource("aws:ec2/securityGroup:SecurityGroup#b", { ingress: [half("128.0.0.0/1", "-1", 0)] });
        const db = withDeps(resource("aws:rds/instance:Instance"), a, b);
        assert.deepStrictEqual(violations([a, b, resource("aws:rds/instance:Instance")], "network-no-public-ingress"), []);
        assert.match(violations([a, b, db], "network-no-public-ingress")[0].message, /together admit the internet on tcp 5433/);
    });

    it("network-no-public-ingress groups rules by the group they depend on, so an id unknown during preview keeps it mandatory", () => {
        const sg = resource("aws:ec2/securityGroup:SecurityGroup#app", { ingress: [half("0.0.0.0/1")] });
        const rule = withDeps(
            resource("aws:ec2/securityGroupRule:SecurityGroupRule#half", { type: "ingress", securityGroupId: UNKNOWN, ...half("128.0.0.0/1") }),
            sg,
        );
        const found = runPolicies([sg, rule], { policyExceptions: [] }).violations.filter((v) => v.rule === "network-no-public-ingress");
        assert.deepStrictEqual(
            found.map((v) => v.level),
            ["mandatory", "mandatory"],
        );
    });

    it("network-no-public-ingress adds up an NSG's inline rules and the SecurityRules on it", () => {
        const rule = (name: string, prefix: string) => ({
            name,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefix: prefix,
            destinationPortRange: "3389",
        });
        const nsg = resource("azure-native:network:NetworkSecurityGroup#nodes", { securityRules: [rule("a", "0.0.0.0/1")] });
        const separate = resource("azure-native:network:SecurityRule#b", rule("b", "128.0.0.0/1"));
        assert.deepStrictEqual(violations([nsg, separate], "network-no-public-ingress"), [], "a SecurityRule on no declared NSG stands alone");
        assert.strictEqual(violations([nsg, withDeps(separate, nsg)], "network-no-public-ingress").length, 2);
    });

    it("network-no-public-ingress adds up the firewalls an instance of one network can be subject to", () => {
        const net = resource("gcp:compute/network:Network#vpc", {});
        const fw = (name: string, cidr: string, target: Record<string, string[]>) =>
            withDeps(
                resource(`gcp:compute/firewall:Firewall#${name}`, { sourceRanges: [cidr], allows: [{ protocol: "tcp", ports: ["3389"] }], ...target }),
                net,
            );
        // Untargeted rules and tag-targeted ones can meet on one instance (it may carry every tag).
        assert.strictEqual(
            violations([net, fw("a", "0.0.0.0/1", {}), fw("b", "128.0.0.0/1", { targetTags: ["bastion"] })], "network-no-public-ingress").length,
            2,
        );
        // An instance runs as one service account, so two accounts' rules never meet.
        const sa = (email: string) => ({ targetServiceAccounts: [email] });
        assert.deepStrictEqual(violations([net, fw("a", "0.0.0.0/1", sa("a@p.iam")), fw("b", "128.0.0.0/1", sa("b@p.iam"))], "network-no-public-ingress"), []);
        const elsewhere = resource("gcp:compute/firewall:Firewall#c", {
            sourceRanges: ["128.0.0.0/1"],
            allows: [{ protocol: "tcp", ports: ["3389"] }],
            network: "projects/p/global/networks/other",
        });
        assert.deepStrictEqual(violations([net, fw("a", "0.0.0.0/1", {}), elsewhere], "network-no-public-ingress"), []);
    });

    it("internetOpenings splits ports where rules overlap, counts all-protocol rules for each protocol, and leaves TCP 80/443 open", () => {
        const g = (protocol: string, ports: [number, number], sources: string[], target = "t"): Grant => ({
            target,
            resource: `r-${sources[0]}`,
            protocol,
            ports: [ports],
            sources,
        });
        const open = (grants: Grant[]) => internetOpenings(grants).map((o) => [o.protocol, o.ports]);
        assert.deepStrictEqual(open([g("tcp", [20, 30], ["0.0.0.0/1"]), g("tcp", [25, 40], ["128.0.0.0/1"])]), [["tcp", [25, 30]]]);
        assert.deepStrictEqual(open([g("all", [0, 65535], ["0.0.0.0/1"]), g("udp", [53, 53], ["128.0.0.0/1"])]), [["udp", [53, 53]]]);
        assert.deepStrictEqual(open([g("tcp", [443, 443], ["0.0.0.0/1"]), g("tcp", [443, 443], ["128.0.0.0/1"])]), []);
        assert.deepStrictEqual(open([g("tcp", [80, 443], ["0.0.0.0/0"])]), [["tcp", [81, 442]]], "80-443 is more than the two listeners");
        assert.deepStrictEqual(open([g("tcp", [22, 22], ["::/1"]), g("tcp", [22, 22], ["8000::/1"])]), [["tcp", [22, 22]]]);
        assert.deepStrictEqual(open([g("tcp", [22, 22], ["0.0.0.0/1"]), g("tcp", [22, 22], ["128.0.0.0/1"], "other")]), []);
    });

    it("publicDataPorts finds any public source on a data port, and nothing for private sources or other protocols", () => {
        const g = (protocol: string, ports: [number, number], sources: string[]): Grant => ({ target: "t", resource: "r", protocol, ports: [ports], sources });
        assert.deepStrictEqual(publicDataPorts(g("tcp", [8000, 9000], ["198.51.100.7/32"])), ["8500-8599 (Azure Managed Redis (OSS cluster))"]);
        assert.deepStrictEqual(publicDataPorts(g("all", [0, 65535], ["198.51.100.7"])).length, 5);
        assert.deepStrictEqual(publicDataPorts(g("tcp", [5432, 5432], ["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"])), []);
        assert.deepStrictEqual(publicDataPorts(g("udp", [5432, 5432], ["0.0.0.0/0"])), []);
        assert.deepStrictEqual(publicDataPorts(g("tcp", [6379, 6379], ["AzureCloud"])), ["6378-6380 (Redis)"], "a name that is no address counts as public");
    });

    it("coversInternet takes IPv6 unions over global unicast; admitsPublic finds any public address", () => {
        assert.ok(coversInternet(["2000::/4", "3000::/4"]) && coversInternet(["::/1", "8000::/1"]));
        assert.ok(!coversInternet(["2000::/4"]) && !coversInternet(["fc00::/7", "fe80::/10"]));
        assert.ok(admitsPublic(["203.0.113.5"]) && admitsPublic(["2001:db8::/32"]) && admitsPublic(["172.16.0.0/11"]) && admitsPublic(["not-an-address"]));
        assert.ok(!admitsPublic(["10.1.2.3", "192.168.0.0/16", "100.64.0.0/10", "fd12::/16"]) && !admitsPublic([]));
    });

    it("cluster-network-policy-enforced reports an EKS cluster without a vpc-cni add-on of its own", () => {
        const stack = goodStack().filter((r) => r.name !== "cni");
        assert.match(violations(stack, "cluster-network-policy-enforced")[0].message, /EKS does not enforce NetworkPolicy/);
        const elsewhere = { ...resource("aws:eks/addon:Addon#cni"), dependsOn: [urnOf("aws:eks/cluster:Cluster", "other")] };
        assert.strictEqual(violations([...stack, elsewhere], "cluster-network-policy-enforced").length, 1);
    });

    it("waf-blocks: Cloud Armor with no deny rule blocks nothing; a signature tuned to count inside an AWS managed group is allowed", () => {
        const armor = resource("gcp:compute/securityPolicy:SecurityPolicy");
        armor.inputs.rules = armor.inputs.rules.slice(1);
        assert.match(violations([armor], "waf-blocks")[0].message, /no rule denies anything/);
        const separateDeny = resource("gcp:compute/securityPolicyRule:SecurityPolicyRule", {
            securityPolicy: "zdp-armor",
            priority: 1000,
            action: "deny(403)",
        });
        assert.deepStrictEqual(violations([armor, withDeps(separateDeny, armor)], "waf-blocks"), [], "a SecurityPolicyRule of the policy denies for it");
        const acl = resource("aws:wafv2/webAcl:WebAcl");
        acl.inputs.rules[1].statement.managedRuleGroupStatement.ruleActionOverrides = [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }];
        assert.deepStrictEqual(violations([acl], "waf-blocks"), []);
    });

    it("iam-no-admin-grants: Owner on a resource group, and * on one named resource, are not administrator of the account", () => {
        const ra = resource("azure-native:authorization:RoleAssignment");
        ra.inputs.roleDefinitionId = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
        ra.inputs.scope = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/zdp";
        const bucketAdmin = resource("aws:iam/rolePolicy:RolePolicy", {
            role: "r",
            policy: JSON.stringify({
                Statement: [
                    { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::zdp-alb-logs" },
                    { Effect: "Deny", Action: "*", Resource: "*" },
                ],
            }),
        });
        assert.deepStrictEqual(violations([ra, bucketAdmin], "iam-no-admin-grants"), []);
        const unreadable = resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: "Statement: everything" });
        assert.match(violations([unreadable], "iam-no-admin-grants")[0].message, /not JSON/);
    });

    it("bucket-not-public: fixed VPC conditions narrow an Allow to everyone, the internet as a SourceIp does not; the account's block stands in for the bucket's", () => {
        const policy = (condition: object) => {
            const p = resource("aws:s3/bucketPolicy:BucketPolicy");
            p.inputs.policy = JSON.stringify({
                Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: condition }],
            });
            return violations([...goodStack().filter((r) => r.urn !== p.urn), p], "bucket-not-public");
        };
        assert.deepStrictEqual(policy({ StringEquals: { "aws:SourceVpc": "vpc-0a1b2c3d" } }), []);
        assert.strictEqual(policy({ StringLike: { "aws:SourceVpc": "vpc-*" } }).length, 1, "a wildcard is no fixed value");
        assert.strictEqual(policy({ IpAddress: { "aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"] } }).length, 1);
        const noBlock = goodStack().filter((r) => r.type !== "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.strictEqual(violations(noBlock, "bucket-not-public").length, 1);
        const account = resource("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", GOOD["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]);
        assert.deepStrictEqual(violations([...noBlock, account], "bucket-not-public"), []);
    });

    it("kms-key-rotation exempts keys that cannot rotate automatically and reads Key Vault's ISO durations", () => {
        const asymmetric = resource("aws:kms/key:Key", { customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY", enableKeyRotation: false });
        const signing = resource("gcp:kms/cryptoKey:CryptoKey", { purpose: "ASYMMETRIC_SIGN" });
        assert.deepStrictEqual(violations([asymmetric, signing], "kms-key-rotation"), []);
        assert.deepStrictEqual([isoDays("P90D"), isoDays("P1Y"), isoDays("P2M1W"), isoDays("P"), isoDays("90 days")], [90, 365, 67, undefined, undefined]);
    });

    it("config refuses a cloud stack waiving a data-protection or edge rule, naming the key and the rule; dev may", () => {
        const parse = (stack: string, exceptions: string) => parseConfig(stackConfigMap(stack, { policy: JSON.stringify({ exceptions }) }), stack);
        for (const [stack, rule] of [
            ["aws", "alb-waf"],
            ["azure", "redis-not-public"],
            ["gcp", "waf-blocks"],
            ["aws", "database-backups"],
        ]) {
            const err = (() => {
                try {
                    parse(stack, `k8s-pdb,${rule}`);
                } catch (e) {
                    return e;
                }
                return undefined;
            })();
            assert.ok(err instanceof ConfigError, `${stack} accepted waiving ${rule}`);
            assert.match(err.message, new RegExp(`policy\\.exceptions = "k8s-pdb,${rule}": waives ${rule}, but a stack on cloud ${stack} may not`));
        }
        assert.deepStrictEqual(parse("aws", "k8s-pdb").policyExceptions, ["k8s-pdb"]);
        assert.deepStrictEqual(parse("dev", "datastore-tls-verified,database-backups").policyExceptions, ["datastore-tls-verified", "database-backups"]);
        const dataRules = RULE_NAMES.filter((r) => r.startsWith("database-") || r.startsWith("redis-") || r.startsWith("alb-") || r.endsWith("-waf"));
        assert.deepStrictEqual(
            dataRules.filter((r) => !NOT_WAIVABLE_ON_CLOUD.includes(r)),
            [],
        );
    });
});

// ---- the stacks ------------------------------------------------------------------------------------

/** Rules that only concern some clouds; every other rule must find resources in every cloud stack. */
const ONLY_ON: Record<string, string[]> = {
    "database-encrypted-at-rest": ["aws"],
    "redis-encryption-at-rest": ["aws"],
    "redis-auth": ["aws", "gcp"],
    "cluster-secrets-encryption": ["aws", "gcp"],
    "eks-pod-identity": ["aws"],
    "eks-node-zones": ["aws"],
    "eks-node-credentials": ["aws"],
    "cluster-multi-zone-nodes": ["azure", "gcp"],
    "azure-role-principal-type": ["azure"],
    "cluster-workload-identity": ["azure", "gcp"],
    "aks-control-plane-logs": ["azure"],
    // Only rules that inspect what a stack declares; GKE and AKS may rely on the platform's own rules.
    "network-no-public-ingress": ["aws"],
    "gke-cloud-armor": ["gcp"],
    "gcp-log-routing": ["gcp"],
    "alb-access-logs": ["aws"],
    "alb-waf": ["aws"],
    "alb-waf-rate-limit-logging": ["aws"],
    "alb-hsts": ["aws"],
    "route-hsts": ["azure", "gcp"],
    "agc-waf": ["azure"],
    // Kubernetes workload classes (issue 26)
    // No cloud stack binds a role itself (the charts' bindings are read by k8s-helm-values); dev's Prometheus does.
    "k8s-no-cluster-admin": [],
    "k8s-helm-values": ["aws", "azure"],
    // Cloud classes (issue 26)
    "kms-key-rotation": ["aws", "gcp"],
    "bucket-not-public": ["aws"],
    "cluster-shielded-nodes": ["gcp"],
};

const STACKS: Record<string, string> = { dev: "local", aws: "aws", azure: "azure", gcp: "gcp" };

describe("policy: the pack over every built stack", () => {
    for (const [stack, target] of Object.entries(STACKS)) {
        describe(stack, function () {
            before(function () {
                const built = fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`)) && fs.existsSync(path.join(ROOT, "stacks", `${target}.ts`));
                if (!built) this.skip(); // stacks/<target>.ts not written yet
            });

            it("has zero mandatory violations, and the rules for its cloud all found resources", async function () {
                const run = await runStack(stack);
                const report = runPolicies(run.resources, run.config);
                const bad = report.violations.filter((v) => v.level === "mandatory");
                assert.deepStrictEqual(
                    bad.map((v) => `${v.rule} ${v.resource}: ${v.message}`),
                    [],
                );
                const expected = RULE_NAMES.filter((r) => (target === "local" ? r.startsWith("k8s-") : (ONLY_ON[r] ?? [target]).includes(target)));
                assert.deepStrictEqual(
                    expected.filter((r) => !report.rulesApplied.includes(r)),
                    [],
                    "rules that found nothing to check",
                );
            });
        });
    }
});

// ---- the pack as the Pulumi CLI runs it: a process serving the analyzer gRPC protocol -----------------

describe("policy: the pack served over the analyzer protocol, as `--policy-pack policy` runs it", function () {
    // The CLI's own wire types (transitive dependencies of @pulumi/pulumi), loaded untyped.
    const grpc = require("@grpc/grpc-js");
    const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
    const pb = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
    let pack: ChildProcess | undefined;
    let client: any;

    before(async () => {
        // The CLI starts the pack in its directory (PolicyPack reads ./package.json) and reads the port from stdout.
        const child = spawn(process.execPath, ["--require", "tsx/cjs", "index.ts"], { cwd: path.join(ROOT, "policy"), stdio: ["ignore", "pipe", "pipe"] });
        pack = child;
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        const port = await new Promise<string>((resolve, reject) => {
            child.stdout.once("data", (d) => resolve(String(d).trim()));
            child.once("exit", (code) => reject(new Error(`policy pack exited (${code}): ${stderr}`)));
        });
        client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        pack?.kill();
    });

    const unary = (method: string, req: unknown) =>
        new Promise<any>((resolve, reject) => client[method](req, (err: Error | null, res: any) => (err ? reject(err) : resolve(res))));

    function diagnostics(key: string, inputs: Record<string, any>): Promise<any[]> {
        const req = new pb.AnalyzeRequest();
        req.setType(key);
        req.setName("probe");
        req.setUrn(`urn:pulumi:aws::zdp::${key}::probe`);
        req.setProperties(Struct.fromJavaScript(inputs));
        req.setOptions(new pb.AnalyzerResourceOptions());
        return unary("analyze", req).then((res) => res.getDiagnosticsList());
    }
    const analyze = (key: string, inputs: Record<string, any>) =>
        diagnostics(key, inputs).then((ds) => ds.map((d: any) => ({ rule: d.getPolicyname(), level: d.getEnforcementlevel() })));

    it("announces every rule of the pack as mandatory, but k8s-image-digest as advisory", async () => {
        const info = await unary("getAnalyzerInfo", new Empty());
        assert.strictEqual(info.getName(), "zdp-guardrails");
        const rules = info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]);
        assert.deepStrictEqual(
            rules,
            RULE_NAMES.map((r) => [r, r === "k8s-image-digest" ? pb.EnforcementLevel.ADVISORY : pb.EnforcementLevel.MANDATORY]),
        );
    });

    it("passes a compliant RDS instance and reports a public one", async () => {
        const rds = "aws:rds/instance:Instance";
        assert.deepStrictEqual(await analyze(rds, GOOD[rds]), []);
        assert.deepStrictEqual(await analyze(rds, { ...GOOD[rds], publiclyAccessible: true }), [
            { rule: "database-not-public", level: pb.EnforcementLevel.MANDATORY },
        ]);
    });

    it("reports an unpinned image, and only as advisory once the stack's exception config is applied", async () => {
        const deploy = clone(GOOD["kubernetes:apps/v1:Deployment"]);
        deploy.spec.template.spec.containers[0].image = "ghcr.io/acme/app";
        const digest = { rule: "k8s-image-digest", level: pb.EnforcementLevel.ADVISORY };
        assert.deepStrictEqual(await analyze("kubernetes:apps/v1:Deployment", deploy), [
            { rule: "k8s-image-pinned", level: pb.EnforcementLevel.MANDATORY },
            digest,
        ]);

        const configure = new pb.ConfigureAnalyzerRequest();
        for (const [rule] of Object.entries(exceptionConfig(["k8s-image-pinned"]))) {
            const cfg = new pb.PolicyConfig();
            cfg.setEnforcementlevel(pb.EnforcementLevel.ADVISORY);
            cfg.setProperties(Struct.fromJavaScript({}));
            configure.getPolicyconfigMap().set(rule, cfg);
        }
        await unary("configure", configure);
        assert.deepStrictEqual(await analyze("kubernetes:apps/v1:Deployment", deploy), [
            { rule: "k8s-image-pinned", level: pb.EnforcementLevel.ADVISORY },
            digest,
        ]);
    });

    // Kubernetes workload classes (issue 26)
    it("skips a rule that reads a value unknown during preview with an advisory 'can't run', whatever its level", async () => {
        const rds = "aws:rds/instance:Instance";
        const ds = await diagnostics(rds, { ...GOOD[rds], publiclyAccessible: UNKNOWN });
        assert.deepStrictEqual(
            ds.map((d) => [d.getPolicyname(), d.getEnforcementlevel()]),
            [["database-not-public", pb.EnforcementLevel.ADVISORY]],
        );
        assert.match(ds[0].getMessage(), /can't run policy 'database-not-public' .* during preview: .*publiclyAccessible/);
    });
});

// ---- Kubernetes workload classes (issue 26) ----------------------------------------------------------

/** Per chart the stacks install, values that would render what the pack refuses (each chart's own keys). */
const CHART_MUTATIONS: Record<string, [what: string, values: Record<string, unknown>][]> = {
    // envoyproxy/gateway charts/gateway-helm (release/v1.9) values.tmpl.yaml.
    "gateway-helm": [
        ["a NodePort Service", { service: { type: "NodePort" } }],
        ["a hostPath volume", { deployment: { pod: { extraVolumes: [{ name: "etc", hostPath: { path: "/etc" } }] } } }],
        ["an added capability", { deployment: { envoyGateway: { securityContext: { capabilities: { add: ["NET_ADMIN"] } } } } }],
        ["Unconfined seccomp", { deployment: { pod: { securityContext: { seccompProfile: { type: "Unconfined" } } } } }],
    ],
    // kubernetes/autoscaler cluster-autoscaler-chart-9.54.0 values.yaml and templates/.
    "cluster-autoscaler": [
        ["the host network", { hostNetwork: true }],
        ["magnum's hostPath mounts", { cloudProvider: "magnum" }],
        ["a ClusterRole rule with * on *", { rbac: { additionalRules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] } }],
        [
            "a cluster-admin binding in extraObjects",
            {
                extraObjects: [
                    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", roleRef: { kind: "ClusterRole", name: "cluster-admin" } },
                ],
            },
        ],
        ["a LoadBalancer Service", { service: { type: "LoadBalancer" } }],
        ["a privileged container", { containerSecurityContext: { privileged: true } }],
    ],
    // aws/eks-charts stable/aws-load-balancer-controller 3.5.0 values.yaml and templates/.
    "aws-load-balancer-controller": [
        ["the host network", { hostNetwork: true }],
        ["read access to every Secret", { clusterSecretsPermissions: { allowAllSecrets: true } }],
        ["a hostPath volume", { extraVolumes: [{ name: "host", hostPath: { path: "/" } }] }],
        ["an added capability", { securityContext: { capabilities: { add: ["NET_ADMIN"] } } }],
    ],
    // Microsoft's values reference (learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-helm-chart)
    // lists no host, security-context, Service-type or RBAC key; the scan still reads every value it is given.
    "alb-controller": [],
};

describe("policy: Kubernetes workload classes (issue 26)", () => {
    it("k8s-service-account-token lets a pod mount the token of its own ServiceAccount only when the stack binds that account to a role", () => {
        const pod = (spec: Record<string, unknown>) => {
            const d = resource("kubernetes:apps/v1:Deployment");
            Object.assign(d.inputs.spec.template.spec, spec);
            return d;
        };
        const findings = (...rs: OfflineResource[]) => mandatoryOf("k8s-service-account-token", rs);
        const binding = (subjectNamespace?: string) =>
            resource("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding#discovery", {
                metadata: { name: "discovery", namespace: "zdp" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
                subjects: [{ kind: "ServiceAccount", name: "prometheus", ...(subjectNamespace ? { namespace: subjectNamespace } : {}) }],
            });
        const controller = pod({ serviceAccountName: "prometheus", automountServiceAccountToken: true });
        // The subject's namespace defaults to the RoleBinding's.
        assert.deepStrictEqual(findings(controller, binding()), []);
        assert.match(findings(controller)[0].message, /zdp\/prometheus, which no RoleBinding or ClusterRoleBinding of this stack grants anything/);
        assert.strictEqual(findings(controller, binding("monitoring")).length, 1, "a binding for another namespace's account grants this one nothing");
        // Set on the ServiceAccount, the pod inherits it; the pod's own setting wins.
        const sa = resource("kubernetes:core/v1:ServiceAccount", { metadata: { name: "app", namespace: "zdp" }, automountServiceAccountToken: false });
        assert.deepStrictEqual(findings(pod({ serviceAccountName: "app", automountServiceAccountToken: undefined }), sa), []);
        assert.strictEqual(findings(pod({ serviceAccountName: "app", automountServiceAccountToken: true }), sa).length, 1);
        assert.match(findings(pod({ automountServiceAccountToken: true }), binding())[0].message, /default ServiceAccount/);
    });

    it("k8s-no-cluster-admin reads the role a binding names, in the binding's namespace for a Role", () => {
        const wide = resource("kubernetes:rbac.authorization.k8s.io/v1:Role#wide", {
            metadata: { name: "pod-reader", namespace: "elsewhere" },
            rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
        });
        const rbacOf = (...rs: OfflineResource[]) => mandatoryOf("k8s-no-cluster-admin", [...goodStack(), ...rs]);
        assert.deepStrictEqual(rbacOf(wide), [], "the zdp RoleBinding names zdp's pod-reader, not elsewhere's");
        // One verb on every resource is not every verb (the ClusterRole the fixture's binding names).
        const stack = goodStack();
        stack.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")!.inputs.rules = [
            { apiGroups: [""], resources: ["*"], verbs: ["get"] },
        ];
        assert.deepStrictEqual(mandatoryOf("k8s-no-cluster-admin", stack), []);
    });

    it("k8s-helm-values reads the values of every chart the stacks install, and each chart's keys for what the pack refuses", async () => {
        const charts: string[] = [];
        for (const stack of ["dev", "aws", "azure", "gcp"]) {
            for (const r of all(await runStack(stack), "kubernetes:helm.sh/v3:Release")) {
                const chart = chartName(r.inputs.chart);
                charts.push(chart);
                assert.ok(chart in CHART_MUTATIONS, `${stack} installs chart ${chart}: add what its values can turn on to CHART_MUTATIONS`);
                assert.deepStrictEqual(helmValueFindings(r.inputs.chart, r.inputs.values), [], `${stack} ${chart} as shipped`);
                for (const [what, bad] of CHART_MUTATIONS[chart]) {
                    const mutated = { ...r, inputs: { ...r.inputs, values: { ...r.inputs.values, ...bad } } };
                    const found = mandatoryOf("k8s-helm-values", [mutated]);
                    assert.ok(found.length > 0, `${stack} ${chart}: ${what} passed`);
                    assert.ok(
                        found.every((v) => v.message.includes(`values.${Object.keys(bad)[0]}`)),
                        `${chart}: ${what} is named by its values key`,
                    );
                }
            }
        }
        assert.deepStrictEqual([...new Set(charts)].sort(), ["alb-controller", "aws-load-balancer-controller", "cluster-autoscaler", "gateway-helm"]);
    });

    it("k8s-helm-values skips a value unknown during preview unless that value decides a finding", () => {
        const release = (values: Record<string, unknown>) => {
            const r = resource("kubernetes:helm.sh/v3:Release");
            r.inputs.values = { ...r.inputs.values, ...values };
            return runPolicies([r], { policyExceptions: [] });
        };
        // An Output such as the cluster's name leaves the rest of the values judged.
        const withOutput = release({ autoDiscovery: { clusterName: UNKNOWN }, hostNetwork: true });
        assert.deepStrictEqual(
            withOutput.violations.map((v) => v.rule),
            ["k8s-helm-values"],
        );
        assert.deepStrictEqual(withOutput.notJudged, []);
        const undecided = release({ hostNetwork: UNKNOWN });
        assert.deepStrictEqual(undecided.violations, []);
        assert.deepStrictEqual(
            undecided.notJudged.map((n) => [n.rule, n.level]),
            [["k8s-helm-values", "mandatory"]],
        );
    });

    it("what the stacks apply as yaml/v2 ConfigFiles (not expanded offline) holds no kind any rule inspects", async () => {
        const kinds = new Set<string>();
        for (const stack of ["dev", "aws", "azure", "gcp"]) {
            for (const r of all(await runStack(stack), "kubernetes:yaml/v2:ConfigFile")) {
                for (const d of parseAllDocuments(fs.readFileSync(path.resolve(r.inputs.file), "utf8"))) {
                    const kind = d.toJS()?.kind;
                    if (kind) kinds.add(kind);
                }
            }
        }
        // The real analyzer sees each of these objects (the provider registers them); the offline runner sees
        // only the ConfigFile. That is the same verdict only while they are CRDs and admission policies, so
        // the list is exact: a pod, Service, binding or NetworkPolicy here would be checked by the CLI alone.
        assert.deepStrictEqual([...kinds].sort(), ["CustomResourceDefinition", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]);
    });

    it("docs/guardrails.md lists every rule of the pack in its rules table", () => {
        const doc = fs.readFileSync(path.join(ROOT, "docs", "guardrails.md"), "utf8");
        assert.deepStrictEqual(
            RULE_NAMES.filter((r) => !doc.includes(`| \`${r}\` |`)),
            [],
        );
    });

    it("the plan says which rules a preview could not judge, and at which level", async () => {
        const plan = await buildPlan("dev", {}, false);
        const rds = resource("aws:rds/instance:Instance");
        rds.inputs.publiclyAccessible = UNKNOWN;
        const text = renderPlan({ ...plan, policy: runPolicies([rds], { policyExceptions: [] }) });
        assert.match(
            text,
            /Policy \(policy\/, CrossGuard, run offline\): .*; not judged, a value is known only after apply: 1 mandatory \(database-not-public\)/,
        );
        assert.match(text, /\? \[database-not-public\] \(mandatory\) aws:rds\/instance:Instance::fixture: .*publiclyAccessible can't be known during preview/);
    });
});
