/**
 * Which findings were already handed to a destination (delivered or dead-lettered), so
 * that a redelivered finding — after a restart or a rebalance — is not posted again.
 */
export interface DeliveryRef {
  /** Where the finding went; the alerter uses "<receiver>/<sink index>". */
  destination: string;
  findingId: string;
}

export interface DeliveredStore {
  /** For each ref, in order, whether it was marked within its TTL. One round trip. */
  delivered(refs: readonly DeliveryRef[]): Promise<boolean[]>;
  /** Marks refs as delivered for the store's TTL. One round trip. */
  markDelivered(refs: readonly DeliveryRef[]): Promise<void>;
  close(): Promise<void>;
}

/** How long a delivery is remembered: longer than any redelivery (Kafka retention of uncommitted work). */
export const DEFAULT_DELIVERED_TTL_MS = 7 * 24 * 3600 * 1000;
