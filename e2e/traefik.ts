// The traffic suite's Gateway API data plane: Traefik v3.6 (built by e2e/build.sh from its Go module)
// on this host, reading Gateways and HTTPRoutes from the e2e API server and proxying to the pods'
// EndpointSlice addresses with the routes' weights. It stands in for Envoy Gateway (dev) and the clouds'
// load balancers (ALB, Application Gateway for Containers, the GKE gateway): docs/verification.md says
// what it proves and what differs.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Cluster } from "./cluster";
import { tool } from "./tools";

export const TRAEFIK_CLASS = "traefik";
/** Traefik maps a Gateway listener to the entry point of the same port: the Release's listener is port 80. */
export const GATEWAY_PORT = 80;

export class Traefik {
    private proc?: ChildProcess;

    constructor(private readonly cluster: Cluster) {}

    /** Installs the GatewayClass and starts the proxy on 127.0.0.1:80. */
    start(logDir: string): void {
        this.cluster.apply({
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "GatewayClass",
            metadata: { name: TRAEFIK_CLASS },
            spec: { controllerName: "traefik.io/gateway-controller" },
        });
        const log = fs.openSync(path.join(logDir, "traefik.log"), "w");
        this.proc = spawn(
            tool("traefik"),
            [
                `--entryPoints.web.address=127.0.0.1:${GATEWAY_PORT}`,
                "--providers.kubernetesgateway=true",
                "--global.checkNewVersion=false",
                "--global.sendAnonymousUsage=false",
                "--log.level=INFO",
            ],
            // Traefik's Kubernetes client reads KUBECONFIG when it runs outside a cluster.
            { stdio: ["ignore", log, log], env: { ...process.env, KUBECONFIG: this.cluster.kubeconfig } },
        );
        this.proc.on("exit", (code) => {
            if (this.proc && code !== null) console.error(`e2e: traefik exited ${code}; see ${logDir}/traefik.log`);
        });
    }

    stop(): void {
        const p = this.proc;
        this.proc = undefined;
        p?.kill("SIGKILL");
    }
}
