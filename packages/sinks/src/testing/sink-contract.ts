import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DeliveryFailure } from "../dead-letter.ts";
import { deliverAll, resilient, type ResilienceOptions } from "../resilient.ts";
import type { Delivery, Sink } from "../sink.ts";
import { unexpectedProcess } from "./findings.ts";
import type { Answer, HttpReceiver } from "./http-receiver.ts";

export interface HttpSinkUnderTest {
  sink: Sink;
  receiver: HttpReceiver;
  /** Deliveries the receiver accepted (by its own reckoning: messages, events, documents). */
  accepted(): number;
  close(): Promise<void>;
}

export interface HttpSinkContract {
  start(): Promise<HttpSinkUnderTest>;
  /** How the service says "rate limited, retry after N seconds". */
  rateLimited(seconds: number): Answer;
  /** How the service fails temporarily (5xx). */
  serverError: Answer;
}

export const delivery = (overrides: Partial<Delivery> = {}): Delivery => ({
  findings: [unexpectedProcess()],
  summary: "checkout: 1 unexpected process",
  groupKey: "route:payments:{workload=checkout}",
  receiver: "payments",
  ...overrides,
});

/** Collects dead letters; the resilience options tests use (fast backoff, short timeout). */
export function deadLetters(): { letters: { delivery: Delivery; failure: DeliveryFailure }[]; options: ResilienceOptions } {
  const letters: { delivery: Delivery; failure: DeliveryFailure }[] = [];
  const options: ResilienceOptions = {
    deadLetter: async (d, failure) => {
      letters.push({ delivery: d, failure });
    },
    timeoutMs: 2_000,
    maxAttempts: 3,
    initialDelayMs: 10,
    maxDelayMs: 50,
  };
  return { letters, options };
}

/** The behaviour every HTTP sink shares, run against that sink's own receiver. */
export function describeHttpSinkContract(name: string, contract: HttpSinkContract): void {
  describe(`${name}: delivery behaviour against its receiver`, () => {
    let under: HttpSinkUnderTest;
    beforeEach(async () => {
      under = await contract.start();
    });
    afterEach(async () => {
      await under.close();
    });

    it("delivers, and the receiver accepts it", async () => {
      const { letters, options } = deadLetters();
      await resilient(under.sink, options).deliver(delivery());
      expect(letters).toEqual([]);
      expect(under.accepted()).toBe(1);
    });

    it("waits at least Retry-After after a 429, then delivers", async () => {
      const { letters, options } = deadLetters();
      under.receiver.script(contract.rateLimited(1));
      await resilient(under.sink, options).deliver(delivery());
      expect(letters).toEqual([]);
      expect(under.accepted()).toBe(1);
      const [first, second] = under.receiver.requests;
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000);
    });

    it("retries a 5xx, then dead-letters after the last attempt with the reason", async () => {
      const { letters, options } = deadLetters();
      under.receiver.script(contract.serverError, contract.serverError, contract.serverError);
      await resilient(under.sink, { ...options, maxAttempts: 3 }).deliver(delivery());
      expect(under.receiver.requests).toHaveLength(3);
      expect(under.accepted()).toBe(0);
      expect(letters).toHaveLength(1);
      expect(letters[0]!.failure).toMatchObject({ reason: "server_error", attempts: 3, sink: under.sink.name });
      expect(letters[0]!.delivery.findings[0]!.id).toBe("f-unexpected-1");
    });

    it("gives up an attempt that gets no answer within the timeout", async () => {
      const { letters, options } = deadLetters();
      under.receiver.script({ status: 200, delayMs: 1_500 });
      await resilient(under.sink, { ...options, timeoutMs: 200, maxAttempts: 1 }).deliver(delivery());
      expect(letters.map((l) => l.failure.reason)).toEqual(["timeout"]);
    });

    it("opens the circuit after repeated failures and stops calling the service", async () => {
      const { letters, options } = deadLetters();
      under.receiver.script(contract.serverError, contract.serverError);
      const sink = resilient(under.sink, { ...options, maxAttempts: 1, breakerFailures: 2, halfOpenAfterMs: 60_000 });
      for (let i = 0; i < 3; i++) await sink.deliver(delivery());
      expect(under.receiver.requests).toHaveLength(2);
      expect(letters.map((l) => l.failure.reason)).toEqual(["server_error", "server_error", "circuit_open"]);
    });

    it("does not hold up another sink while it is slow", async () => {
      const { letters, options } = deadLetters();
      under.receiver.script({ ...contract.serverError, delayMs: 1_000 });
      let failedWhenOtherDelivered: number | undefined;
      const other: Sink = {
        name: "memory:other",
        deliver: async () => void (failedWhenOtherDelivered = letters.length),
        close: async () => undefined,
      };
      await deliverAll([resilient(under.sink, { ...options, maxAttempts: 1 }), resilient(other, options)], delivery());
      expect(failedWhenOtherDelivered).toBe(0);
      expect(letters.map((l) => l.failure.sink)).toEqual([under.sink.name]);
    });
  });
}
