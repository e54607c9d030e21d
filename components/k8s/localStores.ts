// The dev stack's PostgreSQL and Redis as each of its apps reaches them. One pair for every app, as on
// the clouds (one server, each app its own role and schema, components/dbRole.ts), so the dev stack
// runs what the clouds run; a pair per app would cost a laptop two more StatefulSets per app and test
// a layout no cloud has. The pair lives in the namespace of the first app that asks (deployApps asks
// for the default app first), whose network policy lets its own pods in; every other app gets a
// policy there letting exactly its pods in (the app's, its role Job's and its migration Jobs'), and its
// own namespace's policy lets them out to the pair's pods in that namespace.
import * as k8s from "@pulumi/kubernetes";
import type { AppPlacement, DataStores } from "../platform";
import { DB_ROLE_JOB_PODS } from "./appDbRole";
import type { LocalDatastores } from "./datastores";
import { MIGRATION_JOB_PODS } from "./migrationJob";
import { datastoreIngress, type InClusterStore } from "./networkPolicy";

/** `make` creates the pair in the first app's namespace; the function returns each app's view of it. */
export function sharedLocalStores(make: (home: AppPlacement) => LocalDatastores, opts: { provider: k8s.Provider }): (app: AppPlacement) => DataStores {
    let home: { data: LocalDatastores; app: AppPlacement } | undefined;
    return (app) => {
        if (!home) {
            home = { data: make(app), app };
            return { ...endpoints(home.data), inCluster: storePods(home.data) };
        }
        const at = home.app.spec.namespace;
        for (const [i, store] of storePods(home.data).entries())
            new k8s.networking.v1.NetworkPolicy(
                `${app.spec.name}-datastore-${i}-from-app`,
                {
                    // The app namespace's name, not the app's: the default app's policies are datastore-<i>-from-app.
                    metadata: { name: `datastore-${i}-from-namespace-${app.spec.namespace}`, namespace: at, labels: POLICY_LABELS },
                    spec: datastoreIngress(store, app.spec.namespace),
                },
                { ...opts, dependsOn: [home.app.namespaceResource] },
            );
        return endpoints(home.data, at);
    };
}

const POLICY_LABELS = { "app.kubernetes.io/part-of": "zdp", "app.kubernetes.io/managed-by": "pulumi" };

/** How an app connects, and the pods its namespace's policy lets it reach (in `namespace` when not its own). */
function endpoints(data: LocalDatastores, namespace?: string): DataStores {
    const where = namespace === undefined ? {} : { namespace };
    return {
        postgres: { ...data.postgresConnection, peer: { ...where, pods: data.databasePods } },
        redis: { ...data.redisConnection, peer: { ...where, pods: data.redisPods } },
    };
}

/** The stores take connections from the app only, and PostgreSQL from its role and migration Jobs too. */
function storePods(data: LocalDatastores): InClusterStore[] {
    return [
        { pods: data.databasePods, port: Number(data.databasePort), alsoFrom: [DB_ROLE_JOB_PODS, MIGRATION_JOB_PODS] },
        { pods: data.redisPods, port: Number(data.redisPort) },
    ];
}
