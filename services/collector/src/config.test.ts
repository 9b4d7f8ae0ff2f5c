import { resolve } from "node:path";
import { ConfigError } from "@outlier/service-kit";
import { describe, expect, it } from "vitest";
import { loadCollectorConfig } from "./config.ts";

const example = resolve(import.meta.dirname, "../config.example.yaml");
const TOKEN = "0123456789abcdef0123";

describe("collector config", () => {
  it("config.example.yaml states the defaults", () => {
    expect(loadCollectorConfig(example, {})).toEqual(loadCollectorConfig(undefined, {}));
  });

  it("takes the node name from NODE_NAME and overrides from OUTLIER_COLLECTOR_*", () => {
    const config = loadCollectorConfig(example, {
      NODE_NAME: "node-7",
      OUTLIER_COLLECTOR_KAFKA_BROKERS: "k1:9092,k2:9092",
      OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_TOKEN: TOKEN,
    });
    expect(config.nodeName).toBe("node-7");
    expect(config.kafka.brokers).toEqual(["k1:9092", "k2:9092"]);
    expect(config.sources.falcoHttp).toEqual({ enabled: true, path: "/falco", token: TOKEN, clientCertificates: false, allowedClientNames: [] });
  });

  it("takes the Falco rules that feed process execs from falco.execRules (absent by default: the normalizer decides)", () => {
    expect(loadCollectorConfig(undefined, {}).falco.execRules).toBeUndefined();
    const config = loadCollectorConfig(undefined, { OUTLIER_COLLECTOR_FALCO_EXEC_RULES: "Terminal shell in container,Outlier exec feed" });
    expect(config.falco.execRules).toEqual(["Terminal shell in container", "Outlier exec feed"]);
  });

  it("refuses receivers that would accept anonymous requests", () => {
    const error = (env: NodeJS.ProcessEnv) => {
      try {
        loadCollectorConfig(undefined, env);
      } catch (e) {
        return e;
      }
    };
    expect(error({ OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_ENABLED: "true" })).toBeInstanceOf(ConfigError);
    expect(String(error({ OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_ENABLED: "true" }))).toContain("sources.falcoHttp.token: required unless clientCertificates");
    expect(String(error({ OUTLIER_COLLECTOR_SOURCES_AUDIT_WEBHOOK_ENABLED: "true" }))).toContain("sources.auditWebhook: needs tokens");
    expect(String(error({ OUTLIER_COLLECTOR_SOURCES_AUDIT_WEBHOOK_CLIENT_CERTIFICATES: "true" }))).toContain("sources.auditWebhook.clientCertificates: needs http.tls with clientCaFile");
    expect(String(error({ OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_CLIENT_CERTIFICATES: "true" }))).toContain("sources.falcoHttp.clientCertificates: needs http.tls with clientCaFile");
  });
});
