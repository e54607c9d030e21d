// Cloud identifiers built from the project and stack names, against the rules of the API that takes
// them. A stack named `Prod_EU` or `customer-acme-production-eu` would otherwise pass `pulumi preview`
// and fail midway through `pulumi up`. Pure (no Pulumi import).
import type { Cloud } from "./stackConfig";

interface Identifier {
    what: string;
    id: string;
    max: number;
    source: string;
    /** The logical name the provider autonames from, where it does. */
    logical?: string;
}

// Pulumi's bridged providers auto-name a resource `<name>-<7 hex>`, azure-native `<name><8 random
// characters>` (scripts/offline/mocks/azure.ts); a Terraform name_prefix gets a 26-character suffix
// (terraform-plugin-sdk id.UniqueIDSuffixLength).
const AUTONAME_SUFFIX = 8;
const PREFIX_SUFFIX = 26;

/** An identifier the provider autonames from the logical name `logical`. */
const autonamed = (what: string, logical: string, max: number, source: string): Identifier => ({
    what,
    id: logical.padEnd(logical.length + AUTONAME_SUFFIX, "x"),
    max,
    source,
    logical,
});

export function stackIdentifiers(cloud: Cloud, project: string, stack: string): Identifier[] {
    const base = `${project}-${stack}`;
    if (cloud === "aws")
        return [
            { what: "RDS instance identifier", id: `${base}-pg`, max: 63, source: "RDS CreateDBInstance DBInstanceIdentifier" },
            { what: "ElastiCache replication group id", id: `${base}-valkey`, max: 40, source: "ElastiCache CreateReplicationGroup ReplicationGroupId" },
            {
                what: "EKS node group name (prefix + 26)",
                id: `${base}-z0-`.padEnd(base.length + 4 + PREFIX_SUFFIX, "x"),
                max: 63,
                source: "EKS CreateNodegroup nodegroupName",
            },
        ];
    if (cloud === "gcp")
        return [
            autonamed("Memorystore instance id", `${base}-redis`, 40, "Memorystore CreateInstanceRequest instance_id"),
            autonamed("GKE cluster name", base, 40, "GKE Cluster.name"),
        ];
    // The azure logical names are the stack's (stacks/azure.ts, components/azure/*), which a spec checks.
    if (cloud === "azure")
        return [
            autonamed("resource group name", `${base}-rg`, 90, "ARM resourceGroupName maxLength 90"),
            autonamed("virtual network name", `${base}-vnet`, 64, "Microsoft.Network/virtualNetworks name, 2-64"),
            autonamed("AKS cluster name", `${base}-aks`, 63, "Microsoft.ContainerService/managedClusters resourceName maxLength 63"),
            autonamed("PostgreSQL flexible server name", `${base}-db-pg`, 63, "Microsoft.DBforPostgreSQL/flexibleServers name"),
            autonamed("Azure Managed Redis name", `${base}-cache-redis`, 60, "Microsoft.Cache/redisEnterprise name, 1-60"),
        ];
    return [];
}

/**
 * Why this stack name cannot make this cloud's identifiers, or undefined when it can. Every one of
 * them takes lower-case letters, digits and single hyphens, starting with a letter (the strictest,
 * RDS and ElastiCache, refuse `--` and a trailing hyphen).
 */
export function stackNameProblem(cloud: Cloud, project: string, stack: string): string | undefined {
    const ids = stackIdentifiers(cloud, project, stack);
    if (ids.length === 0) return undefined;
    const longest = Math.min(...ids.map((i) => i.max - (i.id.length - stack.length)));
    const rule = `use a stack name of lower-case letters, digits and single hyphens, starting with a letter, at most ${longest} characters`;
    if (!/^[a-z]([a-z0-9]|-(?!-))*[a-z0-9]$|^[a-z]$/.test(stack)) return `cannot name ${cloud} resources (${ids.map((i) => i.what).join(", ")}); ${rule}`;
    const long = ids.find((i) => i.id.length > i.max);
    if (long) return `makes the ${long.what} ${long.id.length} characters, over the ${long.max} its API takes (${long.source}); ${rule}`;
    return undefined;
}
