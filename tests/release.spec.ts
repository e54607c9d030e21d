// The Release component as the dev stack declares it, for each strategy: objects, names, pods,
// autoscaling, routing, ordering (the gate) and replica ownership.
import { strict as assert } from "assert";
import { gatedWeight, UndersizedColourError } from "../components/k8s/releaseGate";
import { PRE_STOP_SECONDS, TERMINATION_GRACE_SECONDS } from "../components/k8s/release";
import { all, find, runStack, type Recorded, type StackRun } from "./harness";
import { validateK8s } from "./k8sSchema";
import { assertNoRouteFilters } from "./routeHstsChecks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";

const appObjects = (run: StackRun, type: string) => all(run, type).filter((r) => r.parent?.includes("zdp:k8s:Release"));
const weighted = (route: Recorded) => route.inputs.spec.rules.find((r: any) => !r.matches?.[0]?.headers).backendRefs;
const weightsOf = (route: Recorded) => Object.fromEntries(weighted(route).map((b: any) => [b.name, b.weight]));

describe("Release component", () => {
    let blueGreen: StackRun;
    let rolling: StackRun;
    let canary: StackRun;
    before(async () => {
        blueGreen = await runStack("dev");
        rolling = await runStack("dev", { releaseStrategy: "rolling", appVersion: "6.9.1", blueVersion: "", greenVersion: "" });
        canary = await runStack("dev", { releaseStrategy: "canary", canaryWeight: "10", greenVersion: "6.9.2" });
    });

    it("every Kubernetes object of every strategy is schema-valid, Gateway and HTTPRoute included", () => {
        for (const run of [blueGreen, rolling, canary]) {
            const report = validateK8s(run.resources);
            assert.deepEqual(report.errors, []);
            assert.deepEqual(report.skipped, []);
            assert.ok(report.validated.some((v) => v.startsWith(ROUTE)) && report.validated.some((v) => v.startsWith(GATEWAY)));
        }
    });

    it("blue/green: a Deployment, Service, PDB and HPA per colour, with stable names", () => {
        for (const type of [DEPLOYMENT, SERVICE, HPA, PDB])
            assert.deepEqual(
                appObjects(blueGreen, type)
                    .map((r) => r.inputs.metadata.name)
                    .sort(),
                ["app-blue", "app-green"],
                type,
            );
        assert.deepEqual(find(blueGreen, ROUTE, "app-route").inputs.metadata.name, "app");
        assert.deepEqual(find(blueGreen, GATEWAY, "app-gateway").inputs.spec.gatewayClassName, "envoy-gateway");
    });

    it("rolling: one track named app, all traffic on it, no preview rule", () => {
        for (const type of [DEPLOYMENT, SERVICE, HPA, PDB])
            assert.deepEqual(
                appObjects(rolling, type).map((r) => r.inputs.metadata.name),
                ["app"],
                type,
            );
        const route = find(rolling, ROUTE, "app-route");
        assert.equal(route.inputs.spec.rules.length, 1);
        assert.deepEqual(weightsOf(route), { app: 100 });
        const d = find(rolling, DEPLOYMENT, "app-app").inputs;
        assert.equal(d.spec.template.spec.containers[0].image, "ghcr.io/stefanprodan/podinfo:6.9.1");
        assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, 0, "no ready pod leaves before its replacement is ready");
        assert.ok(d.spec.strategy.rollingUpdate.maxSurge >= 1);
    });

    it("blue/green: weighted backendRefs 100/0, and a token-guarded preview route reaching only the inactive colour", () => {
        const route = find(blueGreen, ROUTE, "app-route");
        assert.deepEqual(weightsOf(route), { "app-blue": 100, "app-green": 0 });
        // The live route holds no secret, so Pulumi shows its weights in every preview of a release PR.
        assert.deepEqual(route.secretPaths, []);
        const tokenRoute = find(blueGreen, ROUTE, "app-preview-token-route");
        assert.ok(tokenRoute.secretPaths.length > 0, "the token is a secret");
        assert.deepEqual(tokenRoute.inputs.spec.parentRefs, route.inputs.spec.parentRefs);
        const preview = tokenRoute.inputs.spec.rules[0];
        // A dark canary: the header must carry the stack's generated 40-character token, not a guessable value.
        const [header] = preview.matches[0].headers;
        assert.deepEqual([header.type, header.name], ["Exact", "x-zdp-preview"]);
        assert.match(header.value, /^[A-Za-z0-9]{40}$/);
        assert.deepEqual(
            preview.backendRefs.map((b: any) => b.name),
            ["app-green"],
        );
    });

    it("canary: canaryWeight percent on the inactive colour, the rest on the active one", () => {
        assert.deepEqual(weightsOf(find(canary, ROUTE, "app-route")), { "app-blue": 90, "app-green": 10 });
    });

    it("previewHost: a separate route for that hostname, to the inactive colour only", async () => {
        const run = await runStack("dev", { previewHost: "preview.example.com", domain: "app.example.com" });
        const preview = find(run, ROUTE, "app-preview-route").inputs;
        assert.deepEqual(preview.spec.hostnames, ["preview.example.com"]);
        assert.deepEqual(
            preview.spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.name)),
            ["app-green"],
        );
        assert.deepEqual(find(run, ROUTE, "app-route").inputs.spec.hostnames, ["app.example.com"]);
        assert.deepEqual(validateK8s(run.resources).errors, []);
        // Dev serves HTTP only: no HSTS filter, with or without a domain.
        assertNoRouteFilters(run);
        assertNoRouteFilters(blueGreen);
    });

    describe("the gated switch", () => {
        const urnOf = (run: StackRun, type: string, name: string) => find(run, type, name).urn;

        it("the route depends on every Deployment it sends traffic to, and only those", () => {
            const route = find(blueGreen, ROUTE, "app-route");
            assert.ok(route.dependsOn.includes(urnOf(blueGreen, DEPLOYMENT, "app-blue")));
            assert.ok(!route.dependsOn.includes(urnOf(blueGreen, DEPLOYMENT, "app-green")));
            const canaryRoute = find(canary, ROUTE, "app-route");
            for (const c of ["app-blue", "app-green"]) assert.ok(canaryRoute.dependsOn.includes(urnOf(canary, DEPLOYMENT, c)), c);
            assert.ok(find(rolling, ROUTE, "app-route").dependsOn.includes(urnOf(rolling, DEPLOYMENT, "app-app")));
        });

        it("the Gateway waits for what the stack installs (Envoy Gateway chart and GatewayClass)", () => {
            const gw = find(blueGreen, GATEWAY, "app-gateway");
            assert.ok(gw.dependsOn.some((u) => u.endsWith("kubernetes:helm.sh/v3:Release::envoy-chart")));
            assert.ok(gw.dependsOn.some((u) => u.endsWith("GatewayClass::envoy-class")));
        });

        it("each Deployment waits for its HPA; an idle colour's HPA waits for the route", () => {
            for (const c of ["app-blue", "app-green"]) assert.ok(find(blueGreen, DEPLOYMENT, c).dependsOn.includes(urnOf(blueGreen, HPA, c)), c);
            assert.ok(find(blueGreen, HPA, "app-green").dependsOn.includes(urnOf(blueGreen, ROUTE, "app-route")));
            assert.ok(!find(blueGreen, HPA, "app-blue").dependsOn.includes(urnOf(blueGreen, ROUTE, "app-route")));
        });

        it("refuses weight on a colour whose Deployment is below its floor, naming what to do", () => {
            assert.equal(gatedWeight("green", 100, 9, 9), 100);
            assert.equal(gatedWeight("green", 0, 1, 9), 0, "an idle colour needs no size");
            assert.equal(gatedWeight("green", 100, undefined, 9), 100, "unknown in preview: checked when it resolves");
            assert.throws(
                () => gatedWeight("green", 100, 3, 9),
                (e: Error) => e instanceof UndersizedColourError && /green/.test(e.message) && /inactiveScale=full/.test(e.message) && /3/.test(e.message),
            );
        });
    });

    describe("replica ownership (HPA vs pulumi up)", () => {
        it("serving tracks leave spec.replicas to the HPA after creation; idle colours get their floor written", () => {
            const blue = find(blueGreen, DEPLOYMENT, "app-blue");
            const green = find(blueGreen, DEPLOYMENT, "app-green");
            assert.deepEqual(blue.ignoreChanges, ["spec.replicas"]);
            assert.deepEqual(green.ignoreChanges, []);
            assert.deepEqual(find(rolling, DEPLOYMENT, "app-app").ignoreChanges, ["spec.replicas"]);
            for (const d of [blue, green]) {
                const hpa = find(blueGreen, HPA, d.inputs.metadata.name).inputs.spec;
                assert.equal(d.inputs.spec.replicas, hpa.minReplicas, "the Deployment starts at its HPA floor");
                assert.equal(d.inputs.metadata.annotations["pulumi.com/patchForce"], "true");
            }
        });

        it("inactiveScale=minimal: the idle colour starts small and is left to its HPA; the serving colour's floor is written", async () => {
            const run = await runStack("dev", { inactiveScale: "minimal" });
            const blue = find(run, DEPLOYMENT, "app-blue");
            const green = find(run, DEPLOYMENT, "app-green");
            const hpa = find(run, HPA, "app-green").inputs.spec;
            assert.equal(green.inputs.spec.replicas, hpa.minReplicas);
            assert.ok(hpa.minReplicas < find(run, HPA, "app-blue").inputs.spec.minReplicas);
            // Pulumi never writes a smaller count onto a colour that just lost its traffic...
            assert.deepEqual(green.ignoreChanges, ["spec.replicas"]);
            // ...and always writes the full floor onto one that takes traffic (waited for before the route).
            assert.deepEqual(blue.ignoreChanges, []);
            assert.equal(blue.inputs.metadata.annotations["zdp.io/serving"], "true");
            assert.equal(green.inputs.metadata.annotations["zdp.io/serving"], "false");
            assert.equal(find(blueGreen, DEPLOYMENT, "app-blue").inputs.metadata.annotations["zdp.io/serving"], undefined, "full: no role on the object");
        });
    });

    describe("pods", () => {
        const pods = () => appObjects(blueGreen, DEPLOYMENT).map((d) => d.inputs.spec.template.spec);

        it("are hardened: non-root, read-only root with an emptyDir /tmp, no escalation, no capabilities, RuntimeDefault, no token", () => {
            for (const pod of pods()) {
                assert.equal(pod.automountServiceAccountToken, false);
                assert.equal(pod.securityContext.runAsNonRoot, true);
                assert.ok(pod.securityContext.runAsUser > 0);
                assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
                const c = pod.containers[0];
                assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
                assert.equal(c.securityContext.allowPrivilegeEscalation, false);
                assert.equal(c.securityContext.readOnlyRootFilesystem, true);
                assert.ok(c.volumeMounts.some((m: any) => m.mountPath === "/tmp"));
                assert.ok(pod.volumes.some((v: any) => v.name === "tmp" && v.emptyDir));
            }
        });

        it("drain: preStop sleeps, and the grace period outlasts preStop plus the app's drain", () => {
            assert.ok(TERMINATION_GRACE_SECONDS > PRE_STOP_SECONDS);
            for (const pod of pods()) {
                assert.equal(pod.containers[0].lifecycle.preStop.sleep.seconds, PRE_STOP_SECONDS);
                assert.ok(pod.terminationGracePeriodSeconds > pod.containers[0].lifecycle.preStop.sleep.seconds);
            }
        });

        it("probes: startup and readiness on healthPath, liveness that does not depend on readiness", () => {
            for (const pod of pods()) {
                const c = pod.containers[0];
                assert.equal(c.readinessProbe.httpGet.path, "/readyz");
                assert.equal(c.startupProbe.httpGet.path, "/readyz");
                assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 60, "a slow starter gets a minute or more");
                assert.ok(c.livenessProbe.tcpSocket);
            }
        });

        it("read the app Secret, request CPU and memory, limit memory, and spread over zones and nodes", () => {
            for (const pod of pods()) {
                const c = pod.containers[0];
                assert.deepEqual(c.envFrom, [{ secretRef: { name: "app-env" } }]);
                assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
                assert.deepEqual(
                    pod.topologySpreadConstraints.map((t: any) => t.topologyKey),
                    ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
                );
                // A lost zone's tainted nodes leave the count (e2e/zoneLoss.e2e.ts shows the difference).
                assert.equal(pod.topologySpreadConstraints[0].nodeTaintsPolicy, "Honor");
                assert.equal(pod.enableServiceLinks, false);
            }
        });

        it("carry the recommended labels; only pod templates and Deployments carry the version", () => {
            const d = find(blueGreen, DEPLOYMENT, "app-blue").inputs;
            for (const key of ["name", "instance", "component", "part-of", "managed-by", "version"])
                assert.ok(d.spec.template.metadata.labels[`app.kubernetes.io/${key}`], key);
            assert.equal(d.spec.template.metadata.labels["app.kubernetes.io/version"], "6.9.1");
            assert.ok(!("app.kubernetes.io/version" in d.spec.selector.matchLabels));
            for (const type of [SERVICE, HPA, PDB])
                for (const r of appObjects(blueGreen, type)) assert.ok(!("app.kubernetes.io/version" in r.inputs.metadata.labels), `${type} ${r.name}`);
        });
    });

    it("a version pinned by digest pulls exactly that image; the label keeps the tag, ZDP_VERSION the whole version", async () => {
        const digest = `sha256:${"ab12".repeat(16)}`;
        const run = await runStack("dev", { greenVersion: `6.9.2@${digest}` });
        const green = find(run, DEPLOYMENT, "app-green").inputs.spec.template;
        const c = green.spec.containers[0];
        assert.equal(c.image, `ghcr.io/stefanprodan/podinfo:6.9.2@${digest}`);
        assert.equal(green.metadata.labels["app.kubernetes.io/version"], "6.9.2");
        assert.equal(c.env.find((e: any) => e.name === "ZDP_VERSION").value, `6.9.2@${digest}`);
        assert.equal(find(run, DEPLOYMENT, "app-blue").inputs.spec.template.spec.containers[0].image, "ghcr.io/stefanprodan/podinfo:6.9.1");
        assert.deepEqual(validateK8s(run.resources).errors, []);
    });

    it("a version that is a digest alone pulls repo@digest; its label is the digest's first 12 hex digits", async () => {
        const digest = `sha256:${"0123456789ab".repeat(5)}cdef`;
        const run = await runStack("dev", { greenVersion: `@${digest}` });
        const green = find(run, DEPLOYMENT, "app-green").inputs.spec.template;
        assert.equal(green.spec.containers[0].image, `ghcr.io/stefanprodan/podinfo@${digest}`);
        assert.equal(green.metadata.labels["app.kubernetes.io/version"], "sha256-0123456789ab");
        assert.equal(green.spec.containers[0].env.find((e: any) => e.name === "ZDP_VERSION").value, `@${digest}`);
        assert.deepEqual(validateK8s(run.resources).errors, []);
    });

    it("HPA: autoscaling/v2 on CPU, floor and ceiling from the release plan; PDB by absolute maxUnavailable", () => {
        const hpa = find(blueGreen, HPA, "app-blue").inputs.spec;
        assert.equal(hpa.metrics[0].resource.name, "cpu");
        assert.equal(hpa.scaleTargetRef.name, "app-blue");
        assert.ok(hpa.maxReplicas > hpa.minReplicas);
        const pdb = find(blueGreen, PDB, "app-blue").inputs.spec;
        assert.ok(Number.isInteger(pdb.maxUnavailable) && pdb.maxUnavailable >= 1);
        assert.deepEqual(pdb.selector.matchLabels, find(blueGreen, DEPLOYMENT, "app-blue").inputs.spec.selector.matchLabels);
    });
});
