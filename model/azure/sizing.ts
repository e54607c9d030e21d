// Azure-specific rounding of the capacity model. Pure: no Pulumi import.

/**
 * Premium SSD sizes a PostgreSQL Flexible Server accepts (GiB; storage only grows), each with the disk
 * performance tier it comes with and that tier's provisioned IOPS (32 GiB is P4 and 64 GiB P6 in managed
 * disk terms). MicrosoftDocs/azure-databases-docs articles/postgresql/flexible-server/concepts-storage.md,
 * table "Disk size | Premium SSD IOPS"; tier names: the API's AzureManagedDiskPerformanceTier (P1..P80).
 */
export const PG_STORAGE = [
    { gb: 32, tier: "P4", iops: 120 },
    { gb: 64, tier: "P6", iops: 240 },
    { gb: 128, tier: "P10", iops: 500 },
    { gb: 256, tier: "P15", iops: 1_100 },
    { gb: 512, tier: "P20", iops: 2_300 },
    { gb: 1024, tier: "P30", iops: 5_000 },
    { gb: 2048, tier: "P40", iops: 7_500 },
    { gb: 4096, tier: "P50", iops: 7_500 },
    { gb: 8192, tier: "P60", iops: 16_000 },
    { gb: 16384, tier: "P70", iops: 18_000 },
    { gb: 32767, tier: "P80", iops: 20_000 },
] as const;
export const PG_STORAGE_SIZES_GB = PG_STORAGE.map((r) => r.gb);

const rowFor = (gb: number) => PG_STORAGE.find((r) => r.gb >= gb) ?? PG_STORAGE[PG_STORAGE.length - 1];

export function pgStorageGb(wantedGiB: number): number {
    return rowFor(wantedGiB).gb;
}

/**
 * The performance tier of a server's disk: the first whose IOPS reach `wantedIops`, never below the tier of
 * the size auto-grow may reach (so a grown disk never sits above the tier the program declares), and never
 * above what the starting size may be raised to: a disk up to 4 TiB only to P50 (MicrosoftDocs/azure-docs
 * articles/virtual-machines/disks-change-performance.md, "What tiers can be changed"); auto-grow does not
 * cross 4 TiB by itself (concepts-storage.md). A short tier shows as a ✗ capacity row ("database IOPS").
 */
export function pgPerformanceTier(storageGiB: number, maxStorageGiB: number, wantedIops: number): (typeof PG_STORAGE)[number] {
    const start = rowFor(storageGiB);
    const small = start.gb <= 4096;
    const ceiling = small ? rowFor(4096) : PG_STORAGE[PG_STORAGE.length - 1];
    const grown = rowFor(small ? Math.min(maxStorageGiB, 4096) : maxStorageGiB);
    const forIops = PG_STORAGE.find((r) => r.iops >= wantedIops) ?? PG_STORAGE[PG_STORAGE.length - 1];
    const wanted = [start, grown, forIops].reduce((a, b) => (b.gb > a.gb ? b : a));
    return wanted.gb > ceiling.gb ? ceiling : wanted;
}

/** AKS zones the node pools and zone-redundant services span. */
export const ZONES = ["1", "2", "3"] as const;

/** The AKS system pool (critical add-ons only): one x86 node per zone, growing to two per zone. */
export const SYSTEM_POOL = { min: ZONES.length, max: 2 * ZONES.length } as const;
