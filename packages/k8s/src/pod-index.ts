import { LRUCache } from "lru-cache";
import { MIN_CONTAINER_ID_PREFIX, normalizeContainerId } from "./container-id.ts";
import { containerIdsOf, type ContainerFacts, type PodFacts } from "./pod-facts.ts";

/** What an event tells about its pod; any part may be missing. */
export interface PodQuery {
  containerId?: string;
  namespace?: string;
  name?: string;
  /** Used to pick the container when the pod is found by name, not by container id. */
  containerName?: string;
}

export interface PodMatch {
  pod: PodFacts;
  container?: ContainerFacts;
}

/** Read side of the pod cache; the enricher depends on this alone. */
export interface PodLookup {
  find(query: PodQuery): PodMatch | undefined;
}

export interface PodIndexOptions {
  /** How many deleted pods stay resolvable, and for how long (late events). */
  deletedMax: number;
  deletedTtlMs: number;
}

/**
 * Pods by uid, namespace/name and container id (exact, or a prefix of at least 12
 * chars as Tetragon's `docker` field and Falco's `container.id` give). Writes are
 * idempotent upserts by uid. Deleted pods move to a bounded TTL LRU and stay in the
 * indexes until they fall out of it, so events that arrive after the pod is gone
 * still resolve.
 */
export class PodIndex implements PodLookup {
  private readonly live = new Map<string, PodFacts>();
  private readonly deleted: LRUCache<string, PodFacts>;
  private readonly uidByName = new Map<string, string>();
  private readonly uidByContainerId = new Map<string, string>();
  /** First 12 chars → full ids, for prefix lookups without scanning. */
  private readonly idsByShortId = new Map<string, Set<string>>();

  constructor(options: PodIndexOptions) {
    this.deleted = new LRUCache<string, PodFacts>({
      max: options.deletedMax,
      ttl: options.deletedTtlMs,
      dispose: (facts, uid) => {
        if (!this.live.has(uid)) this.unindex(facts);
      },
    });
  }

  get size(): number {
    return this.live.size;
  }

  upsert(facts: PodFacts): void {
    const sameNameUid = this.uidByName.get(nameKey(facts.namespace, facts.name));
    // The pod was re-created under the same name (StatefulSet) before we saw the old one go.
    if (sameNameUid !== undefined && sameNameUid !== facts.uid) this.remove(sameNameUid);
    this.deleted.delete(facts.uid);
    const previous = this.live.get(facts.uid);
    if (previous) this.unindex(previous);
    this.live.set(facts.uid, facts);
    this.index(facts);
  }

  remove(uid: string): void {
    const facts = this.live.get(uid);
    if (!facts) return;
    this.live.delete(uid);
    this.deleted.set(uid, facts);
  }

  /** After a full list: every live pod not in it was deleted while we were not watching. */
  retainOnly(uids: ReadonlySet<string>): void {
    for (const uid of [...this.live.keys()]) {
      if (!uids.has(uid)) this.remove(uid);
    }
  }

  find(query: PodQuery): PodMatch | undefined {
    if (query.containerId) {
      const match = this.findByContainerId(normalizeContainerId(query.containerId));
      if (match) return match;
    }
    if (query.namespace && query.name) {
      const pod = this.podByUid(this.uidByName.get(nameKey(query.namespace, query.name)));
      if (pod) return withContainer(pod, pod.containers.find((c) => c.name === query.containerName));
    }
    return undefined;
  }

  private findByContainerId(id: string): PodMatch | undefined {
    const fullId = this.uidByContainerId.has(id) ? id : this.uniqueFullId(id);
    if (fullId === undefined) return undefined;
    const pod = this.podByUid(this.uidByContainerId.get(fullId));
    if (!pod) return undefined;
    return withContainer(
      pod,
      pod.containers.find((c) => c.containerId === fullId || c.previousContainerId === fullId),
    );
  }

  /** The one full id that starts with a prefix; an ambiguous prefix resolves nothing. */
  private uniqueFullId(prefix: string): string | undefined {
    if (prefix.length < MIN_CONTAINER_ID_PREFIX) return undefined;
    const candidates = [...(this.idsByShortId.get(prefix.slice(0, MIN_CONTAINER_ID_PREFIX)) ?? [])];
    const matches = candidates.filter((id) => id.startsWith(prefix));
    return matches.length === 1 ? matches[0] : undefined;
  }

  private podByUid(uid: string | undefined): PodFacts | undefined {
    if (uid === undefined) return undefined;
    return this.live.get(uid) ?? this.deleted.get(uid);
  }

  private index(facts: PodFacts): void {
    this.uidByName.set(nameKey(facts.namespace, facts.name), facts.uid);
    for (const id of containerIdsOf(facts)) {
      this.uidByContainerId.set(id, facts.uid);
      const short = id.slice(0, MIN_CONTAINER_ID_PREFIX);
      const ids = this.idsByShortId.get(short) ?? new Set<string>();
      ids.add(id);
      this.idsByShortId.set(short, ids);
    }
  }

  /** Drops the index entries that still point at this pod (a newer pod may own the name). */
  private unindex(facts: PodFacts): void {
    const key = nameKey(facts.namespace, facts.name);
    if (this.uidByName.get(key) === facts.uid) this.uidByName.delete(key);
    for (const id of containerIdsOf(facts)) {
      if (this.uidByContainerId.get(id) !== facts.uid) continue;
      this.uidByContainerId.delete(id);
      const short = id.slice(0, MIN_CONTAINER_ID_PREFIX);
      const ids = this.idsByShortId.get(short);
      ids?.delete(id);
      if (ids?.size === 0) this.idsByShortId.delete(short);
    }
  }
}

function nameKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function withContainer(pod: PodFacts, container: ContainerFacts | undefined): PodMatch {
  return container ? { pod, container } : { pod };
}
