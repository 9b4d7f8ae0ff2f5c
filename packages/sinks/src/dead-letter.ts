import { deadLetter, type DeadLetter } from "@outlier/contracts";
import type { Delivery, DeliveryReason } from "./sink.ts";

/** Why a delivery was given up, handed to the dead-letter callback. */
export interface DeliveryFailure {
  sink: string;
  reason: DeliveryReason;
  /** Free of secrets. */
  message: string;
  attempts: number;
}

/** Writes a given-up delivery somewhere durable (the alerter: outlier.deadletter.v1). */
export type DeadLetterFn = (delivery: Delivery, failure: DeliveryFailure) => Promise<void>;

/** Kafka's default message limit is 1 MB; keep room for the envelope. */
const MAX_PAYLOAD_BYTES = 900_000;

/** The outlier.deadletter.v1 record for a given-up delivery; the payload is the delivery as JSON. */
export function deadLetterRecord(delivery: Delivery, failure: DeliveryFailure, now: number = Date.now()): DeadLetter {
  return deadLetter({
    code: failure.reason,
    message: `${failure.message} (after ${failure.attempts} attempt${failure.attempts === 1 ? "" : "s"})`,
    source: `sink:${failure.sink}`,
    payload: JSON.stringify(delivery),
    now,
    maxPayloadBytes: MAX_PAYLOAD_BYTES,
  });
}
