import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CollectorConfigSchema, startCollector, type Collector } from "../../../services/collector/src/index.ts";
import { metricsOf } from "../../../test/collector-int-helpers.ts";
import { kubeApi, kubectl, startControlPlane, waitFor, type ControlPlane } from "../../../test/harness/kubernetes.ts";
import { uniqueTopic } from "../../../test/harness/topics.ts";
import { createLogger, createMetrics } from "../../service-kit/src/index.ts";
import { PodCache } from "./pod-cache.ts";
import { WorkloadMetaCache } from "./workload-meta-cache.ts";

// The collector's pod cache and the detector's workload metadata on a real kube-apiserver, with the
// controller-manager turning a Deployment into a ReplicaSet and its pods. This file starts a control
// plane of its own, because it restarts the API server.
const NS = "informers";
const NODE = "node-b";
const logger = createLogger({ level: "warn", name: "informers-k8s" });

describe.skipIf(process.env.KUBECONFIG)("informers against a real API server (skipped on a KUBECONFIG cluster: the test restarts the API server)", () => {
  let plane: ControlPlane;
  let kubeConfig: KubeConfig;
  let pods: PodCache;
  let workloads: WorkloadMetaCache;
  let collector: Collector;
  const run = (...args: string[]) => kubectl(plane.kubeconfig, args);

  beforeAll(async () => {
    // No watch cache: watches are served by etcd itself, so compacting etcd makes a resumed watch
    // get 410 Gone deterministically (the cache would answer from its own window).
    plane = await startControlPlane({ apiServerArgs: ["--watch-cache=false"] });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfig);
    // Short server-side watch timeouts: a watch ends and resumes from its resource version every few seconds.
    pods = new PodCache({ kubeConfig, nodeName: NODE, logger, watchTimeoutSeconds: 5, backoff: { initialMs: 200, maxMs: 2_000 } });
    workloads = new WorkloadMetaCache({ kubeConfig, logger, watchTimeoutSeconds: 5, backoff: { initialMs: 200, maxMs: 2_000 } });
    pods.start();
    workloads.start();
    // The collector service finds the API server through KUBECONFIG, as it would outside a pod.
    process.env.KUBECONFIG = plane.kubeconfig;
    const config = CollectorConfigSchema.parse({
      cluster: "k8s-it", nodeName: NODE, logLevel: "warn",
      kafka: { brokers: inject("kafkaBrokers"), clientId: "collector-informers", topics: { runtime: uniqueTopic("inf.rt"), audit: uniqueTopic("inf.au"), deadletter: uniqueTopic("inf.dl") } },
      http: { port: 0, host: "127.0.0.1" },
      stateDir: `${plane.dir}/collector-state`,
      kubernetes: { enabled: true },
    });
    collector = await startCollector({ config, logger, registry: createMetrics("outlier_collector_"), env: {} });
    await Promise.all([pods.whenSynced(), workloads.whenSynced()]);
  });
  afterAll(async () => {
    await collector?.stop();
    await Promise.all([pods?.stop(), workloads?.stop()]);
    delete process.env.KUBECONFIG;
    await plane?.dispose();
  });

  it("a Deployment's pods, bound to this node, resolve through their ReplicaSet to the Deployment", async () => {
    run("create", "namespace", NS);
    await kubeApi(plane, "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: NODE } });
    run("-n", NS, "create", "deployment", "web", "--image=nginx", "--replicas=2");
    // No scheduler: bind each pod to the node as the scheduler would (the pods/binding subresource).
    const created = await waitFor(async () => {
      const list = await kubeApi<{ items: Array<{ metadata: { name: string } }> }>(plane, "GET", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
      return list.items.length === 2 ? list.items.map((p) => p.metadata.name) : undefined;
    });
    for (const name of created) {
      await kubeApi(plane, "POST", `/api/v1/namespaces/${NS}/pods/${name}/binding`, { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: NODE } });
    }
    for (const name of created) {
      const match = await waitFor(async () => pods.find({ namespace: NS, name }));
      expect(match.pod.workload).toEqual({ kind: "Deployment", name: "web", resolvedBy: "owner-reference" });
      expect(match.pod.nodeName).toBe(NODE);
    }
    expect(pods.health()).toMatchObject({ synced: true, pods: 2 });
  });

  it("label and annotation changes on the Deployment reach the detector's workload cache", async () => {
    await waitFor(async () => workloads.get("Deployment", NS, "web"));
    run("-n", NS, "annotate", "deployment", "web", "outlier.dev/learning-window=6h");
    run("-n", NS, "label", "deployment", "web", "team=payments");
    const meta = await waitFor(async () => {
      const m = workloads.get("Deployment", NS, "web");
      return m?.labels.team === "payments" && m.annotations["outlier.dev/learning-window"] === "6h" ? m : undefined;
    });
    expect(meta).toMatchObject({ kind: "Deployment", namespace: NS, name: "web" });
  });

  it("survives a kube-apiserver restart with a relist, counted in the collector's metrics", async () => {
    const before = await metricsOf(`http://127.0.0.1:${collector.port}/metrics`);
    const listsBefore = before("outlier_collector_pod_cache_lists_total");
    expect(listsBefore).toBeGreaterThanOrEqual(1);
    const workloadListsBefore = workloads.health().lists;

    await plane.apiServer.restart();
    // A change made after the restart must arrive: the informers came back.
    run("-n", NS, "label", "deployment", "web", "team=checkout", "--overwrite");
    await waitFor(async () => (workloads.get("Deployment", NS, "web")?.labels.team === "checkout" ? true : undefined));

    await expect.poll(async () => (await metricsOf(`http://127.0.0.1:${collector.port}/metrics`))("outlier_collector_pod_cache_lists_total"), { timeout: 60_000 }).toBeGreaterThan(listsBefore);
    expect(workloads.health().lists).toBeGreaterThan(workloadListsBefore);
    expect(pods.health()).toMatchObject({ synced: true, stale: false, pods: 2 });
  });

  it("survives a 410 Gone (its resource version compacted away) with a relist, not a restart", async () => {
    await waitFor(async () => (pods.health().pods === 2 ? true : undefined));
    const before = pods.health();
    // Newer revisions elsewhere, then etcd's history before them dropped: the pod watch's resource
    // version (no pod changed since) is now too old, and its next resume (every 5-10 s) gets 410.
    for (let i = 0; i < 3; i++) run("-n", NS, "create", "configmap", `bump-${i}`);
    const status = (await (await fetch(`${plane.etcdUrl}/v3/maintenance/status`, { method: "POST", body: "{}" })).json()) as { header: { revision: string } };
    const compacted = await fetch(`${plane.etcdUrl}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision: status.header.revision, physical: true }) });
    expect(compacted.ok).toBe(true);

    await expect.poll(() => pods.health().lists, { timeout: 30_000 }).toBeGreaterThan(before.lists);
    expect(pods.health()).toMatchObject({ restarts: before.restarts, synced: true, stale: false, pods: 2 });
  });
});
