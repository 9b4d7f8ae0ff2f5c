import { describe, expect, it } from "vitest";
import { deadLetterRecord } from "./dead-letter.ts";
import { resilient, type DeliveryOutcome } from "./resilient.ts";
import { DeliveryError, type Delivery, type Sink } from "./sink.ts";
import { execSession, unexpectedProcess } from "./testing/findings.ts";
import { captureLogs } from "./testing/log-capture.ts";
import { deadLetters, delivery } from "./testing/sink-contract.ts";

/** A sink that answers each attempt from a list of outcomes (an error to throw, or undefined for success). */
function scriptedSink(outcomes: (DeliveryError | undefined)[]): Sink & { calls: { at: number; delivery: Delivery }[] } {
  const calls: { at: number; delivery: Delivery }[] = [];
  return {
    name: "fake:scripted",
    calls,
    async deliver(d) {
      calls.push({ at: Date.now(), delivery: d });
      const outcome = outcomes.shift();
      if (outcome) throw outcome;
    },
    close: async () => undefined,
  };
}

const temporary = () => new DeliveryError("server_error", "HTTP 503: busy", { retryable: true, status: 503 });

describe("resilient", () => {
  it("backs off exponentially between attempts", async () => {
    const sink = scriptedSink([temporary(), temporary(), temporary()]);
    const { options } = deadLetters();
    await resilient(sink, { ...options, maxAttempts: 4, initialDelayMs: 40, maxDelayMs: 1_000, random: () => 0 }).deliver(delivery());
    const gaps = sink.calls.slice(1).map((call, i) => call.at - sink.calls[i]!.at);
    // Half jitter with random() = 0: half of 40, 80, 160.
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
  });

  it("does not retry what retrying cannot fix", async () => {
    const sink = scriptedSink([new DeliveryError("rejected", "HTTP 400: invalid_payload", { retryable: false, status: 400 })]);
    const { letters, options } = deadLetters();
    await resilient(sink, options).deliver(delivery());
    expect(sink.calls).toHaveLength(1);
    expect(letters[0]!.failure).toEqual({ sink: "fake:scripted", reason: "rejected", message: "HTTP 400: invalid_payload", attempts: 1 });
  });

  it("dead-letters instead of waiting a Retry-After beyond maxRetryAfterMs", async () => {
    const sink = scriptedSink([new DeliveryError("rate_limited", "HTTP 429", { retryable: true, retryAfterMs: 3_600_000 })]);
    const { letters, options } = deadLetters();
    await resilient(sink, { ...options, maxRetryAfterMs: 60_000 }).deliver(delivery());
    expect(sink.calls).toHaveLength(1);
    expect(letters[0]!.failure.reason).toBe("rate_limited");
  });

  it("sends only what is left after a partial failure, and dead-letters only that", async () => {
    const left: Delivery = { ...delivery(), findings: [execSession()] };
    const partial = () => new DeliveryError("partial_failure", "1 of 2 failed", { retryable: true, remaining: left });
    const sink = scriptedSink([partial(), partial(), partial()]);
    const { letters, options } = deadLetters();
    await resilient(sink, options).deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    expect(sink.calls.map((c) => c.delivery.findings.length)).toEqual([2, 1, 1]);
    expect(letters[0]!.delivery.findings.map((f) => f.id)).toEqual(["f-exec-1"]);
  });

  it("tries again once the circuit is half-open, and a success closes it", async () => {
    const sink = scriptedSink([temporary(), temporary()]);
    const { letters, options } = deadLetters();
    const circuit: [string, boolean][] = [];
    const wrapped = resilient(sink, { ...options, maxAttempts: 1, breakerFailures: 2, halfOpenAfterMs: 100, onCircuit: (name, open) => circuit.push([name, open]) });
    await wrapped.deliver(delivery());
    expect(circuit).toEqual([]);
    await wrapped.deliver(delivery());
    await wrapped.deliver(delivery());
    expect(letters.map((l) => l.failure.reason)).toEqual(["server_error", "server_error", "circuit_open"]);
    expect(circuit).toEqual([["fake:scripted", true]]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await wrapped.deliver(delivery());
    await wrapped.deliver(delivery());
    expect(sink.calls).toHaveLength(4);
    expect(letters).toHaveLength(3);
    // Open, half-open for the trial (still open to an operator), closed by its success.
    expect(circuit).toEqual([
      ["fake:scripted", true],
      ["fake:scripted", false],
    ]);
  });

  it("waits out 429s beyond maxAttempts, within maxRateLimitedMs, then dead-letters", async () => {
    const limited = () => new DeliveryError("rate_limited", "HTTP 429", { retryable: true, retryAfterMs: 20 });
    const patient = scriptedSink([limited(), limited(), limited(), limited(), undefined]);
    const first = deadLetters();
    await resilient(patient, { ...first.options, maxAttempts: 2, maxRateLimitedMs: 5_000 }).deliver(delivery());
    expect(patient.calls).toHaveLength(5);
    expect(first.letters).toEqual([]);

    const endless = scriptedSink(Array.from({ length: 100 }, limited));
    const second = deadLetters();
    await resilient(endless, { ...second.options, maxAttempts: 2, maxRateLimitedMs: 100 }).deliver(delivery());
    expect(endless.calls.length).toBeLessThan(10);
    expect(second.letters.map((l) => l.failure.reason)).toEqual(["rate_limited"]);
  });

  it("does not open the circuit on 429s: the service is up, only pacing", async () => {
    const limited = () => new DeliveryError("rate_limited", "HTTP 429", { retryable: true, retryAfterMs: 1 });
    const sink = scriptedSink([limited(), limited(), limited()]);
    const { letters, options } = deadLetters();
    const wrapped = resilient(sink, { ...options, maxAttempts: 1, maxRateLimitedMs: 0, breakerFailures: 2, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 4; i++) await wrapped.deliver(delivery());
    expect(sink.calls).toHaveLength(4);
    expect(letters.map((l) => l.failure.reason)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
  });

  it("throws only when the dead letter itself cannot be written, so the caller does not commit", async () => {
    const sink = scriptedSink([new DeliveryError("rejected", "no", { retryable: false })]);
    const wrapped = resilient(sink, { deadLetter: async () => Promise.reject(new Error("kafka down")) });
    await expect(wrapped.deliver(delivery())).rejects.toThrow("kafka down");
  });

  it("reports outcomes and logs retries (warn) and dead letters (error) with the reason", async () => {
    const outcomes: [DeliveryOutcome, string | undefined][] = [];
    const { logger, lines } = captureLogs();
    const { options } = deadLetters();
    const sink = scriptedSink([temporary(), temporary(), temporary(), undefined]);
    const wrapped = resilient(sink, { ...options, logger, onOutcome: (_sink, outcome, reason) => outcomes.push([outcome, reason]) });
    await wrapped.deliver(delivery());
    await wrapped.deliver(delivery());
    expect(outcomes).toEqual([
      ["retried", "server_error"],
      ["retried", "server_error"],
      ["dead_lettered", "server_error"],
      ["delivered", undefined],
    ]);
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; reason: string; sink: string });
    expect(logged.map((l) => [l.level, l.msg])).toEqual([
      [40, "delivery attempt failed; retrying"],
      [40, "delivery attempt failed; retrying"],
      [50, "delivery failed; dead-lettered"],
    ]);
    expect(logged[2]).toMatchObject({ sink: "fake:scripted", reason: "server_error" });
  });
});

describe("deadLetterRecord", () => {
  it("is an outlier.deadletter.v1 record with the reason code, the sink and the delivery", () => {
    const d = delivery();
    const record = deadLetterRecord(d, { sink: "slack:#ops", reason: "timeout", message: "no answer within 10000 ms", attempts: 5 }, Date.parse("2024-05-01T10:00:00Z"));
    expect(record).toEqual({
      schema: "outlier.deadletter.v1",
      code: "timeout",
      message: "no answer within 10000 ms (after 5 attempts)",
      source: "sink:slack:#ops",
      time: "2024-05-01T10:00:00.000000000Z",
      payload: JSON.stringify(d),
    });
  });

  it("bounds the payload in UTF-8 bytes, under Kafka's 1 MB message limit", () => {
    const d = { ...delivery(), summary: "€".repeat(400_000) };
    const record = deadLetterRecord(d, { sink: "webhook", reason: "timeout", message: "no answer", attempts: 1 });
    expect(Buffer.byteLength(record.payload)).toBeLessThanOrEqual(900_000);
    expect(JSON.stringify(d).startsWith(record.payload)).toBe(true);
  });
});
