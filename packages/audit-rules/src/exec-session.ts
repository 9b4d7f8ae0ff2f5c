import { runsArgv, stableId, timeToMillis, type AuditEvent, type Finding, type RuntimeEvent } from "@outlier/contracts";
import { parsePodStreamRequest } from "./exec-request.ts";
import { workloadFromPodName } from "./pod-workload.ts";
import { isAllowedFinal, principalOf } from "./rule.ts";
import { sessionRisks } from "./session-risk.ts";

export interface ExecSessionOptions {
  /** A session closes when no process joined it for this long (event time). */
  idleGapMs?: number;
  /** A session closes this long after it started, however busy. */
  maxDurationMs?: number;
  /**
   * How long an out-of-init-tree process with no open session is held, waiting for a
   * late audit event to open its session (the API server batches audit webhooks for up
   * to 30 s by default; a tailed log adds its own lag). Also how long after the request
   * the session's first process (its root) may start.
   */
  graceMs?: number;
  /** Tolerated clock skew: a process may start this long before its audit request was received. */
  skewMs?: number;
  maxOpenSessions?: number;
  /** Distinct processes (binary + args) listed per session; further ones are only counted. */
  maxProcessesPerSession?: number;
  /** Processes held per pod while waiting for a session; the oldest goes first. */
  maxHeldPerPod?: number;
  maxHeldPods?: number;
}

const DEFAULTS: Required<ExecSessionOptions> = {
  idleGapMs: 2 * 60_000,
  maxDurationMs: 60 * 60_000,
  graceMs: 60_000,
  skewMs: 2_000,
  maxOpenSessions: 1_000,
  maxProcessesPerSession: 100,
  maxHeldPerPod: 50,
  maxHeldPods: 1_000,
};

/** Processes remembered per session (exec ids, or pids for Falco) to follow its descendants. */
const MAX_MEMBERS_PER_SESSION = 1_024;
/** Dangerous processes listed per session (what made it high). */
const MAX_RISKY_PER_SESSION = 20;
/** Process keys of closed sessions remembered, so that a shell idle past the gap still owns what it runs next. */
const MAX_ENDED_KEYS = 50_000;

/** Container runtimes that parent a process entering a container from outside (Falco's proc.pname). */
const CONTAINER_ENTRY_PARENT = /^(runc|crun|conmon|containerd-shim)/;

type CloseReason = "idle" | "max-duration" | "capacity";

interface RolledUpProcess {
  binary: string;
  args?: string;
  count: number;
  firstTime: string;
}

/** A process of the session that read credentials or moved data out, and why. */
interface RiskyProcess {
  binary: string;
  args?: string;
  time: string;
  reasons: string[];
}

interface Session {
  auditID: string;
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  node?: string;
  event: AuditEvent;
  /** 1; 2 and on for what the session's process tree ran after an idle gap closed the part before. */
  part: number;
  /** The request's time for part 1, else the first process's. */
  startTime: string;
  /** Event time (ms) it was closed at. */
  closedMs?: number;
  /** The command of the exec request: its root process runs it. Empty for attach (no process of its own). */
  command: string[];
  /** True once the root process joined: later processes join only as its descendants. */
  rooted: boolean;
  startMs: number;
  lastMs: number;
  endTime: string;
  processes: Map<string, RolledUpProcess>;
  /** The session's processes, by `processKeys`: a process whose parent is one of them is its descendant. */
  members: Set<string>;
  risky: RiskyProcess[];
  execCount: number;
  droppedProcesses: number;
  closedBy?: CloseReason;
}

/**
 * What `observe` made of a process: part of an open session; held, because it entered
 * the container from outside while no session was open there (its audit event may still
 * come); or neither.
 */
export type ExecObservation = "in-session" | "held" | "none";

interface HeldProcess {
  runtime: RuntimeEvent;
  ms: number;
}

/**
 * Joins `kubectl exec`/`attach` sessions from the audit log with the processes they
 * start, and rolls each session up into one `exec.session` finding. Pure and bounded;
 * all times are event times, so a replay gives the same findings.
 */
export class ExecSessionCorrelator {
  readonly #options: Required<ExecSessionOptions>;
  readonly #open = new Map<string, Session>(); // by auditID, in opening order
  readonly #openByPod = new Map<string, Session[]>(); // the same sessions, by podKey: observe is per process
  readonly #closed: Session[] = [];
  /** The processes of closed sessions, by `processKeys`, in closing order: their later children continue the session. */
  readonly #ended = new Map<string, Session>();
  readonly #held = new Map<string, HeldProcess[]>(); // by podKey, in arrival order
  /** Ids of held runtime events a session took, until asked about with `claimed`. */
  readonly #claimed = new Set<string>();
  #latestMs = 0;

  constructor(options: ExecSessionOptions = {}) {
    this.#options = { ...DEFAULTS, ...options };
  }

  get openSessions(): number {
    return this.#open.size;
  }

  /** How long (event time) a held process waits for its session to open. */
  get graceMs(): number {
    return this.#options.graceMs;
  }

  /** True once: when the held runtime event with this id has joined a session that opened after it. */
  claimed(eventId: string): boolean {
    return this.#claimed.delete(eventId);
  }

  /** Opens a session for an allowed pods/exec or pods/attach; false for anything else or a redelivery. */
  openFromAudit(event: AuditEvent): boolean {
    const ref = event.objectRef;
    if (ref?.resource !== "pods" || !["exec", "attach"].includes(ref.subresource ?? "")) return false;
    if (!ref.namespace || !ref.name || !isAllowedFinal(event) || this.#open.has(event.auditID)) return false; // part 1's key
    if (this.#open.size >= this.#options.maxOpenSessions) this.#evictLeastActive();
    const startMs = timeToMillis(event.requestReceivedTimestamp);
    const request = parsePodStreamRequest(event.requestURI);
    const session: Session = {
      auditID: event.auditID,
      cluster: event.cluster,
      namespace: ref.namespace,
      pod: ref.name,
      container: request.container,
      event,
      part: 1,
      startTime: event.requestReceivedTimestamp,
      command: ref.subresource === "exec" ? request.command : [],
      rooted: false,
      startMs,
      lastMs: startMs,
      endTime: event.requestReceivedTimestamp,
      processes: new Map(),
      members: new Set(),
      risky: [],
      execCount: 0,
      droppedProcesses: 0,
    };
    this.#opened(session);
    this.#adoptHeld(session);
    return true;
  }

  #opened(session: Session): void {
    this.#open.set(sessionKey(session), session);
    const key = sessionPodKey(session);
    this.#openByPod.set(key, [...(this.#openByPod.get(key) ?? []), session]);
  }

  /**
   * "in-session" when the process belongs to an open session: it is the session's root
   * (it entered the session's container from outside the init tree, within the grace
   * window of the request, running the requested command) or a descendant of the root.
   * The caller keeps it out of the workload's baseline. A process that enters the
   * container from outside and no open session owns (and its children) is "held" for
   * `graceMs`: it joins a session that opens later (see `claimed`). Anything else, such
   * as a process of the init tree, is "none": judged like any other process. Exec
   * probes must be screened out before (`classifyNoise`): they never join.
   */
  observe(runtime: RuntimeEvent): ExecObservation {
    if (runtime.type !== "process_exec" || !runtime.pod || !runtime.process) return "none";
    if (runtime.process.inInitTree === true) return "none"; // the common case, on every exec: never a session's
    const ms = timeToMillis(runtime.time);
    this.#latestMs = Math.max(this.#latestMs, ms);
    const session = this.#sessionFor(runtime, ms);
    if (session) {
      this.#join(session, runtime, ms);
      return "in-session";
    }
    if (!entersFromOutside(runtime) && !this.#isHeldChild(runtime)) return "none";
    this.#hold(runtime, ms);
    return "held";
  }

  /** Closes the sessions idle or too long at `now` (event time) and returns their findings. */
  flush(now: string): Finding[] {
    const nowMs = timeToMillis(now);
    for (const session of this.#open.values()) {
      const reason = this.#closeReason(session, nowMs);
      if (reason) this.#close(session, reason);
    }
    this.#dropExpiredHeld(Math.max(nowMs, this.#latestMs));
    this.#dropExpiredEnded(nowMs);
    return this.#closed.splice(0).map(sessionFinding);
  }

  #sessionFor(runtime: RuntimeEvent, ms: number): Session | undefined {
    if (this.#open.size === 0) return this.#continued(runtime, ms);
    const sessions = (this.#openByPod.get(podKey(runtime)) ?? []).filter((session) => this.#inSession(session, runtime, ms));
    const parents = sessions.find((session) => isChild(session, runtime) || isMember(session, runtime));
    if (parents) return parents;
    const continued = this.#continued(runtime, ms);
    if (continued) return continued;
    const roots = sessions.filter((session) => this.#isRoot(session, runtime, ms));
    // Two sessions running one command in one container: the latest one started before the process is the likeliest.
    const started = roots.filter((session) => session.startMs <= ms);
    return started.reduce<Session | undefined>((a, b) => (a && a.startMs > b.startMs ? a : b), undefined) ?? roots[0];
  }

  /**
   * A child of a closed session's process (a person idle past the gap, then typing again):
   * the next part of that session, open from now.
   */
  #continued(runtime: RuntimeEvent, ms: number): Session | undefined {
    const parent = this.#ended.size === 0 ? undefined : parentKey(runtime);
    const ended = parent === undefined ? undefined : this.#ended.get(parent);
    if (!ended || sessionPodKey(ended) !== podKey(runtime)) return undefined;
    const session: Session = {
      ...ended,
      part: ended.part + 1,
      startTime: runtime.time,
      closedMs: undefined,
      closedBy: undefined,
      startMs: ms,
      lastMs: ms,
      endTime: runtime.time,
      processes: new Map(),
      members: new Set(ended.members), // the old shell's other children join this part too
      risky: [],
      execCount: 0,
      droppedProcesses: 0,
    };
    for (const key of ended.members) this.#ended.delete(key);
    this.#opened(session);
    return session;
  }

  /** How a held process is claimed by a session that opened after it: as its root, or a descendant of the root. */
  #owns(session: Session, runtime: RuntimeEvent, ms: number): boolean {
    if (runtime.process?.inInitTree === true || !this.#inSession(session, runtime, ms)) return false;
    return isChild(session, runtime) || isMember(session, runtime) || this.#isRoot(session, runtime, ms);
  }

  /** The process the exec request started: the first one from outside the init tree, soon after the request, running its command. */
  #isRoot(session: Session, runtime: RuntimeEvent, ms: number): boolean {
    const process = runtime.process;
    if (session.rooted || !process || !entersFromOutside(runtime)) return false;
    return ms <= session.startMs + this.#options.graceMs && runsArgv(process, session.command);
  }

  /** In the session's pod and container, from just before its request to its idle gap after the last process. */
  #inSession(session: Session, runtime: RuntimeEvent, ms: number): boolean {
    const pod = runtime.pod;
    if (!pod || pod.namespace !== session.namespace || pod.name !== session.pod) return false;
    if (runtime.cluster !== session.cluster) return false;
    const container = pod.container?.name;
    if (session.container && container && container !== session.container) return false;
    return (
      ms >= session.startMs - this.#options.skewMs &&
      ms <= session.lastMs + this.#options.idleGapMs &&
      ms <= session.startMs + this.#options.maxDurationMs
    );
  }

  #join(session: Session, runtime: RuntimeEvent, ms: number): void {
    const process = runtime.process;
    if (!process) return;
    session.execCount += 1;
    session.lastMs = Math.max(session.lastMs, ms);
    if (runtime.time > session.endTime) session.endTime = runtime.time; // fixed-width times: string order is time order
    session.node ??= runtime.node;
    session.rooted = true; // the first process to join is the root: the others join as its descendants
    // An exec enters one container: when the URI did not name it, the first process does.
    session.container ??= runtime.pod?.container?.name;
    for (const key of processKeys(runtime)) if (session.members.size < MAX_MEMBERS_PER_SESSION) session.members.add(key);
    const reasons = sessionRisks(process.binary, process.args);
    if (reasons.length > 0 && session.risky.length < MAX_RISKY_PER_SESSION) {
      session.risky.push({ binary: process.binary, args: process.args, time: runtime.time, reasons });
    }
    const key = `${process.binary}\u0000${process.args ?? ""}`;
    const known = session.processes.get(key);
    if (known) {
      known.count += 1;
      if (runtime.time < known.firstTime) known.firstTime = runtime.time;
    } else if (session.processes.size < this.#options.maxProcessesPerSession) {
      session.processes.set(key, { binary: process.binary, args: process.args, count: 1, firstTime: runtime.time });
    } else {
      session.droppedProcesses += 1;
    }
  }

  #hold(runtime: RuntimeEvent, ms: number): void {
    const key = podKey(runtime);
    const held = this.#held.get(key) ?? [];
    this.#held.delete(key); // re-inserted below: Map order is recency order
    held.push({ runtime, ms });
    if (held.length > this.#options.maxHeldPerPod) held.shift();
    this.#held.set(key, held);
    if (this.#held.size > this.#options.maxHeldPods) {
      const oldest = this.#held.keys().next().value;
      if (oldest !== undefined) this.#held.delete(oldest);
    }
  }

  /** A child of a held process (the shell's children, seen before the shell's session opened), or the held process again. */
  #isHeldChild(runtime: RuntimeEvent): boolean {
    if (this.#held.size === 0) return false;
    const keys = [parentKey(runtime), ...processKeys(runtime)].filter((key) => key !== undefined);
    return (this.#held.get(podKey(runtime)) ?? []).some((entry) => processKeys(entry.runtime).some((key) => keys.includes(key)));
  }

  /** Held processes join in time order, so parents are known before their children. */
  #adoptHeld(session: Session): void {
    const key = sessionPodKey(session);
    const held = this.#held.get(key);
    if (!held) return;
    const remaining: HeldProcess[] = [];
    for (const entry of [...held].sort((a, b) => a.ms - b.ms)) {
      if (this.#owns(session, entry.runtime, entry.ms)) {
        this.#join(session, entry.runtime, entry.ms);
        this.#claim(entry.runtime.id);
      } else remaining.push(entry);
    }
    if (remaining.length > 0) this.#held.set(key, remaining);
    else this.#held.delete(key);
  }

  #claim(eventId: string): void {
    this.#claimed.add(eventId);
    // Bounded like the held processes; the detector asks about each within its grace window.
    if (this.#claimed.size > this.#options.maxHeldPods * this.#options.maxHeldPerPod) {
      const oldest = this.#claimed.values().next().value;
      if (oldest !== undefined) this.#claimed.delete(oldest);
    }
  }

  #dropExpiredHeld(nowMs: number): void {
    for (const [key, held] of this.#held) {
      const kept = held.filter((entry) => nowMs - entry.ms <= this.#options.graceMs);
      if (kept.length > 0) this.#held.set(key, kept);
      else this.#held.delete(key);
    }
  }

  /** A closed session's tree is followed as long as a session may last: `maxDurationMs` after its last process. */
  #dropExpiredEnded(nowMs: number): void {
    for (const [key, session] of this.#ended) {
      if (nowMs - (session.closedMs ?? 0) <= this.#options.maxDurationMs) break; // closing order: the rest are newer
      this.#ended.delete(key);
    }
  }

  #closeReason(session: Session, nowMs: number): CloseReason | undefined {
    if (nowMs - session.startMs > this.#options.maxDurationMs) return "max-duration";
    if (nowMs - session.lastMs > this.#options.idleGapMs) return "idle";
    return undefined;
  }

  #evictLeastActive(): void {
    let least: Session | undefined;
    for (const session of this.#open.values()) if (!least || session.lastMs < least.lastMs) least = session;
    if (least) this.#close(least, "capacity");
  }

  #close(session: Session, reason: CloseReason): void {
    session.closedBy = reason;
    session.closedMs = session.lastMs;
    this.#open.delete(sessionKey(session));
    for (const key of session.members) this.#ended.set(key, session);
    while (this.#ended.size > MAX_ENDED_KEYS) this.#ended.delete(this.#ended.keys().next().value!);
    const key = sessionPodKey(session);
    const others = (this.#openByPod.get(key) ?? []).filter((s) => s !== session);
    if (others.length > 0) this.#openByPod.set(key, others);
    else this.#openByPod.delete(key);
    this.#closed.push(session);
  }
}

/**
 * A process that entered the container from outside its init process tree: what
 * `kubectl exec` starts. Tetragon says so directly (`in_init_tree: false`; its exec
 * probes are excluded); for Falco, the parent is the container runtime or unknown.
 */
function entersFromOutside(runtime: RuntimeEvent): boolean {
  const process = runtime.process;
  if (!process || process.maybeExecProbe) return false;
  if (process.inInitTree !== undefined) return !process.inInitTree;
  const parent = process.parent?.binary;
  return parent === undefined || CONTAINER_ENTRY_PARENT.test(parent.split("/").pop() ?? "");
}

/** A child of one of the session's processes. */
function isChild(session: Session, runtime: RuntimeEvent): boolean {
  const parent = parentKey(runtime);
  return parent !== undefined && session.members.has(parent);
}

/**
 * The session's own process seen again: Falco sends one alert per rule an exec matches
 * ("Process spawned in container" and "Terminal shell in container" for the same shell),
 * and a process that execs another program keeps its pid.
 */
function isMember(session: Session, runtime: RuntimeEvent): boolean {
  return processKeys(runtime).some((key) => session.members.has(key));
}

/**
 * How a process is known to its children: its Tetragon exec id (unique in the cluster),
 * and its pid on its node (Falco has no exec id; a pid is unique on one node at a time).
 */
function processKeys(runtime: RuntimeEvent): string[] {
  const process = runtime.process;
  const keys: string[] = [];
  if (process?.execId !== undefined) keys.push(`exec:${process.execId}`);
  if (process?.pid !== undefined) keys.push(`pid:${runtime.node ?? ""}:${process.pid}`);
  return keys;
}

/** The parent's key: its exec id when the source gives one, else its pid on the same node. */
function parentKey(runtime: RuntimeEvent): string | undefined {
  const parent = runtime.process?.parent;
  if (parent?.execId !== undefined) return `exec:${parent.execId}`;
  return parent?.pid !== undefined ? `pid:${runtime.node ?? ""}:${parent.pid}` : undefined;
}

function podKey(runtime: RuntimeEvent): string {
  return `${runtime.cluster}/${runtime.pod?.namespace}/${runtime.pod?.name}`;
}

/** Part 1 by its auditID (a redelivered audit event finds it), later parts by auditID and part. */
function sessionKey(session: Session): string {
  return session.part === 1 ? session.auditID : `${session.auditID}#${session.part}`;
}

function sessionPodKey(session: Session): string {
  return `${session.cluster}/${session.namespace}/${session.pod}`;
}

function sessionFinding(session: Session): Finding {
  const { event } = session;
  const user = principalOf(event);
  const request = parsePodStreamRequest(event.requestURI);
  const subresource = event.objectRef?.subresource ?? "exec";
  const processes = [...session.processes.values()].sort(
    (a, b) => a.firstTime.localeCompare(b.firstTime) || a.binary.localeCompare(b.binary),
  );
  const where = `${session.namespace}/${session.pod}${session.container ? ` (${session.container})` : ""}`;
  const command = request.command.length > 0 ? `: ${request.command.join(" ")}` : "";
  const reasons = [...new Set(session.risky.flatMap((p) => p.reasons))];
  const risky = reasons.length > 0;
  const container = `${session.namespace}/${session.pod}/${session.container ?? ""}`;
  return {
    schema: "outlier.finding.v1",
    id: session.part === 1 ? stableId("exec.session", session.cluster, session.auditID) : stableId("exec.session", session.cluster, session.auditID, String(session.part)),
    type: "exec.session",
    severity: risky ? "high" : "medium",
    time: session.startTime,
    cluster: session.cluster,
    summary:
      `${user} ${subresource} into ${where}${command}; ${session.execCount} process(es) run${session.part > 1 ? ` after an idle gap (part ${session.part})` : ""}` +
      `${risky ? `; ${reasons.join(", ")}` : ""}`,
    workload: workloadFromPodName(session.namespace, session.pod),
    namespace: session.namespace,
    pod: session.pod,
    container: session.container,
    node: session.node,
    evidence: {
      user: event.user,
      impersonatedUser: event.impersonatedUser,
      sourceIPs: event.sourceIPs,
      userAgent: event.userAgent,
      auditID: session.auditID,
      subresource,
      command: request.command,
      tty: request.tty,
      stdin: request.stdin,
      start: event.requestReceivedTimestamp,
      part: session.part,
      partStart: session.startTime,
      end: session.endTime,
      closedBy: session.closedBy,
      execCount: session.execCount,
      processes,
      droppedProcesses: session.droppedProcesses,
      riskyProcesses: session.risky,
      advice: risky ? HIGH_ADVICE : ADVICE,
    },
    // A dangerous session is not rolled up into an ordinary one of the same person just before.
    dedupKey: `exec.session|${user}|${container}${risky ? "|high" : ""}`,
  };
}

const ADVICE = "Confirm with the user or the owning team that this was planned work.";
const HIGH_ADVICE = "Ask the user why, now. If not planned: rotate the credentials read, revoke their exec rights, trace the data sent.";
