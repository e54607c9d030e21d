// The upgrade rule the preflight applies against a running cluster (model/deployedVersion.ts), and the
// row it makes of it (scripts/preflight/deployedVersion.ts): same minor or one up, never down, never a
// skip; node pools within the cloud's skew.
import assert from "node:assert/strict";
import { parseVersion, upgradeVerdict, type NodeSkew } from "../model/deployedVersion";
import { deployedVersionRow } from "../scripts/preflight/deployedVersion";
import { EKS_VERSIONS } from "../model/aws/config";

const EKS: NodeSkew = { maxLag: 1, onUpgradeOnly: true, noun: "node group" };
const AKS: NodeSkew = { maxLag: 2, onUpgradeOnly: false, noun: "node pool" };

describe("upgrade from the running version", () => {
    it("reads the versions each cloud reports", () => {
        assert.deepEqual(parseVersion("1.35"), { major: 1, minor: 35 });
        assert.deepEqual(parseVersion("1.36.4"), { major: 1, minor: 36, patch: 4 });
        assert.deepEqual(parseVersion("v1.35.2-eks-3025e55"), { major: 1, minor: 35, patch: 2 });
        assert.deepEqual(parseVersion("1.35.7-gke.1222000"), { major: 1, minor: 35, patch: 7 });
        for (const bad of ["", "latest", "1", "1.x", "one.35"]) assert.equal(parseVersion(bad), undefined, bad);
    });

    it("the running minor and the next one pass", () => {
        for (const [configured, running, detail] of [
            ["1.35", "1.35", /running minor \(1\.35\)/],
            ["1.36", "1.35", /one minor up from 1\.35/],
            ["1.36", "1.35.9", /one minor up from 1\.35\.9/],
            ["1.36.4", "1.36.2", /running minor/],
        ] as const) {
            const v = upgradeVerdict({ configured, running });
            assert.equal(v.status, "ok", `${configured} on ${running}: ${v.detail}`);
            assert.match(v.detail, detail);
        }
    });

    it("a skip, a downgrade and a patch downgrade fail, naming the running version and the allowed minors", () => {
        const skip = upgradeVerdict({ configured: "1.37", running: "1.35" });
        assert.equal(skip.status, "fail");
        assert.match(skip.detail, /^the cluster runs 1\.35: 1\.37 skips 1 minor\(s\)/);
        assert.deepEqual(skip.allowed, ["1.35", "1.36"]);
        const down = upgradeVerdict({ configured: "1.35", running: "1.36.3" });
        assert.equal(down.status, "fail");
        assert.match(down.detail, /runs 1\.36\.3: 1\.35 is a downgrade/);
        assert.deepEqual(down.allowed, ["1.36", "1.37"]);
        const patch = upgradeVerdict({ configured: "1.36.1", running: "1.36.3" });
        assert.equal(patch.status, "fail");
        assert.match(patch.detail, /1\.36\.1 is a patch downgrade/);
        // Another major is never one step.
        assert.equal(upgradeVerdict({ configured: "2.0", running: "1.36" }).status, "fail");
    });

    it("the allowed values are those the stack's list accepts", () => {
        assert.deepEqual(upgradeVerdict({ configured: "1.36", running: "1.34", offered: EKS_VERSIONS }).allowed, ["1.35"]);
        assert.deepEqual(upgradeVerdict({ configured: "1.36", running: "1.33", offered: EKS_VERSIONS }).allowed, []);
    });

    it("EKS: node groups must run the cluster's minor before it moves; they may lag while it stays", () => {
        const nodes = [
            { name: "zdp-aws-z0-a", version: "1.35" },
            { name: "zdp-aws-z1-b", version: "1.34" },
        ];
        const moving = upgradeVerdict({ configured: "1.36", running: "1.35", nodes, skew: EKS });
        assert.equal(moving.status, "fail");
        assert.match(moving.detail, /node groups zdp-aws-z1-b \(1\.34\) would trail 1\.36 by more than 1 minor/);
        assert.deepEqual(moving.allowed, ["1.35"]);
        assert.equal(upgradeVerdict({ configured: "1.35", running: "1.35", nodes, skew: EKS }).status, "ok");
        assert.equal(upgradeVerdict({ configured: "1.36", running: "1.35", nodes: [nodes[0]], skew: EKS }).status, "ok");
    });

    it("AKS: node pools at most two minors behind the control plane's target", () => {
        const nodes = [
            { name: "system", version: "1.35.2" },
            { name: "user", version: "1.34.9" },
        ];
        assert.equal(upgradeVerdict({ configured: "1.36", running: "1.35.2", nodes, skew: AKS }).status, "ok");
        const v = upgradeVerdict({ configured: "1.37", running: "1.36.1", nodes, skew: AKS });
        assert.equal(v.status, "fail");
        assert.match(v.detail, /node pools user \(1\.34\.9\) would trail 1\.37 by more than 2/);
    });

    it("AKS: a skip from a minor out of support back into support is the one skip allowed", () => {
        const supported = ["1.35", "1.36", "1.37"];
        const back = upgradeVerdict({ configured: "1.35", running: "1.33.4", skipFromUnsupported: supported });
        assert.equal(back.status, "ok", back.detail);
        assert.match(back.detail, /from 1\.33\.4, out of support, into support/);
        // From a supported minor, a skip stays refused; and out of support, still never past the list.
        assert.equal(upgradeVerdict({ configured: "1.37", running: "1.35.2", skipFromUnsupported: supported }).status, "fail");
        assert.equal(upgradeVerdict({ configured: "1.38", running: "1.33.4", skipFromUnsupported: supported }).status, "fail");
        // The pools still within two minors of the target.
        const pools = [{ name: "user", version: "1.32.1" }];
        assert.equal(upgradeVerdict({ configured: "1.35", running: "1.33.4", nodes: pools, skew: AKS, skipFromUnsupported: supported }).status, "fail");
    });

    it("an unreadable version is 'could not check', never a pass", () => {
        assert.equal(upgradeVerdict({ configured: "1.36", running: "" }).status, "unknown");
    });
});

describe("preflight row: the running cluster", () => {
    const eks = { name: "zdp-aws", key: "aws.kubernetesVersion", version: "1.36", offered: EKS_VERSIONS };

    it("no cluster is a first deployment", () => {
        const r = deployedVersionRow("EKS", eks, undefined);
        assert.deepEqual([r.status, r.detail], ["ok", "no EKS cluster named zdp-aws: first deployment"]);
        assert.match(deployedVersionRow("AKS", { tags: { stack: "azure" } }, undefined).detail, /no AKS cluster carries the stack's tags/);
    });

    it("a skip names the key, the running version and the allowed values", () => {
        const r = deployedVersionRow("EKS", { ...eks, version: "1.36" }, { name: "zdp-aws", version: "1.34", nodes: [] });
        assert.equal(r.status, "fail");
        assert.equal(r.detail, "aws.kubernetesVersion = 1.36: zdp-aws runs 1.34: 1.36 skips 1 minor(s); the control plane moves one minor at a time");
        assert.equal(r.fix, "pulumi config set --path aws.kubernetesVersion <one of 1.35>");
    });

    it("a downgrade says what the cloud allows besides", () => {
        const note = "EKS's own rollback";
        const r = deployedVersionRow("EKS", { ...eks, version: "1.35", downgradeNote: note }, { name: "zdp-aws", version: "1.36", nodes: [] });
        assert.equal(r.status, "fail");
        assert.match(r.detail, /runs 1\.36: 1\.35 is a downgrade, which the control plane refuses \(EKS's own rollback\)$/);
        assert.match(r.fix!, /<one of 1\.36>$/);
    });

    it("where a channel owns the version, the running one is reported and nothing is compared", () => {
        const r = deployedVersionRow(
            "GKE",
            { tags: {}, ownedBy: "GKE's REGULAR release channel" },
            { name: "zdp-gcp-1a2b", version: "1.35.7-gke.1", nodes: [] },
        );
        assert.deepEqual(
            [r.status, r.detail],
            ["ok", "zdp-gcp-1a2b runs 1.35.7-gke.1; GKE's REGULAR release channel moves its version, the stack sets none after creation"],
        );
    });
});
