// Azure-specific rounding of the capacity model. Pure: no Pulumi import.

/** Premium SSD sizes a PostgreSQL Flexible Server accepts (GiB); storage only grows.
 *  https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-storage */
export const PG_STORAGE_SIZES_GB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767] as const;

export function pgStorageGb(wantedGiB: number): number {
    return PG_STORAGE_SIZES_GB.find((s) => s >= wantedGiB) ?? PG_STORAGE_SIZES_GB[PG_STORAGE_SIZES_GB.length - 1];
}

/** AKS zones the node pools and zone-redundant services span. */
export const ZONES = ["1", "2", "3"] as const;

/** The AKS system pool (critical add-ons only): one x86 node per zone, growing to two per zone. */
export const SYSTEM_POOL = { min: ZONES.length, max: 2 * ZONES.length } as const;
