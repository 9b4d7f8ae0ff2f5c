import { MemoryBus, type Producer } from "@outlier/bus";
import { SCHEMA_HEADER } from "@outlier/contracts";
import { describe, expect, it } from "vitest";
import { KafkaSink } from "./kafka.ts";
import { resilient } from "./resilient.ts";
import { execSession, unexpectedProcess } from "./testing/findings.ts";
import { deadLetters, delivery } from "./testing/sink-contract.ts";

const config = { kind: "kafka", topic: "soc.findings" } as const;

describe("KafkaSink", () => {
  it("produces one record per finding, keyed by workload, with the schema header", async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const sink = new KafkaSink(config, bus.producer(), true);
    await sink.deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    const records = bus.records("soc.findings");
    expect(records.map((r) => r.key)).toEqual(["prod-eu/payments/Deployment/checkout", "prod-eu/payments/Deployment/checkout"]);
    expect(records[0]!.headers[SCHEMA_HEADER]).toBe("outlier.finding.v1");
    expect(JSON.parse(records[1]!.value)).toMatchObject({ id: "f-exec-1" });
    await sink.close();
  });

  it("retries a failed produce and dead-letters when it keeps failing", async () => {
    let calls = 0;
    const failing: Producer = {
      send: async () => {
        calls += 1;
        throw new Error("KafkaJSNumberOfRetriesExceeded: broker not available");
      },
      close: async () => undefined,
    };
    const { letters, options } = deadLetters();
    await resilient(new KafkaSink(config, failing, false), options).deliver(delivery());
    expect(calls).toBe(3);
    expect(letters[0]!.failure).toMatchObject({ reason: "network", sink: "kafka:soc.findings" });
  });

  it("does not close a producer it was lent", async () => {
    const bus = new MemoryBus();
    const producer = bus.producer();
    await new KafkaSink(config, producer, false).close();
    await expect(producer.send([{ topic: "t", key: "k", value: "v" }])).resolves.toBeUndefined();
  });
});
