// The Release as the real-node suites deploy it (an Automation API inline program): the stack's config,
// the app's namespace and Secret, no data stores. Both suites' nodes share 2 cores, so the app pods
// request 50m CPU instead of the sizing's 500m.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appSpecFrom, appSpecsFrom, type AppSpec } from "../model/appSpec";
import { sizingFor } from "../model/capacity";
import { AppSecret } from "../components/k8s/appSecret";
import { appNamespace } from "../components/k8s/namespace";
import { Release } from "../components/k8s/release";
import { readConfig } from "../stacks";

type Spec = Record<string, any>;

/** Every Deployment's app container at 50m CPU, then `edit` (a suite's own changes) on its spec. */
export function lightDeployments(edit: (spec: Spec, container: Spec) => { spec: Spec; opts?: pulumi.CustomResourceOptions } = (spec) => ({ spec })): void {
    pulumi.runtime.registerResourceTransform((args) => {
        if (args.type !== "kubernetes:apps/v1:Deployment") return undefined;
        const spec = args.props.spec;
        const [app] = spec.template.spec.containers;
        const container = { ...app, resources: { ...app.resources, requests: { ...app.resources.requests, cpu: "50m" } } };
        const edited = edit({ ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers: [container] } } }, container);
        return { props: { ...args.props, spec: edited.spec }, opts: { ...args.opts, ...edited.opts } };
    });
}

/** The default app's Release behind a Gateway of `className`. */
export function e2eRelease(className: string): Release {
    const cfg = readConfig();
    return appRelease(appSpecFrom(cfg, sizingFor(cfg)), className, provider());
}

/** Every app of the stack (appSpecsFrom), each in its own namespace behind a Gateway of its own, as the product deploys them. */
export function e2eReleases(className: string): { spec: AppSpec; release: Release }[] {
    const p = provider();
    return appSpecsFrom(readConfig()).map((spec) => ({ spec, release: appRelease(spec, className, p) }));
}

const provider = () => new k8s.Provider("e2e", { enableServerSideApply: true });

function appRelease(appSpec: AppSpec, className: string, provider: k8s.Provider): Release {
    const namespace = appNamespace(appSpec, { provider });
    const secret = new AppSecret(
        appSpec.name,
        {
            namespace: namespace.metadata.name,
            // The e2e app reads none of them; the Release's pods need the Secret to start (envFrom).
            values: {
                DATABASE_HOST: "unused",
                DATABASE_PORT: "5432",
                DATABASE_NAME: "app",
                DATABASE_USER: "app",
                DATABASE_PASSWORD: "unused",
                DATABASE_SSLMODE: "disable",
                REDIS_HOST: "unused",
                REDIS_PORT: "6379",
                REDIS_PASSWORD: "unused",
                REDIS_TLS: "false",
            },
        },
        { provider },
    );
    return new Release(
        appSpec.name,
        { app: appSpec, namespace: namespace.metadata.name, appSecretName: secret.secretName, gateway: { className }, databaseReady: [] },
        { provider },
    );
}
