import { ListWatch, type KubernetesListObject, type KubernetesObject, type Watch } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { Backoff, type BackoffOptions } from "./backoff.ts";

export interface RestartingInformerOptions<T extends KubernetesObject> {
  /** What is watched, for logs: "pods", "deployments". */
  resource: string;
  /** The collection's API path, e.g. `/apis/apps/v1/deployments`. */
  path: string;
  watch: Watch;
  /** Lists the whole collection; called on start, after each restart and after a 410. Reconcile deletions here. */
  list: () => Promise<KubernetesListObject<T>>;
  fieldSelector?: string;
  /** Added or modified. */
  upsert: (object: T) => void;
  remove: (object: T) => void;
  logger: Logger;
  /** No list, watch event or (re)connect for this long: the informer reports stale and restarts. */
  staleAfterMs: number;
  backoff: BackoffOptions;
}

export interface InformerHealth {
  /** A first full list has been applied. */
  synced: boolean;
  stale: boolean;
  /** Restarts after errors or staleness since start. */
  restarts: number;
  /** Full lists since start: the first, one per restart, one per 410 Gone (resource version too old). */
  lists: number;
  lastContactAt?: string;
}

/** An informer that ran this long before failing was healthy: its backoff starts over. */
const STABLE_RUN_MS = 60_000;

/**
 * A client-node `ListWatch` kept running. ListWatch stops on any error but 410 Gone
 * (which it handles by relisting); we then drop it and start a fresh one after an
 * exponential backoff. A fresh informer always relists, so objects deleted while we
 * were not watching are noticed by the `list` function's reconciliation. A watch that
 * brings nothing for `staleAfterMs` (a half-open connection) is restarted too.
 */
export class RestartingInformer<T extends KubernetesObject> {
  private readonly options: RestartingInformerOptions<T>;
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly sync = Promise.withResolvers<void>();
  private informer: ListWatch<T> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  private running = false;
  private synced = false;
  private restarts = 0;
  private lists = 0;
  private runStartedAt = 0;
  private lastContactAt = 0;

  constructor(options: RestartingInformerOptions<T>) {
    this.options = options;
    this.logger = options.logger;
    this.backoff = new Backoff(options.backoff);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.lastContactAt = Date.now();
    this.run();
    this.staleTimer = setInterval(() => this.checkStale(), this.options.staleAfterMs / 4).unref();
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

  /** Resolves once the first full list has been applied. */
  whenSynced(): Promise<void> {
    return this.sync.promise;
  }

  health(): InformerHealth {
    const health: InformerHealth = { synced: this.synced, stale: this.isStale(), restarts: this.restarts, lists: this.lists };
    if (this.lastContactAt > 0) health.lastContactAt = new Date(this.lastContactAt).toISOString();
    return health;
  }

  private run(): void {
    const { path, watch, fieldSelector } = this.options;
    const informer = new ListWatch<T>(path, watch, () => this.list(), false, undefined, fieldSelector);
    // A stopped informer may still report its aborted request: only the current one counts.
    const current = () => this.informer === informer;
    informer.on("add", (object) => current() && this.touched(this.options.upsert, object));
    informer.on("update", (object) => current() && this.touched(this.options.upsert, object));
    informer.on("delete", (object) => current() && this.touched(this.options.remove, object));
    informer.on("connect", () => current() && this.touch());
    informer.on("error", (error) => current() && this.restartLater(error));
    this.informer = informer;
    this.runStartedAt = Date.now();
    informer.start().catch((error: unknown) => current() && this.restartLater(error));
  }

  private async list(): Promise<KubernetesListObject<T>> {
    const list = await this.options.list();
    this.lists += 1;
    this.touch();
    if (!this.synced) {
      this.synced = true;
      this.logger.info({ resource: this.options.resource, objects: list.items.length }, `${this.options.resource} synced`);
      this.sync.resolve();
    }
    return list;
  }

  private touched(handle: (object: T) => void, object: T): void {
    this.touch();
    handle(object);
  }

  private touch(): void {
    this.lastContactAt = Date.now();
  }

  private isStale(): boolean {
    return this.running && Date.now() - this.lastContactAt > this.options.staleAfterMs;
  }

  private checkStale(): void {
    if (this.isStale()) this.restartLater(new Error(`no ${this.options.resource} list, watch event or connect for ${this.options.staleAfterMs} ms`));
  }

  private restartLater(error: unknown): void {
    if (!this.running || this.restartTimer) return;
    const informer = this.informer;
    this.informer = undefined;
    void informer?.stop();
    if (Date.now() - this.runStartedAt > STABLE_RUN_MS) this.backoff.reset();
    const delayMs = this.backoff.next();
    this.restarts += 1;
    this.logger.warn({ err: error, resource: this.options.resource, delayMs, restarts: this.restarts }, `${this.options.resource} watch stopped; restarting`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.running) this.run();
    }, delayMs).unref();
  }
}
