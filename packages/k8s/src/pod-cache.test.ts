import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PodCache, type PodCacheOptions } from "./pod-cache.ts";
import { FakeKubeApi, kubeConfigFor } from "./testing/fake-kube-api.ts";
import { hexId, testPod } from "./testing/pods.ts";

const WAIT = { timeout: 5000, interval: 10 };

describe("PodCache against a Kubernetes list+watch server", () => {
  let api: FakeKubeApi;
  let cache: PodCache;

  async function startCache(options: Partial<PodCacheOptions> = {}): Promise<void> {
    const server = await api.listen();
    cache = new PodCache({
      kubeConfig: kubeConfigFor(server, api.token),
      nodeName: "node-a",
      logger: pino({ level: "silent" }),
      backoff: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    cache.start();
    await cache.whenSynced();
    await vi.waitFor(() => expect(api.openWatches).toBe(1), WAIT);
  }

  const nameOf = (containerId: string) => cache.find({ containerId })?.pod.name;

  beforeEach(() => {
    api = new FakeKubeApi();
    api.add(testPod({ name: "web-1", nodeName: "node-a" }));
    api.add(testPod({ name: "other-node-pod", nodeName: "node-b" }));
  });

  afterEach(async () => {
    await cache.stop();
    await api.close();
  });

  it("lists and watches only this node's pods, asking for bounded watches with bookmarks", async () => {
    await startCache();
    expect(cache.health()).toMatchObject({ synced: true, stale: false, pods: 1, restarts: 0 });
    expect(nameOf(hexId("web-1"))).toBe("web-1");
    expect(cache.find({ namespace: "shop", name: "other-node-pod" })).toBeUndefined();

    const watchUrl = api.watchUrls[0];
    expect(watchUrl?.searchParams.get("fieldSelector")).toBe("spec.nodeName=node-a");
    expect(watchUrl?.searchParams.get("resourceVersion")).toBe("102");
    expect(Number(watchUrl?.searchParams.get("timeoutSeconds"))).toBeGreaterThanOrEqual(300);
    expect(watchUrl?.searchParams.get("allowWatchBookmarks")).toBe("true");
  });

  it("follows pods being added, modified and deleted", async () => {
    await startCache();
    api.add(testPod({ name: "web-2", nodeName: "node-a" }));
    api.add(testPod({ name: "elsewhere", nodeName: "node-b" }));
    await vi.waitFor(() => expect(nameOf(hexId("web-2"))).toBe("web-2"), WAIT);

    api.modify(testPod({ name: "web-2", nodeName: "node-a", labels: { app: "web", version: "2" } }));
    await vi.waitFor(() => expect(cache.find({ namespace: "shop", name: "web-2" })?.pod.labels).toEqual({ app: "web", version: "2" }), WAIT);

    api.delete("uid-web-2");
    await vi.waitFor(() => expect(cache.health().pods).toBe(1), WAIT);
    // Deleted, but late events still resolve from the recently-deleted LRU.
    expect(nameOf(hexId("web-2"))).toBe("web-2");
    expect(cache.find({ namespace: "shop", name: "elsewhere" })).toBeUndefined();
  });

  it("resumes a cleanly ended watch from its resource version without relisting", async () => {
    await startCache();
    api.parkWatches();
    api.endWatches();
    await vi.waitFor(() => expect(api.watchUrls).toHaveLength(2), WAIT);
    api.add(testPod({ name: "web-3", nodeName: "node-a" }));
    api.resumeWatches();
    await vi.waitFor(() => expect(nameOf(hexId("web-3"))).toBe("web-3"), WAIT);
    expect(api.listRequests).toBe(1);
    expect(cache.health().restarts).toBe(0);
  });

  it("restarts after a dropped watch connection and a 500, with backoff, and catches up", async () => {
    await startCache();
    api.failNext("watch", 500);
    api.dropWatches();
    api.add(testPod({ name: "while-down", nodeName: "node-a" }));
    await vi.waitFor(() => expect(nameOf(hexId("while-down"))).toBe("while-down"), WAIT);
    await vi.waitFor(() => expect(api.openWatches).toBe(1), WAIT);
    expect(cache.health().restarts).toBeGreaterThanOrEqual(1);

    api.add(testPod({ name: "after", nodeName: "node-a" }));
    await vi.waitFor(() => expect(nameOf(hexId("after"))).toBe("after"), WAIT);
  });

  it("drops pods deleted while the watch was down when it relists after a restart", async () => {
    api.add(testPod({ name: "doomed", nodeName: "node-a" }));
    await startCache();
    api.failNext("watch", 500);
    api.endWatches();
    api.delete("uid-doomed"); // the watch is down: only the relist can tell
    await vi.waitFor(() => expect(cache.health()).toMatchObject({ pods: 1, restarts: 1 }), WAIT);
    expect(api.listRequests).toBe(2);
    expect(nameOf(hexId("web-1"))).toBe("web-1");
  });

  it("retries a failing list with backoff until it succeeds", async () => {
    api.failNext("list", 503, 500);
    await startCache();
    expect(api.listRequests).toBe(1); // failed requests are not counted as served lists
    expect(cache.health()).toMatchObject({ synced: true, restarts: 2 });
  });

  it.each(["event", "status"] as const)("relists on 410 Gone (as a watch %s) and drops pods deleted meanwhile", async (style) => {
    api.add(testPod({ name: "doomed", nodeName: "node-a" }));
    await startCache();
    expect(nameOf(hexId("doomed"))).toBe("doomed");

    api.parkWatches();
    api.endWatches();
    await vi.waitFor(() => expect(api.watchUrls).toHaveLength(2), WAIT);
    api.delete("uid-doomed");
    api.add(testPod({ name: "newcomer", nodeName: "node-a" }));
    api.compact(style);
    api.resumeWatches();

    await vi.waitFor(() => expect(nameOf(hexId("newcomer"))).toBe("newcomer"), WAIT);
    expect(api.listRequests).toBe(2);
    expect(cache.find({ namespace: "shop", name: "doomed" })?.pod.uid).toBe("uid-doomed"); // recently deleted
    expect(cache.health().pods).toBe(2);
    expect(cache.health().restarts).toBe(0);
  });

  it("reports stale when a watch hangs, then restarts and recovers", async () => {
    await startCache({ staleAfterMs: 300 });
    api.parkWatches();
    api.endWatches(); // the re-watch now hangs unanswered
    await vi.waitFor(() => expect(cache.health().stale).toBe(true), WAIT);
    api.resumeWatches();
    await vi.waitFor(() => expect(cache.health()).toMatchObject({ stale: false, restarts: 1 }), WAIT);
    api.add(testPod({ name: "fresh", nodeName: "node-a" }));
    await vi.waitFor(() => expect(nameOf(hexId("fresh"))).toBe("fresh"), WAIT);
  });
});
