import type { AuditEvent, Rejection, RuntimeEvent, SkipCode } from "@outlier/contracts";

export const SOURCE_FORMATS = ["tetragon", "falco", "audit"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** A normalized event; `.schema` tells which contract it follows. */
export type Normalized = RuntimeEvent | AuditEvent;

export interface NormalizeOptions {
  /** The input's format; detected per input when absent. */
  source?: SourceFormat;
  /** Cluster name for events that do not carry one (Tetragon's `cluster_name` wins). */
  cluster: string;
  /** Node name for events that do not carry one. */
  node?: string;
  /**
   * Falco rules whose alerts feed the baselines as `process_exec` (exact rule names) and are
   * not passed through as findings. Absent: the normalizer's own choice (execve alerts,
   * spawn-named and shell-tagged rules). Empty: no rule feeds.
   */
  falcoExecRules?: readonly string[];
  /** Longest accepted line in UTF-8 bytes (default 1 MiB). */
  maxLineBytes?: number;
}

export type NormalizeResult =
  | { ok: true; source: SourceFormat; events: Normalized[] }
  /** `source` is "unknown" only for an empty line read without a known source. */
  | { ok: "skipped"; source: SourceFormat | "unknown"; code: SkipCode; message: string }
  | Rejection;

export function normalized(source: SourceFormat, events: Normalized[]): NormalizeResult {
  return { ok: true, source, events };
}

export function skipped(source: SourceFormat | "unknown", code: SkipCode, message: string): NormalizeResult {
  return { ok: "skipped", source, code, message };
}
