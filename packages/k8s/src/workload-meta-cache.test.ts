import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { COLLECTION_PATHS, FakeKubeApi, kubeConfigFor } from "./testing/fake-kube-api.ts";
import { testWorkload } from "./testing/workloads.ts";
import { WORKLOAD_META_KINDS, WorkloadMetaCache, type WorkloadMetaCacheOptions } from "./workload-meta-cache.ts";

const WAIT = { timeout: 5000, interval: 10 };
const DEPLOYMENTS = COLLECTION_PATHS.Deployment ?? "";
const CRONJOBS = COLLECTION_PATHS.CronJob ?? "";

describe("WorkloadMetaCache against a Kubernetes list+watch server", () => {
  let api: FakeKubeApi;
  let cache: WorkloadMetaCache;

  async function startCache(options: Partial<WorkloadMetaCacheOptions> = {}): Promise<void> {
    const server = await api.listen();
    cache = new WorkloadMetaCache({
      kubeConfig: kubeConfigFor(server, api.token),
      logger: pino({ level: "silent" }),
      backoff: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    cache.start();
  }

  async function startSynced(options: Partial<WorkloadMetaCacheOptions> = {}): Promise<void> {
    await startCache(options);
    await cache.whenSynced();
    await vi.waitFor(() => expect(api.openWatches).toBe(WORKLOAD_META_KINDS.length), WAIT);
  }

  const pathsOf = (urls: URL[]) => new Set(urls.map((url) => url.pathname));

  beforeEach(() => {
    api = new FakeKubeApi();
    api.add(testWorkload({ kind: "Deployment", name: "web", labels: { app: "web", team: "shop" }, annotations: { "outlier.dev/learning-window": "2h" } }));
    api.add(testWorkload({ kind: "StatefulSet", name: "db", namespace: "data" }));
    api.add(testWorkload({ kind: "DaemonSet", name: "agent", namespace: "kube-system" }));
    api.add(testWorkload({ kind: "Job", name: "migrate" }));
    api.add(testWorkload({ kind: "CronJob", name: "report", annotations: { "outlier.dev/slack-channel": "#reports" } }));
    api.add(testWorkload({ kind: "ReplicaSet", name: "web-5d8f7c" }));
  });

  afterEach(async () => {
    await cache.stop();
    await api.close();
  });

  it("lists and watches the five workload kinds cluster-wide and keeps only their labels and annotations", async () => {
    await startSynced();
    expect(cache.get("Deployment", "shop", "web")).toEqual({
      kind: "Deployment",
      namespace: "shop",
      name: "web",
      labels: { app: "web", team: "shop" },
      annotations: { "outlier.dev/learning-window": "2h" }, // kubectl's last-applied copy is dropped
    });
    expect(cache.get("StatefulSet", "data", "db")?.labels).toEqual({ app: "db" });
    expect(cache.get("DaemonSet", "kube-system", "agent")?.name).toBe("agent");
    expect(cache.get("Job", "shop", "migrate")?.kind).toBe("Job");
    expect(cache.get("CronJob", "shop", "report")?.annotations).toEqual({ "outlier.dev/slack-channel": "#reports" });
    expect(cache.get("Deployment", "other", "web")).toBeUndefined();
    expect(cache.get("ReplicaSet", "shop", "web-5d8f7c")).toBeUndefined();

    const watched = WORKLOAD_META_KINDS.map((kind) => COLLECTION_PATHS[kind]);
    expect(pathsOf(api.listUrls)).toEqual(new Set(watched));
    expect(pathsOf(api.watchUrls)).toEqual(new Set(watched));
    for (const url of api.watchUrls) {
      expect(url.searchParams.get("fieldSelector")).toBeNull();
      expect(url.searchParams.get("allowWatchBookmarks")).toBe("true");
      expect(Number(url.searchParams.get("timeoutSeconds"))).toBeGreaterThanOrEqual(300);
    }
    expect(cache.health()).toMatchObject({ synced: true, stale: false, workloads: 5, restarts: 0 });
    expect(cache.health().kinds.CronJob).toMatchObject({ synced: true, objects: 1 });
  });

  it("follows workloads being added, relabelled and deleted, reduced as they arrive", async () => {
    await startSynced();
    api.add(testWorkload({ kind: "Deployment", name: "api", annotations: { "outlier.dev/auto-lock": "false" } }));
    await vi.waitFor(() => expect(cache.get("Deployment", "shop", "api")?.annotations).toEqual({ "outlier.dev/auto-lock": "false" }), WAIT);

    api.modify(testWorkload({ kind: "Deployment", name: "web", labels: { app: "web", team: "checkout" } }));
    await vi.waitFor(() => expect(cache.get("Deployment", "shop", "web")?.labels).toEqual({ app: "web", team: "checkout" }), WAIT);
    expect(cache.get("Deployment", "shop", "web")?.annotations).toEqual({});

    api.delete("uid-job-migrate");
    await vi.waitFor(() => expect(cache.get("Job", "shop", "migrate")).toBeUndefined(), WAIT);
    expect(cache.health().workloads).toBe(5);
  });

  it("reads large collections page by page", async () => {
    for (const name of ["a", "b", "c", "d"]) api.add(testWorkload({ kind: "Deployment", name }));
    await startSynced({ pageSize: 2 });
    const deploymentLists = api.listUrls.filter((url) => url.pathname === DEPLOYMENTS);
    expect(deploymentLists.map((url) => [url.searchParams.get("limit"), url.searchParams.get("continue")])).toEqual([
      ["2", null],
      ["2", expect.any(String)],
      ["2", expect.any(String)],
    ]);
    for (const name of ["web", "a", "b", "c", "d"]) expect(cache.get("Deployment", "shop", name)?.name).toBe(name);
    // The watch resumes from the list's snapshot: a later change still arrives.
    api.add(testWorkload({ kind: "Deployment", name: "e" }));
    await vi.waitFor(() => expect(cache.get("Deployment", "shop", "e")).toBeDefined(), WAIT);
  });

  it("serves the kinds it may read while one it may not (RBAC) keeps retrying with backoff", async () => {
    api.forbid(CRONJOBS);
    await startCache();
    await vi.waitFor(() => expect(cache.health().kinds.CronJob.restarts).toBeGreaterThanOrEqual(2), WAIT);
    expect(cache.get("Deployment", "shop", "web")?.name).toBe("web");
    expect(cache.health()).toMatchObject({ synced: false, workloads: 4 });
    expect(cache.health().kinds.Deployment).toMatchObject({ synced: true, restarts: 0 });

    api.allow(CRONJOBS);
    await cache.whenSynced();
    expect(cache.get("CronJob", "shop", "report")?.annotations).toEqual({ "outlier.dev/slack-channel": "#reports" });
    expect(cache.health().synced).toBe(true);
  });

  it("drops workloads deleted while its watch was down when it relists after a restart", async () => {
    await startSynced();
    api.forbid(DEPLOYMENTS);
    api.dropWatches();
    api.delete("uid-deployment-web"); // no deployments watch can see this: only the relist can tell
    await vi.waitFor(() => expect(cache.health().kinds.Deployment.restarts).toBeGreaterThanOrEqual(1), WAIT);
    expect(cache.get("Deployment", "shop", "web")).toBeDefined(); // still known while the API refuses

    api.allow(DEPLOYMENTS);
    await vi.waitFor(() => expect(cache.get("Deployment", "shop", "web")).toBeUndefined(), WAIT);
    expect(api.listUrls.filter((url) => url.pathname === DEPLOYMENTS)).toHaveLength(2);
    expect(cache.get("StatefulSet", "data", "db")?.name).toBe("db");
  });

  it("reports a kind stale when its watch hangs, then restarts it and recovers", async () => {
    await startSynced({ staleAfterMs: 300 });
    api.parkWatches();
    api.endWatches(); // every re-watch now hangs unanswered
    await vi.waitFor(() => expect(cache.health().stale).toBe(true), WAIT);
    api.resumeWatches();
    await vi.waitFor(() => expect(cache.health()).toMatchObject({ stale: false, synced: true }), WAIT);
    expect(cache.health().restarts).toBeGreaterThanOrEqual(1);
    api.add(testWorkload({ kind: "StatefulSet", name: "cache", namespace: "data" }));
    await vi.waitFor(() => expect(cache.get("StatefulSet", "data", "cache")).toBeDefined(), WAIT);
  });
});
