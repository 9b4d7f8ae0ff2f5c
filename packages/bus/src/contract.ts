import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { Consumer, InRecord, Producer } from "./types.ts";

/** What the contract suite needs from a bus implementation. */
export interface BusUnderTest {
  producer(): Producer;
  consumer(): Consumer;
  /** A topic with 3 partitions that no other test uses. */
  newTopic(prefix: string): Promise<string>;
  /** How long to wait for deliveries: a real broker needs a group join first. */
  timeoutMs: number;
}

/**
 * The at-least-once contract every bus keeps (run against MemoryBus and the real broker):
 * order per key, redelivery after a handler throws, and commits only after the work is done.
 */
export function busContract(name: string, setup: () => BusUnderTest): void {
  describe(`${name}: bus contract`, () => {
    const bus = setup();
    const running: Consumer[] = [];
    const closing: Producer[] = [];
    let groups = 0;
    const group = (): string => `contract-${Date.now()}-${groups++}`;
    const consumer = (): Consumer => {
      const c = bus.consumer();
      running.push(c);
      return c;
    };
    const producer = (): Producer => {
      const p = bus.producer();
      closing.push(p);
      return p;
    };

    afterEach(async () => {
      await Promise.all(running.splice(0).map((c) => c.stop()));
      await Promise.all(closing.splice(0).map((p) => p.close()));
    });

    const until = async (what: string, done: () => boolean): Promise<void> => {
      const deadline = Date.now() + bus.timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    };

    it("delivers each key's records in the order they were sent, on one partition, with headers", async () => {
      const topic = await bus.newTopic("contract.order");
      const keys = ["ns/a/Deployment/x", "ns/b/Deployment/y", "ns/c/StatefulSet/z"];
      const p = producer();
      for (let round = 0; round < 4; round++) {
        await p.send(
          keys.flatMap((key) =>
            Array.from({ length: 5 }, (_, i) => ({ topic, key, value: String(round * 5 + i), headers: { k: key } })),
          ),
        );
      }
      const seen: InRecord[] = [];
      await consumer().run({ topics: [topic], groupId: group(), fromBeginning: true, handle: async (b) => void seen.push(...b) });
      await until("60 records", () => seen.length >= 60);

      for (const key of keys) {
        const ofKey = seen.filter((r) => r.key === key);
        expect(ofKey.map((r) => Number(r.value))).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
        expect(ofKey.every((r) => r.headers.k === key && r.topic === topic)).toBe(true);
      }
    });

    it("hands every batch over as records of one partition in offset order", async () => {
      const topic = await bus.newTopic("contract.batches");
      await producer().send(Array.from({ length: 30 }, (_, i) => ({ topic, key: `k${i % 7}`, value: String(i) })));
      const batches: InRecord[][] = [];
      await consumer().run({ topics: [topic], groupId: group(), fromBeginning: true, handle: async (b) => void batches.push(b) });
      await until("30 records", () => batches.flat().length >= 30);

      for (const batch of batches) {
        expect(new Set(batch.map((r) => r.partition)).size).toBe(1);
        const offsets = batch.map((r) => BigInt(r.offset));
        expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
      }
    });

    it("redelivers a batch whose handler threw, from its first record, until it succeeds", async () => {
      const topic = await bus.newTopic("contract.redeliver");
      await producer().send(Array.from({ length: 6 }, (_, i) => ({ topic, key: "one-key", value: String(i) })));
      const attempts: string[][] = [];
      const handled: string[] = [];
      let failuresLeft = 2;
      await consumer().run({
        topics: [topic],
        groupId: group(),
        fromBeginning: true,
        handle: async (batch) => {
          attempts.push(batch.map((r) => r.value));
          if (batch.some((r) => r.value === "3") && failuresLeft-- > 0) throw new Error("handler failed");
          handled.push(...batch.map((r) => r.value));
        },
      });
      await until("all 6 records handled", () => handled.includes("5"));

      expect(handled).toEqual(["0", "1", "2", "3", "4", "5"]);
      const failing = attempts.filter((values) => values.includes("3"));
      expect(failing.length).toBe(3);
      // Redelivery starts where the failed batch started: nothing after the last commit is skipped.
      expect(failing[1]?.[0]).toBe(failing[0]?.[0]);
    });

    it("commits only handled work: the next member of the group resumes after it and gets the rest", async () => {
      const topic = await bus.newTopic("contract.commit");
      const groupId = group();
      const p = producer();
      const first = Array.from({ length: 9 }, (_, i) => ({ topic, key: `k${i % 3}`, value: `first-${i}` }));
      const second = Array.from({ length: 9 }, (_, i) => ({ topic, key: `k${i % 3}`, value: `second-${i}` }));
      await p.send(first);

      const handledByA: string[] = [];
      let attemptsOnSecond = 0;
      let failing = false;
      const a = consumer();
      await a.run({
        topics: [topic],
        groupId,
        fromBeginning: true,
        handle: async (batch) => {
          if (failing) {
            attemptsOnSecond++;
            throw new Error("work not durable");
          }
          handledByA.push(...batch.map((r) => r.value));
        },
      });
      await until("member A handled the first records", () => handledByA.length >= first.length);
      failing = true;
      await p.send(second);
      await until("member A tried the second records", () => attemptsOnSecond > 0);
      await a.stop();

      const seenByB: string[] = [];
      await consumer().run({ topics: [topic], groupId, fromBeginning: true, handle: async (b) => void seenByB.push(...b.map((r) => r.value)) });
      await until("member B got the second records", () => seenByB.length >= second.length);

      expect(handledByA.sort()).toEqual(first.map((r) => r.value).sort());
      expect(seenByB.sort()).toEqual(second.map((r) => r.value).sort());
    });

    it("commits where a handler says it still holds a record, keeps fetching past it, and redelivers from there after a restart", async () => {
      const topic = await bus.newTopic("contract.hold");
      const groupId = group();
      const p = producer();
      // One key: every record on one partition, in order.
      await p.send(Array.from({ length: 6 }, (_, i) => ({ topic, key: "k", value: `r${i}` })));
      const seenByA: string[] = [];
      let heldOffset = "";
      const a = consumer();
      await a.run({
        topics: [topic],
        groupId,
        fromBeginning: true,
        handle: async (batch) => {
          seenByA.push(...batch.map((r) => r.value));
          heldOffset = batch.find((r) => r.value === "r2")?.offset ?? heldOffset;
          return { commitOffset: heldOffset };
        },
      });
      await until("member A read every record", () => seenByA.length >= 6);
      await p.send([{ topic, key: "k", value: "r6" }]);
      await until("member A read on past the held record", () => seenByA.includes("r6"));
      await a.stop();

      const seenByB: string[] = [];
      await consumer().run({ topics: [topic], groupId, fromBeginning: true, handle: async (b) => void seenByB.push(...b.map((r) => r.value)) });
      await until("member B got the records from the held one on", () => seenByB.length >= 5);
      expect(seenByA).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
      expect(seenByB).toEqual(["r2", "r3", "r4", "r5", "r6"]);
    });

    it("tells a member when its assignment changes: on joining, and when another member joins", async () => {
      const topic = await bus.newTopic("contract.assign");
      const groupId = group();
      let assignedA = 0;
      await consumer().run({ topics: [topic], groupId, handle: async () => undefined, onAssigned: () => void assignedA++ });
      await until("member A assigned", () => assignedA >= 1);
      await consumer().run({ topics: [topic], groupId, handle: async () => undefined });
      await until("member A reassigned after B joined", () => assignedA >= 2);
    });
  });
}
