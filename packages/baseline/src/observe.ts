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
  /** Pods of this workload container alive now on the observation's image digest (replica window). */
  liveReplicas: number;
  /** Live pods that ran this binary in the replica window, this observation included. */
  replicasRunningBinary: number;
  /** The process's file is suspect (`assessRisk(…).suspectFile`): never learned without a person, never mere drift. */
  risky?: boolean;
}

/**
 * `single-replica`: new while learning, on one of ≥ `singleReplicaMinPeers` live replicas:
 * reported at once as a replica deviation. `pending`: a pending entry seen again, already
 * reported: nothing new.
 */
export type Verdict = "learned" | "known" | "pending" | "single-replica" | "unexpected" | "denied-seen" | "drift" | "overflow";

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
  singleton?: boolean;
}

const LEARNED: Judgement = { verdict: "learned", status: "learned" };

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
  if (entry) return judgePending(baseline, entry, entryReplicas, obs, ctx);
  const risky = ctx.risky === true;
  // What a new image brings is the image diff, unless it looks like an intrusion.
  if (!risky && openRelearnWindow(baseline, obs.imageDigest)) return { verdict: "drift", status: "pending", pendingReason: "image-drift" };
  if (baseline.state === "locked") return { verdict: "unexpected", status: "pending", pendingReason: "after-lock" };
  if (ctx.liveReplicas >= ctx.policy.singleReplicaMinPeers && ctx.replicasRunningBinary <= 1) {
    return { verdict: "single-replica", status: "pending", pendingReason: "single-replica" };
  }
  return risky ? { verdict: "unexpected", status: "pending", pendingReason: "risky" } : LEARNED;
}

/** A pending entry has been reported once; what runs it again decides whether it is reported again. */
function judgePending(baseline: Baseline, entry: BaselineEntry, entryReplicas: number, obs: ProcessObservation, ctx: ObserveContext): Judgement {
  const reason = entry.pendingReason;
  const pending: Judgement = { verdict: "pending", status: "pending", ...(reason ? { pendingReason: reason } : {}) };
  // The image diff was reported as drift; pods of that image running it again are that image, not news.
  if (reason === "image-drift" && entry.imageDigest !== undefined && entry.imageDigest === obs.imageDigest) return pending;
  const risky = ctx.risky === true;
  if (reason === "single-replica" && !risky) {
    const replicasSeen = Math.max(ctx.replicasRunningBinary, entryReplicas);
    if (baseline.state === "learning" && replicasSeen >= 2) return LEARNED;
    if (ctx.replicasRunningBinary <= 1) return isSingleton(entry, obs, ctx.policy) ? { ...LEARNED, singleton: true } : pending;
  }
  if (baseline.state === "learning") return pending;
  if (openRelearnWindow(baseline, obs.imageDigest) && !risky) return { ...pending, verdict: "drift" };
  return { ...pending, verdict: "unexpected" };
}

/** Recurs on one replica at a time, often enough and long enough: a task of the leader, not a one-off. */
function isSingleton(entry: BaselineEntry, obs: ProcessObservation, policy: BaselinePolicy): boolean {
  const span = timeToMillis(obs.time) - timeToMillis(entry.firstSeen);
  return entry.count + 1 >= policy.singletonMinRuns && span >= policy.singletonMinSpanMs;
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

/** A new digest (not the baseline's first) opens a relearn window for that image. */
function withImageDigest(baseline: Baseline, obs: ProcessObservation, policy: BaselinePolicy): Baseline {
  const digest = obs.imageDigest;
  if (!digest || baseline.imageDigests.includes(digest)) return baseline;
  const imageDigests = [...baseline.imageDigests, digest].slice(-MAX_IMAGE_DIGESTS);
  // Learning or locked: a binary that first appears with a new image is that image's diff.
  const isRollout = baseline.imageDigests.length > 0;
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
  if (judged.singleton || (entry?.singleton && judged.status === "learned")) stored.singleton = true;
  const digest = entry?.imageDigest ?? (judged.pendingReason === "image-drift" ? obs.imageDigest : undefined);
  if (digest !== undefined && judged.pendingReason === "image-drift") stored.imageDigest = digest;
  return stored;
}

function bump(baseline: Baseline, previousVersion: number): Baseline {
  return { ...baseline, version: previousVersion + 1 };
}

function plus(time: string, ms: number): string {
  return timeFromMillis(timeToMillis(time) + ms);
}
