import { describe, expect, it } from "vitest";
import { podFacts, type PodFacts } from "./pod-facts.ts";
import { PodIndex } from "./pod-index.ts";
import { testPod, type TestPodOptions } from "./testing/pods.ts";

const ID_A = "4f1c2b3a9d8e7f6051423344556677889900aabbccddeeff0011223344556677";
const ID_B = "4f1c2b3a9d8e00000000000000000000000000000000000000000000000000ff";

function facts(options: TestPodOptions): PodFacts {
  const result = podFacts(testPod(options));
  if (!result) throw new Error("test pod without uid");
  return result;
}

function newIndex(): PodIndex {
  return new PodIndex({ deletedMax: 2, deletedTtlMs: 60_000 });
}

describe("PodIndex", () => {
  it("finds a pod by the full container id whatever the runtime prefix or case", () => {
    const index = newIndex();
    index.upsert(facts({ name: "web-1", containerIds: { app: `containerd://${ID_A}` } }));
    for (const query of [ID_A, `containerd://${ID_A}`, `docker://${ID_A.toUpperCase()}`]) {
      const match = index.find({ containerId: query });
      expect(match?.pod.name).toBe("web-1");
      expect(match?.container?.name).toBe("app");
    }
  });

  it("finds a pod by a container id prefix of 12+ chars, unless ambiguous or too short", () => {
    const index = newIndex();
    index.upsert(facts({ name: "web-1", containerIds: { app: `containerd://${ID_A}` } }));
    expect(index.find({ containerId: ID_A.slice(0, 31) })?.pod.name).toBe("web-1"); // Tetragon's `docker` field
    expect(index.find({ containerId: ID_A.slice(0, 12) })?.pod.name).toBe("web-1"); // Falco's container.id
    expect(index.find({ containerId: ID_A.slice(0, 11) })).toBeUndefined();

    index.upsert(facts({ name: "web-2", containerIds: { app: `containerd://${ID_B}` } }));
    expect(index.find({ containerId: ID_A.slice(0, 12) })).toBeUndefined();
    expect(index.find({ containerId: ID_B.slice(0, 20) })?.pod.name).toBe("web-2");
  });

  it("falls back to namespace/name and picks the container by name", () => {
    const index = newIndex();
    index.upsert(facts({ name: "web-1", containerIds: { app: "containerd://aaa", sidecar: "containerd://bbb" } }));
    const match = index.find({ containerId: "containerd://not-known-yet", namespace: "shop", name: "web-1", containerName: "sidecar" });
    expect(match?.pod.uid).toBe("uid-web-1");
    expect(match?.container?.containerId).toBe("bbb");
    expect(index.find({ namespace: "other", name: "web-1" })).toBeUndefined();
  });

  it("upserts idempotently and re-indexes a restarted container", () => {
    const index = newIndex();
    const first = facts({ name: "web-1", containerIds: { app: "containerd://old" } });
    index.upsert(first);
    index.upsert(first);
    expect(index.size).toBe(1);
    index.upsert(facts({ name: "web-1", containerIds: { app: "containerd://new" }, resourceVersion: "2" }));
    expect(index.size).toBe(1);
    expect(index.find({ containerId: "new" })?.pod.name).toBe("web-1");
    expect(index.find({ containerId: "old" })).toBeUndefined();
  });

  it("keeps a deleted pod resolvable until it leaves the bounded LRU", () => {
    const index = newIndex();
    for (const name of ["a", "b", "c"]) index.upsert(facts({ name, containerIds: { app: `containerd://id-${name}` } }));
    index.remove("uid-a");
    expect(index.size).toBe(2);
    expect(index.find({ containerId: "id-a" })?.pod.name).toBe("a");
    expect(index.find({ namespace: "shop", name: "a" })?.pod.name).toBe("a");

    index.remove("uid-b");
    index.remove("uid-c"); // the LRU holds 2: "a" falls out
    expect(index.find({ containerId: "id-a" })).toBeUndefined();
    expect(index.find({ namespace: "shop", name: "a" })).toBeUndefined();
    expect(index.find({ containerId: "id-c" })?.pod.name).toBe("c");
  });

  it("forgets deleted pods after their TTL", async () => {
    // Real time: lru-cache reads its own clock, which fake timers do not drive.
    const index = new PodIndex({ deletedMax: 10, deletedTtlMs: 100 });
    index.upsert(facts({ name: "a", containerIds: { app: "containerd://id-a" } }));
    index.remove("uid-a");
    expect(index.find({ containerId: "id-a" })?.pod.name).toBe("a");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(index.find({ containerId: "id-a" })).toBeUndefined();
  });

  it("lets a pod re-created under the same name own the name, while the old one still resolves by container id", () => {
    const index = newIndex();
    index.upsert(facts({ name: "db-0", uid: "uid-old", containerIds: { app: "containerd://old" } }));
    index.upsert(facts({ name: "db-0", uid: "uid-new", containerIds: { app: "containerd://new" } }));
    expect(index.size).toBe(1);
    expect(index.find({ namespace: "shop", name: "db-0" })?.pod.uid).toBe("uid-new");
    expect(index.find({ containerId: "old" })?.pod.uid).toBe("uid-old");
  });

  it("removes live pods that a full list no longer has", () => {
    const index = newIndex();
    for (const name of ["a", "b"]) index.upsert(facts({ name }));
    index.retainOnly(new Set(["uid-b"]));
    expect(index.size).toBe(1);
    expect(index.find({ namespace: "shop", name: "b" })?.pod.uid).toBe("uid-b");
  });
});
