import type { Finding } from "@outlier/contracts";

/**
 * What one sink sends at once: a group notification from the Grouper (or a single
 * finding). A `GroupNotification` is a Delivery as it is.
 */
export interface Delivery {
  findings: Finding[];
  summary: string;
  groupKey: string;
  receiver: string;
  /** All findings of the group, including those not listed in `findings`. */
  total?: number;
}

/** How a sink wants its sends spaced: at most one per `intervalMs` per key (a Slack channel). */
export interface Pacing {
  intervalMs: number;
  key(delivery: Delivery): string;
}

/** One alert destination. */
export interface Sink {
  /** "kind:target", e.g. "slack:#payments"; never contains a secret. */
  readonly name: string;
  readonly pacing?: Pacing;
  /** Resolves once the destination accepted the delivery; throws DeliveryError. `signal` aborts the attempt. */
  deliver(delivery: Delivery, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Stable reason codes for failed deliveries; metrics, dead letters and tests use these. */
export const DELIVERY_REASONS = [
  "rate_limited", // 429 (or Slack's `ratelimited`): wait Retry-After
  "server_error", // 5xx, 408, or an error the service calls temporary
  "rejected", // 4xx: the request or the credentials are wrong; retrying will not help
  "partial_failure", // some findings of a batch failed (Elasticsearch items)
  "timeout", // no answer within the attempt's time limit
  "network", // connection refused, reset, TLS failure
  "circuit_open", // the sink failed too often lately; not tried
  "unexpected", // an error the sink did not classify (treated as temporary)
] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];

export interface DeliveryErrorOptions {
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
  /** What is left to send when part of the delivery was accepted (the next attempt sends only this). */
  remaining?: Delivery;
}

/** A failed attempt. The message must already be free of secrets (see `safeText`). */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  readonly reason: DeliveryReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly remaining: Delivery | undefined;

  constructor(reason: DeliveryReason, message: string, options: DeliveryErrorOptions) {
    super(message);
    this.reason = reason;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
    this.remaining = options.remaining;
  }
}
