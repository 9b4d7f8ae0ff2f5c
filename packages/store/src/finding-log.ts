import { timeToMillis, type Finding } from "@outlier/contracts";

/** Findings kept in the log at least; older ones are trimmed. */
export const FINDING_LOG_MAX_LEN = 10_000;

export interface FindingQuery {
  /** Only findings recorded at or after this wall-clock time (epoch ms). */
  since?: number;
  /** Only findings whose own time (the event's, `finding.time`) is at or after this (epoch ms). */
  happenedSince?: number;
  /** Only findings in this namespace (the finding's namespace, else its workload's). */
  namespace?: string;
  /** A finding type ("process.unexpected") or a family ("audit" matches every audit.<rule>). */
  type?: string;
  /** Most findings returned; default 100. */
  limit?: number;
}

/**
 * The recent findings, for `outlier findings --since 1h`. The detector appends every
 * finding it produced; a redelivered batch appends them again, so readers get one
 * row per finding id. Capped: the oldest are trimmed past FINDING_LOG_MAX_LEN.
 */
export interface FindingLog {
  append(findings: readonly Finding[]): Promise<void>;
  /** Newest recorded first, one per finding id. */
  recent(query?: FindingQuery): Promise<Finding[]>;
  close(): Promise<void>;
}

export const DEFAULT_RECENT_LIMIT = 100;

/** The query's filters (all but `since` and `limit`, which the logs apply while reading). */
export function matchesFinding(finding: Finding, query: FindingQuery): boolean {
  if (query.happenedSince !== undefined && timeToMillis(finding.time) < query.happenedSince) return false;
  if (query.namespace !== undefined && (finding.namespace ?? finding.workload?.namespace) !== query.namespace) return false;
  if (query.type !== undefined && finding.type !== query.type && !finding.type.startsWith(`${query.type}.`)) return false;
  return true;
}
