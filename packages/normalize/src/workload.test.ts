import { describe, expect, it } from "vitest";
import { hostWorkload, inferWorkload } from "./workload.ts";

const pod = (name: string, labels: Record<string, string> = {}) => ({ namespace: "ns", name, labels });

describe("inferWorkload", () => {
  it("prefers Tetragon's workload and workload_kind", () => {
    expect(inferWorkload(pod("api-7d4b9c8f6d-x2kqp"), { workload: "api", workloadKind: "Deployment" })).toEqual({
      kind: "Deployment",
      name: "api",
      resolvedBy: "tetragon-workload",
    });
  });

  it("guesses the kind of a Tetragon workload that has no workload_kind", () => {
    const labels = { "pod-template-hash": "7d4b9c8f6d" };
    expect(inferWorkload(pod("api-7d4b9c8f6d-x2kqp", labels), { workload: "api" }).kind).toBe("Deployment");
    expect(inferWorkload(pod("xwing"), { workload: "xwing" }).kind).toBe("Pod");
    expect(inferWorkload(pod("db-2"), { workload: "db" }).kind).toBe("StatefulSet");
    expect(inferWorkload(pod("custom"), { workload: "operator-managed" }).kind).toBe("Deployment");
    expect(inferWorkload(pod("xwing"), { workload: "xwing", workloadKind: "Host" }).kind).toBe("Pod");
  });

  it("pod-template-hash → Deployment, stripping -<hash>-<suffix>", () => {
    expect(inferWorkload(pod("my-web-app-6f87496b94-qdlh8", { "pod-template-hash": "6f87496b94" }))).toEqual({
      kind: "Deployment",
      name: "my-web-app",
      resolvedBy: "label:pod-template-hash",
    });
    // Before Kubernetes 1.11 the label held a number that is not in the pod name.
    expect(inferWorkload(pod("nginx-deployment-754c877bcd-2x7kp", { "pod-template-hash": "3107433678" })).name).toBe("nginx-deployment");
  });

  it("controller-revision-hash + statefulset pod-name → StatefulSet", () => {
    const labels = { "controller-revision-hash": "web-5d8f7c", "statefulset.kubernetes.io/pod-name": "web-12" };
    expect(inferWorkload(pod("web-12", labels))).toEqual({ kind: "StatefulSet", name: "web", resolvedBy: "label:statefulset" });
  });

  it("controller-revision-hash + pod-template-generation → DaemonSet", () => {
    const labels = { "controller-revision-hash": "6b9c7d5f4", "pod-template-generation": "3" };
    expect(inferWorkload(pod("fluent-bit-x7k2p", labels))).toEqual({ kind: "DaemonSet", name: "fluent-bit", resolvedBy: "label:daemonset" });
  });

  it("job-name → Job; a Job named <cronjob>-<scheduled minutes> → CronJob", () => {
    expect(inferWorkload(pod("migrate-2-abcde", { "job-name": "migrate-2" }))).toEqual({ kind: "Job", name: "migrate-2", resolvedBy: "label:job-name" });
    expect(inferWorkload(pod("backup-28763041-8kq2z", { "batch.kubernetes.io/job-name": "backup-28763041" }))).toEqual({
      kind: "CronJob",
      name: "backup",
      resolvedBy: "label:cronjob",
    });
  });

  it("falls back to the pod name pattern", () => {
    expect(inferWorkload(pod("alpine-deployment-77789455d6-m7flp"))).toEqual({ kind: "Deployment", name: "alpine-deployment", resolvedBy: "pod-name" });
    expect(inferWorkload(pod("redis-0"))).toEqual({ kind: "StatefulSet", name: "redis", resolvedBy: "pod-name" });
    expect(inferWorkload(pod("falco-74htl"))).toEqual({ kind: "DaemonSet", name: "falco", resolvedBy: "pod-name" });
  });

  it("leaves names that only look like words as bare pods", () => {
    // "proxy" has vowels, which pod name suffixes never contain.
    expect(inferWorkload(pod("nginx-proxy"))).toEqual({ kind: "Pod", name: "nginx-proxy", resolvedBy: "bare-pod" });
    expect(inferWorkload(pod("kubecon"))).toEqual({ kind: "Pod", name: "kubecon", resolvedBy: "bare-pod" });
  });
});

describe("hostWorkload", () => {
  it("names a host process after its node, or unknown", () => {
    expect(hostWorkload("node-1")).toEqual({ kind: "Host", name: "node-1", resolvedBy: "host" });
    expect(hostWorkload(undefined).name).toBe("unknown");
  });
});
