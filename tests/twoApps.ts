// The dev stack with a second app, as the config side (`apps.<name>`) will make it: its own namespace,
// port, health path and domain. tests/localApps.spec.ts runs it under mocks, e2e/devApps.e2e.ts on the
// real engine against a real API server.
import { appSpecFrom, type AppSpec } from "../model/appSpec";
import { sizingFor } from "../model/capacity";
import type { StackConfig } from "../model/config";
import { deployApps, type AppOutputs } from "../components/k8s/app";
import { localPlatform } from "../stacks/local";

/** The default app and `api`. */
export function twoApps(cfg: StackConfig): AppSpec[] {
    const first = appSpecFrom(cfg, sizingFor(cfg));
    return [first, { ...first, name: "api", namespace: "api", port: 9090, healthPath: "/healthz", domain: "api.example.com" }];
}

/** The dev program deploying both on the dev platform. */
export function deployTwoApps(cfg: StackConfig): AppOutputs {
    const apps = twoApps(cfg);
    return deployApps(localPlatform(cfg, sizingFor(cfg), apps), apps);
}
