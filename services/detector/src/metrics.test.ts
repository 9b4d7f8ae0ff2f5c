import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerGauges } from "./metrics.ts";

describe("registerGauges", () => {
  it("reads the store's round trips, the cached baselines and the deferred execs at scrape time", async () => {
    const registry = new Registry();
    let roundTrips = 5;
    registerGauges(registry, { storeRoundTrips: () => roundTrips, cachedBaselines: () => 2, deferredExecs: () => 3, workloadMeta: () => ({ restarts: 1, lists: 4 }) });
    expect(await registry.metrics()).toMatch(/outlier_detector_store_round_trips_total 5/);
    roundTrips = 8;
    const text = await registry.metrics();
    expect(text).toMatch(/outlier_detector_store_round_trips_total 8/);
    expect(text).toMatch(/outlier_detector_cached_baselines 2/);
    expect(text).toMatch(/outlier_detector_deferred_execs 3/);
    expect(text).toMatch(/outlier_detector_workload_meta_restarts_total 1/);
    expect(text).toMatch(/outlier_detector_workload_meta_lists_total 4/);
  });
});
