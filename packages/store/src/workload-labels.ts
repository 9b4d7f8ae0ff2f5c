import type { Cluster, Redis } from "ioredis";
import { workloadKey } from "@outlier/contracts";
import { redisKeys, type RedisKeys, type WorkloadId } from "./redis-keys.ts";

/**
 * Workload labels, written by the detector from the Kubernetes API, so that the CLI
 * can select baselines with `-l app=web` (baselines themselves store only ids).
 */
export interface LabelIndex {
  setLabels(id: WorkloadId, labels: Record<string, string>): Promise<void>;
  /** Undefined when the workload's labels were never written. */
  getLabels(id: WorkloadId): Promise<Record<string, string> | undefined>;
}

export class MemoryLabelIndex implements LabelIndex {
  readonly #labels = new Map<string, Record<string, string>>();

  async setLabels(id: WorkloadId, labels: Record<string, string>): Promise<void> {
    this.#labels.set(keyOf(id), { ...labels });
  }

  async getLabels(id: WorkloadId): Promise<Record<string, string> | undefined> {
    const labels = this.#labels.get(keyOf(id));
    return labels && { ...labels };
  }
}

/** Labels in the workload's hash-tagged key space (see redis-keys.ts). */
export class RedisLabelIndex implements LabelIndex {
  readonly #client: Redis | Cluster;
  readonly #keys: RedisKeys;

  constructor(client: Redis | Cluster, opts: { prefix?: string } = {}) {
    this.#client = client;
    this.#keys = redisKeys(opts.prefix);
  }

  async setLabels(id: WorkloadId, labels: Record<string, string>): Promise<void> {
    await this.#client.set(this.#keys.labels(id), JSON.stringify(labels));
  }

  async getLabels(id: WorkloadId): Promise<Record<string, string> | undefined> {
    const json = await this.#client.get(this.#keys.labels(id));
    return json === null ? undefined : (JSON.parse(json) as Record<string, string>);
  }
}

function keyOf(id: WorkloadId): string {
  return workloadKey(id.cluster, id.namespace, id.kind, id.name);
}
