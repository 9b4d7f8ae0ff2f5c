import { CoreV1Api, ListWatch, Watch, type KubeConfig, type V1Pod, type V1PodList } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import { podFacts } from "./pod-facts.ts";
import { PodIndex, type PodIndexOptions, type PodLookup, type PodMatch, type PodQuery } from "./pod-index.ts";

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

export interface PodCacheHealth {
  /** A first full list has been applied. */
  synced: boolean;
  stale: boolean;
  pods: number;
  /** Informer restarts after errors or staleness since start. */
  restarts: number;
  lastContactAt?: string;
}

const PODS_PATH = "/api/v1/pods";
/** An informer that ran this long before failing was healthy: its backoff starts over. */
const STABLE_RUN_MS = 60_000;

const DEFAULTS = {
  staleAfterMs: 15 * 60_000,
  watchTimeoutSeconds: 300,
  backoff: { initialMs: 500, maxMs: 30_000 },
  deletedPods: { deletedMax: 1024, deletedTtlMs: 5 * 60_000 },
};

/**
 * Node-local pod cache: a ListWatch on this node's pods feeding a {@link PodIndex}.
 * ListWatch stops on any error but 410 Gone (which it handles by relisting); we then
 * drop it and start a fresh one after an exponential backoff. A fresh informer always
 * relists, and the list replaces the index's set of live pods, so pods deleted while
 * we were not watching are noticed.
 */
export class PodCache implements PodLookup {
  private readonly index: PodIndex;
  private readonly api: CoreV1Api;
  private readonly watch: Watch;
  private readonly fieldSelector: string;
  private readonly logger: Logger;
  private readonly staleAfterMs: number;
  private readonly backoff: Backoff;
  private readonly sync = Promise.withResolvers<void>();
  private informer: ListWatch<V1Pod> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  private running = false;
  private synced = false;
  private restarts = 0;
  private runStartedAt = 0;
  private lastContactAt = 0;

  constructor(options: PodCacheOptions) {
    this.index = new PodIndex(options.deletedPods ?? DEFAULTS.deletedPods);
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.watch = new TimedWatch(options.kubeConfig, options.watchTimeoutSeconds ?? DEFAULTS.watchTimeoutSeconds);
    this.fieldSelector = `spec.nodeName=${options.nodeName}`;
    this.logger = options.logger.child({ component: "pod-cache", node: options.nodeName });
    this.staleAfterMs = options.staleAfterMs ?? DEFAULTS.staleAfterMs;
    this.backoff = new Backoff(options.backoff ?? DEFAULTS.backoff);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastContactAt = Date.now();
    this.run();
    this.staleTimer = setInterval(() => this.checkStale(), this.staleAfterMs / 4).unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.staleTimer);
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const informer = this.informer;
    this.informer = undefined;
    await informer?.stop();
  }

  /** Resolves once the first full list is in the index. */
  whenSynced(): Promise<void> {
    return this.sync.promise;
  }

  find(query: PodQuery): PodMatch | undefined {
    return this.index.find(query);
  }

  health(): PodCacheHealth {
    const health: PodCacheHealth = {
      synced: this.synced,
      stale: this.isStale(),
      pods: this.index.size,
      restarts: this.restarts,
    };
    if (this.lastContactAt > 0) health.lastContactAt = new Date(this.lastContactAt).toISOString();
    return health;
  }

  private run(): void {
    const informer = new ListWatch<V1Pod>(PODS_PATH, this.watch, () => this.listPods(), false, undefined, this.fieldSelector);
    // A stopped informer may still report its aborted request: only the current one counts.
    const current = () => this.informer === informer;
    informer.on("add", (pod) => current() && this.upsert(pod));
    informer.on("update", (pod) => current() && this.upsert(pod));
    informer.on("delete", (pod) => current() && this.remove(pod));
    informer.on("connect", () => current() && this.touch());
    informer.on("error", (error) => current() && this.restartLater(error));
    this.informer = informer;
    this.runStartedAt = Date.now();
    informer.start().catch((error: unknown) => current() && this.restartLater(error));
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
    this.touch();
    if (!this.synced) {
      this.synced = true;
      this.logger.info({ pods: uids.size }, "pod cache synced");
      this.sync.resolve();
    }
    return list;
  }

  private upsert(pod: V1Pod): void {
    this.touch();
    const facts = podFacts(pod);
    if (facts) this.index.upsert(facts);
  }

  private remove(pod: V1Pod): void {
    this.touch();
    const uid = pod.metadata?.uid;
    if (uid) this.index.remove(uid);
  }

  private touch(): void {
    this.lastContactAt = Date.now();
  }

  private isStale(): boolean {
    return this.running && Date.now() - this.lastContactAt > this.staleAfterMs;
  }

  private checkStale(): void {
    if (this.isStale()) this.restartLater(new Error(`no pod list, watch event or connect for ${this.staleAfterMs} ms`));
  }

  private restartLater(error: unknown): void {
    if (!this.running || this.restartTimer) return;
    const informer = this.informer;
    this.informer = undefined;
    void informer?.stop();
    if (Date.now() - this.runStartedAt > STABLE_RUN_MS) this.backoff.reset();
    const delayMs = this.backoff.next();
    this.restarts += 1;
    this.logger.warn({ err: error, delayMs, restarts: this.restarts }, "pod watch stopped; restarting");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running) this.run();
    }, delayMs).unref();
  }
}

/**
 * Asks the server to end each watch after a random 1–2× timeout, as client-go's
 * reflector does: a quiet watch still reconnects regularly, which is what proves a
 * long-lived connection alive. Bookmarks keep the resource version fresh between.
 */
class TimedWatch extends Watch {
  private readonly timeoutSeconds: number;

  constructor(kubeConfig: KubeConfig, timeoutSeconds: number) {
    super(kubeConfig);
    this.timeoutSeconds = timeoutSeconds;
  }

  override watch(...[path, params, callback, done]: Parameters<Watch["watch"]>): Promise<AbortController> {
    const timeoutSeconds = Math.round(this.timeoutSeconds * (1 + Math.random()));
    return super.watch(path, { ...params, timeoutSeconds, allowWatchBookmarks: true }, callback, done);
  }
}
