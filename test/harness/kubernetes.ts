import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "./paths.ts";
import { freePort, runServer, spawnServer, waitUntilReady, type ServerControls } from "./process.ts";

/** Built by scripts/install-k8s.sh (pinned etcd and Kubernetes, from the Go module proxy). */
export const K8S_BIN = path.join(repoRoot, ".cache/k8s/bin");
const READY_TIMEOUT_MS = 120_000;

/** What a test needs to talk to the control plane, and to receive its audit webhook. */
export interface ControlPlaneInfo {
  kubeconfig: string;
  apiUrl: string;
  /** Bearer token of `admin` (group system:masters). */
  token: string;
  caFile: string;
  /** The JSON audit log (one event per line); undefined for a KUBECONFIG cluster. */
  auditLog?: string;
  /**
   * Where the API server posts audit batches (batch mode, 1 s) over HTTPS, with the bearer token it
   * sends (client-go sends no token to a plain-http server) and the receiver's serving certificate.
   */
  auditWebhook?: { port: number; path: string; token: string; certFile: string; keyFile: string };
}

export interface ControlPlane extends ControlPlaneInfo {
  dir: string;
  /** etcd's client URL (e.g. to compact its history). */
  etcdUrl: string;
  apiServer: ServerControls;
  /** Stops every process; deletes the folder (kept when OUTLIER_KEEP_SERVERS is set). */
  dispose(): Promise<void>;
}

/** Builds the binaries when missing (10-20 min cold, logged to .cache/k8s/build.log). */
export function ensureKubernetesBinaries(): void {
  const missing = ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl"].filter((b) => !fs.existsSync(path.join(K8S_BIN, b)));
  if (missing.length === 0) return;
  execFileSync("bash", [path.join(repoRoot, "scripts/install-k8s.sh")], { stdio: ["ignore", "inherit", "inherit"] });
}

/**
 * etcd + kube-apiserver + kube-controller-manager on free loopback ports: token auth, RBAC,
 * Pod Security admission, the audit policy below, a JSON audit log and a batch audit webhook to
 * https://127.0.0.1:<auditWebhook.port>/audit with a bearer token (nobody listens until a test
 * does; the API server retries, then drops the batch). Ready when /readyz answers and the controller-manager made default/default.
 */
export async function startControlPlane(opts: { apiServerArgs?: string[] } = {}): Promise<ControlPlane> {
  ensureKubernetesBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outlier-k8s-"));
  const [etcdPort, etcdPeerPort, apiPort, kcmPort, webhookPort] = (await distinctFreePorts(5)) as [number, number, number, number, number];
  const token = randomBytes(24).toString("hex");
  const kcmToken = randomBytes(24).toString("hex");
  const webhookToken = randomBytes(24).toString("hex");
  const apiUrl = `https://127.0.0.1:${apiPort}`;
  const files = writeStateFiles(dir, { apiUrl, token, kcmToken, webhookUrl: `https://127.0.0.1:${webhookPort}/audit`, webhookToken });

  const etcd = await startEtcd(dir, etcdPort, etcdPeerPort);
  const apiServer = await runServer(
    async () => {
      const logFile = path.join(dir, "kube-apiserver.log");
      const child = spawnServer(path.join(K8S_BIN, "kube-apiserver"), [...apiServerArgs(dir, etcdPort, apiPort), ...(opts.apiServerArgs ?? [])], logFile);
      await waitUntilReady(child, () => get(`${apiUrl}/readyz`, files.caFile), { name: `kube-apiserver on ${apiPort}`, logFile, timeoutMs: READY_TIMEOUT_MS });
      return child;
    },
    { path: dir, owned: false },
  );
  const controllerManager = await runServer(
    async () => {
      const logFile = path.join(dir, "kube-controller-manager.log");
      const child = spawnServer(path.join(K8S_BIN, "kube-controller-manager"), controllerManagerArgs(dir, kcmPort), logFile);
      // Its serviceaccount controller creates default/default; without it every pod is refused.
      const probe = () => get(`${apiUrl}/api/v1/namespaces/default/serviceaccounts/default`, files.caFile, token);
      await waitUntilReady(child, probe, { name: "kube-controller-manager", logFile, timeoutMs: READY_TIMEOUT_MS });
      return child;
    },
    { path: dir, owned: false },
  );

  return {
    dir,
    etcdUrl: `http://127.0.0.1:${etcdPort}`,
    apiUrl,
    token,
    caFile: files.caFile,
    kubeconfig: files.kubeconfig,
    auditLog: path.join(dir, "audit.log"),
    auditWebhook: { port: webhookPort, path: "/audit", token: webhookToken, certFile: path.join(dir, "receiver.crt"), keyFile: path.join(dir, "receiver.key") },
    apiServer,
    dispose: async () => {
      await controllerManager.stop();
      await apiServer.stop();
      await etcd.stop();
      if (process.env.OUTLIER_KEEP_SERVERS === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The cluster named by KUBECONFIG (its current context, bearer-token user): no audit webhook or log. */
export function controlPlaneFromKubeconfig(kubeconfig: string): ControlPlaneInfo {
  const config = JSON.parse(kubectl(kubeconfig, ["config", "view", "--raw", "--minify", "-o", "json"])) as {
    clusters: Array<{ cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string } }>;
    users: Array<{ user: { token?: string } }>;
  };
  const cluster = config.clusters[0]!.cluster;
  let caFile = cluster["certificate-authority"] ?? "";
  if (cluster["certificate-authority-data"] !== undefined) {
    caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "outlier-k8s-ca-")), "ca.crt");
    fs.writeFileSync(caFile, Buffer.from(cluster["certificate-authority-data"], "base64"));
  }
  return { kubeconfig, apiUrl: cluster.server, token: config.users[0]?.user.token ?? "", caFile };
}

/** Runs kubectl (the harness's build, else the one on PATH) and returns its stdout; throws with stderr. */
export function kubectl(kubeconfig: string, args: string[], input?: string): string {
  const bin = fs.existsSync(path.join(K8S_BIN, "kubectl")) ? path.join(K8S_BIN, "kubectl") : "kubectl";
  try {
    return execFileSync(bin, ["--kubeconfig", kubeconfig, ...args], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`kubectl ${args.join(" ")} failed: ${stderr.trim() || String(error)}`);
  }
}

/** One API request as `admin` (or `token`); resolves the parsed JSON body, rejects unless 2xx. */
export function kubeApi<T>(info: ControlPlaneInfo, method: string, apiPath: string, body?: unknown, token = info.token): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (payload !== undefined) headers["content-type"] = "application/json";
  return new Promise((resolve, reject) => {
    const request = https.request(`${info.apiUrl}${apiPath}`, { method, ca: fs.readFileSync(info.caFile), headers, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(JSON.parse(text) as T);
        else reject(new Error(`${method} ${apiPath}: ${status} ${text.slice(0, 500)}`));
      });
    });
    request.on("timeout", () => request.destroy(new Error(`${method} ${apiPath}: timeout`)));
    request.on("error", reject);
    request.end(payload);
  });
}

/** Polls until `probe` returns a value: controllers and watches act within seconds. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`not there after ${timeoutMs} ms`);
}

interface StateFiles {
  caFile: string;
  kubeconfig: string;
}

function writeStateFiles(
  dir: string,
  s: { apiUrl: string; token: string; kcmToken: string; webhookUrl: string; webhookToken: string },
): StateFiles {
  const file = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  makePki(dir);
  file("tokens.csv", `${s.token},admin,admin-uid,"system:masters"\n${s.kcmToken},system:kube-controller-manager,kcm-uid,"system:masters"\n`);
  file("audit-policy.yaml", AUDIT_POLICY);
  const caFile = path.join(dir, "ca.crt");
  file("audit-webhook.kubeconfig", kubeconfigText(s.webhookUrl, s.webhookToken, caFile));
  file("kubeconfig", kubeconfigText(s.apiUrl, s.token, caFile));
  file("kcm.kubeconfig", kubeconfigText(s.apiUrl, s.kcmToken, caFile));
  return { caFile, kubeconfig: path.join(dir, "kubeconfig") };
}

/** A self-signed CA; serving certificates for 127.0.0.1 (API server, audit receiver); the service-account key pair. */
function makePki(dir: string): void {
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=outlier-test-ca", "-keyout", "ca.key", "-out", "ca.crt",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  fs.writeFileSync(path.join(dir, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n");
  for (const name of ["apiserver", "receiver"]) {
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", `${name}.crt`]);
  }
  openssl(["genrsa", "-out", "sa.key", "2048"]);
  openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
}

function kubeconfigText(server: string, token: string, caFile: string | undefined): string {
  const cluster = caFile === undefined ? { server } : { server, "certificate-authority": caFile };
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "c", cluster }],
    users: [{ name: "u", user: { token } }],
    contexts: [{ name: "c", context: { cluster: "c", user: "u", namespace: "default" } }],
    "current-context": "c",
  });
}

/**
 * What a runtime detector reads: request and response bodies of pods, exec, RBAC and workloads;
 * only metadata for secrets and tokens (never their payload); nothing for probes and leases.
 */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/openapi/*", "/api", "/apis", "/api/*", "/apis/*"]
  - level: None
    resources: [{group: "coordination.k8s.io", resources: ["leases"]}]
  - level: Metadata
    resources: [{group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"]}]
  - level: RequestResponse
    resources:
      - {group: "", resources: ["pods", "pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "namespaces", "serviceaccounts"]}
      - {group: "apps"}
      - {group: "batch"}
      - {group: "rbac.authorization.k8s.io"}
  - level: Metadata
`;

async function startEtcd(dir: string, port: number, peerPort: number): Promise<ServerControls> {
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${port}`;
  const args = [
    "--name", "outlier-test", "--data-dir", path.join(dir, "etcd-data"),
    "--listen-client-urls", client, "--advertise-client-urls", client,
    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `outlier-test=${peer}`,
    // Throw-away data: no fsync keeps a busy 2-core machine from stalling the API server.
    "--unsafe-no-fsync", "--log-level=warn",
  ];
  return runServer(
    async () => {
      const logFile = path.join(dir, "etcd.log");
      const child = spawnServer(path.join(K8S_BIN, "etcd"), args, logFile);
      await waitUntilReady(child, async () => {
        const response = await fetch(`${client}/health`);
        if (!response.ok) throw new Error(`etcd health ${response.status}`);
      }, { name: `etcd on ${port}`, logFile, timeoutMs: READY_TIMEOUT_MS });
      return child;
    },
    { path: dir, owned: false },
  );
}

function apiServerArgs(dir: string, etcdPort: number, apiPort: number): string[] {
  const f = (name: string) => path.join(dir, name);
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", `--secure-port=${apiPort}`,
    `--tls-cert-file=${f("apiserver.crt")}`, `--tls-private-key-file=${f("apiserver.key")}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${f("sa.pub")}`, `--service-account-signing-key-file=${f("sa.key")}`,
    `--token-auth-file=${f("tokens.csv")}`, "--authorization-mode=RBAC",
    "--service-cluster-ip-range=10.96.0.0/16", "--endpoint-reconciler-type=none", "--allow-privileged=true",
    `--audit-policy-file=${f("audit-policy.yaml")}`,
    `--audit-log-path=${f("audit.log")}`, "--audit-log-format=json", "--audit-log-mode=blocking",
    `--audit-webhook-config-file=${f("audit-webhook.kubeconfig")}`, "--audit-webhook-mode=batch",
    // The batch default waits 30 s before sending.
    "--audit-webhook-batch-max-wait=1s", "--audit-webhook-initial-backoff=1s",
    "--profiling=false", "--v=1",
  ];
}

function controllerManagerArgs(dir: string, port: number): string[] {
  const f = (name: string) => path.join(dir, name);
  return [
    `--kubeconfig=${f("kcm.kubeconfig")}`, "--bind-address=127.0.0.1", `--secure-port=${port}`, "--leader-elect=false",
    `--service-account-private-key-file=${f("sa.key")}`, `--root-ca-file=${f("ca.crt")}`,
    "--use-service-account-credentials=false", "--cluster-name=outlier-test", "--v=1",
  ];
}

/** n different free ports (each free when asked; loopback races with other processes are rare). */
async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** GET over TLS verified against caFile; rejects unless 2xx. */
function get(url: string, caFile: string, token?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const request = https.get(url, { ca: fs.readFileSync(caFile), headers, timeout: 5_000 }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new Error(`${url}: ${status}`));
    });
    request.on("timeout", () => request.destroy(new Error(`${url}: timeout`)));
    request.on("error", reject);
  });
}
