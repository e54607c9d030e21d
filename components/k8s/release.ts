// The application and its releases on any Kubernetes cluster: one Deployment + Service per track
// (`app` for rolling, `app-blue`/`app-green` for blue/green and canary), PDB and HPA per track, and a
// Gateway API Gateway + HTTPRoute whose weighted backendRefs move traffic between colours.
// Weights and replica floors come from model/releasePlan.ts; this file only declares objects.
//
// Release invariants this component keeps (tests/blastRadius.spec.ts checks them):
// - Object names, namespaces and selectors never depend on release config (versions, colours,
//   weights): pulumi-kubernetes replaces an object whose name or selector changes, and with explicit
//   names that replacement is delete-before-create. Versions go only into pod template labels/image.
// - Promote, roll back and canary steps change the route and nothing else.
// - The route depends on every Deployment it sends traffic to: pulumi-kubernetes waits for a
//   Deployment's rollout to finish (all replicas updated and available) before dependents run, so
//   weights never move to a colour that is not ready; if it never gets ready, `pulumi up` fails with
//   the route untouched.
// - Migrations (stack config `migrations`): a version's expand Job runs before that version's
//   Deployments and before the live route moves; a contract Job runs after the route. pulumi-kubernetes
//   awaits a Job's completion, so a failed migration fails `pulumi up` with the route untouched.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { generatedSecret } from "../generatedSecret";
import type { AppSpec } from "../../model/appSpec";
import type { Sizing } from "../../model/capacity";
import { imageReference, versionLabel } from "../../model/config";
import type { Color, ReleaseConfig } from "../../model/stackConfig";
import type { Track, TrackState } from "../../model/releasePlan";
import { APP_UID, restrictedContainer, restrictedPod } from "./podSecurity";
import { gatedWeight } from "./releaseGate";
import { plannedMigrations } from "../../model/migrations";
import { migrationJob } from "./migrationJob";

export interface GatewaySettings {
    /** GatewayClass the stack installs or the cloud provides. */
    className: string;
    infrastructure?: { annotations?: Record<string, pulumi.Input<string>>; labels?: Record<string, pulumi.Input<string>> };
    /** e.g. a GKE NamedAddress of a reserved static IP. */
    addresses?: { type?: string; value: string }[];
    /** Adds an HTTPS listener (and an HTTP→HTTPS redirect); certificates per cloud, `{}` when the class attaches them. */
    https?: {
        certificateRefs?: { group?: string; kind?: string; name: string; namespace?: string }[];
        tlsOptions?: Record<string, pulumi.Input<string>>;
        /**
         * Strict-Transport-Security value every rule of the app's HTTPS routes sets, for classes that
         * implement ResponseHeaderModifier; unset where the load balancer adds the header itself (aws).
         */
        strictTransportSecurity?: string;
    };
    annotations?: Record<string, pulumi.Input<string>>;
}

export interface ReleaseArgs {
    app: AppSpec;
    namespace: pulumi.Input<string>;
    /** Secret with the DATABASE_* / REDIS_* keys (components/k8s/appSecret.ts), read with envFrom. */
    appSecretName: pulumi.Input<string>;
    gateway: GatewaySettings;
    /** What a migration Job waits for before it connects: the app's database role and its network policy. */
    databaseReady: pulumi.Resource[];
}

/** Stable object names: nothing in release config may change them. */
export const GATEWAY_NAME = "app";
export const ROUTE_NAME = "app";
export const PREVIEW_ROUTE_NAME = "app-preview";
export const PREVIEW_TOKEN_ROUTE_NAME = "app-preview-token";
export const REDIRECT_ROUTE_NAME = "app-http-redirect";
export const SERVICE_PORT = 80;
export const objectName = (track: Track): string => (track === "app" ? "app" : `app-${track}`);

/** Names of the Services a stack's release creates (cloud stacks attach LB health/backend policies to them). */
export const serviceNamesFor = (cfg: { release: Pick<ReleaseConfig, "strategy"> }): string[] =>
    cfg.release.strategy === "rolling" ? [objectName("app")] : [objectName("blue"), objectName("green")];

/**
 * Seconds a terminating pod keeps serving before it gets SIGTERM. The kubelet runs preStop while the
 * EndpointSlice controller and the load balancer remove the pod concurrently, and the load balancer
 * keeps sending new requests until its own deregistration has propagated: seconds to tens of seconds
 * on the clouds ("Elastic Load Balancing stops sending requests to targets that are deregistering",
 * https://aws.github.io/aws-eks-best-practices/networking/loadbalancing/loadbalancing/, observed to lag
 * in kubernetes-sigs/aws-load-balancer-controller#3270), a second or two for Envoy Gateway over xDS.
 * Cloud stacks keep their LB deregistration / connection-draining delay at or below this value.
 */
export const PRE_STOP_SECONDS = 30;
/** Time the app gets after SIGTERM to finish in-flight requests. */
export const APP_DRAIN_SECONDS = 30;
/**
 * How long the app keeps an idle keep-alive connection open: podinfo's server sets IdleTimeout to twice
 * its --http-server-timeout, 30 s by default (github.com/stefanprodan/podinfo pkg/api/http/server.go
 * startServer, cmd/podinfo/main.go). A load balancer must close idle connections before the app does,
 * or it may send a request down a connection the app is closing (a 502). An image with a shorter
 * keep-alive needs this lowered.
 */
export const APP_KEEP_ALIVE_SECONDS = 60;
/** Above preStop + drain, so the kubelet never SIGKILLs a pod that is still answering. */
export const TERMINATION_GRACE_SECONDS = PRE_STOP_SECONDS + APP_DRAIN_SECONDS + 5;

const HPA_CPU_UTILIZATION = 70;

const baseLabels = { "app.kubernetes.io/name": "app", "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" };
/** Selector of a track: never includes the version, so a release never changes a selector. */
/**
 * Even spread over zones, which the capacity model's zone-loss figure assumes (a single-zone cluster
 * has nothing to enforce). nodeTaintsPolicy Honor leaves out of the count the nodes of a lost zone:
 * they carry node.kubernetes.io/unreachable:NoSchedule, which pods do not tolerate (their default
 * tolerations are NoExecute only), so replacement and HPA pods schedule in the surviving zones instead
 * of waiting Pending for a zone that is gone. e2e/zoneLoss.e2e.ts proves both on a real scheduler.
 */
export function zoneSpread(matchLabels: Record<string, string>, zones: number) {
    return {
        topologyKey: "topology.kubernetes.io/zone",
        maxSkew: 1,
        whenUnsatisfiable: zones > 1 ? "DoNotSchedule" : "ScheduleAnyway",
        nodeTaintsPolicy: "Honor",
        labelSelector: { matchLabels },
        // Spread each ReplicaSet on its own, so a rollout's surge pods spread too.
        matchLabelKeys: ["pod-template-hash"],
    };
}

export const selectorFor = (track: Track) => ({ "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": objectName(track) });
const trackLabels = (track: Track) => ({ ...baseLabels, ...selectorFor(track), "app.kubernetes.io/component": "web", "zdp.io/track": track });

export class Release extends pulumi.ComponentResource {
    public readonly serviceNames: Partial<Record<Track, string>>;
    public readonly gatewayName: pulumi.Output<string>;
    public readonly activeColor: Color | undefined;
    public readonly weights: Partial<Record<Track, number>>;
    /** Image tag per track, as deployed: the release CLI compares it with the stack file. */
    public readonly versions: Partial<Record<Track, string>>;
    /**
     * Value the preview header must carry to reach the inactive colour (a dark canary: only holders
     * of this generated secret, i.e. the team and the release CLI, reach it). Undefined when rolling.
     */
    public readonly previewToken: pulumi.Output<string> | undefined;

    constructor(name: string, args: ReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("zdp:k8s:Release", name, {}, opts);
        const { app, namespace } = args;
        if (!args.gateway.className) throw new Error(`Release ${name}: gateway.className is required (the GatewayClass the stack provides)`);
        const state = app.state;

        // The component's dependsOn (Gateway API CRDs, controller, GatewayClass) is not inherited by
        // children; the Gateway needs it, and every route waits for the Gateway.
        const gateway = this.gateway(name, args, opts?.dependsOn);
        for (const t of state.tracks) {
            this.service(name, t.track, namespace);
            this.pdb(name, t.track, namespace, app.sizing);
        }

        // Receiving tracks first: their HPA, then their Deployment (the HPA must already allow the floor
        // Pulumi writes, or it would scale the colour back during the wait).
        const receiving = state.tracks.filter((t) => t.weight > 0);
        const idle = state.tracks.filter((t) => t.weight === 0);
        const deployments = new Map<Track, k8s.apps.v1.Deployment>();
        // Expand migrations first: each track's Deployment, and the live route, wait for its version's.
        const migrations = plannedMigrations(app.release.migrations, state, app.image);
        const job = (m: (typeof migrations)[number], after: pulumi.Resource[]) =>
            migrationJob(
                `${name}-${m.jobName}`,
                m,
                { namespace, appSecretName: args.appSecretName },
                { parent: this, dependsOn: [...args.databaseReady, ...after] },
            );
        const expand = migrations.filter((m) => m.phase === "expand").map((m) => ({ m, job: job(m, []) }));
        const expandFor = (t: TrackState) => expand.filter((e) => e.m.version === t.version).map((e) => e.job);
        for (const t of receiving) {
            const hpa = this.hpa(name, t, namespace, []);
            deployments.set(t.track, this.deployment(name, t, args, [hpa, ...expandFor(t)]));
        }

        const { route, previewToken } = this.routes(
            name,
            args,
            gateway,
            deployments,
            expand.map((e) => e.job),
        );
        this.previewToken = previewToken;

        // Idle tracks after the route: a colour that just lost its traffic is scaled down (minimal)
        // only once the route no longer sends it any.
        for (const t of idle) {
            const hpa = this.hpa(name, t, namespace, [route]);
            deployments.set(t.track, this.deployment(name, t, args, [hpa, ...expandFor(t)]));
        }

        // Contract migrations last: once the route has moved and the version's tracks are rolled out
        // (the parser refused them while another version serves).
        for (const m of migrations.filter((x) => x.phase === "contract")) job(m, [route, ...m.tracks.map((t) => deployments.get(t)!)]);

        this.serviceNames = Object.fromEntries(state.tracks.map((t) => [t.track, objectName(t.track)]));
        this.gatewayName = gateway.metadata.name;
        this.activeColor = state.activeColor;
        this.weights = state.weights;
        this.versions = Object.fromEntries(state.tracks.map((t) => [t.track, t.version]));
        this.registerOutputs({
            serviceNames: this.serviceNames,
            gatewayName: this.gatewayName,
            activeColor: this.activeColor,
            weights: this.weights,
            versions: this.versions,
        });
    }

    private gateway(name: string, args: ReleaseArgs, dependsOn: pulumi.ComponentResourceOptions["dependsOn"]): k8s.apiextensions.CustomResource {
        const https = args.gateway.https;
        return new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: { name: GATEWAY_NAME, namespace: args.namespace, labels: baseLabels, annotations: args.gateway.annotations },
                spec: {
                    gatewayClassName: args.gateway.className,
                    addresses: args.gateway.addresses,
                    infrastructure: args.gateway.infrastructure,
                    listeners: [
                        { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
                        ...(https
                            ? [
                                  {
                                      name: "https",
                                      protocol: "HTTPS",
                                      port: 443,
                                      // Without refs or options the class attaches certificates itself (GKE: a
                                      // Certificate Manager map named in a Gateway annotation), so no tls block.
                                      tls:
                                          https.certificateRefs?.length || https.tlsOptions
                                              ? { mode: "Terminate", certificateRefs: https.certificateRefs, options: https.tlsOptions }
                                              : undefined,
                                      allowedRoutes: { namespaces: { from: "Same" } },
                                  },
                              ]
                            : []),
                    ],
                },
            },
            { parent: this, dependsOn },
        );
    }

    /** The live route, the dark canary's preview routes and the HTTP→HTTPS redirect; returns the live route and the preview token. */
    private routes(
        name: string,
        args: ReleaseArgs,
        gateway: pulumi.Resource,
        deployments: Map<Track, k8s.apps.v1.Deployment>,
        migrations: pulumi.Resource[],
    ): { route: k8s.apiextensions.CustomResource; previewToken?: pulumi.Output<string> } {
        const { app, namespace } = args;
        const state = app.state;
        const colours = state.strategy !== "rolling";
        const parentRef = (section: "http" | "https") => ({ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, sectionName: section });
        const appListener = args.gateway.https ? "https" : "http";
        const svc = (track: Track) => objectName(track);
        const backend = (t: TrackState) => ({
            group: "",
            kind: "Service",
            name: svc(t.track),
            port: SERVICE_PORT,
            // A colour's weight is released only once the replica count Pulumi saw on its Deployment
            // reaches its floor (see releaseGate.ts: guards a colour still scaled down by inactiveScale=minimal).
            weight:
                colours && t.weight > 0 ? deployments.get(t.track)!.spec.apply((s) => gatedWeight(t.track, t.weight, s?.replicas, t.minReplicas)) : t.weight,
        });
        const byName = (tracks: TrackState[]) => [...tracks].sort((a, b) => a.track.localeCompare(b.track));
        const everything = { path: { type: "PathPrefix", value: "/" } };
        const inactive = colours ? state.tracks.find((t) => t.role === "inactive")! : undefined;
        let previewToken: pulumi.Output<string> | undefined;
        // Rules of the routes on the app listener; without an HSTS value they stay exactly as before.
        const hsts = args.gateway.https?.strictTransportSecurity;
        const appRule = <R extends object>(rule: R) =>
            hsts
                ? {
                      ...rule,
                      filters: [{ type: "ResponseHeaderModifier", responseHeaderModifier: { set: [{ name: "Strict-Transport-Security", value: hsts }] } }],
                  }
                : rule;
        const httpRoute = (resource: string, routeName: string, spec: Record<string, unknown>, dependsOn: pulumi.Resource[] = [gateway]) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${resource}`,
                { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: routeName, namespace, labels: baseLabels }, spec },
                { parent: this, dependsOn },
            );
        const route = httpRoute(
            "route",
            ROUTE_NAME,
            {
                parentRefs: [parentRef(appListener)],
                hostnames: app.domain ? [app.domain] : undefined,
                // Backends in a fixed order (blue, green): a promotion changes weights, not the list.
                rules: [appRule({ matches: [everything], backendRefs: byName(state.tracks).map(backend) })],
            },
            [gateway, ...deployments.values(), ...migrations],
        );
        if (inactive) {
            // The dark canary: the preview header must carry the stack's token. It is a route of its own
            // because a secret makes Pulumi hide the whole spec it sits in, and the weights of the route
            // above must stay readable in every `pulumi preview` of a release PR. Across the routes of a
            // listener and hostname, the rule with more header matches wins (Gateway API precedence).
            // No wait on the Deployments: it moves no live traffic, and points at a colour that was serving.
            previewToken = generatedSecret(`${name}-preview-token`, 40, { parent: this });
            const previewRule = appRule({
                matches: [{ ...everything, headers: [{ type: "Exact", name: app.release.previewHeader, value: previewToken }] }],
                backendRefs: [{ group: "", kind: "Service", name: svc(inactive.track), port: SERVICE_PORT }],
            });
            httpRoute("preview-token-route", PREVIEW_TOKEN_ROUTE_NAME, {
                parentRefs: [parentRef(appListener)],
                hostnames: app.domain ? [app.domain] : undefined,
                rules: [previewRule],
            });
            // A hostname applies to a whole HTTPRoute, so the preview host needs its own route; it asks
            // for the token too, or anyone who learns the hostname would reach the unreleased colour.
            if (app.release.previewHost)
                httpRoute("preview-route", PREVIEW_ROUTE_NAME, {
                    parentRefs: [parentRef(appListener)],
                    hostnames: [app.release.previewHost],
                    rules: [previewRule],
                });
        }
        if (args.gateway.https) {
            httpRoute("redirect-route", REDIRECT_ROUTE_NAME, {
                parentRefs: [parentRef("http")],
                // Every host the HTTPS listener serves, preview host included.
                hostnames: app.domain ? [app.domain, ...(app.release.previewHost ? [app.release.previewHost] : [])] : undefined,
                rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
            });
        }
        return { route, previewToken };
    }

    private service(name: string, track: Track, namespace: pulumi.Input<string>): k8s.core.v1.Service {
        return new k8s.core.v1.Service(
            `${name}-${track}`,
            {
                metadata: { name: objectName(track), namespace, labels: trackLabels(track) },
                spec: {
                    type: "ClusterIP",
                    selector: selectorFor(track),
                    ports: [{ name: "http", port: SERVICE_PORT, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
                },
            },
            { parent: this },
        );
    }

    private pdb(name: string, track: Track, namespace: pulumi.Input<string>, sizing: Sizing): k8s.policy.v1.PodDisruptionBudget {
        return new k8s.policy.v1.PodDisruptionBudget(
            `${name}-${track}`,
            {
                metadata: { name: objectName(track), namespace, labels: trackLabels(track) },
                spec: {
                    // Absolute maxUnavailable keeps working whatever size the HPA chose.
                    maxUnavailable: sizing.app.pdbMaxUnavailable,
                    selector: { matchLabels: selectorFor(track) },
                    // A crash-looping pod must not block node drains.
                    unhealthyPodEvictionPolicy: "AlwaysAllow",
                },
            },
            { parent: this },
        );
    }

    private hpa(name: string, t: TrackState, namespace: pulumi.Input<string>, dependsOn: pulumi.Resource[]): k8s.autoscaling.v2.HorizontalPodAutoscaler {
        return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-${t.track}`,
            {
                metadata: { name: objectName(t.track), namespace, labels: trackLabels(t.track) },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName(t.track) },
                    minReplicas: t.minReplicas,
                    maxReplicas: t.maxReplicas,
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: HPA_CPU_UTILIZATION } } }],
                    // Scale down slowly: capacity leaves at most 10% a minute after a 5-minute quiet window.
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 10, periodSeconds: 60 }] } },
                },
            },
            { parent: this, dependsOn },
        );
    }

    /**
     * Replica ownership. The HPA owns `spec.replicas`; Pulumi writes it on create (the floor, so
     * creation waits for a full-size track). After that, a track either has `ignoreChanges` on it —
     * with Server-Side Apply pulumi-kubernetes then drops the field from its apply once the HPA's field
     * manager owns it, so an update never resets the HPA's count (pulumi/pulumi-kubernetes#2566) — or
     * Pulumi writes the floor with `pulumi.com/patchForce`, taking the field back from the HPA:
     * - rolling, and inactiveScale=full: tracks taking traffic ignore it; an idle colour gets its floor
     *   written, which is what its HPA holds it at anyway (no traffic), so nothing moves — except after
     *   a switch from `minimal`, where the write scales the colour back up and Pulumi waits for it.
     * - inactiveScale=minimal: the idle colour ignores it (its HPA scales it down gradually, after its
     *   traffic has gone) once the rollback window is over; inside the window it is written like a
     *   colour taking traffic. Colours taking traffic get the full floor written, and their role annotation
     *   changes on promotion, so the promotion applies the Deployment: Pulumi scales the receiving colour
     *   up and waits until every pod is available (maxUnavailable 0) before the route moves. The cost:
     *   under `minimal`, any change to the serving colour's pod spec also resets an HPA scale-out to
     *   the floor until the HPA's next sync (docs/releasing.md).
     */
    private deployment(name: string, t: TrackState, args: ReleaseArgs, dependsOn: pulumi.Resource[]): k8s.apps.v1.Deployment {
        const { app } = args;
        const sizing = app.sizing;
        const minimal = app.release.inactiveScale === "minimal";
        // Under minimal, Pulumi writes the full floor of a colour that takes traffic or that the rollback
        // window holds; both colours then look alike, so a rollback inside the window moves only the route.
        const fullSize = t.weight > 0 || t.heldUntil !== undefined;
        const hpaOwnsReplicas = t.track === "app" || (minimal ? !fullSize : t.weight > 0);
        // A label value holds no digest; the image and ZDP_VERSION carry the whole version.
        const labels = { ...trackLabels(t.track), "app.kubernetes.io/version": versionLabel(t.version) };
        const probe = { httpGet: { path: app.healthPath, port: "http" }, timeoutSeconds: 2 };
        return new k8s.apps.v1.Deployment(
            `${name}-${t.track}`,
            {
                metadata: {
                    name: objectName(t.track),
                    namespace: args.namespace,
                    labels,
                    annotations: {
                        // Only matters where Pulumi writes spec.replicas, see above; constant so that a
                        // role change does not touch the object under inactiveScale=full.
                        "pulumi.com/patchForce": "true",
                        // "true": sized to serve (it takes traffic, or the rollback window holds it).
                        ...(minimal ? { "zdp.io/serving": String(fullSize) } : {}),
                    },
                },
                spec: {
                    replicas: t.minReplicas,
                    selector: { matchLabels: selectorFor(t.track) },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: sizing.app.maxSurge, maxUnavailable: sizing.app.maxUnavailable } },
                    // A new pod counts as available only after staying ready this long.
                    minReadySeconds: 10,
                    // A rollout that stops progressing fails the Deployment (and `pulumi up`) instead of hanging.
                    progressDeadlineSeconds: 300,
                    revisionHistoryLimit: 5,
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            // Service links would inject REDIS_PORT=tcp://… and clash with the app Secret's keys.
                            enableServiceLinks: false,
                            securityContext: restrictedPod(APP_UID),
                            terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                            topologySpreadConstraints: [
                                zoneSpread(selectorFor(t.track), sizing.zones),
                                {
                                    topologyKey: "kubernetes.io/hostname",
                                    maxSkew: 1,
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: selectorFor(t.track) },
                                    matchLabelKeys: ["pod-template-hash"],
                                },
                            ],
                            containers: [
                                {
                                    name: "app",
                                    image: imageReference(app.image, t.version),
                                    imagePullPolicy: "IfNotPresent",
                                    ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
                                    envFrom: [{ secretRef: { name: args.appSecretName } }],
                                    // The app echoes these as x-zdp-color / x-zdp-version response headers, so the
                                    // release CLI can prove which colour and version answered each check.
                                    env: [
                                        { name: "ZDP_COLOR", value: t.track },
                                        { name: "ZDP_VERSION", value: t.version },
                                    ],
                                    resources: {
                                        requests: { cpu: sizing.app.cpuRequest, memory: sizing.app.memoryRequest },
                                        limits: { memory: sizing.app.memoryLimit },
                                    },
                                    // Startup: up to 2 minutes to come up before liveness applies.
                                    startupProbe: { ...probe, periodSeconds: 2, failureThreshold: 60 },
                                    // Readiness gates traffic (Service endpoints and the load balancer).
                                    readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 2 },
                                    // Liveness only checks the process accepts connections: a slow dependency
                                    // must make the pod unready, not restart it.
                                    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
                                    // See PRE_STOP_SECONDS: keep serving until the load balancer has stopped sending.
                                    lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SECONDS } } },
                                    securityContext: restrictedContainer,
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                        },
                    },
                },
            },
            {
                parent: this,
                dependsOn,
                ignoreChanges: hpaOwnsReplicas ? ["spec.replicas"] : [],
                // Above progressDeadlineSeconds, so a stuck rollout reports its own reason.
                customTimeouts: { create: "15m", update: "15m" },
            },
        );
    }
}
