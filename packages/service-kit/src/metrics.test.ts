import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { connectionEventCounter, registerConnectionGauges } from "./metrics.ts";

describe("registerConnectionGauges", () => {
  it("exports zero-valued connection gauges from the first scrape, then the probes' values", async () => {
    const registry = new Registry();
    let kafka = false;
    let redis = false;
    let lags: { topic: string; partition: number; lag: number }[] = [];
    registerConnectionGauges(registry, "outlier_test_", { kafkaConnected: () => kafka, redisConnected: () => redis, consumerLag: () => lags });

    const first = await registry.metrics();
    expect(first).toMatch(/^outlier_test_kafka_connected 0$/m);
    expect(first).toMatch(/^outlier_test_redis_connected 0$/m);

    kafka = true;
    redis = true;
    lags = [
      { topic: "outlier.runtime.v1", partition: 0, lag: 12 },
      { topic: "outlier.runtime.v1", partition: 1, lag: 0 },
    ];
    const second = await registry.metrics();
    expect(second).toMatch(/^outlier_test_kafka_connected 1$/m);
    expect(second).toMatch(/^outlier_test_redis_connected 1$/m);
    expect(second).toMatch(/^outlier_test_consumer_lag\{topic="outlier.runtime.v1",partition="0"\} 12$/m);
    expect(second).toMatch(/^outlier_test_consumer_lag\{topic="outlier.runtime.v1",partition="1"\} 0$/m);

    // A partition no longer reported disappears rather than keeping its last value.
    lags = [{ topic: "outlier.runtime.v1", partition: 1, lag: 3 }];
    const third = await registry.metrics();
    expect(third).not.toMatch(/partition="0"/);
    expect(third).toMatch(/^outlier_test_consumer_lag\{topic="outlier.runtime.v1",partition="1"\} 3$/m);
  });
});

describe("connectionEventCounter", () => {
  it("has every event at 0 from the first scrape and counts each change", async () => {
    const registry = new Registry();
    const changed = connectionEventCounter(registry, "outlier_test_", "redis");
    const first = await registry.metrics();
    for (const event of ["lost", "retrying", "recovered"]) expect(first).toMatch(new RegExp(`^outlier_test_redis_connection_events_total\\{event="${event}"\\} 0$`, "m"));
    changed("lost");
    changed("recovered");
    changed("lost");
    const second = await registry.metrics();
    expect(second).toMatch(/^outlier_test_redis_connection_events_total\{event="lost"\} 2$/m);
    expect(second).toMatch(/^outlier_test_redis_connection_events_total\{event="recovered"\} 1$/m);
    expect(second).toMatch(/^outlier_test_redis_connection_events_total\{event="retrying"\} 0$/m);
  });
});
