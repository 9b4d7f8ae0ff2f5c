import { describe, expect, it } from "vitest";
import { testPod } from "./testing/pods.ts";
import { workloadFromPod } from "./workload.ts";

describe("workloadFromPod", () => {
  it("resolves a ReplicaSet owner to its Deployment by stripping the pod-template-hash", () => {
    const pod = testPod({
      name: "checkout-7c9f8b6d4-x2x9z",
      labels: { app: "checkout", "pod-template-hash": "7c9f8b6d4" },
      owner: { kind: "ReplicaSet", name: "checkout-7c9f8b6d4" },
    });
    expect(workloadFromPod(pod)).toEqual({ kind: "Deployment", name: "checkout", resolvedBy: "owner-reference" });
  });

  it("keeps a bare ReplicaSet (no pod-template-hash label, or one its name does not end with)", () => {
    const noHash = testPod({ name: "legacy-abcde", labels: { app: "legacy" }, owner: { kind: "ReplicaSet", name: "legacy" } });
    expect(workloadFromPod(noHash)).toMatchObject({ kind: "ReplicaSet", name: "legacy" });
    const otherHash = testPod({
      name: "legacy-abcde",
      labels: { "pod-template-hash": "111" },
      owner: { kind: "ReplicaSet", name: "legacy-222" },
    });
    expect(workloadFromPod(otherHash)).toMatchObject({ kind: "ReplicaSet", name: "legacy-222" });
  });

  it("takes StatefulSet and DaemonSet owners directly", () => {
    expect(workloadFromPod(testPod({ name: "db-0", owner: { kind: "StatefulSet", name: "db" } }))).toEqual({
      kind: "StatefulSet",
      name: "db",
      resolvedBy: "owner-reference",
    });
    expect(workloadFromPod(testPod({ name: "agent-q8k2m", owner: { kind: "DaemonSet", name: "agent" } }))).toMatchObject({
      kind: "DaemonSet",
      name: "agent",
    });
  });

  it("keeps a hand-named Job as a Job", () => {
    expect(workloadFromPod(testPod({ name: "migrate-2-abcde", owner: { kind: "Job", name: "migrate-2" } }))).toMatchObject({
      kind: "Job",
      name: "migrate-2",
    });
  });

  it("resolves a Job named <cronjob>-<scheduled minutes or seconds> to its CronJob", () => {
    const minutes = testPod({ name: "nightly-backup-29012345-abcde", owner: { kind: "Job", name: "nightly-backup-29012345" } });
    expect(workloadFromPod(minutes)).toEqual({ kind: "CronJob", name: "nightly-backup", resolvedBy: "owner-reference" });
    const seconds = testPod({ name: "report-1712345678-xyz12", owner: { kind: "Job", name: "report-1712345678" } });
    expect(workloadFromPod(seconds)).toMatchObject({ kind: "CronJob", name: "report" });
  });

  it("makes a pod without owner, or a static pod mirrored by its Node, its own workload", () => {
    expect(workloadFromPod(testPod({ name: "debug-shell" }))).toEqual({ kind: "Pod", name: "debug-shell", resolvedBy: "owner-reference" });
    const mirror = testPod({ name: "kube-apiserver-node-a", owner: { kind: "Node", name: "node-a" } });
    expect(workloadFromPod(mirror)).toMatchObject({ kind: "Pod", name: "kube-apiserver-node-a" });
  });

  it("prefers the controller owner reference over others", () => {
    const pod = testPod({ name: "db-0" });
    pod.metadata!.ownerReferences = [
      { apiVersion: "v1", kind: "ConfigMap", name: "not-the-controller", uid: "1" },
      { apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "2", controller: true },
    ];
    expect(workloadFromPod(pod)).toMatchObject({ kind: "StatefulSet", name: "db" });
  });

  it("leaves kinds Outlier does not model to the label/name rules", () => {
    expect(workloadFromPod(testPod({ name: "vm-abc", owner: { kind: "VirtualMachineInstance", name: "vm" } }))).toBeUndefined();
    expect(workloadFromPod({ metadata: {} })).toBeUndefined();
  });
});
