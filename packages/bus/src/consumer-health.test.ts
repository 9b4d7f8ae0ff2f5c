import { describe, expect, it } from "vitest";
import { ConsumerHealth } from "./consumer-health.ts";

describe("ConsumerHealth", () => {
  function at(): { health: ConsumerHealth; advance(ms: number): void } {
    let now = 1_000_000;
    return { health: new ConsumerHealth(10_000, () => now), advance: (ms) => (now += ms) };
  }

  it("is not ready before joining, ready once joined while the broker answers", () => {
    const { health, advance } = at();
    expect(health.check()).toEqual({ ready: false, reason: "kafka: not in the consumer group yet" });
    health.joined();
    expect(health.check()).toEqual({ ready: true });
    advance(8_000);
    health.contact();
    advance(8_000);
    expect(health.check()).toEqual({ ready: true });
  });

  it("is not ready when the broker has been silent longer than staleMs, and ready again at the next answer", () => {
    const { health, advance } = at();
    health.joined();
    advance(10_001);
    expect(health.check()).toEqual({ ready: false, reason: "kafka: no answer from the broker for 10 s" });
    health.contact();
    expect(health.check()).toEqual({ ready: true });
  });

  it("is not ready from a crash until the restarted consumer joins again, nor after stop", () => {
    const { health } = at();
    health.joined();
    health.crashed();
    expect(health.check()).toEqual({ ready: false, reason: "kafka: consumer crashed, rejoining" });
    health.contact(); // a late fetch answer does not make a crashed member ready
    expect(health.check().ready).toBe(false);
    health.joined();
    expect(health.check()).toEqual({ ready: true });
    health.stopped();
    expect(health.check()).toEqual({ ready: false, reason: "kafka: consumer stopped" });
  });
});
