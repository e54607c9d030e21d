// The CA certificates the app needs to verify its data stores' TLS certificates, per cloud. Pure (no
// Pulumi): the vendored bundles in model/certs/ and the pick of what one stack ships.
//
// Where a server's certificate chains to a public root in every OS store (ElastiCache, Azure Managed
// Redis) the app needs nothing; libpq does not read the OS store (its sslrootcert defaults to
// ~/.postgresql/root.crt), so every PostgreSQL gets its roots in DATABASE_CA_CERT.
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

const CERTS = path.join(__dirname, "certs");

/** The CA RDS signs the instance's certificate with (set on the instance; RSA 2048, SHA-256). */
export const RDS_CA_IDENTIFIER = "rds-ca-rsa2048-g1";

/** The PEM certificate blocks of a bundle (comments and blank lines between them dropped). */
export function pemCertificates(text: string): string[] {
    return text.match(/-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+?-----END CERTIFICATE-----/g) ?? [];
}

const bundle = (file: string) => pemCertificates(fs.readFileSync(path.join(CERTS, file), "utf8"));
const commonName = (pem: string) => /(?:^|\n)CN=([^\n]+)/.exec(new X509Certificate(pem).subject)?.[1] ?? "";
// The global bundle's certificates with their common names, parsed once: every aws config parse asks.
let rdsRoots: [pem: string, cn: string][] | undefined;
const rdsBundle = () => (rdsRoots ??= bundle("rds-global-bundle.pem").map((pem) => [pem, commonName(pem)]));

// Each region has its own roots, one per CA family: "Amazon RDS eu-west-1 Root CA RSA2048 G1", … RSA4096 G1, … ECC384 G1.
const RDS_ROOT = /^Amazon RDS ([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d) Root CA (RSA2048|RSA4096|ECC384) G1$/;

/** Regions whose RDS roots (all three CA families) are in the vendored global bundle. */
export function rdsRegions(): string[] {
    const families = new Map<string, Set<string>>();
    for (const [, cn] of rdsBundle()) {
        const m = RDS_ROOT.exec(cn);
        if (m) families.set(m[1], (families.get(m[1]) ?? new Set()).add(m[2]));
    }
    return [...families].filter(([, f]) => f.size === 3).map(([region]) => region);
}

/**
 * The region's RDS root CAs (whichever of the three CA families the instance uses), as one PEM. Only the
 * region's: the global bundle is ~150 KB, more than Linux allows one environment variable (128 KiB).
 */
export function rdsCaBundle(region: string): string {
    const pems = rdsBundle()
        .filter(([, cn]) => RDS_ROOT.exec(cn)?.[1] === region)
        .map(([pem]) => pem);
    if (pems.length !== 3) throw new Error(`No RDS root CAs for region ${region} in model/certs/rds-global-bundle.pem; refresh it from its source URL.`);
    return pems.join("\n") + "\n";
}

/** The root CAs that Azure Database for PostgreSQL flexible server certificates chain to. */
export function azurePostgresRoots(): string {
    return bundle("azure-postgres-roots.pem").join("\n") + "\n";
}
