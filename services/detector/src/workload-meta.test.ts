import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeEvent } from "@outlier/contracts";
import { Detector } from "@outlier/detector";
import { MemoryBaselineStore } from "@outlier/store";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exec as checkoutExec } from "../../../packages/detector/src/test-events.ts";
import { createWorkloadMetaSource, workloadMetaFor, type WorkloadMetaLookup } from "./workload-meta.ts";

/** A process_exec in pod checkout-1 of Deployment shop/checkout, `minutes` after the tests' epoch. */
const exec = (binary: string, minutes: number): RuntimeEvent => checkoutExec({ pod: "checkout-1", binary, minutes });

/** The API's view: the Deployment carries a team label and a 10-minute learning window. */
const API_WORKLOADS: WorkloadMetaLookup = {
  get: (kind, namespace, name) =>
    kind === "Deployment" && namespace === "shop" && name === "checkout"
      ? { labels: { app: "checkout", team: "payments" }, annotations: { "outlier.dev/learning-window": "10m", "outlier.dev/slack-channel": "#pay" } }
      : undefined,
};

describe("workloadMetaFor", () => {
  it("looks the event's workload up by kind, namespace and name", () => {
    const lookup = workloadMetaFor(API_WORKLOADS);
    expect(lookup(exec("/bin/ls", 0))?.labels).toEqual({ app: "checkout", team: "payments" });
    expect(lookup({ ...exec("/bin/ls", 0), workload: { kind: "StatefulSet", name: "checkout", resolvedBy: "owner-reference" } })).toBeUndefined();
    expect(lookup({ ...exec("/bin/ls", 0), pod: undefined })).toBeUndefined();
  });

  it("gives the Detector the workload's learning window and the labels and annotations findings carry", async () => {
    const learning = [0, 2, 4, 6, 8, 10, 11].map((minutes) => exec("/usr/local/bin/server", minutes));
    const intruder = exec("/usr/bin/nc", 12);

    const withApi = new Detector({ store: new MemoryBaselineStore(), workloadMeta: workloadMetaFor(API_WORKLOADS) });
    await withApi.process(learning);
    const findings = (await withApi.process([intruder])).filter((f) => f.type === "process.unexpected");
    expect(findings).toHaveLength(1);
    expect(findings[0]?.workload).toMatchObject({ labels: { team: "payments" }, annotations: { "outlier.dev/slack-channel": "#pay" } });

    // Without the API the default one-hour window applies: the same binary is still being learned.
    const eventsOnly = new Detector({ store: new MemoryBaselineStore() });
    await eventsOnly.process(learning);
    expect((await eventsOnly.process([intruder])).filter((f) => f.type === "process.unexpected")).toEqual([]);
  });
});

describe("createWorkloadMetaSource", () => {
  const logger = pino({ level: "silent" });
  let home: string;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "outlier-detector-k8s-"));
    vi.stubEnv("HOME", home);
    vi.stubEnv("KUBECONFIG", undefined);
    vi.stubEnv("KUBERNETES_SERVICE_HOST", undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("has no lookup when disabled, or on auto outside a pod", async () => {
    expect(createWorkloadMetaSource(false, { logger, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" } }).lookup).toBeUndefined();
    const none = createWorkloadMetaSource("auto", { logger, env: {} });
    expect(none.lookup).toBeUndefined();
    await expect(none.whenSynced(10_000)).resolves.toBe(true); // nothing to wait for
  });

  it("requires a Kubernetes API when enabled, and uses the kubeconfig when there is one", async () => {
    expect(() => createWorkloadMetaSource(true, { logger, env: {} })).toThrow(/no Kubernetes API/);
    const file = join(home, "config");
    writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters: [{ name: t, cluster: { server: 'http://127.0.0.1:1' } }]\nusers: [{ name: u, user: { token: x } }]\ncontexts: [{ name: c, context: { cluster: t, user: u } }]\ncurrent-context: c\n");
    vi.stubEnv("KUBECONFIG", file);
    const source = createWorkloadMetaSource(true, { logger, env: {} });
    expect(source.lookup).toBeTypeOf("function");
    expect(source.health()).toMatchObject({ synced: false, workloads: 0 });
    expect(source.lookup?.(exec("/bin/ls", 0))).toBeUndefined(); // nothing known: the pod's labels apply
    source.start();
    await expect(source.whenSynced(100)).resolves.toBe(false); // the API server is unreachable
    await source.stop();
  });
});
