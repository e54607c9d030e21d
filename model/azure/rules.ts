// azure's rules across keys: what the schema of `azure.*` alone cannot see.
import type { AppConfig, AzureConfig, CloudRules, ConfigIssue } from "../stackConfig";
import { AZURE_NON_ZONAL_REGIONS, AZURE_ZONAL_REGIONS } from "./regions";

/**
 * Frontends one AGC takes ("Frontends: 5 per gateway", Application Gateway for Containers limits in
 * https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits).
 * Each Gateway listens on a frontend of its own: "Every time you wish to create a new Gateway resource in
 * Kubernetes, a Frontend resource should be provisioned in Azure prior and referenced by the Gateway
 * resource" (BYO deployment, https://learn.microsoft.com/azure/application-gateway/for-containers/overview#deployment-strategies),
 * so one AGC serves at most five apps.
 */
export const AGC_MAX_FRONTENDS = 5;

const REGIONS_LIST = "https://learn.microsoft.com/azure/reliability/regions-list (2025-09-23; model/azure/regions.ts)";

/** Why the location cannot carry this stack: not an Azure region, or one without availability zones. */
function locationIssue(location: string): ConfigIssue | undefined {
    if ((AZURE_ZONAL_REGIONS as readonly string[]).includes(location)) return undefined;
    const zonal = `use one with zones: ${AZURE_ZONAL_REGIONS.join(", ")}`;
    const message = (AZURE_NON_ZONAL_REGIONS as readonly string[]).includes(location)
        ? `must be an Azure region with availability zones (it has none, in ${REGIONS_LIST}): this stack spreads AKS, PostgreSQL's zone-redundant HA and its NAT over zones 1-3; ${zonal}`
        : `is not an Azure region in ${REGIONS_LIST}; ${zonal} (a region opened since: add it there)`;
    return { key: "azure-native:location", value: location, message };
}

export const azureRules: CloudRules<AzureConfig> = {
    region: { key: "azure-native:location", pattern: /^[a-z]+[a-z0-9]*$/, example: "westeurope" },
    check({ region, domain, settings }) {
        const issues: ConfigIssue[] = [];
        const location = region && locationIssue(region);
        if (location) issues.push(location);
        if (domain !== undefined && settings && settings.tlsSecretName === undefined)
            issues.push({
                key: "domain",
                value: domain,
                message:
                    "on azure needs azure.tlsSecretName: a kubernetes.io/tls Secret in the app namespace (Azure issues no certificate for Application Gateway for Containers)",
            });
        return issues;
    },
    // Every app, the default one included, takes one frontend of the stack's single AGC.
    apps: (apps: AppConfig[]) =>
        apps.length + 1 > AGC_MAX_FRONTENDS
            ? [
                  {
                      key: "apps",
                      value: apps.map((a) => a.name).join(", "),
                      message: `makes ${apps.length + 1} apps with the default one, but the stack's Application Gateway for Containers takes at most ${AGC_MAX_FRONTENDS} frontends, one per app`,
                  },
              ]
            : [],
};
