import { classifyNoise } from "@outlier/baseline";
import { RuntimeEventSchema, type ProcessInfo, type RuntimeEvent } from "@outlier/contracts";
import { PodEnricher, PodIndex, podFacts } from "@outlier/k8s";
import { beforeEach, describe, expect, it } from "vitest";
import { markPodSpecNoise } from "./enrich-noise.ts";

type Pod = Parameters<typeof podFacts>[0];

const CONTAINER_ID = "3f4a5b6c7d8e9f00112233445566778899aabbccddeeff001122334455667788";

/** A pod as the API server returns it: an nginx container with an exec liveness probe and a postStart hook. */
const WEB_POD: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    namespace: "shop",
    name: "web-7c9f8b6d4-x2x9z",
    uid: "uid-web",
    labels: { app: "web", "pod-template-hash": "7c9f8b6d4" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7c9f8b6d4", uid: "uid-rs", controller: true }],
  },
  spec: {
    nodeName: "node-a",
    containers: [
      {
        name: "app",
        image: "nginx:1.27",
        command: ["nginx"],
        args: ["-g", "daemon off;"],
        livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] } },
        lifecycle: { postStart: { exec: { command: ["/bin/sh", "-c", "touch /tmp/healthy"] } } },
      },
    ],
  },
  status: { containerStatuses: [{ name: "app", containerID: `containerd://${CONTAINER_ID}`, image: "nginx:1.27", imageID: "", ready: true, restartCount: 0 }] },
};

/** An exec in the web pod as the Tetragon normalizer writes it (container id prefix, no pod spec knowledge). */
function execIn(process: Partial<ProcessInfo> & { binary: string }, type: RuntimeEvent["type"] = "process_exec"): RuntimeEvent {
  return {
    schema: "outlier.runtime.v1",
    id: `e-${process.binary}`,
    source: "tetragon",
    type,
    sourceKind: type,
    time: "2025-05-01T10:00:00.123456789Z",
    cluster: "prod",
    node: "node-a",
    pod: { namespace: "shop", name: "web-7c9f8b6d4-x2x9z", labels: {}, container: { name: "app", id: CONTAINER_ID.slice(0, 31) } },
    workload: { kind: "Deployment", name: "web", resolvedBy: "label:pod-template-hash" },
    process: { ancestors: [], ...process },
  };
}

describe("markPodSpecNoise in the pod enrichment", () => {
  let enricher: PodEnricher;

  beforeEach(() => {
    const index = new PodIndex({ deletedMax: 10, deletedTtlMs: 60_000 });
    const facts = podFacts(WEB_POD);
    if (!facts) throw new Error("test pod without uid");
    index.upsert(facts);
    enricher = new PodEnricher({ pods: index, mark: markPodSpecNoise });
  });

  const enrich = async (event: RuntimeEvent) => RuntimeEventSchema.parse(await enricher.enrich(event));

  it("marks the liveness probe's `cat /tmp/healthy` run from outside the init tree as an exec probe", async () => {
    const event = await enrich(execIn({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: false }));
    expect(event.process).toMatchObject({ binary: "/bin/cat", maybeExecProbe: true });
    expect(event.process?.podSpecCommand).toBeUndefined();
    expect(event.workload).toMatchObject({ kind: "Deployment", resolvedBy: "owner-reference" });
    // The detector, which has no pod spec, now sees it as noise.
    expect(classifyNoise(event)).toBe("exec-probe");
  });

  it("marks the container's own command + args, and its exec lifecycle hook, as pod-spec commands", async () => {
    const main = await enrich(execIn({ binary: "/usr/sbin/nginx", args: "-g daemon off;", inInitTree: true }));
    expect(main.process).toMatchObject({ podSpecCommand: true });
    expect(main.process?.maybeExecProbe).toBeUndefined();
    expect(classifyNoise(main)).toBe("pod-spec-command");

    const hook = await enrich(execIn({ binary: "/bin/sh", args: '-c "touch /tmp/healthy"', inInitTree: false }));
    expect(hook.process).toMatchObject({ podSpecCommand: true });
  });

  it("leaves alone what the pod spec does not name", async () => {
    const unmarked = [
      execIn({ binary: "/bin/cat", args: "/etc/shadow", inInitTree: false }), // the probe's binary, other arguments
      execIn({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: true }), // probe-like, but the workload itself ran it
      execIn({ binary: "/bin/sh", args: "", inInitTree: false }), // an interactive shell
      execIn({ binary: "/usr/sbin/nginx", args: "-s reload", inInitTree: true }),
      execIn({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: false }, "process_exit"),
    ];
    for (const event of unmarked) {
      const enriched = await enrich(event);
      expect(enriched.process).toEqual(event.process);
      expect(classifyNoise(enriched)).toBeUndefined();
    }
  });

  it("marks nothing when the container is not known", () => {
    const facts = podFacts(WEB_POD);
    if (!facts) throw new Error("test pod without uid");
    const probe = execIn({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: false });
    expect(markPodSpecNoise(probe, { pod: facts })).toBe(probe);
    expect(markPodSpecNoise(probe, { pod: facts, container: facts.containers[0] })).not.toBe(probe);
  });
});
