// The package's entry for programs of their own (docs/library.md): the pure model, the Platform
// contract, the dev platform and the app deployment. Importing it declares nothing; the clouds'
// platforms are the subpaths zdp/aws, zdp/azure and zdp/gcp, so a program loads only its own SDK.
// The project's own program is index.ts (Pulumi.yaml's main).
export { ConfigError, parseConfig, type Cloud, type Color, type StackConfig, type Strategy } from "./model/config";
export { appSizings, capacityFor, capacityRows, sizingFor, type Sizing } from "./model/capacity";
export { appSpecFrom, appSpecsFrom, type AppSpec } from "./model/appSpec";
export { allApps, DEFAULT_APP, type AppConfig } from "./model/stackConfig";
export { releaseState, type ReleaseState } from "./model/releasePlan";
export type { AppEdge, AppPlacement, AppWatch, DataStores, Platform, PostgresConnection, RedisConnection } from "./components/platform";
export { deployApp, deployApps, type AppOutputs } from "./components/k8s/app";
export { Release, type GatewaySettings, type ReleaseArgs } from "./components/k8s/release";
export { LocalDatastores, type LocalDatastoresArgs } from "./components/k8s/datastores";
export { EnvoyGateway } from "./components/k8s/envoyGateway";
export { localPlatform } from "./stacks/local";
export { preflight, readConfig } from "./stacks";
