import { describe, expect, it } from "vitest";
import { controllerOfPodName, cronJobOfJobName, deploymentOfPodName } from "./pod-names.ts";

describe("controllerOfPodName", () => {
  it.each([
    ["alpine-deployment-77789455d6-m7flp", { kind: "Deployment", name: "alpine-deployment" }],
    ["web-6f87496b94-", { kind: "Deployment", name: "web" }], // a ReplicaSet's generateName
    ["redis-0", { kind: "StatefulSet", name: "redis" }],
    ["kafka-controller-12", { kind: "StatefulSet", name: "kafka-controller" }],
    ["falco-74htl", { kind: "DaemonSet", name: "falco" }],
    ["nginx-proxy", undefined], // vowels: never a generated suffix
    ["kubecon", undefined],
    ["web-abcde", undefined], // "a" and "e" are not in the alphabet
  ])("%s → %j", (podName, expected) => {
    expect(controllerOfPodName(podName)).toEqual(expected);
  });

  it("reads only the Deployment pattern for deploymentOfPodName", () => {
    expect(deploymentOfPodName("checkout-5d8f7c9b6d-x2x9z")).toBe("checkout");
    expect(deploymentOfPodName("redis-0")).toBeUndefined();
    expect(deploymentOfPodName("falco-74htl")).toBeUndefined();
  });
});

describe("cronJobOfJobName", () => {
  it.each([
    ["backup-28763041", "backup"], // Unix minutes
    ["report-1725700000", "report"], // Unix seconds, before Kubernetes 1.21
    ["migrate-2", undefined],
    ["nightly-backup", undefined],
  ])("%s → %s", (jobName, expected) => {
    expect(cronJobOfJobName(jobName)).toBe(expected);
  });
});
