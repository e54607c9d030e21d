// A real Kubernetes control plane on this machine: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler built from k8s.io/kubernetes, with kwok standing in for kubelets (nodes and pods turn
// Ready without containers; e2e/kwok-stages.yaml), or real nodes (e2e/node.ts: kubelet, containerd,
// runc) where a suite needs running containers. With KUBECONFIG set, the kwok suites use that cluster.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { imageArchive, netnsNow, PAUSE_IMAGE, RealNode, requireRealNodeHost, type NodeSpec } from "./node";
import { tool, until } from "./tools";

/** Real nodes instead of kwok's, and the images (a built binary, its tags) every node imports. */
export interface RealNodes {
    nodes: Omit<NodeSpec, "kubeletPort">[];
    images: { binary: string; tags: string[] }[];
}

const freePort = () =>
    new Promise<number>((resolve, reject) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
        s.on("error", reject);
    });

export class Cluster {
    private procs: ChildProcess[] = [];
    private nodes: RealNode[] = [];
    private readonly netnsBefore = netnsNow();
    private constructor(
        readonly kubeconfig: string,
        private readonly dir?: string,
    ) {}

    /**
     * Start the local control plane (or use $KUBECONFIG's cluster), ready for workloads on 3 zonal kwok
     * nodes; with `real`, on those real nodes instead (always a control plane of its own).
     */
    static async start(real?: RealNodes): Promise<Cluster> {
        if (process.env.KUBECONFIG && !real) return new Cluster(process.env.KUBECONFIG);
        if (real) requireRealNodeHost();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zdp-cluster-"));
        const c = new Cluster(path.join(dir, "kubeconfig"), dir);
        try {
            await c.boot(dir, real);
        } catch (e) {
            c.stop();
            throw e;
        }
        return c;
    }

    private launch(name: string, args: string[]): void {
        const log = fs.openSync(path.join(this.dir!, `${name}.log`), "w");
        const p = spawn(tool(name), args, { stdio: ["ignore", log, log] });
        this.procs.push(p);
        p.on("exit", (code) => {
            if (code !== null && code !== 0 && this.procs.includes(p)) console.error(`e2e: ${name} exited ${code}; see ${this.dir}/${name}.log`);
        });
    }

    private async boot(dir: string, real?: RealNodes): Promise<void> {
        const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
        this.launch("etcd", [
            `--data-dir=${dir}/etcd`,
            `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            "--unsafe-no-fsync",
            "--log-level=warn",
        ]);
        const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(`${dir}/sa.key`, privateKey.export({ type: "pkcs8", format: "pem" }));
        fs.writeFileSync(`${dir}/sa.pub`, publicKey.export({ type: "spki", format: "pem" }));
        const token = randomBytes(24).toString("hex");
        fs.writeFileSync(`${dir}/tokens.csv`, `${token},admin,admin,"system:masters"\n`);
        this.launch("kube-apiserver", [
            `--etcd-servers=http://127.0.0.1:${etcdPort}`,
            `--secure-port=${apiPort}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--cert-dir=${dir}/pki`,
            `--token-auth-file=${dir}/tokens.csv`,
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc",
            `--service-account-key-file=${dir}/sa.pub`,
            `--service-account-signing-key-file=${dir}/sa.key`,
            "--service-cluster-ip-range=10.96.0.0/16",
            // No node lifecycle controller runs (kwok nodes send no heartbeats), so nothing would lift the
            // not-ready taint this admission plugin puts on new nodes.
            "--disable-admission-plugins=TaintNodesByCondition",
        ]);
        // The apiserver writes its self-signed serving certificate first; the kubeconfig trusts exactly it.
        const cert = `${dir}/pki/apiserver.crt`;
        await until(() => fs.existsSync(cert), 60, "kube-apiserver's serving certificate");
        fs.writeFileSync(
            this.kubeconfig,
            JSON.stringify({
                apiVersion: "v1",
                kind: "Config",
                clusters: [
                    {
                        name: "e2e",
                        cluster: { server: `https://127.0.0.1:${apiPort}`, "certificate-authority-data": fs.readFileSync(cert).toString("base64") },
                    },
                ],
                users: [{ name: "admin", user: { token } }],
                contexts: [{ name: "e2e", context: { cluster: "e2e", user: "admin" } }],
                "current-context": "e2e",
            }),
        );
        await until(() => this.kubectlOk(["get", "--raw", "/readyz"]), 120, "kube-apiserver /readyz");
        const kc = `--kubeconfig=${this.kubeconfig}`;
        this.launch("kube-controller-manager", [
            kc,
            `--authentication-kubeconfig=${this.kubeconfig}`,
            `--authorization-kubeconfig=${this.kubeconfig}`,
            "--leader-elect=false",
            `--service-account-private-key-file=${dir}/sa.key`,
            "--use-service-account-credentials=false",
            `--secure-port=${await freePort()}`,
            "--controllers=*,-nodeipam,-nodelifecycle,-ttl-after-finished,-bootstrapsigner,-tokencleaner",
        ]);
        this.launch("kube-scheduler", [kc, "--leader-elect=false", `--secure-port=${await freePort()}`]);
        if (real) return this.startRealNodes(dir, real);
        this.launch("kwok", [
            kc,
            "--manage-all-nodes=true",
            `--config=${path.join(__dirname, "kwok-stages.yaml")}`,
            "--cidr=10.244.0.0/16",
            "--node-ip=10.0.0.1",
        ]);
        // Three nodes, one per zone (the stacks spread pods over zones), big enough for every stack.
        const nodes = ["a", "b", "c"].map((z) => ({
            apiVersion: "v1",
            kind: "Node",
            metadata: {
                name: `node-${z}`,
                labels: {
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "topology.kubernetes.io/zone": `zone-${z}`,
                    "kubernetes.io/hostname": `node-${z}`,
                },
                annotations: { "kwok.x-k8s.io/node": "fake" },
            },
            status: { allocatable: { cpu: "64", memory: "256Gi", pods: "250" }, capacity: { cpu: "64", memory: "256Gi", pods: "250" } },
        }));
        this.apply({ apiVersion: "v1", kind: "List", items: nodes });
        await until(() => this.kubectlOk(["wait", "--for=condition=Ready", "node", "--all", "--timeout=5s"]), 60, "kwok nodes Ready");
    }

    private async startRealNodes(dir: string, real: RealNodes): Promise<void> {
        const images = [{ binary: tool("pause"), tags: [PAUSE_IMAGE] }, ...real.images].map((i) => imageArchive(dir, i.binary, i.tags));
        for (const spec of real.nodes) this.nodes.push(new RealNode({ ...spec, kubeletPort: await freePort() }, path.join(dir, "nodes")));
        for (const node of this.nodes) {
            await node.startContainerd();
            for (const archive of images) node.importImage(archive);
            node.startKubelet(this.kubeconfig);
        }
        const names = this.nodes.map((n) => n.spec.name);
        await until(
            () => this.kubectlOk(["wait", "--for=condition=Ready", ...names.map((n) => `node/${n}`), "--timeout=5s"]),
            120,
            `real nodes ${names.join(", ")} Ready (kubelet logs in ${dir}/nodes/*/kubelet.log)`,
        );
    }

    /** The vendored Gateway API CRDs, the version the stacks install, ready for Gateways and HTTPRoutes. */
    installGatewayApi(): void {
        this.kubectl(["apply", "--server-side", "-f", path.join(__dirname, "..", "crds", "gateway-api-v1.6.0-standard-install.yaml")]);
        this.kubectl([
            "wait",
            "--for=condition=Established",
            "crd/gateways.gateway.networking.k8s.io",
            "crd/httproutes.gateway.networking.k8s.io",
            "--timeout=60s",
        ]);
    }

    kubectl(args: string[], input?: string): string {
        return execFileSync(tool("kubectl"), [`--kubeconfig=${this.kubeconfig}`, ...args], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
    }

    kubectlOk(args: string[]): boolean {
        try {
            this.kubectl(args);
            return true;
        } catch {
            return false;
        }
    }

    apply(obj: unknown): string {
        return this.kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(obj));
    }

    stop(): void {
        for (const node of this.nodes) node.stop(this.netnsBefore);
        this.nodes = [];
        const procs = this.procs;
        this.procs = [];
        // SIGKILL: a throwaway control plane needs no graceful shutdown, and kube-apiserver can wait on
        // SIGTERM for minutes (seen once in CI with a namespace deletion in flight), holding mocha open.
        for (const p of procs.reverse()) p.kill("SIGKILL");
        if (this.dir && !process.env.ZDP_E2E_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
