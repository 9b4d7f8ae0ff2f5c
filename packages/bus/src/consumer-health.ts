/** What a consumer can do now, for /readyz: the reason is ours, never Kafka's error text. */
export interface ConsumerReadiness {
  ready: boolean;
  reason?: string;
}

type State = "joining" | "joined" | "crashed" | "stopped";

/**
 * A group member's health from KafkaJS's instrumentation events: ready only while it is in
 * its group and the broker has answered (a fetch, a heartbeat, a commit) within `staleMs`.
 * A broker that went away shows here as silence, before KafkaJS gives up and crashes the consumer.
 */
export class ConsumerHealth {
  readonly #staleMs: number;
  readonly #now: () => number;
  #state: State = "joining";
  #lastContact = 0;

  /** `staleMs` must exceed the longest quiet time of a healthy member: its fetch wait and heartbeat interval. */
  constructor(staleMs: number, now: () => number = Date.now) {
    this.#staleMs = staleMs;
    this.#now = now;
  }

  joined(): void {
    this.#state = "joined";
    this.contact();
  }

  /** The broker answered this member. */
  contact(): void {
    this.#lastContact = this.#now();
  }

  /** KafkaJS crashed the consumer; with a restart it joins again (joined()). */
  crashed(): void {
    this.#state = "crashed";
  }

  stopped(): void {
    this.#state = "stopped";
  }

  check(): ConsumerReadiness {
    if (this.#state === "joining") return { ready: false, reason: "kafka: not in the consumer group yet" };
    if (this.#state === "crashed") return { ready: false, reason: "kafka: consumer crashed, rejoining" };
    if (this.#state === "stopped") return { ready: false, reason: "kafka: consumer stopped" };
    const silentMs = this.#now() - this.#lastContact;
    if (silentMs > this.#staleMs) return { ready: false, reason: `kafka: no answer from the broker for ${Math.round(silentMs / 1000)} s` };
    return { ready: true };
  }
}
