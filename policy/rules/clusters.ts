// Managed Kubernetes guardrails: EKS, AKS, GKE.
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as authorization from "@pulumi/azure-native/authorization";
import * as aks from "@pulumi/azure-native/containerservice";
import * as monitor from "@pulumi/azure-native/monitor";
import * as gke from "@pulumi/gcp/container";
import { Policies, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { coversInternet, widestPrefix } from "../cidr";
import { distinct, isGcpRegion } from "./util";

/** Control-plane log types EKS must ship to CloudWatch. */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator"];
/** GKE control-plane components whose logs must be collected (SYSTEM_COMPONENTS is the minimum GKE accepts). */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER"];
const MIN_ZONES = 2;
const IMDS_FIX = 'set metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } on a launch template every node group uses.';

export const clusterPolicies: Policies = [
    {
        name: "cluster-private-nodes",
        description: "Worker nodes have no public IP addresses and reach the control plane privately.",
        validateResource: [
            validateResourceOfType(eks.Cluster, (c, _args, report) => {
                if (c.vpcConfig.endpointPrivateAccess !== true) {
                    report("EKS nodes reach the API server over the internet: set vpcConfig.endpointPrivateAccess: true.");
                }
            }),
            validateResourceOfType(eks.NodeGroup, (ng, _args, report) => {
                if (ng.remoteAccess) report("EKS node group opens SSH (remoteAccess): remove it; use SSM Session Manager.");
            }),
            // Nodes launched into a subnet that auto-assigns public IPs are internet-addressable; load
            // balancers and NAT gateways in public subnets do not need it.
            validateResourceOfType(ec2.Subnet, (s, _args, report) => {
                if (s.mapPublicIpOnLaunch === true) {
                    report("Subnet gives every instance a public IP: set mapPublicIpOnLaunch: false (ALB and NAT gateways don't need it).");
                }
            }),
            validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
                for (const p of c.agentPoolProfiles ?? []) {
                    if (p.enableNodePublicIP === true) report(`AKS pool "${p.name}" gives nodes public IPs: set enableNodePublicIP: false.`);
                }
            }),
            validateResourceOfType(aks.AgentPool, (p, _args, report) => {
                if (p.enableNodePublicIP === true) report("AKS agent pool gives nodes public IPs: set enableNodePublicIP: false.");
            }),
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (c.privateClusterConfig?.enablePrivateNodes !== true) {
                    report("GKE nodes get public IPs: set privateClusterConfig.enablePrivateNodes: true (egress through Cloud NAT).");
                }
            }),
            validateResourceOfType(gke.NodePool, (p, _args, report) => {
                if (p.networkConfig?.enablePrivateNodes === false) {
                    report("GKE node pool overrides private nodes: remove networkConfig.enablePrivateNodes: false.");
                }
            }),
        ],
    },
    {
        name: "cluster-api-allow-list",
        description: "A public Kubernetes API endpoint admits only listed networks, which together are not the internet.",
        validateResource: [
            // EKS without publicAccessCidrs opens the public endpoint to 0.0.0.0/0.
            validateResourceOfType(eks.Cluster, (c, _args, report) => {
                if (c.vpcConfig.endpointPublicAccess === false) return;
                const problem = allowListProblem(c.vpcConfig.publicAccessCidrs);
                if (problem)
                    report(
                        `EKS public API endpoint ${problem}: set vpcConfig.publicAccessCidrs to your operators' and CI runners' CIDRs, or endpointPublicAccess: false.`,
                    );
            }),
            // AKS without authorizedIPRanges (and not private) serves its API to everyone.
            validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
                if (c.apiServerAccessProfile?.enablePrivateCluster === true) return;
                const problem = allowListProblem(c.apiServerAccessProfile?.authorizedIPRanges);
                if (problem) report(`AKS API server ${problem}: set apiServerAccessProfile.authorizedIPRanges, or enablePrivateCluster: true.`);
            }),
            // GKE without master authorized networks serves its public endpoint to everyone.
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (c.privateClusterConfig?.enablePrivateEndpoint === true) return;
                const problem = allowListProblem(c.masterAuthorizedNetworksConfig?.cidrBlocks?.map((b) => b.cidrBlock));
                if (problem)
                    report(`GKE control plane ${problem}: set masterAuthorizedNetworksConfig.cidrBlocks, or privateClusterConfig.enablePrivateEndpoint: true.`);
            }),
        ],
    },
    {
        name: "cluster-control-plane-logging",
        description: "Control-plane logs and cluster monitoring are collected.",
        validateResource: [
            validateResourceOfType(eks.Cluster, (c, _args, report) => {
                const missing = EKS_LOG_TYPES.filter((t) => !(c.enabledClusterLogTypes ?? []).includes(t));
                if (missing.length > 0) report(`EKS control-plane logs off for ${missing.join(", ")}: add them to enabledClusterLogTypes.`);
            }),
            validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
                const insights = c.addonProfiles?.["omsagent"]?.enabled === true;
                const prometheus = c.azureMonitorProfile?.metrics?.enabled === true;
                if (!insights && !prometheus) {
                    report("AKS is not monitored: enable azureMonitorProfile.metrics (managed Prometheus) or the omsagent add-on (Container insights).");
                }
            }),
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (c.loggingService === "none" || c.monitoringService === "none") {
                    report('GKE logging or monitoring is disabled: remove loggingService/monitoringService "none".');
                }
                const missing = GKE_LOG_COMPONENTS.filter((t) => !(c.loggingConfig?.enableComponents ?? []).includes(t));
                if (missing.length > 0) report(`GKE control-plane logs off for ${missing.join(", ")}: add them to loggingConfig.enableComponents.`);
            }),
        ],
    },
    {
        // A stack rule: AKS ships control-plane logs only through a diagnostic setting on the cluster.
        // https://learn.microsoft.com/azure/aks/monitor-aks-reference
        name: "aks-control-plane-logs",
        description: "Every AKS cluster sends its API server audit log (kube-audit or kube-audit-admin) to a workspace.",
        validateStack: (args, report) => {
            const clusters = args.resources.filter((r) => r.isType(aks.ManagedCluster));
            if (clusters.length === 0) args.notApplicable("no AKS cluster in this stack");
            const audits = args.resources.filter(
                (r) =>
                    r.isType(monitor.DiagnosticSetting) &&
                    (r.props.logs ?? []).some((l: any) => l.enabled === true && ["kube-audit", "kube-audit-admin"].includes(l.category)),
            );
            for (const c of clusters) {
                if (!audits.some((d) => d.dependencies.includes(c))) {
                    report(
                        'AKS control-plane audit logs are not collected: add a monitor.DiagnosticSetting on the cluster (resourceUri: cluster.id) with category "kube-audit-admin" enabled and a workspaceId.',
                        c.urn,
                    );
                }
            }
        },
    },
    {
        name: "cluster-secrets-encryption",
        description: "EKS and GKE encrypt Kubernetes Secrets with a customer-managed KMS key.",
        validateResource: [
            validateResourceOfType(eks.Cluster, (c, _args, report) => {
                const enc = c.encryptionConfig;
                if (!enc || !enc.resources.includes("secrets") || !enc.provider.keyArn) {
                    report('EKS Secrets are not envelope-encrypted with your KMS key: set encryptionConfig { resources: ["secrets"], provider: { keyArn } }.');
                }
            }),
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (c.databaseEncryption?.state !== "ENCRYPTED" || !c.databaseEncryption.keyName)
                    report('GKE Secrets are not encrypted with your Cloud KMS key: set databaseEncryption { state: "ENCRYPTED", keyName }.');
            }),
        ],
    },
    {
        name: "cluster-workload-identity",
        description: "Pods get cloud credentials through workload identity, never node credentials or static keys.",
        validateResource: [
            validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
                if (c.oidcIssuerProfile?.enabled !== true || c.securityProfile?.workloadIdentity?.enabled !== true) {
                    report("AKS workload identity is off: set oidcIssuerProfile.enabled and securityProfile.workloadIdentity.enabled to true.");
                }
            }),
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (!c.workloadIdentityConfig?.workloadPool) {
                    report('GKE Workload Identity is off: set workloadIdentityConfig.workloadPool to "<project>.svc.id.goog".');
                }
            }),
            validateResourceOfType(gke.NodePool, (p, _args, report) => {
                if (p.nodeConfig?.workloadMetadataConfig?.mode !== "GKE_METADATA") {
                    report('GKE node pool exposes the node\'s service account to pods: set nodeConfig.workloadMetadataConfig.mode: "GKE_METADATA".');
                }
            }),
        ],
    },
    {
        // A stack rule: on EKS the switch is a separate add-on (or an IAM OIDC provider for IRSA).
        name: "eks-pod-identity",
        description: "Every EKS cluster runs the Pod Identity agent (or has an IAM OIDC provider for IRSA).",
        validateStack: (args, report) => {
            const clusters = args.resources.filter((r) => r.isType(eks.Cluster));
            if (clusters.length === 0) args.notApplicable("no EKS cluster in this stack");
            const agent = args.resources.some((r) => r.isType(eks.Addon) && r.props.addonName === "eks-pod-identity-agent");
            const irsa = args.resources.some((r) => r.isType(iam.OpenIdConnectProvider));
            if (!agent && !irsa) {
                for (const c of clusters) {
                    report('EKS cluster has no workload identity: add the "eks-pod-identity-agent" add-on (aws.eks.Addon) and PodIdentityAssociations.', c.urn);
                }
            }
        },
    },
    {
        // A stack rule: what decides whether a pod can borrow the node role spans node groups, their
        // launch templates, the vpc-cni add-on and the node role's attachments.
        // https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html
        name: "eks-node-credentials",
        description:
            "EKS nodes serve instance metadata through IMDSv2 with hop limit 1 (pods outside the host network cannot reach the node role), and the VPC CNI gets its permissions through Pod Identity, not from the node role.",
        validateStack: (args, report) => {
            const groups = args.resources.filter((r) => r.isType(eks.NodeGroup));
            if (groups.length === 0) args.notApplicable("no EKS node group in this stack");
            for (const g of groups) {
                if (!g.props.launchTemplate) report(`EKS node group takes the default metadata options (IMDSv1 allowed, hop limit 2): ${IMDS_FIX}`, g.urn);
            }
            for (const lt of args.resources.filter((r) => r.isType(ec2.LaunchTemplate))) {
                const m = lt.props.metadataOptions;
                if (m?.httpEndpoint === "disabled") continue;
                if (m?.httpTokens !== "required" || m?.httpPutResponseHopLimit !== 1)
                    report(
                        `Launch template lets pods reach the node role through IMDS (httpTokens ${m?.httpTokens ?? "unset"}, hop limit ${m?.httpPutResponseHopLimit ?? "unset"}): ${IMDS_FIX}`,
                        lt.urn,
                    );
            }
            for (const cni of args.resources.filter((r) => r.isType(eks.Addon) && r.props.addonName === "vpc-cni")) {
                if (!(cni.props.podIdentityAssociations ?? []).some((a: { serviceAccount?: string }) => a.serviceAccount === "aws-node"))
                    report(
                        'The VPC CNI has no role of its own: add podIdentityAssociations [{ serviceAccount: "aws-node", roleArn }] (a role with AmazonEKS_CNI_Policy) to the vpc-cni add-on.',
                        cni.urn,
                    );
            }
            // The node role is whatever role a node group depends on (nodeRoleArn).
            const nodeRoles = new Set(groups.flatMap((g) => g.dependencies.filter((d) => d.isType(iam.Role))));
            for (const a of args.resources.filter((r) => r.isType(iam.RolePolicyAttachment))) {
                if (String(a.props.policyArn).endsWith("/AmazonEKS_CNI_Policy") && a.dependencies.some((d) => nodeRoles.has(d)))
                    report(
                        "AmazonEKS_CNI_Policy is attached to the node role, so any pod that reaches IMDS can manage the VPC's network interfaces: detach it and give the vpc-cni add-on a Pod Identity role instead.",
                        a.urn,
                    );
            }
        },
    },
    {
        // A stack rule: on EKS one managed node group per zone is the Cluster Autoscaler's layout for
        // zone-spread workloads (it scales a group whose zone it knows), so the zones add up per cluster.
        name: "eks-node-zones",
        description: `The node groups of each EKS cluster together span at least ${MIN_ZONES} availability zones.`,
        validateStack: (args, report) => {
            const groups = args.resources.filter((r) => r.isType(eks.NodeGroup));
            if (groups.length === 0) args.notApplicable("no EKS node group in this stack");
            const byCluster = new Map<string, typeof groups>();
            for (const g of groups) byCluster.set(g.props.clusterName, [...(byCluster.get(g.props.clusterName) ?? []), g]);
            for (const [cluster, list] of byCluster) {
                const subnets = distinct(list.flatMap((g) => g.props.subnetIds ?? []));
                if (subnets.length < MIN_ZONES) {
                    for (const g of list)
                        report(
                            `EKS cluster ${cluster} has nodes in ${subnets.length} subnet(s): give its node groups private subnets in at least ${MIN_ZONES} zones.`,
                            g.urn,
                        );
                }
            }
        },
    },
    {
        name: "cluster-multi-zone-nodes",
        description: `Every AKS and GKE node pool spans at least ${MIN_ZONES} availability zones.`,
        validateResource: [
            validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
                for (const p of c.agentPoolProfiles ?? []) {
                    if (distinct(p.availabilityZones).length < MIN_ZONES) {
                        report(`AKS pool "${p.name}" is not zone-redundant: set availabilityZones to at least ${MIN_ZONES} zones (e.g. ["1","2","3"]).`);
                    }
                }
            }),
            validateResourceOfType(aks.AgentPool, (p, _args, report) => {
                if (distinct(p.availabilityZones).length < MIN_ZONES) {
                    report(`AKS agent pool is not zone-redundant: set availabilityZones to at least ${MIN_ZONES} zones.`);
                }
            }),
            validateResourceOfType(gke.Cluster, (c, _args, report) => {
                if (!isGcpRegion(c.location) && distinct(c.nodeLocations).length < MIN_ZONES) {
                    report(
                        `GKE cluster is zonal (${c.location ?? "provider default"}): use a region as location, or list at least ${MIN_ZONES} nodeLocations.`,
                    );
                }
            }),
            validateResourceOfType(gke.NodePool, (p, _args, report) => {
                const zones = distinct(p.nodeLocations).length;
                if (p.nodeLocations ? zones < MIN_ZONES : !isGcpRegion(p.location)) {
                    report(`GKE node pool runs in a single zone: set location to the cluster's region or nodeLocations to at least ${MIN_ZONES} zones.`);
                }
            }),
        ],
    },
    {
        name: "azure-role-principal-type",
        description: "Every Azure role assignment says what kind of principal it grants (User, Group or ServicePrincipal).",
        // Unset, the SDK sends principalType User: a group, a service principal or a managed identity then
        // fails with UnmatchedPrincipalType, and a principal created in the same run can fail on replication
        // delay. https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#principaltype
        validateResource: validateResourceOfType(authorization.RoleAssignment, (r, _args, report) => {
            if (!r.principalType)
                report("Role assignment without principalType: set it to Group, ServicePrincipal (managed identities too) or User, as the principal is.");
        }),
    },
];

/** Issue 26: who can authenticate to the API server, and how. */
export const clusterAuthentication: ResourceValidationPolicy = {
    name: "cluster-authentication",
    description:
        "The API server trusts the cloud's identities only: EKS access entries alone (authenticationMode API), AKS with Entra ID, Azure RBAC and no local accounts, GKE without legacy ABAC or client certificates.",
    validateResource: [
        // The EKS API's default is CONFIG_MAP, and API_AND_CONFIG_MAP still honours aws-auth: whoever can edit that
        // ConfigMap in kube-system maps any IAM principal to any group, outside CloudTrail.
        // https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html
        validateResourceOfType(eks.Cluster, (c, _args, report) => {
            const mode = c.accessConfig?.authenticationMode;
            if (mode !== "API")
                report(
                    `EKS authenticationMode is ${mode ?? "unset (CONFIG_MAP)"}, so the aws-auth ConfigMap grants access too: set accessConfig.authenticationMode "API" and grant access with access entries.`,
                );
        }),
        // Local accounts hand out a static cluster-admin certificate (listClusterAdminCredentials) that no
        // Entra ID policy or audit covers. https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
        validateResourceOfType(aks.ManagedCluster, (c, _args, report) => {
            if (c.disableLocalAccounts !== true) report("AKS local accounts are enabled (a static admin credential): set disableLocalAccounts: true.");
            if (c.aadProfile?.managed !== true || c.aadProfile?.enableAzureRBAC !== true)
                report("AKS is not integrated with Entra ID and Azure RBAC: set aadProfile { managed: true, enableAzureRBAC: true, tenantID }.");
            if (c.enableRBAC === false) report("AKS Kubernetes RBAC is off, so every authenticated user is all-powerful: remove enableRBAC: false.");
        }),
        // https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster
        validateResourceOfType(gke.Cluster, (c, _args, report) => {
            if (c.enableLegacyAbac === true) report("GKE legacy ABAC grants static permissions beside RBAC: remove enableLegacyAbac: true.");
            if (c.masterAuth?.clientCertificateConfig?.issueClientCertificate === true)
                report(
                    "GKE issues a client certificate (a credential IAM cannot revoke): set masterAuth.clientCertificateConfig.issueClientCertificate: false.",
                );
        }),
    ],
};

/** Shielded GKE nodes: Secure Boot off unless asked for; integrity monitoring on unless turned off (provider defaults). */
function shieldingProblem(
    config: { shieldedInstanceConfig?: { enableSecureBoot?: boolean; enableIntegrityMonitoring?: boolean } } | undefined,
): string | undefined {
    const s = config?.shieldedInstanceConfig;
    const missing = [s?.enableSecureBoot !== true && "enableSecureBoot", s?.enableIntegrityMonitoring === false && "enableIntegrityMonitoring"].filter(Boolean);
    return missing.length > 0 ? `set nodeConfig.shieldedInstanceConfig ${missing.map((m) => `${m}: true`).join(", ")}` : undefined;
}

/** Issue 26: verified boot of the node VMs. */
export const clusterShieldedNodes: ResourceValidationPolicy = {
    // https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes. AKS Trusted Launch is opt-in
    // per pool on Gen2 VM sizes; the stacks don't run it yet (docs/guardrails.md), so only GKE is checked.
    name: "cluster-shielded-nodes",
    description: "GKE runs Shielded Nodes with Secure Boot and integrity monitoring on every node pool.",
    validateResource: [
        validateResourceOfType(gke.Cluster, (c, _args, report) => {
            if (c.enableAutopilot === true) return; // Autopilot nodes are always shielded
            if (c.enableShieldedNodes === false) report("GKE Shielded Nodes are off: remove enableShieldedNodes: false.");
            const pools = [
                ...(c.nodeConfig ? [{ name: "default-pool", config: c.nodeConfig }] : []),
                ...(c.nodePools ?? []).map((p) => ({ name: p.name, config: p.nodeConfig })),
            ];
            for (const p of pools) {
                const fix = shieldingProblem(p.config);
                if (fix) report(`GKE node pool ${p.name ?? ""} boots unverified: ${fix}.`);
            }
        }),
        validateResourceOfType(gke.NodePool, (p, _args, report) => {
            const fix = shieldingProblem(p.nodeConfig);
            if (fix) report(`GKE node pool boots unverified: ${fix}.`);
        }),
    ],
};

/** AKS network policy engines that enforce NetworkPolicy (Cilium needs networkDataplane cilium, which ARM checks). */
const AKS_POLICY_ENGINES = ["azure", "calico", "cilium"];

/** The vpc-cni add-on's configurationValues say enableNetworkPolicy "true" (JSON; the add-on's schema takes it as a string). */
function cniEnforces(configurationValues: string | undefined): boolean {
    try {
        const v = JSON.parse(configurationValues ?? "{}");
        return v?.enableNetworkPolicy === "true" || v?.enableNetworkPolicy === true;
    } catch {
        return false;
    }
}

/** Issue 26: NetworkPolicy objects mean something only where the dataplane enforces them. */
export const clusterNetworkPolicyEnforced: StackValidationPolicy = {
    // A stack rule: on EKS the switch is in the vpc-cni add-on, a resource of its own.
    name: "cluster-network-policy-enforced",
    description:
        "Every cluster enforces NetworkPolicy: the EKS vpc-cni add-on with enableNetworkPolicy, AKS networkPolicy azure, calico or cilium, GKE Dataplane V2 (or network policy enabled).",
    validateStack: (args, report) => {
        const clusters = args.resources.filter((r) => r.isType(eks.Cluster) || r.isType(aks.ManagedCluster) || r.isType(gke.Cluster));
        if (clusters.length === 0) args.notApplicable("no EKS, AKS or GKE cluster in this stack");
        const cnis = args.resources.filter((r) => r.isType(eks.Addon) && r.props.addonName === "vpc-cni");
        for (const c of clusters) {
            const p = c.props;
            if (c.isType(eks.Cluster)) {
                // https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
                const mine = cnis.filter((a) => a.dependencies.includes(c) || (p.name !== undefined && a.props.clusterName === p.name));
                if (!mine.some((a) => cniEnforces(a.props.configurationValues)))
                    report(
                        'EKS does not enforce NetworkPolicy: add the vpc-cni add-on with configurationValues JSON {"enableNetworkPolicy": "true"} (the default CNI ignores NetworkPolicy).',
                        c.urn,
                    );
            } else if (c.isType(aks.ManagedCluster)) {
                const engine = p.networkProfile?.networkPolicy;
                if (!AKS_POLICY_ENGINES.includes(engine))
                    report(
                        `AKS networkPolicy is ${engine ?? "unset (none)"}, so NetworkPolicy is not enforced: set networkProfile.networkPolicy "cilium" with networkDataplane "cilium" (or "azure"/"calico").`,
                        c.urn,
                    );
            } else {
                // Dataplane V2 always enforces NetworkPolicy; otherwise the Calico add-on must be on.
                // https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2
                const calico = p.networkPolicy?.enabled === true && p.addonsConfig?.networkPolicyConfig?.disabled === false;
                if (p.enableAutopilot !== true && p.datapathProvider !== "ADVANCED_DATAPATH" && !calico)
                    report(
                        'GKE does not enforce NetworkPolicy: set datapathProvider "ADVANCED_DATAPATH" (Dataplane V2), or networkPolicy.enabled with addonsConfig.networkPolicyConfig.disabled: false.',
                        c.urn,
                    );
            }
        }
    },
};

/** Why an API allow-list is open, or undefined: unset or empty, the internet as a union, or one range wider than a /8. */
function allowListProblem(cidrs: (string | undefined)[] | undefined): string | undefined {
    const list = (cidrs ?? []).filter((c): c is string => !!c);
    if (list.length === 0) return "admits everyone (no allow-list)";
    if (coversInternet(list)) return `admits the whole internet (${list.join(", ")} together)`;
    if (widestPrefix(list) < 8) return `admits a range wider than a /8 (${list.join(", ")})`;
    return undefined;
}
