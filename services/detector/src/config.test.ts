import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError } from "@outlier/service-kit";
import { describe, expect, it } from "vitest";
import { DetectorConfigSchema, loadDetectorConfig } from "./config.ts";
import { detectorOptions } from "./detector-service.ts";

describe("detector config", () => {
  it("has working defaults that match config.example.yaml", () => {
    const defaults = loadDetectorConfig(undefined, {});
    expect(defaults.kafka).toMatchObject({ groupId: "outlier-detector", topics: { runtime: "outlier.runtime.v1", findings: "outlier.findings.v1" } });
    expect(defaults.detector).toMatchObject({ learningWindow: 3_600_000, cooldown: 600_000, reviewHold: 1_800_000, singletonMinRuns: 3, singletonMinSpan: 600_000 });
    expect(loadDetectorConfig(resolve(import.meta.dirname, "../config.example.yaml"), {})).toEqual(defaults);
  });

  it("takes durations and secrets from the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "detector-config-"));
    writeFileSync(join(dir, "redis-password"), "s3cret\n");
    const config = loadDetectorConfig(undefined, {
      OUTLIER_DETECTOR_DETECTOR_LEARNING_WINDOW: "2h30m",
      OUTLIER_DETECTOR_KAFKA_BROKERS: "a:9092,b:9092",
      OUTLIER_DETECTOR_REDIS_PASSWORD_FILE: join(dir, "redis-password"),
    });
    expect(config.kafka.brokers).toEqual(["a:9092", "b:9092"]);
    expect(config.redis.password).toBe("s3cret");
    expect(detectorOptions(config).policy?.learningWindowMs).toBe(150 * 60_000);
  });

  it("names the bad key", () => {
    expect(() => loadDetectorConfig(undefined, { OUTLIER_DETECTOR_DETECTOR_COOLDOWN: "10 minutes" })).toThrow(ConfigError);
    expect(() => loadDetectorConfig(undefined, { OUTLIER_DETECTOR_DETECTOR_COOLDOWN: "10 minutes" })).toThrow(/detector\.cooldown.*OUTLIER_DETECTOR_DETECTOR_COOLDOWN/);
    expect(DetectorConfigSchema.safeParse({ kafka: { topic: "x" } }).success).toBe(false);
  });
});
