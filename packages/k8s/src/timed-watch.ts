import { Watch, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";

/** Keeps of a watched object only what the cache needs; ListWatch then holds the reduced object. */
export type ReduceObject = (object: KubernetesObject) => KubernetesObject;

const OBJECT_EVENTS = new Set(["ADDED", "MODIFIED", "DELETED"]);

/**
 * Asks the server to end each watch after a random 1–2× timeout, as client-go's
 * reflector does: a quiet watch still reconnects regularly, which is what proves a
 * long-lived connection alive. Bookmarks keep the resource version fresh between.
 * With `reduce`, each watched object is cut down before ListWatch stores it.
 */
export class TimedWatch extends Watch {
  private readonly timeoutSeconds: number;
  private readonly reduce: ReduceObject | undefined;

  constructor(kubeConfig: KubeConfig, timeoutSeconds: number, reduce?: ReduceObject) {
    super(kubeConfig);
    this.timeoutSeconds = timeoutSeconds;
    this.reduce = reduce;
  }

  override watch(...[path, params, callback, done]: Parameters<Watch["watch"]>): Promise<AbortController> {
    const timeoutSeconds = Math.round(this.timeoutSeconds * (1 + Math.random()));
    const reduce = this.reduce;
    // ERROR (a Status) and BOOKMARK objects pass untouched: ListWatch reads their code and resource version.
    const reducing: typeof callback = reduce
      ? (phase, object, event) => callback(phase, OBJECT_EVENTS.has(phase) ? reduce(object as KubernetesObject) : object, event)
      : callback;
    return super.watch(path, { ...params, timeoutSeconds, allowWatchBookmarks: true }, reducing, done);
  }
}
