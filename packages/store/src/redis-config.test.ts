import { describe, expect, it } from "vitest";
import { RedisConnectionSchema } from "./redis-config.ts";

describe("redis connection config", () => {
  it("defaults to a local Redis without TLS under the shared prefix", () => {
    expect(RedisConnectionSchema.parse({})).toEqual({ url: "redis://localhost:6379", tls: false, prefix: "outlier:" });
  });

  it("rejects unknown keys and empty credentials", () => {
    expect(RedisConnectionSchema.safeParse({ host: "redis" }).success).toBe(false);
    expect(RedisConnectionSchema.safeParse({ password: "" }).success).toBe(false);
    expect(RedisConnectionSchema.safeParse({ caFile: "" }).success).toBe(false);
  });
});
