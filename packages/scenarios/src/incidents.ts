import type { Severity } from "@outlier/contracts";

/** Which sensor feeds process execs: Tetragon's export, or Falco's alerts (the audit log comes with both). */
export const FEEDS = ["tetragon", "falco"] as const;
export type Feed = (typeof FEEDS)[number];

export type IncidentKind = "attack" | "benign";

/**
 * A finding type an incident expects or allows. `type` is exact, or a glob with `*`
 * (`falco.*`, `audit.*token*`). `maxSeverity` caps an allowed finding (above it, the
 * finding counts against the incident); `max` caps how many are allowed per incident
 * (more are counted against it). `minSeverity` on an expected type: a weaker finding
 * belongs to the attack but does not count as detecting it. `ownBinariesOnly`: every
 * executable the finding names must be one of the incident's (an exec session's finding
 * that also claims probes or the application's processes is counted against it).
 */
export interface TypeRule {
  type: string;
  minSeverity?: Severity;
  maxSeverity?: Severity;
  max?: number;
  ownBinariesOnly?: boolean;
}

/**
 * One labelled piece of the scenario's activity. Attacks list the finding types that
 * count as detecting them (`expect`) and other types that are about them (`allow`, not
 * false positives); benign incidents list what the issue allows for them (`allow`,
 * usually nothing).
 */
export interface Incident {
  id: string;
  class: string;
  kind: IncidentKind;
  description: string;
  cluster: string;
  namespace: string;
  /** The workload, when the incident is one workload's activity. */
  workload?: { kind: string; name: string };
  /** The pods involved; empty: any pod of the workload (or namespace). */
  pods: string[];
  /** The container, when the activity is confined to one. */
  container?: string;
  /** Executables the activity ran; a finding naming executables must name one of these. */
  binaries: string[];
  /** The principals of API activity; a finding naming a user must name one of these (empty: any). */
  users: string[];
  /** Time range of the activity, epoch milliseconds. */
  startMs: number;
  endMs: number;
  expect: TypeRule[];
  allow: TypeRule[];
}
