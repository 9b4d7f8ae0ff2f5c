import { setTimeout as sleep } from "node:timers/promises";
import type { BusLogger } from "./kafka.ts";
import { partitionForKey } from "./partition.ts";
import type { Consumer, ConsumerRunOptions, InRecord, OutRecord, Producer } from "./types.ts";

export interface MemoryBusOptions {
  /** Partitions of every topic, as num.partitions on the test broker. */
  partitions?: number;
  /** Records handed to one handle() call at most. */
  maxBatchSize?: number;
  /** Wait before redelivering a batch whose handler threw. */
  redeliveryBackoffMs?: number;
  /** Where handler errors are reported (KafkaJS logs them too); otherwise console.error. */
  logger?: Pick<BusLogger, "error">;
}

interface Member {
  id: number;
  topics: string[];
}

interface Assigned {
  topic: string;
  partition: number;
}

/**
 * The in-process bus for embedded mode and tests, with Kafka's contract: topics of N partitions
 * chosen by the same key hash, per-group committed offsets, each partition owned by one member,
 * a batch committed only after its handler resolves, and uncommitted batches redelivered.
 */
export class MemoryBus {
  readonly #partitions: number;
  readonly #maxBatchSize: number;
  readonly #redeliveryBackoffMs: number;
  readonly #logger: Pick<BusLogger, "error">;
  readonly #topics = new Map<string, InRecord[][]>();
  /** groupId → "topic/partition" → next offset to deliver. */
  readonly #committed = new Map<string, Map<string, number>>();
  readonly #members = new Map<string, Member[]>();
  /** Bumped when a group's membership changes (a rebalance). */
  readonly #generations = new Map<string, number>();
  #nextMemberId = 0;
  /** Bumped on every append and membership change; idle members sleep until it moves. */
  #version = 0;
  #sleepers: (() => void)[] = [];

  constructor(opts: MemoryBusOptions = {}) {
    this.#partitions = opts.partitions ?? 3;
    this.#maxBatchSize = opts.maxBatchSize ?? 500;
    this.#redeliveryBackoffMs = opts.redeliveryBackoffMs ?? 100;
    this.#logger = opts.logger ?? { error: (obj, msg) => console.error(msg, obj) };
  }

  producer(): Producer {
    let closed = false;
    return {
      send: async (records: OutRecord[]) => {
        if (closed) throw new Error("MemoryBus producer is closed");
        for (const record of records) this.#append(record);
        this.#changed();
      },
      close: async () => {
        closed = true;
      },
    };
  }

  consumer(): Consumer {
    let running = false;
    let loop: Promise<void> | undefined;
    return {
      run: async ({ topics, groupId, handle, fromBeginning = false, onAssigned }: ConsumerRunOptions) => {
        if (loop) throw new Error("MemoryBus consumer is already running");
        running = true;
        const memberId = this.#join(groupId, topics, fromBeginning);
        loop = this.#consume(groupId, memberId, handle, () => running, onAssigned).finally(() => this.#leave(groupId, memberId));
      },
      stop: async () => {
        running = false;
        this.#wakeAll();
        await loop;
        loop = undefined;
      },
    };
  }

  /** Every record of a topic, partition by partition (for tests and the demo's output). */
  records(topic: string): InRecord[] {
    return (this.#topics.get(topic) ?? []).flat();
  }

  /** One member's loop: its partitions' batches, one at a time, until stopped. */
  async #consume(
    groupId: string,
    memberId: number,
    handle: ConsumerRunOptions["handle"],
    running: () => boolean,
    onAssigned: ConsumerRunOptions["onAssigned"],
  ): Promise<void> {
    let assignedIn = -1;
    /** This member's fetch position per partition; from the committed offset after each assignment. */
    let positions = new Map<string, number>();
    while (running()) {
      const version = this.#version;
      const generation = this.#generations.get(groupId) ?? 0;
      if (generation !== assignedIn) {
        assignedIn = generation;
        positions = new Map();
        onAssigned?.();
      }
      let delivered = false;
      for (const { topic, partition } of this.#assignment(groupId, memberId)) {
        if (!running()) return;
        const at = `${topic}/${partition}`;
        const batch = this.#fetch(topic, partition, positions.get(at) ?? this.#group(groupId).get(at) ?? 0);
        if (batch.length === 0) continue;
        delivered = true;
        try {
          const result = await handle(batch);
          const next = Number(batch.at(-1)!.offset) + 1;
          positions.set(at, next);
          this.#commit(groupId, memberId, { topic, partition }, result?.commitOffset === undefined ? next : Number(result.commitOffset));
        } catch (error) {
          // Not committed: the same batch comes again after the backoff.
          this.#logger.error({ err: error, groupId, topic, partition, offset: batch[0]!.offset }, "batch handler failed");
          await sleep(this.#redeliveryBackoffMs);
        }
      }
      if (!delivered && this.#version === version) await new Promise<void>((wake) => this.#sleepers.push(wake));
    }
  }

  /** Round-robin of each topic's partitions over the members subscribed to it, like Kafka's assignors. */
  #assignment(groupId: string, memberId: number): Assigned[] {
    const members = this.#members.get(groupId) ?? [];
    const me = members.find((m) => m.id === memberId);
    if (!me) return [];
    const owned: Assigned[] = [];
    for (const topic of me.topics) {
      const subscribers = members.filter((m) => m.topics.includes(topic));
      const index = subscribers.indexOf(me);
      for (let partition = index; partition < this.#log(topic).length; partition += subscribers.length) {
        owned.push({ topic, partition });
      }
    }
    return owned;
  }

  #join(groupId: string, topics: string[], fromBeginning: boolean): number {
    const committed = this.#group(groupId);
    for (const topic of topics) {
      this.#log(topic).forEach((records, partition) => {
        // A group without an offset starts at the oldest record or at the end, as auto.offset.reset does.
        const key = `${topic}/${partition}`;
        if (!committed.has(key)) committed.set(key, fromBeginning ? 0 : records.length);
      });
    }
    const id = this.#nextMemberId++;
    this.#members.set(groupId, [...(this.#members.get(groupId) ?? []), { id, topics }]);
    this.#rebalanced(groupId);
    return id;
  }

  #leave(groupId: string, memberId: number): void {
    this.#members.set(groupId, (this.#members.get(groupId) ?? []).filter((m) => m.id !== memberId));
    this.#rebalanced(groupId);
  }

  #fetch(topic: string, partition: number, from: number): InRecord[] {
    return (this.#log(topic)[partition] ?? []).slice(from, from + this.#maxBatchSize);
  }

  /** Commits only while the member still owns the partition, as Kafka fences a stale generation. */
  #commit(groupId: string, memberId: number, at: Assigned, nextOffset: number): void {
    const owns = this.#assignment(groupId, memberId).some((a) => a.topic === at.topic && a.partition === at.partition);
    if (owns) this.#group(groupId).set(`${at.topic}/${at.partition}`, nextOffset);
  }

  /** A member joined or left: every member's assignment may have changed. */
  #rebalanced(groupId: string): void {
    this.#generations.set(groupId, (this.#generations.get(groupId) ?? 0) + 1);
    this.#changed();
  }

  #changed(): void {
    this.#version++;
    this.#wakeAll();
  }

  #wakeAll(): void {
    const sleepers = this.#sleepers;
    this.#sleepers = [];
    for (const wake of sleepers) wake();
  }

  #append(record: OutRecord): void {
    const log = this.#log(record.topic);
    const partition = partitionForKey(record.key, log.length);
    const records = log[partition]!;
    records.push({
      topic: record.topic,
      partition,
      offset: String(records.length),
      key: record.key,
      value: record.value,
      headers: { ...record.headers },
    });
  }

  #log(topic: string): InRecord[][] {
    let log = this.#topics.get(topic);
    if (!log) {
      log = Array.from({ length: this.#partitions }, () => []);
      this.#topics.set(topic, log);
    }
    return log;
  }

  #group(groupId: string): Map<string, number> {
    let committed = this.#committed.get(groupId);
    if (!committed) {
      committed = new Map();
      this.#committed.set(groupId, committed);
    }
    return committed;
  }
}
