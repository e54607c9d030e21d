// Real Kubernetes nodes on this machine: per node a containerd (Debian package, its own root, state,
// socket and runc root) and a kubelet built from the e2e's k8s.io/kubernetes pin, pods on a CNI bridge of
// their own (Debian's containernetworking-plugins), images imported from archives built here (no registry
// is reachable). Settings this machine needs are in ../shared/notes/real-node.md (cgroup v1, no
// CAP_SYS_RESOURCE). Needs root; a missing package or a node that never turns Ready fails with the reason.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { tool, until } from "./tools";

/** Debian packages a real node needs, by the binary each provides. */
const PACKAGES: Record<string, string> = { containerd: "containerd", runc: "runc", "/usr/lib/cni/bridge": "containernetworking-plugins" };
export const CNI_BIN = "/usr/lib/cni";
/** The sandbox image every pod starts with (e2e/images/pause). */
export const PAUSE_IMAGE = "docker.io/zdp/pause:e2e";

function which(name: string): string | undefined {
    if (name.startsWith("/")) return fs.existsSync(name) ? name : undefined;
    for (const dir of (process.env.PATH ?? "").split(":")) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    for (const dir of ["/usr/sbin", "/sbin", "/usr/bin"]) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    return undefined;
}

/** Fails, naming what to install, unless this process can run real nodes. */
export function requireRealNodeHost(): void {
    if (process.getuid?.() !== 0) throw new Error("e2e: real nodes need root (kubelet, containerd and CNI set up cgroups and network namespaces)");
    const missing = Object.entries(PACKAGES)
        .filter(([bin]) => !which(bin))
        .map(([, pkg]) => pkg);
    if (missing.length) throw new Error(`e2e: real nodes need the Debian packages ${missing.join(", ")}: apt-get install -y ${missing.join(" ")}`);
}

/**
 * A docker-archive image of one static binary (docker save's layout: manifest.json, the config with
 * the layer's diff id, one uncompressed layer), which `ctr images import` reads. /tmp exists for the
 * pod's emptyDir mount on a read-only root filesystem.
 */
export function imageArchive(dir: string, binary: string, tags: string[]): string {
    const work = fs.mkdtempSync(path.join(dir, "image-"));
    const root = path.join(work, "root");
    fs.mkdirSync(path.join(root, "tmp"), { recursive: true });
    fs.copyFileSync(binary, path.join(root, "entrypoint"));
    fs.chmodSync(path.join(root, "entrypoint"), 0o755);
    const layer = path.join(work, "layer.tar");
    execFileSync("tar", ["--numeric-owner", "--owner=0", "--group=0", "--mtime=@0", "-cf", layer, "-C", root, "entrypoint", "tmp"]);
    const diffId = `sha256:${createHash("sha256").update(fs.readFileSync(layer)).digest("hex")}`;
    const config = JSON.stringify({
        architecture: "amd64",
        os: "linux",
        config: { Entrypoint: ["/entrypoint"], User: "65532:65532" },
        rootfs: { type: "layers", diff_ids: [diffId] },
    });
    const configName = `${createHash("sha256").update(config).digest("hex")}.json`;
    fs.writeFileSync(path.join(work, configName), config);
    fs.writeFileSync(path.join(work, "manifest.json"), JSON.stringify([{ Config: configName, RepoTags: tags, Layers: ["layer.tar"] }]));
    const archive = path.join(dir, `${path.basename(binary)}-${createHash("sha256").update(tags.join(",")).digest("hex").slice(0, 8)}.tar`);
    execFileSync("tar", ["-cf", archive, "-C", work, "manifest.json", configName, "layer.tar"]);
    fs.rmSync(work, { recursive: true, force: true });
    return archive;
}

export interface NodeSpec {
    name: string;
    zone: string;
    /** Pod subnet of this node's bridge, e.g. 10.88.1.0/24: pods live in network namespaces this suite makes. */
    podSubnet: string;
    kubeletPort: number;
}

/** One real node: a containerd and a kubelet of its own, registered with the e2e API server. */
export class RealNode {
    private procs: ChildProcess[] = [];
    readonly dir: string;
    readonly socket: string;
    private readonly bridge: string;

    constructor(
        readonly spec: NodeSpec,
        parent: string,
    ) {
        this.dir = path.join(parent, spec.name);
        this.socket = path.join(this.dir, "containerd.sock");
        this.bridge = `zdp-${spec.name}`.slice(0, 15);
        fs.mkdirSync(this.dir, { recursive: true });
    }

    private launch(name: string, file: string, args: string[]): void {
        const log = fs.openSync(path.join(this.dir, `${name}.log`), "w");
        const p = spawn(file, args, { stdio: ["ignore", log, log] });
        this.procs.push(p);
        p.on("exit", (code) => {
            if (code !== null && code !== 0 && this.procs.includes(p))
                console.error(`e2e: ${this.spec.name} ${name} exited ${code}; see ${this.dir}/${name}.log`);
        });
    }

    ctr(args: string[]): string {
        return execFileSync("ctr", ["-a", this.socket, "-n", "k8s.io", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    }

    /** containerd with the CRI settings real-node.md lists; returns once its socket answers. */
    async startContainerd(): Promise<void> {
        const d = this.dir;
        fs.mkdirSync(`${d}/cni`, { recursive: true });
        fs.writeFileSync(
            `${d}/cni/10-zdp.conflist`,
            JSON.stringify({
                cniVersion: "1.0.0",
                name: this.bridge,
                plugins: [
                    {
                        type: "bridge",
                        bridge: this.bridge,
                        isGateway: true,
                        ipMasq: false,
                        hairpinMode: true,
                        ipam: { type: "host-local", ranges: [[{ subnet: this.spec.podSubnet }]], dataDir: `${d}/ipam` },
                    },
                ],
            }),
        );
        const cri = `plugins."io.containerd.grpc.v1.cri"`;
        fs.writeFileSync(
            `${d}/containerd.toml`,
            [
                "version = 2",
                `root = "${d}/root"`,
                `state = "${d}/state"`,
                `[grpc]`,
                `  address = "${this.socket}"`,
                `[ttrpc]`,
                `  address = "${this.socket}.ttrpc"`,
                `[${cri}]`,
                `  sandbox_image = "${PAUSE_IMAGE}"`,
                // Lowering oom_score_adj needs CAP_SYS_RESOURCE, which this sandbox lacks.
                `  restrict_oom_score_adj = true`,
                `  stream_server_address = "127.0.0.1"`,
                `  stream_server_port = "0"`,
                `[${cri}.cni]`,
                `  bin_dir = "${CNI_BIN}"`,
                `  conf_dir = "${d}/cni"`,
                `[${cri}.containerd.runtimes.runc]`,
                `  runtime_type = "io.containerd.runc.v2"`,
                `[${cri}.containerd.runtimes.runc.options]`,
                // Each node's runc state apart, so teardown kills exactly this node's containers.
                `  Root = "${d}/runc"`,
                "",
            ].join("\n"),
        );
        this.launch("containerd", which("containerd")!, ["--config", `${d}/containerd.toml`, "--log-level", "warn"]);
        await until(() => succeeds(() => this.ctr(["version"])), 60, `${this.spec.name}'s containerd on ${this.socket}`);
    }

    importImage(archive: string): void {
        this.ctr(["images", "import", "--no-unpack=false", archive]);
    }

    /** The kubelet, authenticated with the e2e's admin token (the e2e API server has no node authorizer). */
    startKubelet(kubeconfig: string): void {
        const d = this.dir;
        const config = {
            apiVersion: "kubelet.config.k8s.io/v1beta1",
            kind: "KubeletConfiguration",
            address: "127.0.0.1",
            port: this.spec.kubeletPort,
            readOnlyPort: 0,
            healthzPort: 0,
            authentication: { anonymous: { enabled: false }, webhook: { enabled: false } },
            authorization: { mode: "AlwaysAllow" },
            containerRuntimeEndpoint: `unix://${this.socket}`,
            // The host's cgroups are v1 (real-node.md); kubelet 1.35 refuses them unless told.
            failCgroupV1: false,
            cgroupDriver: "cgroupfs",
            // Two kubelets share this host: without pod-level cgroups neither removes the other's.
            cgroupsPerQOS: false,
            enforceNodeAllocatable: [],
            failSwapOn: false,
            localStorageCapacityIsolation: false,
            podLogsDir: `${d}/pod-logs`,
            // No disk-pressure evictions from a host disk this suite does not own.
            evictionHard: { "memory.available": "100Mi" },
            imageGCHighThresholdPercent: 100,
            registerNode: true,
            resolvConf: "/etc/resolv.conf",
        };
        fs.writeFileSync(`${d}/kubelet.json`, JSON.stringify(config));
        this.launch("kubelet", tool("kubelet"), [
            `--config=${d}/kubelet.json`,
            `--kubeconfig=${kubeconfig}`,
            `--root-dir=${d}/kubelet`,
            `--cert-dir=${d}/kubelet-pki`,
            `--hostname-override=${this.spec.name}`,
            `--node-labels=topology.kubernetes.io/zone=${this.spec.zone}`,
            "--v=1",
        ]);
    }

    /** Kills this node's containers, shims, containerd and kubelet, and removes its network and mounts. */
    stop(netnsBefore: Set<string>): void {
        for (const p of this.procs.reverse()) p.kill("SIGKILL");
        this.procs = [];
        const runc = ["--root", `${this.dir}/runc/k8s.io`];
        if (fs.existsSync(`${this.dir}/runc/k8s.io`)) {
            const ids = execFileSync("runc", [...runc, "list", "-q"], { encoding: "utf8" })
                .split("\n")
                .filter(Boolean);
            for (const id of ids) tryRun("runc", [...runc, "delete", "--force", id]);
        }
        tryRun("pkill", ["-KILL", "-f", "--", `-address ${this.socket}`]);
        const mounts = fs
            .readFileSync("/proc/mounts", "utf8")
            .split("\n")
            .map((l) => l.split(" ")[1])
            .filter((m) => m?.startsWith(this.dir));
        for (const m of mounts.reverse()) tryRun("umount", ["-l", m]);
        for (const ns of fs.existsSync("/var/run/netns") ? fs.readdirSync("/var/run/netns") : [])
            if (!netnsBefore.has(ns) && ns.startsWith("cni-")) tryRun("ip", ["netns", "delete", ns]);
        tryRun("ip", ["link", "delete", this.bridge]);
    }
}

export const netnsNow = (): Set<string> => new Set(fs.existsSync("/var/run/netns") ? fs.readdirSync("/var/run/netns") : []);

function succeeds(f: () => unknown): boolean {
    try {
        f();
        return true;
    } catch {
        return false;
    }
}

function tryRun(file: string, args: string[]): void {
    try {
        execFileSync(file, args, { stdio: "ignore" });
    } catch {
        // teardown goes on: what is already gone is fine
    }
}
