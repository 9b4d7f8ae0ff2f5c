import { AppsV1Api, BatchV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { BackoffOptions } from "./backoff.ts";
import { RestartingInformer, type InformerHealth } from "./restarting-informer.ts";
import { TimedWatch } from "./timed-watch.ts";

/**
 * The kinds a runtime event's workload can name and whose object carries the labels and
 * annotations people set. ReplicaSets are not watched: see docs/kubernetes.md.
 */
export const WORKLOAD_META_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] as const;
export type WorkloadMetaKind = (typeof WORKLOAD_META_KINDS)[number];

/** What is kept of a workload object: enough to route its findings and pick its baseline policy. */
export interface WorkloadMeta {
  kind: WorkloadMetaKind;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WorkloadMetaCacheOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** No list, watch event or (re)connect of one kind for this long: that kind reports stale and restarts. */
  staleAfterMs?: number;
  /** The server ends each watch after 1–2× this, so a quiet watch still reconnects regularly. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  /** Objects per list page; a large cluster's Jobs are then never one huge response. */
  pageSize?: number;
}

export interface WorkloadMetaCacheHealth {
  /** Every kind has been listed once. */
  synced: boolean;
  /** Some kind is stale. */
  stale: boolean;
  workloads: number;
  restarts: number;
  lists: number;
  kinds: Record<WorkloadMetaKind, InformerHealth & { objects: number }>;
}

interface Apis {
  apps: AppsV1Api;
  batch: BatchV1Api;
}

interface Page {
  limit: number;
  _continue?: string;
}

type ListPage = (apis: Apis, page: Page) => Promise<KubernetesListObject<KubernetesObject>>;

const COLLECTIONS: Record<WorkloadMetaKind, { resource: string; path: string; listPage: ListPage }> = {
  Deployment: { resource: "deployments", path: "/apis/apps/v1/deployments", listPage: ({ apps }, page) => apps.listDeploymentForAllNamespaces(page) },
  StatefulSet: { resource: "statefulsets", path: "/apis/apps/v1/statefulsets", listPage: ({ apps }, page) => apps.listStatefulSetForAllNamespaces(page) },
  DaemonSet: { resource: "daemonsets", path: "/apis/apps/v1/daemonsets", listPage: ({ apps }, page) => apps.listDaemonSetForAllNamespaces(page) },
  Job: { resource: "jobs", path: "/apis/batch/v1/jobs", listPage: ({ batch }, page) => batch.listJobForAllNamespaces(page) },
  CronJob: { resource: "cronjobs", path: "/apis/batch/v1/cronjobs", listPage: ({ batch }, page) => batch.listCronJobForAllNamespaces(page) },
};

/** `kubectl apply`'s copy of the whole object: often the largest part of it, and not metadata anyone routes on. */
const DROPPED_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

const DEFAULTS = {
  staleAfterMs: 15 * 60_000,
  watchTimeoutSeconds: 300,
  backoff: { initialMs: 500, maxMs: 30_000 },
  pageSize: 500,
};

/**
 * Cluster-wide labels and annotations of Deployments, StatefulSets, DaemonSets, Jobs and
 * CronJobs: one {@link RestartingInformer} per kind. Each object is cut down to its
 * name, labels and annotations as it arrives (in the list and in the watch), so neither
 * this cache nor ListWatch's own store holds specs, status or managedFields. A kind that
 * fails (no RBAC for it, say) keeps restarting with backoff; the others serve meanwhile.
 */
export class WorkloadMetaCache {
  private readonly byKind = new Map<WorkloadMetaKind, Map<string, WorkloadMeta>>();
  private readonly informers: Map<WorkloadMetaKind, RestartingInformer<KubernetesObject>>;
  private readonly apis: Apis;
  private readonly pageSize: number;

  constructor(options: WorkloadMetaCacheOptions) {
    this.apis = { apps: options.kubeConfig.makeApiClient(AppsV1Api), batch: options.kubeConfig.makeApiClient(BatchV1Api) };
    this.pageSize = options.pageSize ?? DEFAULTS.pageSize;
    const watch = new TimedWatch(options.kubeConfig, options.watchTimeoutSeconds ?? DEFAULTS.watchTimeoutSeconds, reduced);
    const logger = options.logger.child({ component: "workload-meta-cache" });
    this.informers = new Map(
      WORKLOAD_META_KINDS.map((kind) => {
        const { resource, path } = COLLECTIONS[kind];
        const informer = new RestartingInformer<KubernetesObject>({
          resource,
          path,
          watch,
          list: () => this.list(kind),
          upsert: (object) => this.upsert(kind, object),
          remove: (object) => this.remove(kind, object),
          logger,
          staleAfterMs: options.staleAfterMs ?? DEFAULTS.staleAfterMs,
          backoff: options.backoff ?? DEFAULTS.backoff,
        });
        return [kind, informer];
      }),
    );
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }

  /** Resolves once every kind has been listed. */
  async whenSynced(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.whenSynced()));
  }

  /** Undefined for a kind that is not watched (ReplicaSet, Pod, Host) or an object not (or no longer) there. */
  get(kind: string, namespace: string, name: string): WorkloadMeta | undefined {
    return this.byKind.get(kind as WorkloadMetaKind)?.get(keyOf(namespace, name));
  }

  health(): WorkloadMetaCacheHealth {
    const kinds = {} as WorkloadMetaCacheHealth["kinds"];
    for (const [kind, informer] of this.informers) kinds[kind] = { ...informer.health(), objects: this.objectsOf(kind).size };
    const all = Object.values(kinds);
    return {
      synced: all.every((k) => k.synced),
      stale: all.some((k) => k.stale),
      workloads: all.reduce((sum, k) => sum + k.objects, 0),
      restarts: all.reduce((sum, k) => sum + k.restarts, 0),
      lists: all.reduce((sum, k) => sum + k.lists, 0),
      kinds,
    };
  }

  /** Lists every page of one kind, reduced; the complete list then replaces what was known of that kind. */
  private async list(kind: WorkloadMetaKind): Promise<KubernetesListObject<KubernetesObject>> {
    const items: KubernetesObject[] = [];
    let page: KubernetesListObject<KubernetesObject>;
    let next: string | undefined;
    do {
      page = await COLLECTIONS[kind].listPage(this.apis, next ? { limit: this.pageSize, _continue: next } : { limit: this.pageSize });
      items.push(...page.items.map(reduced));
      next = page.metadata?._continue;
    } while (next);
    this.byKind.set(kind, new Map(items.map((object) => [keyOfObject(object), metaOf(kind, object)])));
    // Every page of one list is the same snapshot: its resource version is where the watch resumes.
    return { metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
  }

  private upsert(kind: WorkloadMetaKind, object: KubernetesObject): void {
    this.objectsOf(kind).set(keyOfObject(object), metaOf(kind, object));
  }

  private remove(kind: WorkloadMetaKind, object: KubernetesObject): void {
    this.objectsOf(kind).delete(keyOfObject(object));
  }

  private objectsOf(kind: WorkloadMetaKind): Map<string, WorkloadMeta> {
    let objects = this.byKind.get(kind);
    if (!objects) this.byKind.set(kind, (objects = new Map()));
    return objects;
  }
}

/** The object as ListWatch stores it: identity, resource version (for update detection), labels, annotations. */
function reduced(object: KubernetesObject): KubernetesObject {
  const { name, namespace, uid, resourceVersion, labels, annotations } = object.metadata ?? {};
  const kept = { ...annotations };
  for (const key of DROPPED_ANNOTATIONS) delete kept[key];
  return { metadata: { name, namespace, uid, resourceVersion, labels: { ...labels }, annotations: kept } };
}

function metaOf(kind: WorkloadMetaKind, object: KubernetesObject): WorkloadMeta {
  const metadata = object.metadata ?? {};
  return { kind, namespace: metadata.namespace ?? "", name: metadata.name ?? "", labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
}

function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function keyOfObject(object: KubernetesObject): string {
  return keyOf(object.metadata?.namespace ?? "", object.metadata?.name ?? "");
}
