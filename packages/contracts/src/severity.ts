/** Severities in increasing order; compare with `severityRank`. */
export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function atLeast(s: Severity, min: Severity): boolean {
  return severityRank(s) >= severityRank(min);
}
