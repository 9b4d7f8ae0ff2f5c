/** A record to produce. `key` picks the partition, so records of one key stay in order. */
export interface OutRecord {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface Producer {
  /** Resolves once every record is durable (acks=all on Kafka). Rejects on failure (caller retries/dead-letters). */
  send(records: OutRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A consumed record; `offset` is a decimal string, as Kafka offsets outgrow 2^53. */
export interface InRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface HandleResult {
  /**
   * Commit this offset of the batch's partition instead of the batch's end: the handler
   * still holds the record at this offset (and is done with the ones before it), so after
   * a restart the partition is read again from here. Fetching goes on past it.
   */
  commitOffset?: string;
}

export interface ConsumerRunOptions {
  topics: string[];
  groupId: string;
  /**
   * Records of one partition, in offset order. By default the whole batch is committed when
   * this resolves; a handler still holding some records back returns where to commit instead.
   */
  handle(batch: InRecord[]): Promise<void | HandleResult>;
  /** Where a group with no committed offset starts: the oldest record (true) or only new ones (false, default). */
  fromBeginning?: boolean;
  /**
   * Called between batches when this member's share of the partitions is (re)assigned:
   * once on joining, again after every rebalance. State cached for partitions the member
   * may have lost, and got back after another member changed them, is stale from here.
   */
  onAssigned?(): void;
}

export interface Consumer {
  /**
   * Joins the group and resolves once consuming has started; batches are handled in the background.
   * Calls handle with each batch (records of one partition, in order); commits the batch's offsets
   * only after handle resolves. A throw → no commit, the batch is redelivered (after backoff).
   */
  run(opts: ConsumerRunOptions): Promise<void>;
  /** Waits for the batch in hand, then leaves the group; uncommitted work goes to the next member. */
  stop(): Promise<void>;
}
