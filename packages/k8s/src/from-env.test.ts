import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPodCacheFromEnv, createWorkloadMetaCacheFromEnv } from "./from-env.ts";
import { PodCache } from "./pod-cache.ts";
import { WorkloadMetaCache } from "./workload-meta-cache.ts";

const KUBECONFIG_YAML = `apiVersion: v1
kind: Config
clusters: [{ name: t, cluster: { server: "http://127.0.0.1:1" } }]
users: [{ name: u, user: { token: x } }]
contexts: [{ name: c, context: { cluster: t, user: u } }]
current-context: c
`;

describe("createPodCacheFromEnv", () => {
  const logger = pino({ level: "silent" });
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "outlier-k8s-"));
    vi.stubEnv("HOME", home);
    vi.stubEnv("KUBECONFIG", undefined);
    vi.stubEnv("KUBERNETES_SERVICE_HOST", undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("returns undefined outside a cluster and without a kubeconfig", () => {
    expect(createPodCacheFromEnv({ nodeName: "node-a", logger })).toBeUndefined();
    expect(createPodCacheFromEnv({ nodeName: undefined, logger })).toBeUndefined();
  });

  it("builds an unstarted cache from the kubeconfig KUBECONFIG names", () => {
    const file = join(home, "config");
    writeFileSync(file, KUBECONFIG_YAML);
    vi.stubEnv("KUBECONFIG", file);
    const cache = createPodCacheFromEnv({ nodeName: "node-a", logger });
    expect(cache).toBeInstanceOf(PodCache);
    expect(cache?.health()).toMatchObject({ synced: false, stale: false, pods: 0 });
  });

  it("refuses to watch the whole cluster when the node name is missing", () => {
    vi.stubEnv("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    vi.stubEnv("KUBERNETES_SERVICE_PORT", "443");
    expect(() => createPodCacheFromEnv({ nodeName: "", logger })).toThrow(/NODE_NAME/);
  });

  it("builds the workload cache only when a Kubernetes API is configured", () => {
    expect(createWorkloadMetaCacheFromEnv({ logger })).toBeUndefined();
    const file = join(home, "config");
    writeFileSync(file, KUBECONFIG_YAML);
    vi.stubEnv("KUBECONFIG", file);
    const cache = createWorkloadMetaCacheFromEnv({ logger });
    expect(cache).toBeInstanceOf(WorkloadMetaCache);
    expect(cache?.health()).toMatchObject({ synced: false, workloads: 0 });
  });
});
