import { timeFromMillis, timeToMillis, type RuntimeEvent } from "@outlier/contracts";
import {
  addBounded,
  contains,
  EVIDENCE_LIMITS,
  MAX_IMAGE_DIFF,
  MAX_IMAGE_DIGESTS,
  type Baseline,
  type BaselineEntry,
  type BaselineId,
  type BaselinePolicy,
  type EntryStatus,
  type PendingReason,
} from "./model.ts";

/** One process execution, reduced to what the baseline keeps. */
export interface ProcessObservation {
  id: BaselineId;
  /** Event time (normalized RFC 3339); wall-clock time is never used. */
  time: string;
  binary: string;
  pod: string;
  imageDigest?: string;
  parent?: string;
  args?: string;
  user?: string;
}

export interface ObserveContext {
  policy: BaselinePolicy;
  /** Pods of this workload container alive now (replica window or pod cache). */
  liveReplicas: number;
  /** Live pods that ran this binary in the replica window, this observation included. */
  replicasRunningBinary: number;
}

export type Verdict = "learned" | "known" | "pending" | "unexpected" | "denied-seen" | "drift" | "overflow";

/** What to persist: the baseline metadata (when changed) and the entry to upsert (when any). */
export interface ObserveResult {
  verdict: Verdict;
  baseline: Baseline;
  baselineChanged: boolean;
  entry?: BaselineEntry;
}

/** Undefined for anything but a process execution in a known workload container. */
export function observationFromEvent(event: RuntimeEvent): ProcessObservation | undefined {
  const { pod, workload, process } = event;
  const container = pod?.container?.name;
  if (event.type !== "process_exec" || !pod || !workload || !process || !container) return undefined;
  const obs: ProcessObservation = {
    id: { cluster: event.cluster, namespace: pod.namespace, kind: workload.kind, name: workload.name, container },
    time: event.time,
    binary: process.binary,
    pod: pod.name,
  };
  if (pod.container?.imageDigest) obs.imageDigest = pod.container.imageDigest;
  if (process.parent?.binary) obs.parent = process.parent.binary;
  if (process.args) obs.args = process.args;
  const user = process.user ?? (process.uid === undefined ? undefined : String(process.uid));
  if (user !== undefined) obs.user = user;
  return obs;
}

export function newBaseline(id: BaselineId, time: string, policy: BaselinePolicy): Baseline {
  return {
    id,
    state: "learning",
    learningStartedAt: time,
    learningEndsAt: plus(time, policy.learningWindowMs),
    imageDigests: [],
    relearn: [],
    entryCount: 0,
    overflowCount: 0,
    version: 0,
  };
}

/** Moves a baseline to `time`: locks it when learning has ended, closes expired relearn windows. */
export function advanceTo(baseline: Baseline, time: string, policy: BaselinePolicy): Baseline {
  const next = advance(baseline, time, policy);
  return next === baseline ? baseline : bump(next, baseline.version);
}

/**
 * Judges one observation against the baseline and the stored entry for its binary
 * (undefined when there is none). Pure: the same inputs always give the same result.
 */
export function observe(
  current: Baseline | undefined,
  entry: BaselineEntry | undefined,
  obs: ProcessObservation,
  ctx: ObserveContext,
): ObserveResult {
  const start = current ?? newBaseline(obs.id, obs.time, ctx.policy);
  let baseline = withImageDigest(advance(start, obs.time, ctx.policy), obs, ctx.policy);
  const replicasSeen = entry && !entry.replicas.includes(obs.pod) ? entry.replicas.length + 1 : (entry?.replicas.length ?? 1);
  const judged = judge(baseline, entry, replicasSeen, obs, ctx);
  let stored: BaselineEntry | undefined;
  let verdict = judged.verdict;
  if (!entry && baseline.entryCount >= ctx.policy.maxEntries) {
    baseline = { ...baseline, overflowCount: baseline.overflowCount + 1 };
    if (baseline.state === "learning") verdict = "overflow";
  } else {
    stored = withEvidence(entry, obs, judged);
    if (!entry) baseline = { ...baseline, entryCount: baseline.entryCount + 1 };
  }
  if (verdict === "drift") baseline = withImageDiff(baseline, obs);
  const baselineChanged = baseline !== current;
  const result: ObserveResult = {
    verdict,
    baseline: baselineChanged ? bump(baseline, current?.version ?? 0) : baseline,
    baselineChanged,
  };
  if (stored) result.entry = stored;
  return result;
}

interface Judgement {
  verdict: Verdict;
  status: EntryStatus;
  pendingReason?: PendingReason;
}

function judge(
  baseline: Baseline,
  entry: BaselineEntry | undefined,
  /** Replicas that ran the binary, per the entry's evidence with this observation. */
  entryReplicas: number,
  obs: ProcessObservation,
  ctx: ObserveContext,
): Judgement {
  if (entry?.status === "denied") return { verdict: "denied-seen", status: "denied" };
  if (entry && contains(entry)) return { verdict: "known", status: entry.status };
  const reason = entry?.pendingReason;
  if (baseline.state === "learning") {
    const replicasSeen = Math.max(ctx.replicasRunningBinary, entryReplicas);
    // Once pending, only a second replica (or a person) makes it learned.
    const corroborated = replicasSeen >= 2 || (!entry && ctx.liveReplicas < ctx.policy.singleReplicaMinPeers);
    if (corroborated) return { verdict: "learned", status: "learned" };
    return { verdict: "pending", status: "pending", pendingReason: reason ?? "single-replica" };
  }
  if (openRelearnWindow(baseline, obs.imageDigest)) {
    return { verdict: "drift", status: "pending", pendingReason: reason ?? "image-drift" };
  }
  return { verdict: "unexpected", status: "pending", pendingReason: reason ?? "after-lock" };
}

function advance(baseline: Baseline, time: string, policy: BaselinePolicy): Baseline {
  const now = timeToMillis(time);
  let next = baseline;
  if (next.state === "learning") {
    // The window follows the current policy, so a changed annotation applies while learning.
    const endsMs = timeToMillis(next.learningStartedAt) + policy.learningWindowMs;
    if (endsMs !== timeToMillis(next.learningEndsAt)) next = { ...next, learningEndsAt: timeFromMillis(endsMs) };
    if (policy.autoLock && now >= endsMs) next = { ...next, state: "locked", lockedAt: timeFromMillis(endsMs) };
  }
  if (next.relearn.length === 0) return next;
  const open = next.relearn.filter((w) => timeToMillis(w.endsAt) > now);
  if (open.length !== next.relearn.length) next = { ...next, relearn: open };
  return next;
}

/** A new digest on a locked baseline opens a relearn window for that image. */
function withImageDigest(baseline: Baseline, obs: ProcessObservation, policy: BaselinePolicy): Baseline {
  const digest = obs.imageDigest;
  if (!digest || baseline.imageDigests.includes(digest)) return baseline;
  const imageDigests = [...baseline.imageDigests, digest].slice(-MAX_IMAGE_DIGESTS);
  const isRollout = baseline.state === "locked" && baseline.imageDigests.length > 0;
  if (!isRollout) return { ...baseline, imageDigests };
  const window = { imageDigest: digest, startedAt: obs.time, endsAt: plus(obs.time, policy.relearnWindowMs), newBinaries: [], newBinariesOverflow: 0 };
  const relearn = [...baseline.relearn.filter((w) => w.imageDigest !== digest), window].slice(-MAX_IMAGE_DIGESTS);
  return { ...baseline, imageDigests, relearn };
}

function withImageDiff(baseline: Baseline, obs: ProcessObservation): Baseline {
  const relearn = baseline.relearn.map((w) => {
    if (w.imageDigest !== obs.imageDigest || w.newBinaries.includes(obs.binary)) return w;
    if (w.newBinaries.length >= MAX_IMAGE_DIFF) return { ...w, newBinariesOverflow: w.newBinariesOverflow + 1 };
    return { ...w, newBinaries: [...w.newBinaries, obs.binary] };
  });
  const changed = relearn.some((w, i) => w !== baseline.relearn[i]);
  return changed ? { ...baseline, relearn } : baseline;
}

function openRelearnWindow(baseline: Baseline, imageDigest: string | undefined): boolean {
  return imageDigest !== undefined && baseline.relearn.some((w) => w.imageDigest === imageDigest);
}

/** The entry with this observation added to its evidence, judged. */
function withEvidence(entry: BaselineEntry | undefined, obs: ProcessObservation, judged: Judgement): BaselineEntry {
  const args = obs.args?.slice(0, EVIDENCE_LIMITS.argsLength);
  const stored: BaselineEntry = {
    binary: obs.binary,
    status: judged.status,
    count: (entry?.count ?? 0) + 1,
    firstSeen: entry && entry.firstSeen <= obs.time ? entry.firstSeen : obs.time,
    lastSeen: entry && entry.lastSeen >= obs.time ? entry.lastSeen : obs.time,
    parents: addBounded(entry?.parents ?? [], obs.parent, EVIDENCE_LIMITS.parents),
    sampleArgs: addBounded(entry?.sampleArgs ?? [], args, EVIDENCE_LIMITS.sampleArgs),
    users: addBounded(entry?.users ?? [], obs.user, EVIDENCE_LIMITS.users),
    replicas: addBounded(entry?.replicas ?? [], obs.pod, EVIDENCE_LIMITS.replicas),
  };
  if (judged.pendingReason) stored.pendingReason = judged.pendingReason;
  return stored;
}

function bump(baseline: Baseline, previousVersion: number): Baseline {
  return { ...baseline, version: previousVersion + 1 };
}

function plus(time: string, ms: number): string {
  return timeFromMillis(timeToMillis(time) + ms);
}
