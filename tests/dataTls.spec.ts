// The CA bundles the app gets to verify its data stores (model/dataTls.ts, model/certs/).
import * as assert from "assert";
import { X509Certificate } from "crypto";
import { parseConfig, ConfigError } from "../model/config";
import { azurePostgresRoots, rdsCaBundle, rdsRegions } from "../model/dataTls";
import { stackConfigMap } from "./harness";

const certsOf = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));

describe("data store CA bundles", () => {
    it("holds every commercial RDS region's three G1 roots, each self-signed and valid past 2060", () => {
        const regions = rdsRegions();
        for (const r of ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1"])
            assert.ok(regions.includes(r), `${r} missing from the RDS bundle`);
        for (const region of regions) {
            const certs = certsOf(rdsCaBundle(region));
            assert.strictEqual(certs.length, 3, region);
            for (const c of certs) {
                assert.ok(c.ca && c.checkIssued(c) && c.verify(c.publicKey), `${c.subject}: not a self-signed CA`);
                assert.ok(c.subject.includes(`CN=Amazon RDS ${region} Root CA `), c.subject);
                assert.ok(new Date(c.validTo) > new Date("2060-01-01"), `${c.subject} expires ${c.validTo}`);
            }
        }
    });

    it("refuses a region the bundle does not cover, and the aws config names aws:region for it", () => {
        assert.throws(() => rdsCaBundle("xx-nowhere-1"), /No RDS root CAs for region xx-nowhere-1/);
        const values = stackConfigMap("aws", { "aws:region": "xx-nowhere-1" });
        assert.throws(
            () => parseConfig(values, "aws", "zdp"),
            (e: unknown) => e instanceof ConfigError && /aws:region.*xx-nowhere-1.*rds-global-bundle/s.test(e.message),
        );
    });

    it("ships Azure PostgreSQL's three root CAs, each self-signed", () => {
        const names = certsOf(azurePostgresRoots()).map((c) => (c.verify(c.publicKey) ? /CN=([^\n]+)/.exec(c.subject)?.[1] : "not self-signed"));
        assert.deepStrictEqual(names.sort(), ["DigiCert Global Root CA", "DigiCert Global Root G2", "Microsoft RSA Root Certificate Authority 2017"]);
    });
});
