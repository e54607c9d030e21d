// One app on any Platform (components/platform.ts): its namespace, its network policy, its own
// database role, the Secret it reads, its Release (with its migration Jobs) behind the platform's Gateway, and what the stack
// exports about it.
import * as pulumi from "@pulumi/pulumi";
import type { AppSpec } from "../../model/appSpec";
import { PREVIEW_TOKENS_OUTPUT } from "../../model/apps";
import type { Color } from "../../model/config";
import type { Track } from "../../model/releasePlan";
import type { DataStores, Platform } from "../platform";
import { dbRoleOf } from "../dbRole";
import { AppDbRole, DB_ROLE_JOB_PODS } from "./appDbRole";
import { AppSecret, type AppSecretValues } from "./appSecret";
import { appNamespace } from "./namespace";
import { MIGRATION_JOB_PODS } from "./migrationJob";
import { AppTraffic } from "./networkPolicy";
import { Release } from "./release";

/** What every stack exports about its app; values carrying credentials are Pulumi secrets. */
export interface AppOutputs {
    /** Public hostname or IP of the L7 load balancer (the Gateway). */
    endpoint: pulumi.Input<string | undefined>;
    activeColor: Color | undefined;
    weights: Partial<Record<Track, number>>;
    /** Image tag per colour (or the single `app` track), as deployed. */
    versions: Partial<Record<Track, string>>;
    /** The dark canary's preview header value (secret); the release CLI reads it. */
    previewToken: pulumi.Output<string> | undefined;
    databaseHost: pulumi.Input<string>;
    redisHost: pulumi.Input<string>;
    [extra: string]: unknown;
}

// A port as the Secret and the role Job read it; a plain number stays a plain string.
const portText = (port: pulumi.Input<number>): pulumi.Input<string> => (typeof port === "number" ? String(port) : pulumi.output(port).apply(String));

/**
 * Every app of a stack on one platform, exported as stackOutputs says.
 */
export function deployApps(platform: Platform, apps: AppSpec[]): AppOutputs {
    return stackOutputs(
        apps.map((app) => [app.name, deployApp(platform, app)] as const),
        platform.outputs,
    );
}

/**
 * A stack's outputs from its apps' (the default app first): the first exports at the top level as a
 * single-app stack always has; each other app exports under `apps.<name>`, its preview token under
 * the secret `appPreviewTokens.<name>`. The release CLI reads them so (scripts/release/appKeys.ts).
 */
export function stackOutputs<O extends { previewToken?: pulumi.Output<string> }>(
    apps: (readonly [string, O])[],
    platformOutputs: Record<string, unknown>,
): O & Record<string, unknown> {
    const [[, first], ...others] = apps;
    if (others.length === 0) return first;
    // The platform's own outputs stay top-level; an app's value under a key the platform also exports (its own certificate records, say) stays the app's.
    // Each preview token stays a secret of its own, so the rest of `apps` reads without --show-secrets.
    const own = (outputs: O) => Object.fromEntries(Object.entries(outputs).filter(([key, value]) => platformOutputs[key] !== value && key !== "previewToken"));
    return {
        ...first,
        apps: Object.fromEntries(others.map(([name, outputs]) => [name, own(outputs)])),
        [PREVIEW_TOKENS_OUTPUT]: pulumi.secret(Object.fromEntries(others.map(([name, outputs]) => [name, outputs.previewToken]))),
    };
}

export function deployApp(platform: Platform, app: AppSpec): AppOutputs {
    const opts = { provider: platform.provider };
    const ns = platform.namespace;
    const namespaceResource = appNamespace(
        app,
        { ...opts, ...(ns.protect ? { protect: true } : {}), ...(ns.dependsOn ? { dependsOn: ns.dependsOn } : {}) },
        ns.labels,
    );
    const placement = { spec: app, namespace: namespaceResource.metadata.name, namespaceResource };
    const namespace = placement.namespace;
    const stores = platform.dataStores(placement);
    const edge = platform.edge(placement);
    const { postgres, redis } = stores;

    // The load balancer reaches the app port; the app reaches only its two data stores.
    const traffic = new AppTraffic(
        app.name,
        {
            namespace,
            appPort: app.port,
            from: edge.from,
            to: [
                { peer: postgres.peer, port: postgres.port },
                { peer: redis.peer, port: redis.port },
            ],
            dbRole: { pods: DB_ROLE_JOB_PODS, to: { peer: postgres.peer, port: postgres.port } },
            migrations: { pods: MIGRATION_JOB_PODS, to: { peer: postgres.peer, port: postgres.port } },
            datastores: stores.inCluster,
        },
        opts,
    );

    // The app's own role, made by a Job that connects as the master user with the app's TLS settings.
    const dbRole = new AppDbRole(
        `${app.name}-db`,
        {
            namespace,
            host: postgres.host,
            port: portText(postgres.port),
            database: postgres.database,
            adminUser: postgres.adminUser,
            adminPassword: postgres.adminPassword,
            sslMode: postgres.sslMode,
            caCert: postgres.caCert,
            role: dbRoleOf(app.name),
        },
        opts,
    );
    const secret = new AppSecret(app.name, { namespace, values: secretValues(stores, dbRole) }, opts);

    const release = new Release(
        app.name,
        { app, namespace, appSecretName: secret.secretName, gateway: edge.gateway, databaseReady: [dbRole.job, traffic] },
        { ...opts, dependsOn: [...edge.ready, dbRole.job] },
    );
    const watch = platform.watch({ ...placement, release });

    return {
        ...platform.outputs,
        endpoint: watch.endpoint,
        activeColor: release.activeColor,
        weights: release.weights,
        versions: release.versions,
        previewToken: release.previewToken,
        databaseHost: postgres.host,
        redisHost: redis.host,
        ...watch.outputs,
    };
}

/** The app Secret's keys (components/k8s/appSecret.ts): the app's role, and TLS as each store requires. */
function secretValues({ postgres, redis }: DataStores, dbRole: AppDbRole): AppSecretValues {
    return {
        DATABASE_HOST: postgres.host,
        DATABASE_PORT: portText(postgres.port),
        DATABASE_NAME: postgres.database,
        DATABASE_USER: dbRole.user,
        DATABASE_PASSWORD: dbRole.password,
        DATABASE_SSLMODE: postgres.sslMode,
        ...(postgres.caCert === undefined ? {} : { DATABASE_CA_CERT: postgres.caCert }),
        REDIS_HOST: redis.host,
        REDIS_PORT: portText(redis.port),
        REDIS_PASSWORD: redis.password,
        REDIS_TLS: String(redis.tls),
        ...(redis.caCert === undefined ? {} : { REDIS_CA_CERT: redis.caCert }),
    };
}
