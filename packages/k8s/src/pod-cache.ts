import { CoreV1Api, type KubeConfig, type V1Pod, type V1PodList } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { BackoffOptions } from "./backoff.ts";
import { podFacts } from "./pod-facts.ts";
import { PodIndex, type PodIndexOptions, type PodLookup, type PodMatch, type PodQuery } from "./pod-index.ts";
import { RestartingInformer, type InformerHealth } from "./restarting-informer.ts";
import { TimedWatch } from "./timed-watch.ts";

export interface PodCacheOptions {
  kubeConfig: KubeConfig;
  /** Only this node's pods are listed and watched (`spec.nodeName=<node>`). */
  nodeName: string;
  logger: Logger;
  /** No list, watch event or (re)connect for this long: the cache reports stale and restarts. */
  staleAfterMs?: number;
  /** The server ends each watch after 1–2× this, so a quiet watch still reconnects regularly. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  deletedPods?: PodIndexOptions;
}

export interface PodCacheHealth extends InformerHealth {
  pods: number;
}

const PODS_PATH = "/api/v1/pods";

const DEFAULTS = {
  staleAfterMs: 15 * 60_000,
  watchTimeoutSeconds: 300,
  backoff: { initialMs: 500, maxMs: 30_000 },
  deletedPods: { deletedMax: 1024, deletedTtlMs: 5 * 60_000 },
};

/**
 * Node-local pod cache: a {@link RestartingInformer} on this node's pods feeding a
 * {@link PodIndex}. Each (re)list replaces the index's set of live pods, so pods
 * deleted while we were not watching are noticed.
 */
export class PodCache implements PodLookup {
  private readonly index: PodIndex;
  private readonly api: CoreV1Api;
  private readonly fieldSelector: string;
  private readonly informer: RestartingInformer<V1Pod>;

  constructor(options: PodCacheOptions) {
    this.index = new PodIndex(options.deletedPods ?? DEFAULTS.deletedPods);
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.fieldSelector = `spec.nodeName=${options.nodeName}`;
    this.informer = new RestartingInformer<V1Pod>({
      resource: "pods",
      path: PODS_PATH,
      watch: new TimedWatch(options.kubeConfig, options.watchTimeoutSeconds ?? DEFAULTS.watchTimeoutSeconds),
      list: () => this.listPods(),
      fieldSelector: this.fieldSelector,
      upsert: (pod) => this.upsert(pod),
      remove: (pod) => this.remove(pod),
      logger: options.logger.child({ component: "pod-cache", node: options.nodeName }),
      staleAfterMs: options.staleAfterMs ?? DEFAULTS.staleAfterMs,
      backoff: options.backoff ?? DEFAULTS.backoff,
    });
  }

  start(): void {
    this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Resolves once the first full list is in the index. */
  whenSynced(): Promise<void> {
    return this.informer.whenSynced();
  }

  find(query: PodQuery): PodMatch | undefined {
    return this.index.find(query);
  }

  health(): PodCacheHealth {
    return { ...this.informer.health(), pods: this.index.size };
  }

  /** The list function of the informer: also reconciles the index with the full list. */
  private async listPods(): Promise<V1PodList> {
    const list = await this.api.listPodForAllNamespaces({ fieldSelector: this.fieldSelector });
    const uids = new Set<string>();
    for (const pod of list.items) {
      const facts = podFacts(pod);
      if (!facts) continue;
      uids.add(facts.uid);
      this.index.upsert(facts);
    }
    this.index.retainOnly(uids);
    return list;
  }

  private upsert(pod: V1Pod): void {
    const facts = podFacts(pod);
    if (facts) this.index.upsert(facts);
  }

  private remove(pod: V1Pod): void {
    const uid = pod.metadata?.uid;
    if (uid) this.index.remove(uid);
  }
}
