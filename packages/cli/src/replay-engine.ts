import type { Finding } from "@outlier/contracts";
import type { BaselinePolicy } from "@outlier/baseline";
import { Detector, type DetectorDeps, type DetectorEvent } from "@outlier/detector";
import type { BaselineStore } from "@outlier/store";

/** Events judged per `Detector.process` call: one store write per batch. */
export const REPLAY_BATCH_SIZE = 1_000;

export interface ReplayOptions {
  store: BaselineStore;
  /** With `--redis`: workload labels and replica windows for the review CLI. */
  reviewStores?: Pick<DetectorDeps, "labels" | "replicaSnapshots">;
  /** With `--redis`: what stateful audit rules learned (default: in memory, for the policy's learning window). */
  seen?: DetectorDeps["seen"];
  policy: BaselinePolicy;
  batchSize?: number;
  /** Called with each batch's findings, in order, and once more with those of `finish()`. */
  onFindings: (findings: Finding[]) => Promise<void> | void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the production detector over events already in event-time order, a batch at a
 * time, then ends the input (closing exec sessions, comparing replicas once more).
 * Returns the detector for its stats.
 */
export async function replayEvents(events: readonly DetectorEvent[], options: ReplayOptions): Promise<Detector> {
  const detector = new Detector({ store: options.store, ...options.reviewStores, seen: options.seen }, { policy: options.policy });
  const batchSize = options.batchSize ?? REPLAY_BATCH_SIZE;
  for (let start = 0; start < events.length; start += batchSize) {
    await options.onFindings(await detector.process(events.slice(start, start + batchSize)));
    options.onProgress?.(Math.min(start + batchSize, events.length), events.length);
  }
  await options.onFindings(await detector.finish());
  return detector;
}
