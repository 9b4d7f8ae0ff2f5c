import type { AuditEvent, Finding, RuntimeEvent } from "@outlier/contracts";
import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import {
  assessRisk,
  baselineKeyOf,
  classifyNoise,
  contains,
  Cooldown,
  DEFAULT_POLICY,
  driftFinding,
  observationFromEvent,
  observe,
  overflowFinding,
  policyFor,
  unexpectedProcessFinding,
  type Baseline,
  type BaselineEntry,
  type BaselineId,
  type BaselinePolicy,
  type ContainerSpecCommands,
  type ObserveResult,
  type ProcessObservation,
  type RiskAssessment,
  type Verdict,
  type WorkloadMeta,
} from "@outlier/baseline";
import {
  compareReplicas,
  DEFAULT_THRESHOLDS,
  deviation,
  ReplicaWindow,
  replicaDeviationFinding,
  scoresOf,
  type CompareThresholds,
  type PodExecs,
  type ReplicaScores,
} from "@outlier/replicas";
import { AUDIT_RULES, evaluateAudit, ExecSessionCorrelator, MemorySeenSet, type ExecSessionOptions, type RuleContext } from "@outlier/audit-rules";
import type { BaselineStore, BaselineWrite, LabelIndex, ReplicaSnapshot, ReplicaSnapshotStore, StoredBaseline } from "@outlier/store";
import { falcoFinding } from "./falco-finding.ts";
import { RecencyMap } from "./recency-map.ts";
import { DetectorStats } from "./stats.ts";

export type DetectorEvent = RuntimeEvent | AuditEvent;

export interface DetectorOptions {
  policy?: BaselinePolicy;
  replicaWindowMs?: number;
  /** How often (event time) each workload container's replicas are compared. */
  replicaCheckEveryMs?: number;
  /**
   * A known executable's count and last-seen time, and a baseline's entry and overflow
   * counts, are written to the store at most this often (event time); any other change is
   * written with its batch. Rewriting them on every batch was most of the store's cost.
   */
  entryFlushMs?: number;
  thresholds?: CompareThresholds;
  cooldownMs?: number;
  /** Baselines kept in memory; the least recently used is dropped (it stays in the store). */
  maxCachedBaselines?: number;
  execSessions?: ExecSessionOptions;
  /**
   * A low (no risk feature) single-replica finding is held this long of event time, and
   * dropped if a peer runs the binary meanwhile: a job every replica runs at its own time
   * is not a deviation. High and critical ones are sent at once.
   */
  reviewHoldMs?: number;
}

export interface DetectorDeps {
  store: BaselineStore;
  /** Learned sets for stateful audit rules (default: in memory). */
  seen?: Pick<RuleContext, "seen" | "learning">;
  /** Pod spec commands (probes, container command) from the pod cache, when known. */
  podSpec?: (event: RuntimeEvent) => ContainerSpecCommands | undefined;
  /** Workload labels and annotations from the Kubernetes API, when known; else the pod's labels. */
  workloadMeta?: (event: RuntimeEvent) => WorkloadMeta | undefined;
  /** Where the review CLI finds workload labels (`-l`) and the last replica window (`replicas`). */
  labels?: LabelIndex;
  replicaSnapshots?: ReplicaSnapshotStore;
}

/** A baseline as loaded from the store, with the changes made since. */
interface Tracked {
  baseline: Baseline | undefined;
  entries: Map<string, BaselineEntry>;
  /** Event time (ms) each entry was last written to the store. */
  persistedAt: Map<string, number>;
  /** Event time (ms) the baseline was last written to the store. */
  baselinePersistedAt: number;
}

/** What the detector holds for one workload container: its baseline (when loaded) and its replicas. */
interface ContainerState {
  key: string;
  id: BaselineId;
  /** Undefined until loaded, and again after a person changed the baseline. */
  tracked: Tracked | undefined;
  window: ReplicaWindow;
  lastCheckMs: number;
  meta: WorkloadMeta;
  /** Low single-replica findings waiting to see whether a peer runs the binary too. */
  held?: HeldReview[];
}

interface HeldReview {
  finding: Finding;
  binary: string;
  dueMs: number;
}

/** Held review findings per container at most; beyond, they are sent at once. */
const MAX_HELD = 64;

/** Changes made while judging one batch, written to the store together. */
interface PendingWrite {
  id: BaselineId;
  baseline?: Baseline;
  upsert: Map<string, BaselineEntry>;
}

/** An exec, its observation and its baseline's key, worked out once for loading and judging. */
interface Observed {
  event: RuntimeEvent;
  obs: ProcessObservation;
  key: string;
}

/** An exec held back from judging until its exec session's audit event can have come. */
interface Deferred {
  observed: Observed;
  ms: number;
}

/** Deferred execs at most; beyond, an exec from outside is judged at once. */
const MAX_DEFERRED = 10_000;

/** Baselines loaded for one batch, by key; undefined when the store has none yet. */
type Loaded = Map<string, StoredBaseline | undefined>;

const MAX_KNOWN_PODS = 50_000;
/** Shared empty labels/annotations; findings copy what they keep, nothing writes to these. */
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

type KnownWorkload = NonNullable<Finding["workload"]>;

/**
 * The detection pipeline on normalized events: baselines, replica comparison, audit
 * rules and exec-session correlation. Driven by event time only, so the same events
 * give the same findings live and in a replay. Not re-entrant: call `process` for one
 * batch at a time. Each batch costs at most one store load per baseline not cached
 * and one store write.
 */
export class Detector {
  readonly stats = new DetectorStats();
  readonly #store: BaselineStore;
  readonly #deps: DetectorDeps;
  readonly #policy: BaselinePolicy;
  readonly #opts: Required<Omit<DetectorOptions, "policy" | "execSessions" | "thresholds">>;
  readonly #thresholds: CompareThresholds;
  readonly #containers: RecencyMap<ContainerState>;
  readonly #policies = new WeakMap<Record<string, string>, BaselinePolicy>();
  /** By event id, in arrival order. */
  readonly #deferred = new Map<string, Deferred>();
  /** cluster/namespace/pod → its workload, learned from runtime events, for audit and exec-session findings. */
  readonly #pods = new RecencyMap<KnownWorkload>(MAX_KNOWN_PODS);
  readonly #cooldown: Cooldown;
  /** Containers holding low review findings (`reviewHoldMs`). */
  readonly #holding = new Set<ContainerState>();
  readonly #sessions: ExecSessionCorrelator;
  readonly #ruleContext: RuleContext;
  /** Label and replica-window writes for the review CLI, sent with the batch's baseline write. */
  #sideWrites: (() => Promise<void>)[] = [];
  #nowMs = 0;

  constructor(deps: DetectorDeps, options: DetectorOptions = {}) {
    this.#store = deps.store;
    this.#deps = deps;
    this.#policy = options.policy ?? DEFAULT_POLICY;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#opts = {
      replicaWindowMs: options.replicaWindowMs ?? 5 * 60_000,
      replicaCheckEveryMs: options.replicaCheckEveryMs ?? 60_000,
      entryFlushMs: options.entryFlushMs ?? 15 * 60_000,
      cooldownMs: options.cooldownMs ?? 10 * 60_000,
      maxCachedBaselines: options.maxCachedBaselines ?? 10_000,
      reviewHoldMs: options.reviewHoldMs ?? 30 * 60_000,
    };
    this.#containers = new RecencyMap(this.#opts.maxCachedBaselines);
    this.#cooldown = new Cooldown({ cooldownMs: this.#opts.cooldownMs });
    this.#sessions = new ExecSessionCorrelator(options.execSessions);
    // Stateful audit rules learn for as long as the baselines do.
    const seen = deps.seen ?? new MemorySeenSet({ learningMs: this.#policy.learningWindowMs });
    this.#ruleContext = {
      seen: (kind, key) => seen.seen(kind, key),
      learning: (kind, time) => seen.learning(kind, time),
      suppressed: (ruleId) => this.stats.count("audit_suppressed", ruleId),
    };
  }

  /**
   * Judges one batch, persists its baseline changes, and returns its findings in time order.
   * Audit events, exec sessions and noise are screened in event order; the execs left are
   * then judged one workload container after another (each container's in event order),
   * so that a container's state stays in the CPU's caches while its execs are judged.
   */
  async process(events: readonly DetectorEvent[]): Promise<Finding[]> {
    const { findings, persisted } = await this.judge(events);
    await persisted;
    return findings;
  }

  /**
   * `process` for a caller that sends the findings while the baseline changes are being
   * written: the batch is done when both are. Judging the next batch must wait for both.
   */
  async judge(events: readonly DetectorEvent[]): Promise<{ findings: Finding[]; persisted: Promise<void> }> {
    const findings: Finding[] = [];
    const toJudge: Observed[] = [];
    for (const event of events) {
      this.stats.count("events", event.schema === "outlier.audit.v1" ? "audit" : event.type);
      if (event.schema === "outlier.audit.v1") await this.#onAudit(event, findings);
      else {
        const observed = observedOf(event);
        if (this.#screen(event, observed, findings) && observed) toJudge.push(observed);
      }
    }
    // Deferred execs whose wait is over are older than this batch's: judged first.
    const writes = await this.#judgeAll([...this.#releaseDeferred(false), ...toJudge], findings);
    findings.push(...this.#admitAll(this.#sessions.flush(timeFromMillis(this.#nowMs))));
    findings.push(...this.#releaseAllHeld(this.#nowMs));
    const persisted = this.#persist(writes);
    persisted.catch(() => undefined); // the caller awaits it; this only keeps an early failure from being "unhandled"
    this.stats.count("findings", undefined, findings.length);
    return { findings: findings.sort(byTime), persisted };
  }

  /** End of input (replay): judges the execs still deferred, closes every open exec session and compares replicas once more. */
  async finish(): Promise<Finding[]> {
    const findings: Finding[] = [];
    const writes = await this.#judgeAll(this.#releaseDeferred(true), findings);
    findings.push(...this.#admitAll(this.#sessions.flush(timeFromMillis(this.#nowMs + 24 * 60 * 60_000))));
    const snapshots = this.#deps.replicaSnapshots;
    findings.push(...this.#releaseAllHeld(Infinity));
    for (const [, state] of this.#containers.entries()) {
      const reported = this.#compare(state, timeFromMillis(this.#nowMs));
      findings.push(...reported);
      // No detector runs after a replay to answer the CLI: the last windows are left in the store
      // (#compare has written the window of a container it reported on).
      if (snapshots && reported.length === 0) this.#sideWrites.push(() => snapshots.put(state.id, this.#snapshotOf(state)));
    }
    await this.#persist(writes);
    return findings.sort(byTime);
  }

  get deferredCount(): number {
    return this.#deferred.size;
  }

  /** True while the runtime event with this id is deferred (held for its exec session, not yet judged). */
  isDeferred(eventId: string): boolean {
    return this.#deferred.has(eventId);
  }

  /** Takes over the execs another detector (being replaced) still defers, so that none goes unjudged. */
  adoptDeferred(previous: Detector): void {
    for (const [id, held] of previous.#deferred) {
      this.#sessions.observe(held.observed.event);
      this.#deferred.set(id, held);
    }
  }

  /** A person changed this baseline: the next event reloads it from the store. */
  invalidate(baselineKey: string): void {
    const state = this.#containers.get(baselineKey);
    if (state) state.tracked = undefined;
  }

  get cachedBaselines(): number {
    let count = 0;
    for (const [, state] of this.#containers.entries()) if (state.tracked) count += 1;
    return count;
  }

  async #onAudit(event: AuditEvent, findings: Finding[]): Promise<void> {
    this.#advance(event.requestReceivedTimestamp);
    this.#sessions.openFromAudit(event);
    findings.push(...this.#admitAll(await evaluateAudit(event, AUDIT_RULES, this.#ruleContext)));
  }

  /** In event order: the clock, Falco alerts, noise and exec sessions. True when the exec is left to judge. */
  #screen(event: RuntimeEvent, observed: Observed | undefined, findings: Finding[]): boolean {
    this.#advance(event.time);
    const alert = falcoFinding(event, observed !== undefined);
    // An exec that is judged remembers its pod when its replica window first sees it (a lookup per exec was dear).
    if (alert || !observed) this.#rememberPod(event);
    if (alert) findings.push(...this.#admitAll([alert]));
    if (event.type !== "process_exec") return false;
    const noise = classifyNoise(event, this.#deps.podSpec?.(event));
    // Probes first: a probe is the kubelet's, never part of a person's exec session. A session's
    // shell may also be the container's command (`["sh"]`): sessions before pod-spec commands.
    if (noise === "exec-probe") return this.#noise(event, noise);
    const exec = this.#sessions.observe(event);
    if (exec === "in-session") return this.#noise(event, "exec-session");
    if (noise) return this.#noise(event, noise);
    if (!observed) return this.#noise(event, "no-workload");
    if (exec === "held" && this.#deferred.size < MAX_DEFERRED) {
      // Entered from outside with no session open: its audit event may be late. Judged only if none comes.
      this.#deferred.set(event.id, { observed, ms: timeToMillis(event.time) });
      return this.#noise(event, "deferred");
    }
    return true;
  }

  /**
   * Deferred execs a session took are done (its exec.session finding lists them); the ones
   * whose grace window has passed with no session (or `all`, at the end of a replay) are
   * returned to be judged.
   */
  #releaseDeferred(all: boolean): Observed[] {
    const due: Observed[] = [];
    for (const [id, held] of this.#deferred) {
      if (this.#sessions.claimed(id)) {
        this.#deferred.delete(id);
        this.stats.count("noise", "exec-session");
      } else if (all || this.#nowMs - held.ms > this.#sessions.graceMs) {
        this.#deferred.delete(id);
        due.push(held.observed);
      }
    }
    return due;
  }

  /** Judges execs one workload container after another, each container's in order and after one load. */
  async #judgeAll(execs: Observed[], findings: Finding[]): Promise<Map<string, PendingWrite>> {
    const byContainer = new Map<string, Observed[]>();
    for (const o of execs) {
      const group = byContainer.get(o.key);
      if (group) group.push(o);
      else byContainer.set(o.key, [o]);
    }
    const loaded = await this.#loadUncached(byContainer);
    const writes = new Map<string, PendingWrite>();
    for (const [key, group] of byContainer) {
      const first = group[0]!;
      const state = this.#containerState(key, first.obs.id, first.event);
      const tracked = state.tracked ?? (await this.#track(state, loaded));
      for (const o of group) this.#judge(o.event, o.obs, state, tracked, findings, writes);
    }
    return writes;
  }

  #noise(event: RuntimeEvent, kind: string): false {
    this.#rememberPod(event);
    this.stats.count("noise", kind);
    return false;
  }

  /** Judges an exec against its baseline and its replicas' window. */
  #judge(event: RuntimeEvent, obs: ProcessObservation, state: ContainerState, tracked: Tracked, findings: Finding[], writes: Map<string, PendingWrite>): void {
    const meta = this.#metaOf(event);
    state.meta = meta;
    if (!state.window.hasPod(obs.pod)) this.#rememberPod(event);
    state.window.record(obs.pod, obs.imageDigest, obs.binary, obs.time, event.node);
    // Replicas are compared with the peers on their own image: a canary is not a deviant of the old one.
    const liveReplicas = state.window.livePods(obs.time, obs.imageDigest);
    const replicasRunningBinary = state.window.podsRunning(obs.binary, obs.imageDigest);

    const entry = tracked.entries.get(obs.binary);
    const policy = this.#policyFor(meta.annotations);
    // Only what the baseline does not contain is weighed for risk (rare, so the users' scan is cheap).
    const risk = contains(entry) ? undefined : assessRisk(event.process!, () => knownUsers(tracked));
    const ctx = { policy, liveReplicas, replicasRunningBinary, risky: risk?.suspectFile === true };
    const result = observe(tracked.baseline, entry, obs, ctx);
    this.stats.count("verdicts", result.verdict);
    this.#stage(writes, state, obs, tracked, entry, result);
    if (result.verdict === "single-replica") this.#reportSingleReplica(this.#singleReplicaFinding(event, obs, state, risk!), obs, state, findings);
    const build = FINDING_OF_VERDICT[result.verdict];
    if (build) {
      const input = { event, baseline: result.baseline, entry: result.entry ?? entry, liveReplicas, replicasRunningBinary, workloadMeta: meta, risk };
      const admitted = this.#admitAll([build(input)]);
      // Run by fewer than all live replicas: the window `outlier replicas` shows a person after this finding.
      if (admitted.length > 0 && replicasRunningBinary < liveReplicas) this.#keepWindow(state, obs.time);
      findings.push(...admitted);
    }
    findings.push(...this.#compareIfDue(state, tracked, obs.time));
  }

  /** The container's window as it is now, written with the batch (a snapshot with a deviation is kept apart for the CLI). */
  #keepWindow(state: ContainerState, time: string): void {
    const snapshots = this.#deps.replicaSnapshots;
    if (!snapshots) return;
    // At the exec's time (the batch's clock may be ahead), scored against what the baseline
    // accepts (learned, approved): the binary just reported stands out.
    const snapshot = this.#snapshotOf(state, (binary) => contains(state.tracked?.entries.get(binary)), time);
    this.#sideWrites.push(() => snapshots.put(state.id, snapshot));
  }

  /** High and critical at once; a low one (a review) once the hold shows no peer runs it too. */
  #reportSingleReplica(finding: Finding, obs: ProcessObservation, state: ContainerState, findings: Finding[]): void {
    if (finding.severity !== "low" || (state.held?.length ?? 0) >= MAX_HELD) {
      const admitted = this.#admitAll([finding]);
      if (admitted.length > 0) this.#keepWindow(state, obs.time);
      findings.push(...admitted);
    } else {
      (state.held ??= []).push({ finding, binary: obs.binary, dueMs: timeToMillis(obs.time) + this.#opts.reviewHoldMs });
      this.#holding.add(state);
    }
  }

  /** At the end of each batch (event time `nowMs`), also for containers that ran nothing since: a quiet one still gets its review. */
  #releaseAllHeld(nowMs: number): Finding[] {
    const released: Finding[] = [];
    for (const state of this.#holding) {
      // Held in event order: nothing is due before the first one is. A baseline a person just changed waits for its reload.
      if (!state.held || !state.tracked || state.held[0]!.dueMs > nowMs) continue;
      released.push(...this.#releaseHeld(state, state.tracked, nowMs));
      if (!state.held) this.#holding.delete(state);
    }
    return released;
  }

  /**
   * Held review findings that are due: sent when the binary is still pending or was learned
   * as a singleton task (a person should confirm that), dropped when a peer ran it too.
   */
  #releaseHeld(state: ContainerState, tracked: Tracked, nowMs: number): Finding[] {
    const due = state.held!.filter((h) => h.dueMs <= nowMs);
    state.held = state.held!.filter((h) => h.dueMs > nowMs);
    if (state.held.length === 0) delete state.held;
    const send: Finding[] = [];
    for (const { finding, binary } of due) {
      const entry = tracked.entries.get(binary);
      if (entry?.status === "pending") send.push(finding);
      else if (entry?.singleton) send.push(asSingleton(finding));
    }
    return this.#admitAll(send);
  }

  /**
   * A binary new to the baseline, run on one of ≥ 3 replicas while learning: reported
   * against its peers in the window, as severe as its risk features make it.
   */
  #singleReplicaFinding(event: RuntimeEvent, obs: ProcessObservation, state: ContainerState, risk: RiskAssessment): Finding {
    const snapshot = state.window.snapshot(obs.time);
    // The pod is missing only when the window dropped it (over its pod limit): then without scores.
    const scores = scoresOf(snapshot, obs.pod, this.#thresholds) ?? unscored(obs);
    const found = deviation(scores, snapshot.windowMs, ["unique-unknown-binary"], [obs.binary], [obs.binary], risk.severity);
    found.risk = risk.explained;
    const trigger = { process: event.process!, eventId: event.id };
    return replicaDeviationFinding({ target: state.id, deviation: found, time: obs.time, workloadMeta: state.meta, trigger });
  }

  /** Adds what judging changed to the batch's write; a known entry's counters only every entryFlushMs. */
  #stage(writes: Map<string, PendingWrite>, state: ContainerState, obs: ProcessObservation, tracked: Tracked, before: BaselineEntry | undefined, result: ObserveResult): void {
    let pending = writes.get(state.key);
    const ms = timeToMillis(obs.time);
    const flush = this.#opts.entryFlushMs;
    const writeBaseline =
      !tracked.baseline ||
      pending?.baseline !== undefined ||
      (result.baselineChanged && (ms - tracked.baselinePersistedAt >= flush || !sameBaselineButCounters(tracked.baseline, result.baseline)));
    if (writeBaseline) tracked.baselinePersistedAt = ms;
    tracked.baseline = result.baseline;
    const entry = result.entry;
    let writeEntry = false;
    if (entry) {
      tracked.entries.set(obs.binary, entry);
      const due = ms - (tracked.persistedAt.get(obs.binary) ?? -Infinity) >= flush;
      writeEntry = due || pending?.upsert.has(obs.binary) === true || !sameEntryButCounters(before, entry);
      if (writeEntry) tracked.persistedAt.set(obs.binary, ms);
    }
    if (!writeBaseline && !writeEntry) return;
    if (!pending) writes.set(state.key, (pending = { id: state.id, upsert: new Map() }));
    if (writeBaseline) pending.baseline = result.baseline;
    if (entry && writeEntry) pending.upsert.set(obs.binary, entry);
  }

  #compareIfDue(state: ContainerState, tracked: Tracked, time: string): Finding[] {
    const ms = timeToMillis(time);
    if (ms - state.lastCheckMs < this.#opts.replicaCheckEveryMs) return [];
    state.lastCheckMs = ms;
    return this.#compare(state, time, tracked);
  }

  #compare(state: ContainerState, time: string, tracked = state.tracked): Finding[] {
    if (!tracked) return [];
    // A binary with an entry was judged (and reported when it deserved it) at its exec; only
    // one the baseline could not store (full) is left for the window to report.
    const judged = (binary: string) => tracked.entries.has(binary);
    if (!state.window.mayDeviate(time, judged, this.#thresholds)) return [];
    const snapshot = state.window.snapshot(time);
    const deviations = compareReplicas(snapshot, judged, this.#thresholds, (pod, digest, binary) => state.window.peerRanRecently(pod, digest, binary));
    const admitted = this.#admitAll(deviations.map((deviation) => replicaDeviationFinding({ target: state.id, deviation, time, workloadMeta: state.meta })));
    // What the detector reports, the review CLI can show; a deviation the cooldown rolls up is nothing new.
    const snapshots = this.#deps.replicaSnapshots;
    if (snapshots && admitted.length > 0) this.#sideWrites.push(() => snapshots.put(state.id, { ...snapshot, deviations, time }));
    return admitted;
  }

  /**
   * The review CLI asks for a container's replica window (`ReplicaSnapshotStore.request`):
   * written now if this detector holds that container. False when it does not.
   */
  async writeReplicaSnapshot(baselineKey: string): Promise<boolean> {
    const state = this.#containers.get(baselineKey);
    const snapshots = this.#deps.replicaSnapshots;
    if (!state || !snapshots) return false;
    await snapshots.put(state.id, this.#snapshotOf(state));
    return true;
  }

  #snapshotOf(state: ContainerState, known = (binary: string) => state.tracked?.entries.has(binary) === true, time = timeFromMillis(this.#nowMs)): ReplicaSnapshot {
    const snapshot = state.window.snapshot(time);
    const history = (pod: string, digest: string | undefined, binary: string) => state.window.peerRanRecently(pod, digest, binary);
    return { ...snapshot, deviations: compareReplicas(snapshot, known, this.#thresholds, history), time };
  }

  #admitAll(findings: Finding[]): Finding[] {
    const admitted: Finding[] = [];
    for (const f of findings) {
      const passed = this.#cooldown.admit(this.#withKnownWorkload(f));
      if (passed) admitted.push(passed);
      else this.stats.count("repeats_rolled_up", f.type);
    }
    return admitted;
  }

  /**
   * Loads the batch's baselines that are not in memory all at once (one pipeline on
   * Redis), rather than one round trip each as the events reach them. A baseline a person
   * changes meanwhile is loaded again when its event comes.
   */
  async #loadUncached(byContainer: Map<string, Observed[]>): Promise<Loaded> {
    const ids = new Map<string, BaselineId>();
    for (const [key, group] of byContainer) if (!this.#containers.get(key)?.tracked) ids.set(key, group[0]!.obs.id);
    const loaded: Loaded = new Map();
    await Promise.all([...ids].map(async ([key, id]) => loaded.set(key, await this.#load(id))));
    return loaded;
  }

  async #load(id: BaselineId): Promise<StoredBaseline | undefined> {
    this.stats.count("store_loads");
    return this.#store.load(id);
  }

  /** The baseline as loaded for the batch (once: a person's change after that loads it again), else from the store now. */
  async #track(state: ContainerState, loaded: Loaded): Promise<Tracked> {
    const stored = loaded.has(state.key) ? loaded.get(state.key) : await this.#load(state.id);
    loaded.delete(state.key);
    // Counts are written every entryFlushMs, entries when they appear: the stored entries are the true count.
    const baseline = stored && { ...stored.baseline, entryCount: stored.entries.size };
    state.tracked = { baseline, entries: stored?.entries ?? new Map(), persistedAt: new Map(), baselinePersistedAt: -Infinity };
    const labels = this.#deps.labels;
    if (labels) this.#sideWrites.push(() => labels.setLabels(state.id, state.meta.labels));
    return state.tracked;
  }

  #containerState(key: string, id: BaselineId, event: RuntimeEvent): ContainerState {
    let state = this.#containers.get(key);
    if (!state) {
      state = { key, id, tracked: undefined, window: new ReplicaWindow({ windowMs: this.#opts.replicaWindowMs }), lastCheckMs: 0, meta: this.#metaOf(event) };
      this.#containers.set(key, state);
    }
    return state;
  }

  /** Workload labels and annotations from the Kubernetes API when known, else the pod's labels. */
  #metaOf(event: RuntimeEvent): WorkloadMeta {
    return this.#deps.workloadMeta?.(event) ?? { labels: event.pod?.labels ?? NO_LABELS, annotations: NO_LABELS };
  }

  /** The policy with a workload's annotations applied, worked out once per annotations object. */
  #policyFor(annotations: Record<string, string>): BaselinePolicy {
    let policy = this.#policies.get(annotations);
    if (!policy) this.#policies.set(annotations, (policy = policyFor(annotations, this.#policy)));
    return policy;
  }

  #rememberPod(event: RuntimeEvent): void {
    const { pod, workload } = event;
    if (!pod || !workload || workload.kind === "Host") return;
    const key = `${event.cluster}/${pod.namespace}/${pod.name}`;
    // Pods are long-lived and keep their workload: refresh only what is new (order = first seen).
    if (this.#pods.get(key)?.name === workload.name) return;
    this.#pods.set(key, { kind: workload.kind, name: workload.name, namespace: pod.namespace, labels: pod.labels, annotations: {} });
  }

  /**
   * Audit and exec-session findings name a pod but can only guess its workload from
   * the name; the runtime events of that pod say what it really is (and its labels,
   * which routing needs).
   */
  #withKnownWorkload(finding: Finding): Finding {
    const namespace = finding.namespace ?? finding.workload?.namespace;
    if (!finding.pod || !namespace) return finding;
    const known = this.#pods.get(`${finding.cluster}/${namespace}/${finding.pod}`);
    if (!known) return finding;
    const annotations = finding.workload?.annotations ?? {};
    return { ...finding, workload: { ...known, labels: { ...known.labels, ...finding.workload?.labels }, annotations } };
  }

  #advance(time: string): void {
    const ms = timeToMillis(time);
    if (ms > this.#nowMs) this.#nowMs = ms;
  }

  /** One store write for the batch; the side writes go alongside (one pipeline on Redis). */
  async #persist(writes: Map<string, PendingWrite>): Promise<void> {
    const batch: BaselineWrite[] = [];
    for (const w of writes.values()) {
      const write: BaselineWrite = { id: w.id, upsert: [...w.upsert.values()] };
      if (w.baseline) write.baseline = w.baseline;
      batch.push(write);
    }
    const side = this.#sideWrites.splice(0);
    await Promise.all([this.#store.write(batch), ...side.map((write) => write())]);
  }
}

function unscored(obs: ProcessObservation): ReplicaScores {
  const none = { value: 0, median: 0, mad: 0, z: 0 };
  const pod: PodExecs = { pod: obs.pod, execs: { [obs.binary]: 1 }, total: 1 };
  if (obs.imageDigest !== undefined) pod.imageDigest = obs.imageDigest;
  return { pod, peers: [], jaccard: none, execRate: none };
}

function asSingleton(finding: Finding): Finding {
  const note = "; it has since recurred on one replica at a time and was learned as a singleton task (a leader's or scheduler's job)";
  return { ...finding, summary: `${finding.summary}${note}`, evidence: { ...finding.evidence, singleton: true } };
}

/** Users the baseline's known processes run as: tells whether root is out of character for the workload. */
function knownUsers(tracked: Tracked): string[] {
  const users = new Set<string>();
  for (const entry of tracked.entries.values()) if (contains(entry)) for (const user of entry.users) users.add(user);
  return [...users];
}

function observedOf(event: RuntimeEvent): Observed | undefined {
  if (event.type !== "process_exec") return undefined;
  const obs = observationFromEvent(event);
  return obs && { event, obs, key: baselineKeyOf(obs.id) };
}

/** True when only the entry and overflow counts (and so the version) differ; lists are replaced, never changed in place. */
function sameBaselineButCounters(before: Baseline, after: Baseline): boolean {
  return (
    before.state === after.state &&
    before.learningStartedAt === after.learningStartedAt &&
    before.learningEndsAt === after.learningEndsAt &&
    before.lockedAt === after.lockedAt &&
    before.imageDigests === after.imageDigests &&
    before.relearn === after.relearn
  );
}

function byTime(a: Finding, b: Finding): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : 0;
}

/** The finding each verdict raises; the others raise none. */
const FINDING_OF_VERDICT: Partial<Record<Verdict, (input: Parameters<typeof unexpectedProcessFinding>[0]) => Finding>> = {
  unexpected: unexpectedProcessFinding,
  "denied-seen": unexpectedProcessFinding,
  drift: driftFinding,
  overflow: overflowFinding,
};

/** True when only count and lastSeen differ (the evidence lists only ever grow). */
function sameEntryButCounters(before: BaselineEntry | undefined, after: BaselineEntry): boolean {
  return (
    before !== undefined &&
    before.status === after.status &&
    before.pendingReason === after.pendingReason &&
    before.parents.length === after.parents.length &&
    before.sampleArgs.length === after.sampleArgs.length &&
    before.users.length === after.users.length &&
    before.replicas.length === after.replicas.length
  );
}
