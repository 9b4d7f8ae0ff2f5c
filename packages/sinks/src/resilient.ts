import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from "cockatiel";
import type { Logger } from "@outlier/service-kit";
import type { DeadLetterFn } from "./dead-letter.ts";
import { Pacer } from "./pacer.ts";
import { safeText } from "./safe-text.ts";
import { DeliveryError, type Delivery, type DeliveryReason, type Sink } from "./sink.ts";

export type DeliveryOutcome = "delivered" | "retried" | "dead_lettered";

export interface ResilienceOptions {
  /** Where a delivery goes after its last attempt (the alerter: outlier.deadletter.v1). */
  deadLetter: DeadLetterFn;
  logger?: Pick<Logger, "warn" | "error">;
  /** Called for metrics: each delivery delivered or dead-lettered, each retry. */
  onOutcome?: (sink: string, outcome: DeliveryOutcome, reason?: DeliveryReason) => void;
  /** Called when the circuit opens (true: deliveries are dead-lettered unattempted, or one trial runs) and closes again (false). */
  onCircuit?: (sink: string, open: boolean) => void;
  /** Time limit of one attempt. */
  timeoutMs?: number;
  /** Attempts in all, the first included; answers of 429 (rate limited) do not count. */
  maxAttempts?: number;
  /**
   * How long one delivery may keep waiting out 429s. A rate-limited service is up and
   * says when to come back, so its answers do not use up `maxAttempts`: a long 429 storm
   * is waited out instead of dead-lettering what would have gone through.
   */
  maxRateLimitedMs?: number;
  /** Backoff before the first retry; doubles each retry up to maxDelayMs, with jitter. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the delivery is dead-lettered. */
  maxRetryAfterMs?: number;
  /** Consecutive failed attempts that open the circuit … */
  breakerFailures?: number;
  /** … and how long it stays open before one trial attempt. */
  halfOpenAfterMs?: number;
  random?: () => number;
}

const DEFAULTS = {
  timeoutMs: 10_000,
  maxAttempts: 5,
  maxRateLimitedMs: 10 * 60_000,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  breakerFailures: 5,
  halfOpenAfterMs: 30_000,
};

/**
 * Wraps a sink with a timeout per attempt, retries with exponential backoff and jitter
 * (waiting a 429's Retry-After), a circuit breaker, and the sink's pacing. After the
 * last attempt the delivery is dead-lettered and `deliver` resolves: it only throws
 * when the dead-letter callback itself fails, so that the caller does not commit.
 */
export function resilient(sink: Sink, options: ResilienceOptions): Sink {
  return new ResilientSink(sink, options);
}

/** Delivers to every sink at once; a slow or failing sink does not hold up the others. */
export async function deliverAll(sinks: readonly Sink[], delivery: Delivery): Promise<void> {
  const results = await Promise.allSettled(sinks.map((sink) => sink.deliver(delivery)));
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

class ResilientSink implements Sink {
  readonly name: string;
  readonly #sink: Sink;
  readonly #options: ResilienceOptions & typeof DEFAULTS;
  readonly #retry: RetryPolicy;
  readonly #breaker: CircuitBreakerPolicy;
  readonly #timeout: TimeoutPolicy;
  readonly #pacer: Pacer | undefined;

  constructor(sink: Sink, options: ResilienceOptions) {
    this.name = sink.name;
    this.#sink = sink;
    this.#options = { ...DEFAULTS, ...options };
    const o = this.#options;
    this.#timeout = timeout(o.timeoutMs, TimeoutStrategy.Aggressive);
    // A 429 means the service is up and pacing us: it does not count towards opening the circuit.
    const outage = (e: Error) => isRetryable(e) && (e as DeliveryError).reason !== "rate_limited";
    this.#breaker = circuitBreaker(handleWhen(outage), {
      halfOpenAfter: o.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(o.breakerFailures),
    });
    // Half-open counts as open (only a trial goes through until one succeeds), so a failed trial is no change.
    let open = false;
    this.#breaker.onStateChange((state) => {
      if (open === (state !== CircuitState.Closed)) return;
      open = !open;
      o.onCircuit?.(this.name, open);
    });
    this.#retry = retry(handleWhen((e) => this.#retryable(e) && !isRateLimited(e)), {
      maxAttempts: o.maxAttempts - 1,
      backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => this.#delayMs(context)),
    });
    this.#pacer = sink.pacing ? new Pacer(sink.pacing.intervalMs) : undefined;
  }

  async deliver(delivery: Delivery): Promise<void> {
    let pending = delivery;
    let attempts = 0;
    const rateLimitedUntil = Date.now() + this.#options.maxRateLimitedMs;
    for (;;) {
      let round = 0; // attempts that count towards maxAttempts: a 429 starts a new round
      try {
        await this.#retry.execute(async () => {
          attempts += 1;
          round += 1;
          try {
            await this.#attempt(pending);
          } catch (error) {
            const failure = toDeliveryError(error);
            if (failure.remaining) pending = failure.remaining;
            if (this.#retryable(failure) && !isRateLimited(failure) && round < this.#options.maxAttempts) this.#retried(failure, attempts);
            throw failure;
          }
        });
        this.#options.onOutcome?.(this.name, "delivered");
        return;
      } catch (error) {
        const failure = toDeliveryError(error);
        const waitMs = failure.retryAfterMs ?? this.#options.initialDelayMs;
        if (isRateLimited(failure) && this.#retryable(failure) && Date.now() + waitMs <= rateLimitedUntil) {
          this.#retried(failure, attempts);
          await new Promise((resolve) => setTimeout(resolve, waitMs));
          continue;
        }
        await this.#giveUp(pending, failure, attempts);
        return;
      }
    }
  }

  close(): Promise<void> {
    return this.#sink.close();
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const key = this.#sink.pacing?.key(delivery);
    if (this.#pacer && key !== undefined) await this.#pacer.wait(key);
    try {
      await this.#breaker.execute(() =>
        this.#timeout.execute((_context, signal) => this.#sink.deliver(delivery, signal)).catch((error: unknown) => {
          throw toDeliveryError(error, this.#options.timeoutMs);
        }),
      );
    } catch (error) {
      const failure = toDeliveryError(error);
      if (this.#pacer && key !== undefined && failure.retryAfterMs !== undefined) {
        this.#pacer.holdUntil(key, Date.now() + failure.retryAfterMs);
      }
      throw failure;
    }
  }

  /** Worth another attempt: temporary, and any Retry-After short enough to wait for. */
  #retryable(error: unknown): boolean {
    return isRetryable(error) && ((error as DeliveryError).retryAfterMs ?? 0) <= this.#options.maxRetryAfterMs;
  }

  #delayMs(context: IRetryBackoffContext<unknown>): number {
    const { initialDelayMs, maxDelayMs } = this.#options;
    const error = "error" in context.result ? context.result.error : undefined;
    if (error instanceof DeliveryError && error.retryAfterMs !== undefined) return error.retryAfterMs;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** (context.attempt - 1));
    return base / 2 + (this.#options.random ?? Math.random)() * (base / 2);
  }

  #retried(failure: DeliveryError, attempt: number): void {
    this.#options.logger?.warn({ sink: this.name, reason: failure.reason, attempt, detail: failure.message }, "delivery attempt failed; retrying");
    this.#options.onOutcome?.(this.name, "retried", failure.reason);
  }

  async #giveUp(delivery: Delivery, failure: DeliveryError, attempts: number): Promise<void> {
    const { logger, deadLetter, onOutcome } = this.#options;
    logger?.error(
      { sink: this.name, reason: failure.reason, attempts, findings: delivery.findings.length, groupKey: delivery.groupKey, detail: failure.message },
      "delivery failed; dead-lettered",
    );
    onOutcome?.(this.name, "dead_lettered", failure.reason);
    await deadLetter(delivery, { sink: this.name, reason: failure.reason, message: failure.message, attempts });
  }
}

// Every error is a DeliveryError by the time a policy sees it (see #attempt).
function isRetryable(error: unknown): boolean {
  return error instanceof DeliveryError && error.retryable;
}

function isRateLimited(error: unknown): boolean {
  return error instanceof DeliveryError && error.reason === "rate_limited";
}

function toDeliveryError(error: unknown, timeoutMs?: number): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof TaskCancelledError) {
    return new DeliveryError("timeout", `no answer within ${timeoutMs ?? "the time limit"} ms`, { retryable: true });
  }
  if (error instanceof BrokenCircuitError) {
    return new DeliveryError("circuit_open", "circuit open after repeated failures; not attempted", { retryable: false });
  }
  // A sink's bug or an unforeseen error: retried, and its message still scrubbed.
  return new DeliveryError("unexpected", safeText(error instanceof Error ? error.message : String(error), []), { retryable: true });
}
