/**
 * The learned set behind stateful audit rules (RuleContext's `seen` and `learning` in
 * @outlier/audit-rules): MemorySeenSet there, RedisSeenSet here, one contract for both.
 */
export interface SeenSet {
  /** Test-and-set: records `key` under `kind` and tells whether it was already there. */
  seen(kind: string, key: string): Promise<boolean>;
  /** True while `kind` is within its learning period from its first event (event time `time`). */
  learning(kind: string, time: string): Promise<boolean>;
}

/** How long Redis keeps a learned key nobody has seen again: beyond it, the key is "new" once more. */
export const DEFAULT_SEEN_TTL_MS = 30 * 24 * 3600 * 1000;
