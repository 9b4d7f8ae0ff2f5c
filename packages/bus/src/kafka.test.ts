import { logLevel, type LogEntry } from "kafkajs";
import { describe, expect, it } from "vitest";
import { logTo, type BusLogger } from "./kafka.ts";

function recorder() {
  const lines: [string, string][] = [];
  const at = (level: string) => (_obj: object, msg: string) => void lines.push([level, msg]);
  const logger: BusLogger = { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
  return { logger, lines };
}

function entry(level: logLevel, message: string, fields: Record<string, unknown> = {}): LogEntry {
  return { namespace: "Connection", level, label: "", log: { timestamp: "t", logger: "kafkajs", message, ...fields } };
}

describe("KafkaJS log lines", () => {
  it("keeps KafkaJS's own warnings and errors, but demotes what is expected or retried by KafkaJS itself", () => {
    const { logger, lines } = recorder();
    logTo(logger, entry(logLevel.WARN, "Limiting retries for the idempotent producer may invalidate EoS guarantees"));
    logTo(logger, entry(logLevel.ERROR, "Response GroupCoordinator(key: 10, version: 2)", { error: "The coordinator is loading and hence can't process requests" }));
    logTo(logger, entry(logLevel.ERROR, "Connection error: connect ECONNREFUSED 127.0.0.1:9092", { error: "connect ECONNREFUSED" }));
    logTo(logger, entry(logLevel.WARN, "Request timed out"));
    expect(lines).toEqual([
      ["debug", "Limiting retries for the idempotent producer may invalidate EoS guarantees"],
      ["info", "Response GroupCoordinator(key: 10, version: 2)"],
      ["debug", "Connection error: connect ECONNREFUSED 127.0.0.1:9092"],
      ["warn", "Request timed out"],
    ]);
  });

  it("demotes the churn of an unreachable broker (our consumers log its changes once), not other errors", () => {
    const { logger, lines } = recorder();
    logTo(logger, entry(logLevel.ERROR, "Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092"));
    logTo(logger, entry(logLevel.ERROR, "Crash: KafkaJSNumberOfRetriesExceeded: Connection error: connect ECONNREFUSED 127.0.0.1:9092", { error: "Connection error: connect ECONNREFUSED 127.0.0.1:9092" }));
    logTo(logger, entry(logLevel.ERROR, "Restarting the consumer in 6950ms", { retryCount: 2 }));
    logTo(logger, entry(logLevel.ERROR, "Crash: KafkaJSNoBrokerAvailableError: No broker available", { error: "No broker available" }));
    logTo(logger, entry(logLevel.INFO, "Stopped"));
    logTo(logger, entry(logLevel.INFO, "Starting"));
    logTo(logger, entry(logLevel.ERROR, "Crash: KafkaJSProtocolError: Not authorized to access group", { error: "Not authorized to access group" }));
    expect(lines.map(([level]) => level)).toEqual(["debug", "debug", "debug", "debug", "debug", "debug", "error"]);
  });
});
