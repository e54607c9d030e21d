// The config corpus (issue 26): stack configs a user may write, each with what must happen to it.
// `refuses`: the key the one clear config error names, because the cloud, Kubernetes or the Pulumi CLI
// would refuse (or silently misread) the value later; no `refuses`: the clouds accept it, so must we.
// Run by tests/configCorpus.spec.ts over the shipped stack files with each case applied.

export type Stack = "dev" | "aws" | "azure" | "gcp";

export interface ConfigCase {
    stack: Stack;
    /** `pulumi config set` (a dotted key without namespace sets by path, as --path does). */
    set?: Record<string, string>;
    /** An edit of the stack file's text (YAML the CLI reads its own way). */
    yaml?: (file: string) => string;
    refuses?: string;
    /** Why: the rule or document that makes the value fatal (or valid). */
    because: string;
}

const k8sName = "Kubernetes names are DNS labels (RFC 1123): lower-case alphanumerics and '-', at most 63";
const cases: ConfigCase[] = [];
const refuse = (stack: Stack, key: string, values: string[], because: string, setKey = key) =>
    values.forEach((v) => cases.push({ stack, set: { [setKey]: v }, refuses: key, because }));
const accept = (stack: Stack, key: string, values: string[], because: string) => values.forEach((v) => cases.push({ stack, set: { [key]: v }, because }));

// ---- project keys, on the dev stack ------------------------------------------------------------------
refuse("dev", "targetUsers", ["99", "1000001", "1e4", "10,000", "ten", "10000.0", "-10000", "0x2710"], "the capacity model sizes 100..1,000,000 whole users");
accept("dev", "targetUsers", ["100", "1000000", "25000"], "inside the model's range");
refuse(
    "dev",
    "appImage",
    [
        "App",
        "ghcr.io/org/app:latest",
        `ghcr.io/org/app@sha256:${"a".repeat(64)}`,
        "-app",
        "app/",
        "https://ghcr.io/org/app",
        "ghcr.io//app",
        "ghcr.io/org/app:6.9.2",
    ],
    "an image repository per the distribution reference grammar; the version keys carry tag and digest",
);
accept(
    "dev",
    "appImage",
    ["ghcr.io/org/app", "registry.example.com:5000/team/app", "nginx", "docker.io/library/nginx", "eu.gcr.io/p/a_b.c-d"],
    "valid repositories",
);
refuse("dev", "appPort", ["1023", "0", "65536", "8080.5", "http", "-8080"], "non-root pods cannot bind below 1024; ports end at 65535");
accept("dev", "appPort", ["1024", "65535", "9898"], "unprivileged ports");
refuse(
    "dev",
    "healthPath",
    ["health", "/health z", "/héalth", "/readyz?full=1", "//x y"],
    "an HTTP path the probes and the load balancers' health checks accept",
);
accept("dev", "healthPath", ["/", "/readyz", "/api/v1/health_check", "/~status"], "valid paths");
refuse(
    "dev",
    "namespace",
    [
        "default",
        "kube-public",
        "kube-node-lease",
        "aks-app",
        "azure-app",
        "amazon-app",
        "gmp-public",
        "gke-app",
        "a".repeat(64),
        "-ns",
        "ns-",
        "NS",
        "n_s",
        "n.s",
    ],
    `${k8sName}; system namespaces belong to Kubernetes and the clouds`,
);
accept("dev", "namespace", ["app", "team-a", "a".repeat(52)], "a DNS label; 52 leaves room for `-monitoring`");
refuse("dev", "releaseStrategy", ["blue-green", "Canary", "recreate", "bluegreen"], "the release component implements rolling, blueGreen and canary");
refuse("dev", "activeColor", ["Blue", "red", "both", "GREEN"], "the colours are blue and green");
refuse("dev", "canaryWeight", ["101", "-1", "10.5", "ten"], "a percentage 0..100; HTTPRoute weights are integers");
cases.push({ stack: "dev", set: { releaseStrategy: "canary", canaryWeight: "100" }, because: "a canary may finish at 100 %" });
refuse("dev", "inactiveScale", ["zero", "Full", "min"], "full or minimal");
refuse("dev", "nodeArch", ["x86_64", "arm", "ARM64", "aarch64"], "amd64 or arm64, as Kubernetes' kubernetes.io/arch label says");
refuse(
    "dev",
    "previewHost",
    ["localhost", "Preview.example.com", "preview.example.com.", "*.example.com", "preview_1.example.com"],
    "an HTTPRoute hostname: a lower-case DNS name (RFC 1123)",
);
refuse("dev", "previewHeader", ["X-Preview", "x preview", "x".repeat(65), "x_preview"], "a lower-case HTTP header name for an HTTPRoute header match");
refuse(
    "dev",
    "domain",
    ["example", "https://app.example.com", "app.example.com/", "APP.example.com", "app..example.com"],
    "a DNS hostname the certificate and listener take",
);
refuse("dev", "allowPlainHttp", ["true"], "the dev stack is served over plain HTTP anyway: the opt-out would say nothing");
refuse("dev", "protectStateful", ["yes", "1", "TRUE"], "a boolean as the Pulumi CLI writes it");
refuse("dev", "alertEmails", ["ops", "ops@", "ops@example", "a@b.c,,d@e.f"], "e-mail addresses the alert channels accept");
refuse("dev", "alertWebhook", ["http://hooks.example.com/x", "hooks.example.com/x", "ftp://hooks.example.com"], "alerts leave over HTTPS only");
refuse("dev", "alertP99LatencyMs", ["10", "70000", "fast"], "a p99 threshold in milliseconds, 50..60,000");
refuse("dev", "gatewayClass", ["Envoy", "my_class", "-x"], k8sName);
refuse("dev", "appVersion", ["1.0.0"], "rolling only: with blueGreen the colour versions carry the versions");
refuse(
    "dev",
    "greenVersion",
    ["latest", "v1 .0", "-1.0", `1.0@sha256:${"a".repeat(63)}`, "x".repeat(64)],
    "an image tag that is also a label value, or its digest",
);
accept("dev", "greenVersion", ["6.9.3", "v2_0.rc-1", `@sha256:${"b".repeat(64)}`, `6.9.3@sha256:${"c".repeat(64)}`], "tags, tag@digest and digests");
refuse("dev", "usage.averageConcurrency", ["0", "1.5", "-0.1", "half"], "a share of targetUsers", "usage.averageConcurrency");
refuse("dev", "usage.peakConcurrency", ["0.3"], "the busiest hour has no fewer users than the average (0.6 in Pulumi.yaml)", "usage.peakConcurrency");
refuse("dev", "usage.egressShare", ["1.1", "-1"], "a share of the response bytes", "usage.egressShare");
refuse("dev", "cost.failIncreaseUsd", ["10"], "a change that fails the check also warns (warnIncreaseUsd is higher)", "cost.failIncreaseUsd");
refuse("dev", "cost.maxPriceAgeDays", ["0", "5000"], "1..3650 days", "cost.maxPriceAgeDays");
refuse("dev", "policy.exceptions", ["k8s-pdb,no-such-rule", "K8S-PDB", "k8s-pdb k8s-probes"], "a typo would waive nothing", "policy.exceptions");
refuse("dev", "aws:region", ["us-east-1"], "another cloud's key on the dev stack is a mistake", "aws:region");

// ---- aws ------------------------------------------------------------------------------------------
const eks = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (standard support, 2026-12-07)";
refuse("aws", "aws.kubernetesVersion", ["1.34", "1.37", "1.99", "1.10", "v1.35", "1.35.1", "1"], eks);
accept("aws", "aws.kubernetesVersion", ["1.35", "1.36"], eks);
const rfc1918 = "a VPC needs a private range (RFC 1918 or 100.64/10): multicast, link-local, loopback and public ranges are refused or unroutable";
refuse(
    "aws",
    "aws.vpcCidr",
    ["224.0.0.0/16", "169.254.0.0/16", "127.0.0.0/16", "8.8.0.0/16", "0.0.0.0/16", "10.0.0.0/8", "10.0.0.0/24", "10.0.0.1/16", "10.0.0.0", "192.168.0.0/15"],
    rfc1918,
);
accept("aws", "aws.vpcCidr", ["10.1.0.0/16", "172.16.0.0/16", "192.168.0.0/16", "100.64.0.0/16", "10.0.0.0/20"], "private ranges /16../20");
refuse(
    "aws",
    "aws.apiPublicAccessCidrs",
    ["", "10.0.0.0/33", "1.2.3.4/24", "not-a-cidr", Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`).join(",")],
    "EKS takes at most 40 public access CIDRs, each a network address",
);
refuse(
    "aws",
    "aws.adminPrincipalArns",
    ["arn:aws:iam::12345678901:role/x", "arn:aws:sts::123456789012:assumed-role/x/y", "admin"],
    "EKS access entries take IAM role or user ARNs of a 12-digit account",
);
refuse(
    "aws",
    "aws.postgresVersion",
    ["13", "19", "99", "18.1.2", "17.x", "9.6"],
    "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
);
accept("aws", "aws.postgresVersion", ["14", "16", "18", "17.6"], "majors in standard support, or major.minor");
refuse("aws", "aws.valkeyVersion", ["7.1", "99.9", "8", "8.3", "valkey8"], "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html");
refuse("aws", "aws.cacheNodes", ["1", "7", "2.5"], "2 (Multi-AZ failover) to 6 nodes");
refuse("aws", "aws.backupRetentionDays", ["6", "36", "0"], "RDS keeps 1..35 days; fewer than 7 is not a backup policy");
refuse(
    "aws",
    "aws.logRetentionDays",
    ["2", "0", "366", "forever", "-1"],
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
);
accept("aws", "aws.logRetentionDays", ["1", "400", "3653"], "values CloudWatch Logs accepts");
refuse("aws", "aws.hostedZoneId", ["z123", "/hostedzone/Z123", "Z 123"], "a Route 53 hosted zone id");
refuse(
    "aws",
    "aws.certificateArn",
    ["arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"],
    "an ALB takes a certificate of its own region only (Pulumi.aws.yaml is in another)",
);
refuse("aws", "aws.waf", ["on", "1"], "a boolean");
refuse("aws", "aws.singleNatGateway", ["maybe"], "a boolean");
refuse("aws", "aws.instanceType", ["m7i.xlarge"], "no such aws setting: the capacity model chooses the class");
refuse(
    "aws",
    "aws:region",
    ["eu-west", "westeurope", "us-east-1a", "EU-WEST-1", "us-east-9", "eu-north-7"],
    "AWS region names; a region RDS does not serve has no vendored root CAs",
    "aws:region",
);
accept("aws", "aws:region", ["us-east-1", "eu-central-1", "ap-southeast-2"], "regions with RDS (model/certs/rds-global-bundle.pem)");
refuse("aws", "nodeArch", ["x86"], "amd64 or arm64");
refuse("aws", "gatewayClass", ["istio"], "the cloud provides its own Gateway API controller");
refuse("aws", "azure-native:location", ["westeurope"], "another cloud's key", "azure-native:location");

// ---- azure ----------------------------------------------------------------------------------------
const aks = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (2026-11)";
refuse("azure", "azure.kubernetesVersion", ["1.34", "1.38", "1.99", "1.10", "v1.36", "1.36.x"], aks);
accept("azure", "azure.kubernetesVersion", ["1.35", "1.37"], aks);
refuse("azure", "azure.kubernetesVersion", ["1.36.3"], "with upgradeChannel patch AKS picks the patch: a pinned one would be upgraded away");
refuse(
    "azure",
    "azure.vnetCidr",
    ["224.0.0.0/16", "169.254.0.0/16", "8.8.0.0/16", "10.40.0.0/17", "10.40.0.0/15", "192.168.0.0/16", "172.16.0.0/16"],
    "a private /16 clear of the AKS overlay pod (192.168.0.0/16) and service (172.16.0.0/16) ranges",
);
refuse("azure", "azure.upgradeChannel", ["none", "Stable", "latest"], "AKS auto-upgrade channels (none is refused: patches must flow)");
refuse("azure", "azure.nodeOsUpgradeChannel", ["None", "Unmanaged", "nodeimage"], "node OS upgrade channels that patch");
refuse("azure", "azure.maintenanceDay", ["monday", "Mon", "Everyday"], "AKS maintenance configuration weekdays");
refuse("azure", "azure.maintenanceStartHourUtc", ["24", "-1", "9.5"], "an hour 0..23");
refuse("azure", "azure.apiAccess", ["public", "Private"], "allowList or private");
refuse("azure", "azure.adminGroupObjectIds", ["admins", "00000000-0000-0000-0000-00000000000G", "A1B2C3D4-0000-0000-0000-000000000000"], "Entra object IDs");
refuse("azure", "azure.kubeloginMode", ["devicecode", "interactive", "AzureCLI"], "kubelogin --login modes usable without a browser");
refuse(
    "azure",
    "azure.albControllerVersion",
    ["1.12.3", "9.9.9", "1.0.0", "v1.12.4", "latest"],
    "https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes (2026-12-07)",
);
accept("azure", "azure.albControllerVersion", ["1.12.4", "1.13.0", "1.11.3"], "chart versions in the release notes");
refuse("azure", "azure.logRetentionDays", ["29", "731", "90.5"], "Log Analytics retention 30..730 days");
refuse("azure", "azure.postgresVersion", ["15", "19", "99", "17.2"], "https://learn.microsoft.com/azure/postgresql/configure-maintain/concepts-version-policy");
refuse("azure", "azure.postgresHaMode", ["zoneredundant", "Enabled"], "ZoneRedundant, SameZone or Disabled");
refuse("azure", "azure.postgresBackupRetentionDays", ["6", "36"], "Flexible Server keeps 7..35 days");
refuse("azure", "azure.tlsSecretName", ["App_TLS", "-tls"], "a Kubernetes Secret name");
refuse("azure", "azure-native:location", ["eu-west-1", "West Europe"], "Azure location names look like westeurope", "azure-native:location");
refuse(
    "azure",
    "azure-native:location",
    ["westeurope2", "eastus3", "europe", "denmarkeast"],
    "not in Microsoft's regions list (https://learn.microsoft.com/azure/reliability/regions-list, 2025-09-23; Denmark East is 'coming soon' there)",
    "azure-native:location",
);
refuse(
    "azure",
    "azure-native:location",
    ["westus", "northcentralus", "ukwest", "canadaeast", "germanynorth", "australiasoutheast"],
    "regions without availability zones (same list): AKS pools, zone-redundant PostgreSQL and the NAT need zones 1-3",
    "azure-native:location",
);
accept(
    "azure",
    "azure-native:location",
    ["westeurope", "swedencentral", "belgiumcentral", "malaysiawest", "westus3", "japanwest", "southafricanorth"],
    "regions with availability zones in the regions list, the newest (Belgium Central, Malaysia West) among them",
);

// ---- gcp ------------------------------------------------------------------------------------------
refuse("gcp", "gcp.releaseChannel", ["rapid", "none", "UNSPECIFIED"], "GKE release channels as the stack sets them");
refuse("gcp", "gcp.controlPlaneAccess", ["public", "private"], "authorizedNetworks or dns");
refuse("gcp", "gcp.nodesCidr", ["224.0.0.0/20", "169.254.0.0/20", "8.8.0.0/20", "10.10.0.0/25", "10.10.0.0/7"], "a private primary range /8../24");
refuse("gcp", "gcp.podsCidr", ["10.16.0.0/22", "169.254.0.0/14"], "a private pod range, large enough for a /24 per node");
refuse("gcp", "gcp.servicesCidr", ["10.20.0.0/28", "224.0.0.0/20"], "a private services range /8../27");
refuse("gcp", "gcp.postgresVersion", ["POSTGRES_12", "POSTGRES_99", "17", "postgres_17"], "Cloud SQL database versions");
refuse("gcp", "gcp.redisVersion", ["REDIS_5_0", "REDIS_9_9", "7.2"], "Memorystore for Redis versions");
refuse(
    "gcp",
    "gcp.zones",
    [
        "europe-west1-b",
        "europe-west1-b,europe-west1-b,europe-west1-c",
        "europe-west1-b,europe-west1-c,europe-west1",
        "europe-west1-b,europe-west1-c,europe-west1-d,europe-west1-e",
    ],
    "three different zones",
);
refuse("gcp", "gcp.redisReadReplicas", ["0", "6", "two"], "Memorystore read replicas 1..5, always on once created");
refuse("gcp", "gcp.cloudArmor", ["enabled"], "a boolean");
refuse(
    "gcp",
    "gcp:project",
    ["My-Project", "p", "project_1", "a".repeat(31), "1project"],
    "https://cloud.google.com/resource-manager/docs/creating-managing-projects (6-30 characters, lower case, a letter first)",
    "gcp:project",
);
refuse("gcp", "gcp:region", ["eu-west-1", "europe-west1-b", "EUROPE-WEST1"], "GCP region names look like europe-west1", "gcp:region");
refuse(
    "gcp",
    "gcp:region",
    ["europe-west5", "europe-west7", "us-central2", "asia-northeast4", "us-west9"],
    "not in Compute Engine's regions and zones (https://cloud.google.com/compute/docs/regions-zones, read 2026-12-07)",
    "gcp:region",
);
accept(
    "gcp",
    "gcp:region",
    ["us-central1", "northamerica-south1", "europe-north2", "me-central2", "africa-south1", "asia-southeast3"],
    "regions in Compute Engine's list, the newest (Querétaro, Stockholm, Bangkok) among them",
);
refuse(
    "gcp",
    "gcp.zones",
    ["europe-west1-a,europe-west1-b,europe-west1-c", "europe-west1-b,europe-west1-c,europe-west1-e"],
    "europe-west1 has zones b, c and d only (same list)",
);
const zonesIn = (region: string, zones: string, refuses?: string) =>
    cases.push({
        stack: "gcp",
        set: { "gcp:region": region, "gcp.zones": zones },
        ...(refuses ? { refuses } : {}),
        because: `the zones of ${region} (same list)`,
    });
zonesIn("us-east1", "us-east1-a,us-east1-b,us-east1-c", "gcp.zones");
zonesIn("us-central1", "us-central1-a,us-central1-b,us-central1-d", "gcp.zones");
zonesIn("us-central1", "us-central1-a,us-central1-c,us-central1-f");
zonesIn("us-east1", "us-east1-b,us-east1-c,us-east1-d");
zonesIn("asia-south2", "asia-south2-a,asia-south2-b,asia-south2-c");

// ---- the stack file as the Pulumi CLI reads it ------------------------------------------------------
const yamlCase = (stack: Stack, refuses: string, because: string, yaml: (file: string) => string) => cases.push({ stack, refuses, because, yaml });
yamlCase("dev", "zdp:greenVersion", "yaml.v3 reads an unquoted 6.10 as 6.1: a different release", (f) =>
    f.replace(/zdp:greenVersion: .*/, "zdp:greenVersion: 6.10"),
);
yamlCase("dev", "zdp:targetUsers", "1e4 is a float to YAML: the CLI's text is not the file's", (f) => f.replace(/zdp:targetUsers: .*/, "zdp:targetUsers: 1e4"));
yamlCase("dev", "zdp:protectStateful", "True is read as true: the CLI's text is not the file's", (f) => `${f}  zdp:protectStateful: True\n`);
yamlCase("dev", "zdp:activeColor", "yaml.v3: mapping key already defined", (f) => `${f}  zdp:activeColor: green\n`);
yamlCase("dev", "zdp:cloud", "yaml.v3 refuses tabs in indentation", (f) => f.replace("\n  zdp:cloud", "\n\tzdp:cloud"));
yamlCase("dev", "activeColor", "the CLI refuses a key without a namespace", (f) => `${f}  activeColor: green\n`);
yamlCase("dev", "environment", "ESC environments are a list of names", (f) => `environment: acme/dev\n${f}`);
cases.push({
    stack: "dev",
    because: "a merge key the CLI resolves: the file's own key wins over the merged one",
    yaml: (f) => f.replace("config:\n", "base: &base\n  zdp:canaryWeight: '0'\nconfig:\n  <<: *base\n"),
});

export const CONFIG_CASES: readonly ConfigCase[] = cases;
