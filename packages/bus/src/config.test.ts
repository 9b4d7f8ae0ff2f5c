import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kafkaConnectionSchema, kafkaOptionsFrom } from "./config.ts";

const logger = { error() {}, warn() {}, info() {}, debug() {} };

describe("kafka connection config", () => {
  it("defaults to a plaintext local broker under the service's client id", () => {
    const conn = kafkaConnectionSchema("outlier-test").parse({});
    expect(conn).toEqual({ brokers: ["localhost:9092"], clientId: "outlier-test" });
    expect(kafkaOptionsFrom(conn, logger)).toEqual({ brokers: ["localhost:9092"], clientId: "outlier-test", logger });
  });

  it("rejects unknown keys and an unknown SASL mechanism", () => {
    const schema = kafkaConnectionSchema("outlier-test");
    expect(schema.safeParse({ broker: ["x:9092"] }).success).toBe(false);
    expect(schema.safeParse({ sasl: { mechanism: "gssapi", username: "u", password: "p" } }).success).toBe(false);
  });

  it("reads the TLS files and passes SASL through", () => {
    const dir = mkdtempSync(join(tmpdir(), "bus-config-"));
    for (const name of ["ca.crt", "tls.crt", "tls.key"]) writeFileSync(join(dir, name), `${name} bytes`);
    const conn = kafkaConnectionSchema("outlier-test").parse({
      ssl: { caFile: join(dir, "ca.crt"), certFile: join(dir, "tls.crt"), keyFile: join(dir, "tls.key"), rejectUnauthorized: false },
      sasl: { mechanism: "scram-sha-512", username: "outlier", password: "s3cret" },
    });
    const options = kafkaOptionsFrom(conn, logger);
    expect(options.ssl).toEqual({ rejectUnauthorized: false, ca: [Buffer.from("ca.crt bytes")], cert: Buffer.from("tls.crt bytes"), key: Buffer.from("tls.key bytes") });
    expect(options.sasl).toEqual({ mechanism: "scram-sha-512", username: "outlier", password: "s3cret" });
  });

  it("leaves TLS off when ssl.enabled is false, and fails on a missing TLS file", () => {
    const schema = kafkaConnectionSchema("outlier-test");
    expect(kafkaOptionsFrom(schema.parse({ ssl: { enabled: false, caFile: "/nonexistent" } }), logger).ssl).toBeUndefined();
    expect(() => kafkaOptionsFrom(schema.parse({ ssl: { caFile: "/nonexistent/ca.crt" } }), logger)).toThrow(/ENOENT/);
  });
});
