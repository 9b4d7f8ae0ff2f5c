import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "./config.ts";

const Schema = z.strictObject({
  cluster: z.string().default("default"),
  kafka: z
    .strictObject({
      brokers: z.array(z.string()).min(1).default(["localhost:9092"]),
      clientId: z.string().default("outlier"),
    })
    .prefault({}),
  producer: z.strictObject({ lingerMs: z.number().int().min(0).default(5) }).prefault({}),
  kubernetes: z.strictObject({ enabled: z.union([z.literal("auto"), z.boolean()]).default("auto") }).prefault({}),
  falco: z.strictObject({ enabled: z.boolean().default(false), token: z.string().optional() }).optional(),
});

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "outlier-config-")), name);
  writeFileSync(file, text);
  return file;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const prefix = "OUTLIER_TEST";

describe("loadConfig", () => {
  it("uses the schema defaults without file or env", () => {
    expect(loadConfig(Schema, { env: {}, prefix })).toEqual({
      cluster: "default",
      kafka: { brokers: ["localhost:9092"], clientId: "outlier" },
      producer: { lingerMs: 5 },
      kubernetes: { enabled: "auto" },
    });
  });

  it("lets the file override defaults and the env override the file", () => {
    const file = tempFile("c.yaml", "cluster: prod\nkafka:\n  brokers: [a:9092]\n  clientId: from-file\nproducer:\n  lingerMs: 20\n");
    const config = loadConfig(Schema, {
      file,
      env: { OUTLIER_TEST_KAFKA_BROKERS: "b:9092, c:9092", OUTLIER_TEST_PRODUCER_LINGER_MS: "7", OUTLIER_TEST_KUBERNETES_ENABLED: "false" },
      prefix,
    });
    expect(config.cluster).toBe("prod");
    expect(config.kafka).toEqual({ brokers: ["b:9092", "c:9092"], clientId: "from-file" });
    expect(config.producer.lingerMs).toBe(7);
    expect(config.kubernetes.enabled).toBe(false);
  });

  it("treats an empty YAML key as not set", () => {
    const file = tempFile("c.yaml", "cluster: prod\nkafka:\n  # brokers: [a]\nfalco:\n");
    expect(loadConfig(Schema, { file, env: {}, prefix })).toMatchObject({ cluster: "prod", kafka: { brokers: ["localhost:9092"] } });
  });

  it("reads a secret from a *_FILE env var and creates the optional section", () => {
    const secret = tempFile("token", "t0ken\n");
    const config = loadConfig(Schema, { env: { OUTLIER_TEST_FALCO_TOKEN_FILE: secret }, prefix });
    expect(config.falco).toEqual({ enabled: false, token: "t0ken" });
  });

  it("treats a missing *_FILE as not set (an optional Secret that is absent), but not an unreadable one", () => {
    const missing = join(dirname(tempFile("x", "")), "no-such-secret");
    const config = loadConfig(Schema, { env: { OUTLIER_TEST_FALCO_TOKEN_FILE: missing }, prefix });
    expect(config.falco).toBeUndefined();
    const folder = dirname(tempFile("y", ""));
    expect(configError(() => loadConfig(Schema, { env: { OUTLIER_TEST_FALCO_TOKEN_FILE: folder }, prefix })).message).toContain("EISDIR");
  });

  it("points at the YAML line of a bad value and of an unknown key", () => {
    const file = tempFile("c.yaml", "cluster: prod\nproducer:\n  lingerMs: soon\nkafka:\n  brokrs: [a]\n");
    const error = configError(() => loadConfig(Schema, { file, env: {}, prefix }));
    expect(error.problems).toHaveLength(2);
    expect(error.problems.find((p) => p.startsWith("producer.lingerMs:"))).toContain(`${file}:3`);
    expect(error.problems.find((p) => p.startsWith("kafka.brokrs:"))).toContain(`${file}:5`);
  });

  it("names the env var that set a bad value", () => {
    const error = configError(() => loadConfig(Schema, { env: { OUTLIER_TEST_PRODUCER_LINGER_MS: "-1" }, prefix }));
    expect(error.message).toMatch(/producer\.lingerMs: .*\(env OUTLIER_TEST_PRODUCER_LINGER_MS\)/);
  });

  it("reports YAML syntax errors with their line", () => {
    const file = tempFile("c.yaml", "cluster: prod\nkafka:\n  brokers: [a\n");
    expect(configError(() => loadConfig(Schema, { file, env: {}, prefix })).message).toContain(`${file}:`);
  });

  it("refuses a value given both directly and as a file", () => {
    const error = configError(() => loadConfig(Schema, { env: { OUTLIER_TEST_CLUSTER: "a", OUTLIER_TEST_CLUSTER_FILE: "/x" }, prefix }));
    expect(error.message).toContain("OUTLIER_TEST_CLUSTER_FILE");
  });
});
