import { describe, expect, it } from "vitest";
import type { SeenSet } from "./seen-set.ts";

export interface SeenSetFactory {
  /** A fresh, empty set with this learning period. */
  open(learningMs: number): Promise<SeenSet>;
  /** The same set as a restarted detector would see it (memory: the same instance, it has no restart). */
  reopen(set: SeenSet, learningMs: number): Promise<SeenSet>;
}

const T0 = "2024-05-01T10:00:00.000000000Z";

/** The behaviour every learned set of stateful audit rules must have; run against memory and real Redis. */
export function seenSetContract(name: string, factory: SeenSetFactory): void {
  describe(`SeenSet contract: ${name}`, () => {
    it("is a test-and-set per kind", async () => {
      const set = await factory.open(0);
      expect(await set.seen("secret-reader", "shop|alice")).toBe(false);
      expect(await set.seen("secret-reader", "shop|alice")).toBe(true);
      expect(await set.seen("other-kind", "shop|alice")).toBe(false);
      expect(await set.seen("secret-reader", "shop|bob")).toBe(false);
    });

    it("keeps keys with separators and braces apart", async () => {
      const set = await factory.open(0);
      expect(await set.seen("k", "a}:b|{c")).toBe(false);
      expect(await set.seen("k", "a")).toBe(false);
      expect(await set.seen("k", "a}:b|{c")).toBe(true);
    });

    it("learns for learningMs of event time from a kind's first event, per kind; 0 turns learning off", async () => {
      const set = await factory.open(60_000);
      expect(await set.learning("k", T0)).toBe(true);
      expect(await set.learning("k", "2024-05-01T10:00:59.999000000Z")).toBe(true);
      expect(await set.learning("k", "2024-05-01T10:01:00.000000000Z")).toBe(false);
      expect(await set.learning("other", "2024-05-01T10:01:00.000000000Z")).toBe(true);
      expect(await (await factory.open(0)).learning("k", T0)).toBe(false);
    });

    it("keeps what it learned and when learning began across a restart", async () => {
      const before = await factory.open(60_000);
      await before.seen("secret-reader", "shop|alice");
      expect(await before.learning("secret-reader", T0)).toBe(true);
      const after = await factory.reopen(before, 60_000);
      expect(await after.seen("secret-reader", "shop|alice")).toBe(true);
      expect(await after.learning("secret-reader", "2024-05-01T10:01:00.000000000Z")).toBe(false); // no new learning period
    });
  });
}
