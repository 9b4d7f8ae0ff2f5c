import { parsePositiveDuration, workloadKey, type WorkloadKind } from "@outlier/contracts";

/** One baseline per workload container, shared by all of its replicas. */
export interface BaselineId {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
  container: string;
}

export type BaselineState = "learning" | "locked";

/** A short learning window opened when a locked baseline sees a new image digest. */
export interface RelearnWindow {
  imageDigest: string;
  startedAt: string;
  endsAt: string;
  /** The image diff: executables first seen on this digest during the window. */
  newBinaries: string[];
  /** New executables beyond `MAX_IMAGE_DIFF` (counted, not listed). */
  newBinariesOverflow: number;
}

/** The baseline's metadata; its entries are stored apart, one per executable. */
export interface Baseline {
  id: BaselineId;
  state: BaselineState;
  /** Event time of the first observation (or of the last unlock/reset). */
  learningStartedAt: string;
  learningEndsAt: string;
  lockedAt?: string;
  /** Image digests this baseline has seen, oldest first, at most `MAX_IMAGE_DIGESTS`. */
  imageDigests: string[];
  relearn: RelearnWindow[];
  entryCount: number;
  /** Executables not stored because the baseline was full. */
  overflowCount: number;
  /** Incremented on every change; a store can use it for compare-and-set. */
  version: number;
}

export type EntryStatus = "learned" | "approved" | "denied" | "pending";
export type PendingReason = "single-replica" | "image-drift" | "after-lock" | "risky";

/** One executable of a baseline and the evidence of where it ran. */
export interface BaselineEntry {
  binary: string;
  status: EntryStatus;
  pendingReason?: PendingReason;
  count: number;
  firstSeen: string;
  lastSeen: string;
  parents: string[];
  sampleArgs: string[];
  users: string[];
  /** Pod names that ran it. */
  replicas: string[];
  /**
   * Learned as a singleton task: it recurred on one replica at a time (a leader-elected
   * replica, a scheduler inside one pod), never on two at once. Shown for review.
   */
  singleton?: boolean;
  /** For `image-drift`: the image digest it first appeared with. */
  imageDigest?: string;
}

export interface BaselinePolicy {
  learningWindowMs: number;
  autoLock: boolean;
  relearnWindowMs: number;
  maxEntries: number;
  /** With at least this many live replicas, a binary seen on one replica only stays pending. */
  singleReplicaMinPeers: number;
  /** A single-replica binary run at least this many times … */
  singletonMinRuns: number;
  /** … over at least this span of event time (two replica windows) is learned as a singleton task. */
  singletonMinSpanMs: number;
}

export const DEFAULT_POLICY: BaselinePolicy = {
  learningWindowMs: 60 * 60_000,
  autoLock: true,
  relearnWindowMs: 10 * 60_000,
  maxEntries: 500,
  singleReplicaMinPeers: 3,
  singletonMinRuns: 3,
  singletonMinSpanMs: 10 * 60_000,
};

export const MAX_IMAGE_DIGESTS = 8;
export const MAX_IMAGE_DIFF = 32;
export const EVIDENCE_LIMITS = { parents: 5, sampleArgs: 3, users: 5, replicas: 16, argsLength: 256 } as const;

export const ANNOTATIONS = {
  learningWindow: "outlier.dev/learning-window",
  autoLock: "outlier.dev/auto-lock",
} as const;

/** `cluster/namespace/kind/name|container`: the workload key plus the container. */
export function baselineKeyOf(id: BaselineId): string {
  return `${workloadKey(id.cluster, id.namespace, id.kind, id.name)}|${id.container}`;
}

/** A learned or approved executable is part of the baseline; pending and denied ones are not. */
export function contains(entry: BaselineEntry | undefined): boolean {
  return entry?.status === "learned" || entry?.status === "approved";
}

/** The global policy, with the workload's annotations applied; malformed values are ignored. */
export function policyFor(annotations: Record<string, string> | undefined, global: BaselinePolicy = DEFAULT_POLICY): BaselinePolicy {
  const policy = { ...global };
  const window = annotations?.[ANNOTATIONS.learningWindow];
  const windowMs = window === undefined ? undefined : parsePositiveDuration(window);
  if (windowMs !== undefined) policy.learningWindowMs = windowMs;
  const autoLock = annotations?.[ANNOTATIONS.autoLock];
  if (autoLock === "true" || autoLock === "false") policy.autoLock = autoLock === "true";
  return policy;
}

/**
 * Adds `value` to a bounded list of distinct values; a full list is left as it is. Lists
 * are never changed in place: an unchanged list is returned as it is, not copied.
 */
export function addBounded(list: string[], value: string | undefined, max: number): string[] {
  if (value === undefined || value === "" || list.length >= max || list.includes(value)) return list;
  return [...list, value];
}
