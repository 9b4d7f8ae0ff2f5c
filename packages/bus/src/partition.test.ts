import fc from "fast-check";
import { Partitioners } from "kafkajs";
import { describe, expect, it } from "vitest";
import { partitionForKey } from "./partition.ts";

describe("partitionForKey", () => {
  const kafkajs = Partitioners.DefaultPartitioner();
  const kafkajsPartition = (key: string, partitions: number): number =>
    kafkajs({
      topic: "t",
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        partitionErrorCode: 0,
      })),
      message: { key, value: "" },
    });

  it("agrees with KafkaJS's default (Java-compatible) partitioner for any key", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        expect(partitionForKey(key, n)).toBe(kafkajsPartition(key, n));
      }),
      { numRuns: 2_000 },
    );
  });
});
