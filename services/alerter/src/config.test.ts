import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@outlier/service-kit";
import { describe, expect, it } from "vitest";
import { AlerterConfigSchema, loadAlerterConfig } from "./config.ts";

describe("alerter config", () => {
  it("has the documented defaults", () => {
    const config = AlerterConfigSchema.parse({});
    expect(config.kafka).toMatchObject({ groupId: "outlier-alerter", consumers: 3, topics: { findings: "outlier.findings.v1", deadletter: "outlier.deadletter.v1" } });
    expect(config.delivery).toMatchObject({ maxAttempts: 5, maxRateLimitedMs: 600_000 });
    expect(config.redis.deliveredTtlSeconds).toBe(604_800);
  });

  it("the example file is the defaults, spelled out", () => {
    const example = loadAlerterConfig(join(import.meta.dirname, "../config.example.yaml"), {});
    expect(example).toEqual(AlerterConfigSchema.parse({}));
  });

  it("takes secrets from the environment or a file named there, and points at bad keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "alerter-config-"));
    writeFileSync(join(dir, "redis-password"), "s3cret\n");
    const config = loadAlerterConfig(undefined, { OUTLIER_ALERTER_REDIS_PASSWORD_FILE: join(dir, "redis-password"), OUTLIER_ALERTER_KAFKA_BROKERS: "a:9092,b:9092" });
    expect(config.redis.password).toBe("s3cret");
    expect(config.kafka.brokers).toEqual(["a:9092", "b:9092"]);
    writeFileSync(join(dir, "bad.yaml"), "kafka:\n  consumers: 0\n");
    expect(() => loadAlerterConfig(join(dir, "bad.yaml"), {})).toThrow(ConfigError);
    expect(() => loadAlerterConfig(join(dir, "bad.yaml"), {})).toThrow(/kafka\.consumers: .*bad\.yaml:2/);
  });
});
