import { Counter, Gauge, type Registry } from "prom-client";

/** Why lines may have been lost; each is counted and logged as a warning. */
export type GapReason =
  /** The file was truncated while some of it was still unread (or a line was half read). */
  | "truncated_unread"
  /** After a restart, the file read before is no longer at its path nor next to it; what followed the saved position was not read. */
  | "rotated_unread";

/** Per tailed path (label `path`). */
export interface TailMetrics {
  readonly linesRead: Counter<"path">;
  readonly bytesRead: Counter<"path">;
  readonly rotations: Counter<"path">;
  readonly truncations: Counter<"path">;
  readonly gaps: Counter<"path" | "reason">;
  /** Lines over maxLineBytes, handed on cut (and dead-lettered by ingest). */
  readonly linesCut: Counter<"path">;
  /** Failed ingests of a line, retried after a pause. */
  readonly retries: Counter<"path">;
  /** Bytes of the open file not read yet. */
  readonly lagBytes: Gauge<"path">;
}

const created = new WeakMap<Registry, TailMetrics>();

/** The tail metrics of `registry`, created on first use: every file source of a process shares them. */
export function tailMetrics(registry: Registry): TailMetrics {
  const existing = created.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: `outlier_collector_tail_${name}`, help, labelNames, registers });
  const metrics: TailMetrics = {
    linesRead: counter("lines_read_total", "Complete lines read from tailed files", ["path"]),
    bytesRead: counter("bytes_read_total", "Bytes read from tailed files", ["path"]),
    rotations: counter("rotations_total", "Rotations by rename followed (a new file at the path)", ["path"]),
    truncations: counter("truncations_total", "Truncations followed (copytruncate): reading restarts at 0", ["path"]),
    gaps: counter("gaps_total", "Places where lines may have been lost, by reason", ["path", "reason"]),
    linesCut: counter("lines_cut_total", "Lines over the size limit, cut and dead-lettered", ["path"]),
    retries: counter("retries_total", "Lines whose ingest failed and was retried", ["path"]),
    lagBytes: new Gauge({ name: "outlier_collector_tail_lag_bytes", help: "Bytes of the tailed file not read yet", labelNames: ["path"], registers }),
  };
  created.set(registry, metrics);
  return metrics;
}
