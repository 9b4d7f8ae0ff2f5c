import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startCollector, type Collector, CollectorConfigSchema } from "@outlier/collector";
import { AuditEventSchema, FindingSchema, type AuditEvent, type Finding } from "@outlier/contracts";
import { DetectorConfigSchema, startDetectorService, type RunningDetector } from "@outlier/detector-service";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { tailTopic, type Tail } from "../services/detector/src/test-support.ts";
import { kubeApi, kubectl } from "./harness/kubernetes.ts";
import { createTopics, uniqueTopic } from "./harness/topics.ts";

// The API server's own audit webhook (batch mode, 1 s) posting to the collector's audit receiver,
// and its JSON audit log tailed by a second collector; real requests made with kubectl.
const cluster = inject("kubernetes");
const brokers = inject("kafkaBrokers");
const webhook = cluster.auditWebhook;
const NS = "audit-e2e";

describe.skipIf(webhook === undefined || cluster.auditLog === undefined)("audit from a real API server (skipped on a KUBECONFIG cluster: its audit webhook is not ours)", () => {
  const dir = mkdtempSync(join(tmpdir(), "outlier-audit-k8s-"));
  const topics = { runtime: uniqueTopic("k8s.runtime"), audit: uniqueTopic("k8s.audit"), deadletter: uniqueTopic("k8s.deadletter") };
  const fileTopics = { runtime: uniqueTopic("k8s.file.runtime"), audit: uniqueTopic("k8s.file.audit"), deadletter: uniqueTopic("k8s.file.deadletter") };
  const findingsTopic = uniqueTopic("k8s.findings");
  let receiver: Collector | undefined;
  let fileCollector: Collector;
  let detector: RunningDetector;
  let auditTail: Tail;
  let fileTail: Tail;
  let findingsTail: Tail;
  const run = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  const events = (tail: Tail): AuditEvent[] => tail.messages.map((m) => AuditEventSchema.parse(JSON.parse(m.value)));
  const findings = (): Finding[] => findingsTail.messages.map((m) => FindingSchema.parse(JSON.parse(m.value)));

  const startReceiver = async () => {
    const config = CollectorConfigSchema.parse({
      cluster: "k8s-it", nodeName: "it-node", logLevel: "warn",
      kafka: { brokers, clientId: "collector-audit-k8s", topics },
      producer: { lingerMs: 5 },
      // The port the API server's webhook kubeconfig names, its certificate, and the token it sends.
      http: { port: webhook!.port, host: "127.0.0.1", tls: { certFile: webhook!.certFile, keyFile: webhook!.keyFile } },
      stateDir: join(dir, "receiver-state"),
      sources: { auditWebhook: { path: webhook!.path, tokens: [webhook!.token] } },
      kubernetes: { enabled: false },
    });
    receiver = await startCollector({ config, logger: createLogger({ level: "warn", name: "audit-receiver" }), registry: createMetrics("outlier_collector_"), env: {} });
  };

  beforeAll(async () => {
    await createTopics(brokers, [...Object.values(topics), ...Object.values(fileTopics), findingsTopic]);
    await startReceiver();
    const fileConfig = CollectorConfigSchema.parse({
      cluster: "k8s-it", nodeName: "it-node", logLevel: "warn",
      kafka: { brokers, clientId: "collector-audit-file", topics: fileTopics },
      producer: { lingerMs: 5 },
      http: { port: 0, host: "127.0.0.1" },
      stateDir: join(dir, "file-state"),
      sources: { auditFile: { path: cluster.auditLog! } },
      kubernetes: { enabled: false },
    });
    fileCollector = await startCollector({ config: fileConfig, logger: createLogger({ level: "warn", name: "audit-file" }), registry: createMetrics("outlier_collector_"), env: {} });
    const detectorConfig = DetectorConfigSchema.parse({
      logLevel: "warn",
      kafka: { brokers, clientId: "detector-audit-k8s", groupId: uniqueTopic("k8s.detector"), topics: { ...topics, findings: findingsTopic } },
      redis: { url: inject("redisUrl"), prefix: `${uniqueTopic("k8s")}:` },
      http: { port: 0, host: "127.0.0.1" },
      kubernetes: { enabled: false },
    });
    detector = await startDetectorService({ config: detectorConfig, logger: createLogger({ level: "warn", name: "detector-audit-k8s" }), registry: createMetrics("outlier_detector_") });
    [auditTail, fileTail, findingsTail] = await Promise.all([tailTopic(brokers, topics.audit), tailTopic(brokers, fileTopics.audit), tailTopic(brokers, findingsTopic)]);
    run("create", "namespace", NS);
    await kubeApi(cluster, "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "audit-node" } }).catch((e: Error) => {
      if (!e.message.includes(" 409 ")) throw e;
    });
  });
  afterAll(async () => {
    await Promise.all([auditTail?.stop(), fileTail?.stop(), findingsTail?.stop()]);
    await Promise.all([receiver?.stop(), fileCollector?.stop(), detector?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a privileged pod, a cluster-admin binding, an exec, a token request and a secret read become audit events and findings", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "root-shell", namespace: NS },
      spec: { nodeName: "audit-node", containers: [{ name: "sh", image: "busybox", command: ["sleep", "1d"], securityContext: { privileged: true } }] } };
    kubectl(cluster.kubeconfig, ["create", "-f", "-"], JSON.stringify(pod));
    run("create", "clusterrolebinding", "mallory-admin", "--clusterrole=cluster-admin", "--user=mallory");
    // No kubelet: the exec fails after the API server authorized and audited it (INFRA.md).
    expect(() => run("exec", "-n", NS, "root-shell", "--", "cat", "/etc/shadow")).toThrow();
    run("create", "token", "default", "-n", NS);
    run("create", "secret", "generic", "db", "-n", NS, "--from-literal=password=hunter2");
    run("get", "secrets", "-n", NS);

    const seen = (tail: Tail, match: (e: AuditEvent) => boolean) => events(tail).filter(match);
    const expected: Array<[string, (e: AuditEvent) => boolean]> = [
      ["create privileged pod", (e) => e.verb === "create" && e.objectRef?.resource === "pods" && e.objectRef.name === "root-shell" && e.objectRef.subresource === undefined],
      ["bind cluster-admin", (e) => e.verb === "create" && e.objectRef?.resource === "clusterrolebindings" && e.objectRef.name === "mallory-admin"],
      ["exec with its command", (e) => e.objectRef?.subresource === "exec" && (e.requestURI ?? "").includes("command=cat") && (e.requestURI ?? "").includes("command=%2Fetc%2Fshadow")],
      ["serviceaccounts/token", (e) => e.verb === "create" && e.objectRef?.resource === "serviceaccounts" && e.objectRef.subresource === "token"],
      ["list secrets", (e) => e.verb === "list" && e.objectRef?.resource === "secrets" && e.objectRef.namespace === NS],
    ];
    for (const [what, match] of expected) {
      await expect.poll(() => seen(auditTail, match).length, { timeout: 30_000, message: `webhook: ${what}` }).toBeGreaterThan(0);
      await expect.poll(() => seen(fileTail, match).length, { timeout: 30_000, message: `audit log: ${what}` }).toBeGreaterThan(0);
    }
    // Secrets are logged at Metadata level: their payload never reaches Kafka.
    expect(auditTail.messages.some((m) => m.value.includes("hunter2"))).toBe(false);
    // Both paths carry the same requests: the webhook's auditIDs and stages are all in the log.
    const missingFromFile = () => {
      const fileIds = new Set(events(fileTail).map((e) => `${e.auditID}/${e.stage}`));
      const mine = events(auditTail).filter((e) => expected.some(([, match]) => match(e)));
      return mine.filter((e) => !fileIds.has(`${e.auditID}/${e.stage}`)).map((e) => `${e.verb} ${e.requestURI}`);
    };
    await expect.poll(missingFromFile, { timeout: 30_000 }).toEqual([]);

    await expect.poll(() => findings().map((f) => f.type), { timeout: 30_000 }).toEqual(expect.arrayContaining(["audit.privileged-pod", "audit.cluster-admin-binding"]));
    // Other test files share this control plane (deploy/ applied for real: the collector DaemonSet's privileged pods): pick ours.
    const ours = () => findings().filter((f) => f.type === "audit.privileged-pod" && JSON.stringify(f).includes("root-shell"));
    await expect.poll(() => ours().length, { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it("loses nothing while the collector restarts: the API server retries, duplicates are removed", async () => {
    await receiver!.stop();
    receiver = undefined;
    for (let i = 0; i < 5; i++) run("create", "configmap", `while-down-${i}`, "-n", NS, "--from-literal=k=v");
    // Long enough for the 1 s batch to be sent and refused at least once, well within the retries
    // (1 s initial backoff growing by 1.5; the API server logs "Error in audit plugin 'webhook'").
    await sleep(3_000);
    await startReceiver();
    const downIds = () => events(auditTail).filter((e) => e.objectRef?.resource === "configmaps" && e.objectRef.name?.startsWith("while-down-") && e.verb === "create");
    await expect.poll(() => new Set(downIds().map((e) => e.objectRef?.name)).size, { timeout: 60_000 }).toBe(5);
    const keys = downIds().map((e) => `${e.auditID}/${e.stage}`);
    expect(keys.length).toBe(new Set(keys).size);
  });
});
