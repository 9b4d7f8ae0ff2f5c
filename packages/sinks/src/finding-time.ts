import { normalizeTime, timeToMillis, type Finding } from "@outlier/contracts";

/** A finding's time in epoch milliseconds; undefined when unreadable (the receiver's clock is used then). */
export function findingMillis(finding: Finding): number | undefined {
  const time = normalizeTime(finding.time);
  return time === undefined ? undefined : timeToMillis(time);
}
