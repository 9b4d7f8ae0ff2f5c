import { deadLetter, kafkaSource, parseFinding, type DeadLetter, type Finding } from "@outlier/contracts";
import type { InRecord } from "@outlier/bus";
import {
  destination,
  Grouper,
  routeFinding,
  summarizeGroup,
  tallyFindings,
  templateContext,
  type GroupNotification,
  type RouteMatch,
  type RoutingConfig,
  type SinkConfig,
} from "@outlier/routing";
import type { Sink } from "@outlier/sinks";
import type { DeliveredStore, DeliveryRef } from "@outlier/store";
import type { Logger } from "pino";
import type { AlerterMetrics } from "./metrics.ts";

/** One sink of a receiver, as built from the routing file. */
export interface ReceiverSink {
  /** Its position in the receiver's sink list; with the receiver, it names the sink in the DeliveredStore. */
  index: number;
  config: SinkConfig;
  /** Resilient: resolves once delivered or dead-lettered; throws only when dead-lettering failed. */
  sink: Sink;
}

export interface DispatcherOptions {
  routes: RoutingConfig;
  /** Receiver name → its sinks. */
  sinks: ReadonlyMap<string, readonly ReceiverSink[]>;
  delivered: DeliveredStore;
  /** Writes records for unreadable findings durably (outlier.deadletter.v1); rejects on failure. */
  deadLetter(records: DeadLetter[]): Promise<void>;
  metrics: AlerterMetrics;
  logger: Logger;
  /** Milliseconds now; group_wait and group_interval are measured on it. */
  clock?: () => number;
  maxGroups?: number;
}

/** A finding on its way to one receiver. */
interface Pending {
  finding: Finding;
  receiver: string;
  /** Indexes of the receiver's sinks it has not reached yet. */
  sinks: Set<number>;
  /** Settles once every one of those sinks delivered or dead-lettered it (and that is recorded). */
  done: PromiseWithResolvers<void>;
  /** Handed to the sinks: a redelivery waits for this attempt instead of adding it again. */
  sending: boolean;
}

/**
 * Consumed findings → routes → groups → sinks, with offsets committed only after delivery.
 *
 * `handle(batch)` resolves when every routed delivery of the batch's findings has been
 * delivered or dead-lettered and recorded in the DeliveredStore; only then does the
 * consumer commit the batch. A finding therefore waits in its group (group_wait, or
 * the rest of group_interval) while its offset stays uncommitted: if the process dies
 * meanwhile, Kafka redelivers it to the next member, and the DeliveredStore keeps the
 * sinks that already had it from getting it twice.
 */
export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #clock: () => number;
  readonly #grouper: Grouper;
  /** receiver + finding id → its pending delivery. */
  readonly #pending = new Map<string, Pending>();
  readonly #sending = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#clock = options.clock ?? Date.now;
    // Every finding of a group goes into its notification: the SIEMs need each one, and
    // Slack lists a few and counts the rest. Memory is bounded by the uncommitted batches.
    this.#grouper = new Grouper({ clock: this.#clock, maxGroups: options.maxGroups ?? 10_000, maxFindingsPerNotification: Infinity });
  }

  /** Findings waiting in a group or being delivered. */
  get pending(): number {
    return this.#pending.size;
  }

  async handle(batch: InRecord[]): Promise<void> {
    if (this.#stopped) throw new Error("dispatcher stopped");
    const findings = await this.#parse(batch);
    const waits: Promise<void>[] = [];
    const candidates: { key: string; finding: Finding; match: RouteMatch; sinks: readonly ReceiverSink[] }[] = [];
    const seen = new Set<string>();
    for (const finding of findings) {
      for (const match of routeFinding(this.#o.routes, finding)) {
        const sinks = this.#o.sinks.get(match.receiver) ?? [];
        const key = pendingKey(match.receiver, finding.id);
        const existing = this.#pending.get(key);
        if (existing) waits.push(existing.done.promise);
        else if (sinks.length > 0 && !seen.has(key)) candidates.push({ key, finding, match, sinks });
        seen.add(key);
      }
    }
    const refs = candidates.flatMap((c) => c.sinks.map((s) => ref(c.match.receiver, s, c.finding)));
    const marks = await this.#o.delivered.delivered(refs);
    let at = 0;
    for (const { key, finding, match, sinks } of candidates) {
      const due = sinks.filter(() => !marks[at++]);
      if (due.length === 0) {
        this.#o.metrics.duplicatesSkipped.inc({ receiver: match.receiver });
        continue;
      }
      // A redelivery may have raced us here while the store was asked.
      const existing = this.#pending.get(key);
      if (existing) {
        waits.push(existing.done.promise);
        continue;
      }
      const pending: Pending = { finding, receiver: match.receiver, sinks: new Set(due.map((s) => s.index)), done: doneSignal(), sending: false };
      this.#pending.set(key, pending);
      this.#grouper.add(finding, withBoundedHold(match));
      waits.push(pending.done.promise);
    }
    await Promise.all(waits);
  }

  /** Starts delivering the notifications due now; called on a timer. */
  flushDue(now: number = this.#clock()): void {
    if (this.#stopped) return;
    for (const notification of this.#grouper.due(now)) {
      this.#o.metrics.groupFlushes.inc({ receiver: notification.receiver });
      const sending = this.#deliver(notification);
      this.#sending.add(sending);
      void sending.finally(() => this.#sending.delete(sending));
    }
  }

  /**
   * Stops: findings still waiting in a group are released unsent (their batches fail,
   * so they are not committed and Kafka redelivers them); deliveries already under way
   * are awaited, so what they post is recorded and not posted again.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const stopping = new Error("alerter stopping; the finding will be redelivered");
    for (const [key, pending] of this.#pending) {
      if (pending.sending) continue;
      this.#pending.delete(key);
      pending.done.reject(stopping);
    }
    await Promise.allSettled([...this.#sending]);
  }

  async #parse(batch: InRecord[]): Promise<Finding[]> {
    const findings: Finding[] = [];
    const rejected: DeadLetter[] = [];
    for (const record of batch) {
      const parsed = parseFinding(record.value);
      if (parsed.ok) {
        findings.push(parsed.value);
        this.#o.metrics.findingsConsumed.inc({ result: "valid" });
        continue;
      }
      this.#o.metrics.findingsConsumed.inc({ result: "invalid" });
      this.#o.metrics.deadLetters.inc({ source: "consumer", code: parsed.code });
      this.#o.logger.warn({ topic: record.topic, partition: record.partition, offset: record.offset, code: parsed.code, detail: parsed.message }, "unreadable finding dead-lettered");
      rejected.push(deadLetter({ code: parsed.code, message: parsed.message, source: kafkaSource(record), payload: record.value }));
    }
    if (rejected.length > 0) await this.#o.deadLetter(rejected);
    return findings;
  }

  /** One notification to every sink of its receiver at once; a slow or failing sink holds up no other. */
  async #deliver(notification: GroupNotification): Promise<void> {
    const entries = notification.findings.flatMap((f) => this.#pending.get(pendingKey(notification.receiver, f.id)) ?? []);
    for (const entry of entries) entry.sending = true;
    const sinks = this.#o.sinks.get(notification.receiver) ?? [];
    const results = await Promise.allSettled(
      sinks.map((s) => this.#deliverTo(s, notification, entries.filter((e) => e.sinks.has(s.index)).map((e) => e.finding))),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) this.#o.logger.error({ err: failure.reason, receiver: notification.receiver, groupKey: notification.groupKey }, "delivery not recorded; the findings will be redelivered");
    for (const entry of entries) {
      this.#pending.delete(pendingKey(entry.receiver, entry.finding.id));
      if (failure) entry.done.reject(failure.reason);
      else entry.done.resolve();
    }
  }

  /** A sink gets the group's findings split by its target (a Slack channel from an annotation), one delivery each. */
  async #deliverTo(target: ReceiverSink, notification: GroupNotification, findings: Finding[]): Promise<void> {
    const byTarget = new Map<string, Finding[]>();
    for (const finding of findings) {
      const name = destination(target.config, { ...templateContext(finding), receiver: notification.receiver });
      byTarget.set(name, [...(byTarget.get(name) ?? []), finding]);
    }
    await Promise.all(
      [...byTarget.values()].map(async (part) => {
        await target.sink.deliver({
          findings: part,
          summary: summarizeGroup(tallyFindings(part)),
          groupKey: notification.groupKey,
          receiver: notification.receiver,
          total: part.length,
        });
        await this.#o.delivered.markDelivered(part.map((f) => ref(notification.receiver, target, f)));
      }),
    );
  }
}

/**
 * The Grouper holds a finding whose dedupKey was notified less than repeat_interval ago
 * until repeat_interval has passed. Here that would hold its Kafka offset (and every
 * later offset of its partition) for hours, so the hold is capped at group_interval:
 * a repeat goes out with its group's next notification.
 */
function withBoundedHold(match: RouteMatch): RouteMatch {
  const { groupIntervalMs, repeatIntervalMs } = match.timing;
  return { ...match, timing: { ...match.timing, repeatIntervalMs: Math.min(repeatIntervalMs, groupIntervalMs) } };
}

function pendingKey(receiver: string, findingId: string): string {
  return `${receiver}\u0000${findingId}`;
}

/** The DeliveredStore's name for a sink: "<receiver>/<index>". */
export function sinkDestination(receiver: string, sink: Pick<ReceiverSink, "index">): string {
  return `${receiver}/${sink.index}`;
}

function ref(receiver: string, sink: ReceiverSink, finding: Finding): DeliveryRef {
  return { destination: sinkDestination(receiver, sink), findingId: finding.id };
}

function doneSignal(): PromiseWithResolvers<void> {
  const d = Promise.withResolvers<void>();
  // Several batches may wait on one delivery, or none any more (a failed batch): never unhandled.
  d.promise.catch(() => undefined);
  return d;
}
