import { describe, expect, it } from "vitest";
import { busContract } from "./contract.ts";
import { MemoryBus } from "./memory-bus.ts";
import { partitionForKey } from "./partition.ts";

const quiet = { error: () => undefined };

busContract("MemoryBus", () => {
  const bus = new MemoryBus({ redeliveryBackoffMs: 5, logger: quiet });
  return {
    producer: () => bus.producer(),
    consumer: () => bus.consumer(),
    newTopic: async (prefix) => `${prefix}.${Math.random().toString(36).slice(2)}`,
    timeoutMs: 2_000,
  };
});

describe("MemoryBus specifics", () => {
  it("puts a key on the partition Kafka's default partitioner would", async () => {
    const bus = new MemoryBus({ partitions: 6 });
    await bus.producer().send([{ topic: "t", key: "prod/payments/Deployment/api", value: "v" }]);
    expect(bus.records("t")[0]?.partition).toBe(partitionForKey("prod/payments/Deployment/api", 6));
  });

  it("spreads a topic's partitions over the members of a group, each partition to one member", async () => {
    const bus = new MemoryBus({ partitions: 4, logger: quiet });
    const seen = new Map<string, Set<number>>();
    const members = ["a", "b"].map((name) => {
      seen.set(name, new Set());
      return { name, consumer: bus.consumer() };
    });
    for (const { name, consumer } of members) {
      await consumer.run({ topics: ["t"], groupId: "g", fromBeginning: true, handle: async (b) => void b.forEach((r) => seen.get(name)!.add(r.partition)) });
    }
    await bus.producer().send(Array.from({ length: 40 }, (_, i) => ({ topic: "t", key: `key-${i}`, value: "v" })));
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all(members.map((m) => m.consumer.stop()));

    const [a, b] = [seen.get("a")!, seen.get("b")!];
    expect(a.size).toBe(2);
    expect(b.size).toBe(2);
    expect([...a].some((p) => b.has(p))).toBe(false);
  });

  it("starts a new group at the end of the topic unless fromBeginning", async () => {
    const bus = new MemoryBus({ logger: quiet });
    await bus.producer().send([{ topic: "t", key: "k", value: "old" }]);
    const seen: string[] = [];
    const consumer = bus.consumer();
    await consumer.run({ topics: ["t"], groupId: "late", handle: async (b) => void seen.push(...b.map((r) => r.value)) });
    await bus.producer().send([{ topic: "t", key: "k", value: "new" }]);
    await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    expect(seen).toEqual(["new"]);
  });
});
