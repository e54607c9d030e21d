// azure's rules across keys: what the schema of `azure.*` alone cannot see.
import type { AzureConfig, CloudRules, ConfigIssue } from "../stackConfig";

export const azureRules: CloudRules<AzureConfig> = {
    region: { key: "azure-native:location", pattern: /^[a-z]+[a-z0-9]*$/, example: "westeurope" },
    check({ domain, settings }) {
        const issues: ConfigIssue[] = [];
        if (domain !== undefined && settings && settings.tlsSecretName === undefined)
            issues.push({
                key: "domain",
                value: domain,
                message:
                    "on azure needs azure.tlsSecretName: a kubernetes.io/tls Secret in the app namespace (Azure issues no certificate for Application Gateway for Containers)",
            });
        return issues;
    },
};
