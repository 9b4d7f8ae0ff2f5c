import type { RuntimeEvent } from "@outlier/contracts";
import { RuntimeEventSchema } from "@outlier/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PodEnricher, type EnrichResult } from "./pod-enricher.ts";
import { podFacts } from "./pod-facts.ts";
import { PodIndex } from "./pod-index.ts";
import { hexId, testPod } from "./testing/pods.ts";

const CONTAINER_ID = hexId("checkout");

/** A Tetragon exec as the normalizer writes it: names and a container id prefix, labels from Tetragon, a label-inferred workload. */
function execEvent(pod?: { namespace: string; name: string; containerId?: string }): RuntimeEvent {
  const event: RuntimeEvent = {
    schema: "outlier.runtime.v1",
    id: "e1",
    source: "tetragon",
    type: "process_exec",
    sourceKind: "process_exec",
    time: "2025-05-01T10:00:00.123456789Z",
    cluster: "prod",
    node: "node-a",
    process: { binary: "/bin/sh", args: "-c id", ancestors: [] },
  };
  if (pod) {
    event.pod = { namespace: pod.namespace, name: pod.name, labels: { stale: "label" }, container: { name: "app", id: pod.containerId } };
    event.workload = { kind: "Pod", name: pod.name, resolvedBy: "pod-name" };
  }
  return event;
}

function checkoutPod() {
  const pod = testPod({
    name: "checkout-7c9f8b6d4-x2x9z",
    labels: { app: "checkout", "pod-template-hash": "7c9f8b6d4" },
    owner: { kind: "ReplicaSet", name: "checkout-7c9f8b6d4" },
    containerIds: { app: `containerd://${CONTAINER_ID}` },
  });
  const facts = podFacts(pod);
  if (!facts) throw new Error("test pod without uid");
  return facts;
}

describe("PodEnricher", () => {
  let index: PodIndex;
  let results: EnrichResult[];
  let enricher: PodEnricher;

  beforeEach(() => {
    vi.useFakeTimers();
    index = new PodIndex({ deletedMax: 10, deletedTtlMs: 60_000 });
    results = [];
    enricher = new PodEnricher({ pods: index, retries: 5, tickMs: 1000, maxPending: 2, onResult: (r) => results.push(r) });
  });
  afterEach(() => {
    enricher.close();
    vi.useRealTimers();
  });

  it("fills uid, labels, container image/digest and the owner workload from a known pod", async () => {
    index.upsert(checkoutPod());
    const enriched = await enricher.enrich(
      execEvent({ namespace: "shop", name: "checkout-7c9f8b6d4-x2x9z", containerId: CONTAINER_ID.slice(0, 31) }),
    );
    expect(enriched.pod).toEqual({
      namespace: "shop",
      name: "checkout-7c9f8b6d4-x2x9z",
      uid: "uid-checkout-7c9f8b6d4-x2x9z",
      labels: { app: "checkout", "pod-template-hash": "7c9f8b6d4" },
      container: {
        name: "app",
        id: CONTAINER_ID,
        image: "docker.io/library/nginx:1.27",
        imageDigest: `sha256:${"ab".repeat(32)}`,
      },
    });
    expect(enriched.workload).toEqual({ kind: "Deployment", name: "checkout", resolvedBy: "owner-reference" });
    expect(RuntimeEventSchema.safeParse(enriched).success).toBe(true);
    expect(results).toEqual(["hit"]);
  });

  it("keeps the source's container id when the pod is found by name and its container restarted since", async () => {
    index.upsert(checkoutPod());
    const restartedId = hexId("restarted");
    const enriched = await enricher.enrich(execEvent({ namespace: "shop", name: "checkout-7c9f8b6d4-x2x9z", containerId: restartedId }));
    expect(enriched.pod?.container).toMatchObject({ name: "app", id: restartedId, imageDigest: `sha256:${"ab".repeat(32)}` });
    expect(enriched.workload).toMatchObject({ kind: "Deployment", name: "checkout" });
  });

  it("passes host events through at once", async () => {
    const event = execEvent();
    await expect(enricher.enrich(event)).resolves.toBe(event);
    expect(results).toEqual(["host"]);
  });

  it("holds an event whose pod is not known yet and enriches it when the pod arrives", async () => {
    const enriched = enricher.enrich(execEvent({ namespace: "shop", name: "checkout-7c9f8b6d4-x2x9z" }));
    await vi.advanceTimersByTimeAsync(2000);
    expect(enricher.pendingCount).toBe(1);
    index.upsert(checkoutPod());
    await vi.advanceTimersByTimeAsync(1000);
    await expect(enriched).resolves.toMatchObject({ workload: { kind: "Deployment", name: "checkout" } });
    expect(results).toEqual(["late_hit"]);
  });

  it("releases an event un-enriched after the retries, counted as a miss", async () => {
    const event = execEvent({ namespace: "shop", name: "never-seen" });
    const released = enricher.enrich(event);
    await vi.advanceTimersByTimeAsync(5000);
    await expect(released).resolves.toBe(event);
    expect(results).toEqual(["miss"]);
  });

  it("releases the oldest held event when too many wait, counted as overflow", async () => {
    const oldest = execEvent({ namespace: "shop", name: "p1" });
    const released = enricher.enrich(oldest);
    void enricher.enrich(execEvent({ namespace: "shop", name: "p2" }));
    void enricher.enrich(execEvent({ namespace: "shop", name: "p3" }));
    await expect(released).resolves.toBe(oldest);
    expect(results).toEqual(["overflow"]);
    expect(enricher.pendingCount).toBe(2);
  });

  it("hands each enriched event and its pod to `mark`, at once or late, never a missed one", async () => {
    const seen: string[] = [];
    const marking = new PodEnricher({
      pods: index,
      retries: 2,
      tickMs: 1000,
      mark: (event, { pod, container }) => {
        seen.push(`${pod.name}/${container?.name}`);
        return { ...event, id: `${event.id}-marked` };
      },
    });
    index.upsert(checkoutPod());
    const hit = await marking.enrich(execEvent({ namespace: "shop", name: "checkout-7c9f8b6d4-x2x9z", containerId: CONTAINER_ID }));
    expect(hit).toMatchObject({ id: "e1-marked", workload: { kind: "Deployment", name: "checkout" } });

    const late = marking.enrich(execEvent({ namespace: "shop", name: "late-pod" }));
    index.upsert(podFacts(testPod({ name: "late-pod" })) ?? checkoutPod());
    await vi.advanceTimersByTimeAsync(1000);
    await expect(late).resolves.toMatchObject({ id: "e1-marked" });

    const missed = marking.enrich(execEvent({ namespace: "shop", name: "never-seen" }));
    await vi.advanceTimersByTimeAsync(2000);
    await expect(missed).resolves.toMatchObject({ id: "e1" });
    expect(seen).toEqual(["checkout-7c9f8b6d4-x2x9z/app", "late-pod/app"]);
    marking.close();
  });
});
