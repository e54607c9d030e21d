// Prometheus and Grafana for the dev stack, as plain Kubernetes objects in their own namespace:
// Prometheus discovers and scrapes the app pods (per colour) and the Gateway's Envoy proxies with a
// namespaced Role in each; Grafana shows components/monitoring/devPrometheus.ts's dashboard. Reached
// with `kubectl port-forward` (docs/observability.md); neither has a Service outside the cluster.
import * as crypto from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { generatedSecret } from "../generatedSecret";
import { grafanaDashboard, grafanaProvisioning, prometheusConfig, type ScrapeTargets } from "../monitoring/devPrometheus";
import { DENY_ALL_BUT_DNS } from "./networkPolicy";
import { RESTRICTED_NAMESPACE_LABELS, restrictedContainer, restrictedPod } from "./podSecurity";
import { selectorFor } from "./release";

/** Tags in use upstream (https://hub.docker.com/r/prom/prometheus, https://hub.docker.com/r/grafana/grafana); pin a digest for production. */
export const PROMETHEUS_IMAGE = "prom/prometheus:v3.10.0";
export const GRAFANA_IMAGE = "grafana/grafana:12.4.0";
export const PROMETHEUS_PORT = 9090;
export const GRAFANA_PORT = 3000;
// The images' own users: nobody (65534) in prom/prometheus, grafana (472) in grafana/grafana.
const PROMETHEUS_UID = 65534;
const GRAFANA_UID = 472;
const DASHBOARD_DIR = "/etc/grafana/dashboards";

export interface DevMonitoringArgs extends ScrapeTargets {
    /** The monitoring namespace to create. */
    namespace: string;
    stackName: string;
    /** What must exist before objects go into Envoy Gateway's namespace (its chart). */
    envoyReady?: pulumi.Resource[];
}

/** An app Prometheus scrapes: its namespace (and what must exist before objects go into it) and port. */
export interface WatchedApp {
    name: string;
    namespace: string;
    port: number;
    ready: pulumi.Resource[];
}

const labelsFor = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" });
const selector = (name: string) => ({ "app.kubernetes.io/name": name });
export const PROMETHEUS_PODS = selector("prometheus");

/**
 * One Prometheus and one Grafana for every app of the stack: made once, then `watchApp` lets them into
 * each app's namespace. Each app has scrape jobs and a dashboard of its own (devPrometheus.ts).
 */
export class DevMonitoring extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    private readonly name: string;
    private readonly args: DevMonitoringArgs;
    private readonly serviceAccount: k8s.core.v1.ServiceAccount;
    private readonly watching = new Set<string>();

    constructor(name: string, args: DevMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:DevMonitoring", name, {}, opts);
        this.name = name;
        this.args = args;
        const parent = { parent: this };
        const nsObj = new k8s.core.v1.Namespace(
            `${name}-ns`,
            { metadata: { name: args.namespace, labels: { ...RESTRICTED_NAMESPACE_LABELS, "app.kubernetes.io/part-of": "zdp" } } },
            parent,
        );
        const ns = nsObj.metadata.name;
        const meta = (n: string, app = n) => ({ name: n, namespace: ns, labels: labelsFor(app) });

        // Discovery reads pods in the apps' namespaces (watchApp) and (with Envoy Gateway) the proxies' namespace only.
        const sa = new k8s.core.v1.ServiceAccount(`${name}-prometheus`, { metadata: meta("prometheus") }, parent);
        this.serviceAccount = sa;
        if (args.envoy) this.discovery(args.envoy.namespace, [nsObj, ...(args.envoyReady ?? [])]);

        const promConfig = new k8s.core.v1.ConfigMap(
            `${name}-prometheus`,
            { metadata: meta("prometheus"), data: { "prometheus.yml": stringify(prometheusConfig(args)) } },
            parent,
        );
        const prometheus = this.deployment(name, "prometheus", ns, {
            image: PROMETHEUS_IMAGE,
            uid: PROMETHEUS_UID,
            port: PROMETHEUS_PORT,
            serviceAccountName: sa.metadata.name,
            args: [
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                // A laptop's release history: two days is plenty and bounds the emptyDir.
                "--storage.tsdb.retention.time=2d",
            ],
            // https://prometheus.io/docs/prometheus/latest/management_api/
            readiness: "/-/ready",
            liveness: "/-/healthy",
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            mounts: [
                { name: "config", mountPath: "/etc/prometheus", readOnly: true },
                { name: "data", mountPath: "/prometheus" },
            ],
            volumes: [
                { name: "config", configMap: { name: promConfig.metadata.name } },
                { name: "data", emptyDir: { sizeLimit: "2Gi" } },
            ],
            configHash: promConfig.data,
        });

        const grafana = this.grafana(name, args, ns);
        this.networkPolicies(name, ns);

        this.namespace = ns;
        this.registerOutputs({ namespace: ns, prometheus: prometheus.metadata.name, grafana: grafana.metadata.name });
    }

    /**
     * Let Prometheus discover and scrape one app: it must be the default app (args.appNamespace) or one
     * of args.others, whose scrape jobs and dashboard the configuration already holds.
     */
    watchApp(app: WatchedApp): void {
        const { name, args } = this;
        const known = app.namespace === args.appNamespace || (args.others ?? []).some((o) => o.name === app.name && o.namespace === app.namespace);
        if (!known) throw new Error(`DevMonitoring ${name}: app ${app.name} (namespace ${app.namespace}) is not among the apps it scrapes`);
        if (this.watching.has(app.namespace)) throw new Error(`DevMonitoring ${name}: app namespace ${app.namespace} is watched twice`);
        this.watching.add(app.namespace);
        this.discovery(app.namespace, app.ready);
        // The app namespace is default-deny (components/k8s/networkPolicy.ts): let Prometheus scrape the app port.
        // The default app's policy keeps the name it always had.
        const policy = app.namespace === args.appNamespace ? `${name}-app-from-prometheus` : `${name}-${app.namespace}-app-from-prometheus`;
        new k8s.networking.v1.NetworkPolicy(
            policy,
            {
                metadata: { name: "app-from-prometheus", namespace: app.namespace, labels: labelsFor("zdp-monitoring") },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": selectorFor("app")["app.kubernetes.io/name"] } },
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            from: [
                                {
                                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.namespace } },
                                    podSelector: { matchLabels: PROMETHEUS_PODS },
                                },
                            ],
                            ports: [{ protocol: "TCP", port: app.port }],
                        },
                    ],
                },
            },
            { parent: this, dependsOn: app.ready },
        );
    }

    /** Prometheus may list and watch pods in `target`, and nothing else there. */
    private discovery(target: string, ready: pulumi.Input<pulumi.Resource>[]): void {
        const { name, args } = this;
        const opts = { parent: this, dependsOn: ready };
        const metadata = { name: `${args.namespace}-prometheus`, namespace: target, labels: labelsFor("prometheus") };
        const role = new k8s.rbac.v1.Role(
            `${name}-discovery-${target}`,
            { metadata, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] },
            opts,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-discovery-${target}`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: this.serviceAccount.metadata.namespace }],
            },
            opts,
        );
    }

    /** Grafana with Prometheus as its data source and the stack's dashboard provisioned. */
    private grafana(name: string, args: DevMonitoringArgs, ns: pulumi.Output<string>): k8s.core.v1.Service {
        const parent = { parent: this };
        const meta = (n: string, app = n) => ({ name: n, namespace: ns, labels: labelsFor(app) });
        const provisioning = grafanaProvisioning(`http://prometheus.${args.namespace}.svc:${PROMETHEUS_PORT}`, DASHBOARD_DIR);
        const others = args.others ?? [];
        const grafanaConfig = new k8s.core.v1.ConfigMap(
            `${name}-grafana`,
            {
                metadata: meta("grafana"),
                data: {
                    "datasources.yaml": stringify(provisioning.datasources),
                    "dashboards.yaml": stringify(provisioning.dashboards),
                    "zdp.json": JSON.stringify(grafanaDashboard(args.stackName), null, 2),
                    ...Object.fromEntries(others.map((o) => [dashboardFile(o.name), JSON.stringify(grafanaDashboard(args.stackName, o.name), null, 2)])),
                },
            },
            parent,
        );
        const adminPassword = generatedSecret(`${name}-grafana-admin`, 24, parent);
        const grafanaAdmin = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            { metadata: meta("grafana-admin", "grafana"), type: "Opaque", stringData: { GF_SECURITY_ADMIN_PASSWORD: adminPassword } },
            parent,
        );
        return this.deployment(name, "grafana", ns, {
            image: GRAFANA_IMAGE,
            uid: GRAFANA_UID,
            port: GRAFANA_PORT,
            // Configuration by environment: https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#override-configuration-with-environment-variables
            env: [
                { name: "GF_PATHS_PROVISIONING", value: "/etc/grafana/provisioning" },
                { name: "GF_LOG_MODE", value: "console" },
                { name: "GF_ANALYTICS_REPORTING_ENABLED", value: "false" },
                { name: "GF_ANALYTICS_CHECK_FOR_UPDATES", value: "false" },
                { name: "GF_SECURITY_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: grafanaAdmin.metadata.name, key: "GF_SECURITY_ADMIN_PASSWORD" } } },
            ],
            readiness: "/api/health",
            liveness: "/api/health",
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            mounts: [
                { name: "config", mountPath: "/etc/grafana/provisioning/datasources/zdp.yaml", subPath: "datasources.yaml", readOnly: true },
                { name: "config", mountPath: "/etc/grafana/provisioning/dashboards/zdp.yaml", subPath: "dashboards.yaml", readOnly: true },
                ...["zdp.json", ...others.map((o) => dashboardFile(o.name))].map((f) => ({
                    name: "config",
                    mountPath: `${DASHBOARD_DIR}/${f}`,
                    subPath: f,
                    readOnly: true,
                })),
                // Grafana's database, plugins and temporary files; the root filesystem is read-only.
                { name: "data", mountPath: "/var/lib/grafana" },
                { name: "tmp", mountPath: "/tmp" },
            ],
            volumes: [
                { name: "config", configMap: { name: grafanaConfig.metadata.name } },
                { name: "data", emptyDir: { sizeLimit: "256Mi" } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
            ],
            configHash: grafanaConfig.data,
        });
    }

    private networkPolicies(name: string, ns: pulumi.Output<string>): void {
        const parent = { parent: this };
        // Default-deny in the monitoring namespace, then: DNS for both; Grafana -> Prometheus; Prometheus
        // out to the API server (for discovery) and its targets. The API server's address differs per
        // cluster, so Prometheus's egress is not narrowed to addresses.
        const policy = (n: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(`${name}-${n}`, { metadata: { name: n, namespace: ns, labels: labelsFor("zdp-monitoring") }, spec }, parent);
        for (const [n, spec] of Object.entries(DENY_ALL_BUT_DNS)) policy(n, spec);
        policy("prometheus-from-grafana", {
            podSelector: { matchLabels: PROMETHEUS_PODS },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: selector("grafana") } }], ports: [{ protocol: "TCP", port: PROMETHEUS_PORT }] }],
        });
        policy("grafana-to-prometheus", {
            podSelector: { matchLabels: selector("grafana") },
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: PROMETHEUS_PODS } }], ports: [{ protocol: "TCP", port: PROMETHEUS_PORT }] }],
        });
        policy("prometheus-egress", { podSelector: { matchLabels: PROMETHEUS_PODS }, policyTypes: ["Egress"], egress: [{}] });
    }

    /** A one-replica Deployment with its ClusterIP Service, restricted like the app's pods. */
    private deployment(
        name: string,
        app: string,
        namespace: pulumi.Output<string>,
        c: {
            image: string;
            uid: number;
            port: number;
            serviceAccountName?: pulumi.Input<string>;
            args?: string[];
            env?: k8s.types.input.core.v1.EnvVar[];
            readiness: string;
            liveness: string;
            resources: k8s.types.input.core.v1.ResourceRequirements;
            mounts: k8s.types.input.core.v1.VolumeMount[];
            volumes: k8s.types.input.core.v1.Volume[];
            /** The configuration's content: a change rolls the pod, which reads it only at start. */
            configHash: pulumi.Input<Record<string, string>>;
        },
    ): k8s.core.v1.Service {
        const labels = labelsFor(app);
        const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
        new k8s.apps.v1.Deployment(
            `${name}-${app}`,
            {
                metadata: { name: app, namespace, labels },
                spec: {
                    // A laptop's observer: one replica, nothing depends on it being up.
                    replicas: 1,
                    selector: { matchLabels: selector(app) },
                    strategy: { type: "Recreate" },
                    // A pod that cannot start fails pulumi up with its reason in 5 minutes, inside Pulumi's 10-minute wait.
                    progressDeadlineSeconds: 300,
                    template: {
                        metadata: {
                            labels,
                            annotations: { "zdp.io/config": pulumi.output(c.configHash).apply((d) => hash(JSON.stringify(d))) },
                        },
                        spec: {
                            serviceAccountName: c.serviceAccountName,
                            // Only Prometheus talks to the API server (pod discovery).
                            automountServiceAccountToken: c.serviceAccountName !== undefined,
                            securityContext: restrictedPod(c.uid),
                            containers: [
                                {
                                    name: app,
                                    image: c.image,
                                    imagePullPolicy: "IfNotPresent",
                                    args: c.args,
                                    env: c.env,
                                    ports: [{ name: "http", containerPort: c.port, protocol: "TCP" }],
                                    readinessProbe: probe(c.readiness),
                                    livenessProbe: probe(c.liveness),
                                    startupProbe: { ...probe(c.readiness), periodSeconds: 2, failureThreshold: 60 },
                                    resources: c.resources,
                                    securityContext: restrictedContainer,
                                    volumeMounts: c.mounts,
                                },
                            ],
                            volumes: c.volumes,
                        },
                    },
                },
            },
            { parent: this },
        );
        return new k8s.core.v1.Service(
            `${name}-${app}`,
            {
                metadata: { name: app, namespace, labels },
                spec: { type: "ClusterIP", selector: selector(app), ports: [{ name: "http", port: c.port, targetPort: "http", protocol: "TCP" }] },
            },
            { parent: this },
        );
    }
}

/** Another app's dashboard file beside the default app's zdp.json. */
const dashboardFile = (app: string) => `zdp-${app}.json`;
const hash = (s: string) => crypto.createHash("sha256").update(s).digest("hex").slice(0, 16);
