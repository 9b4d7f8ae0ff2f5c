import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { containerIdsOf, digestFromImageId, podFacts } from "./pod-facts.ts";
import { testPod } from "./testing/pods.ts";

const DIGEST = `sha256:${"0d".repeat(32)}`;

/** A Deployment pod with an init container, probes, a hook and a restarted sidecar, as the API returns it. */
function richPod(): V1Pod {
  return {
    metadata: {
      namespace: "shop",
      name: "checkout-7c9f8b6d4-x2x9z",
      uid: "5e0a7d0c-8a53-4d8e-9d6a-2f0e3b7c1a11",
      labels: { app: "checkout", "pod-template-hash": "7c9f8b6d4" },
      annotations: { "outlier.dev/slack-channel": "#checkout" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "checkout-7c9f8b6d4", uid: "rs", controller: true }],
    },
    spec: {
      nodeName: "node-a",
      initContainers: [{ name: "migrate", image: "shop/migrate:3", command: ["/bin/migrate"], args: ["up"] }],
      containers: [
        {
          name: "app",
          image: "shop/checkout:1.4",
          command: ["/app/server"],
          args: ["--port", "8080"],
          livenessProbe: { exec: { command: ["/bin/sh", "-c", "curl -fs localhost:8080/healthz"] } },
          readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
          lifecycle: { preStop: { exec: { command: ["/app/drain"] } } },
        },
        { name: "envoy", image: "envoyproxy/envoy:v1.31" },
      ],
    },
    status: {
      initContainerStatuses: [
        { name: "migrate", image: "docker.io/shop/migrate:3", imageID: `docker.io/shop/migrate@${DIGEST}`, containerID: "containerd://aaa111", ready: false, restartCount: 0 },
      ],
      containerStatuses: [
        { name: "app", image: "docker.io/shop/checkout:1.4", imageID: `docker-pullable://shop/checkout@${DIGEST}`, containerID: "containerd://BBB222", ready: true, restartCount: 0 },
        {
          name: "envoy",
          image: "docker.io/envoyproxy/envoy:v1.31",
          imageID: "",
          containerID: "cri-o://ccc333",
          lastState: { terminated: { exitCode: 137, containerID: "cri-o://ccc000" } },
          ready: true,
          restartCount: 1,
        },
      ],
    },
  } as V1Pod;
}

describe("podFacts", () => {
  it("reduces a pod to labels, annotations, workload and per-container facts", () => {
    const facts = podFacts(richPod());
    expect(facts).toMatchObject({
      uid: "5e0a7d0c-8a53-4d8e-9d6a-2f0e3b7c1a11",
      namespace: "shop",
      name: "checkout-7c9f8b6d4-x2x9z",
      nodeName: "node-a",
      labels: { app: "checkout", "pod-template-hash": "7c9f8b6d4" },
      annotations: { "outlier.dev/slack-channel": "#checkout" },
      workload: { kind: "Deployment", name: "checkout", resolvedBy: "owner-reference" },
    });
    expect(facts?.containers.map((c) => [c.name, c.kind])).toEqual([
      ["migrate", "init"],
      ["app", "container"],
      ["envoy", "container"],
    ]);
    expect(facts?.containers[1]).toEqual({
      name: "app",
      kind: "container",
      image: "docker.io/shop/checkout:1.4",
      imageDigest: DIGEST,
      containerId: "bbb222",
      command: ["/app/server"],
      args: ["--port", "8080"],
      probeCommands: [["/bin/sh", "-c", "curl -fs localhost:8080/healthz"]],
      lifecycleCommands: [["/app/drain"]],
    });
  });

  it("keeps the previous container id of a restarted container and has no digest for an empty imageID", () => {
    const envoy = podFacts(richPod())?.containers[2];
    expect(envoy).toMatchObject({ containerId: "ccc333", previousContainerId: "ccc000" });
    expect(envoy?.imageDigest).toBeUndefined();
  });

  it("uses the spec image for a container the kubelet has not reported yet", () => {
    const pod = testPod({ name: "fresh" });
    pod.status = { phase: "Pending" };
    const app = podFacts(pod)?.containers[0];
    expect(app).toMatchObject({ name: "app", image: "nginx:1.27" });
    expect(app?.containerId).toBeUndefined();
  });

  it("lists every container id an event may carry", () => {
    expect(containerIdsOf(podFacts(richPod())!)).toEqual(["aaa111", "bbb222", "ccc333", "ccc000"]);
  });

  it("refuses a pod without uid", () => {
    expect(podFacts({ metadata: { namespace: "a", name: "b" } })).toBeUndefined();
  });
});

describe("digestFromImageId", () => {
  it("extracts sha256 from every runtime's imageID form", () => {
    expect(digestFromImageId(`docker-pullable://nginx@${DIGEST}`)).toBe(DIGEST);
    expect(digestFromImageId(`docker.io/library/nginx@${DIGEST}`)).toBe(DIGEST);
    expect(digestFromImageId(DIGEST)).toBe(DIGEST);
    expect(digestFromImageId("docker://sha256:short")).toBeUndefined();
  });
});
