import type { PodRef, RuntimeEvent } from "@outlier/contracts";
import { normalizeContainerId } from "./container-id.ts";
import { EventCache, type CacheOutcome } from "./event-cache.ts";
import type { ContainerFacts } from "./pod-facts.ts";
import type { PodLookup, PodMatch } from "./pod-index.ts";

type ContainerRef = NonNullable<PodRef["container"]>;

/** Label values of `outlier_collector_enrich_total{result}`. */
export const ENRICH_RESULTS = ["hit", "late_hit", "miss", "overflow", "host"] as const;
export type EnrichResult = (typeof ENRICH_RESULTS)[number];

export interface PodEnricherOptions {
  pods: PodLookup;
  /** Ticks an event whose pod is unknown is retried before it goes on un-enriched. */
  retries?: number;
  tickMs?: number;
  /** Events held at most; when full, the oldest goes on un-enriched (result "overflow"). */
  maxPending?: number;
  /** Called once per event; the collector counts it in `outlier_collector_enrich_total`. */
  onResult?: (result: EnrichResult) => void;
  /** Runs on each enriched event with its pod: what else the pod tells (the collector marks pod-spec noise). */
  mark?: (event: RuntimeEvent, match: PodMatch) => RuntimeEvent;
}

const DEFAULTS = { retries: 5, tickMs: 1000, maxPending: 10_000 };

/**
 * Fills an event's pod uid, labels, container image/digest and owner workload from
 * the node-local pod cache. The source can see a process before the kubelet reports
 * its pod, so an event whose pod is not known yet is held in an {@link EventCache}
 * and retried; `enrich()` resolves when the event is released, enriched or not, and
 * never rejects. Host events (no pod) pass through at once.
 */
export class PodEnricher {
  private readonly pods: PodLookup;
  private readonly pending: EventCache<RuntimeEvent, PodMatch>;
  private readonly onResult: (result: EnrichResult) => void;
  private readonly mark: (event: RuntimeEvent, match: PodMatch) => RuntimeEvent;

  constructor(options: PodEnricherOptions) {
    this.pods = options.pods;
    this.onResult = options.onResult ?? (() => {});
    this.mark = options.mark ?? ((event) => event);
    this.pending = new EventCache({
      tryResolve: (event) => this.lookup(event),
      retries: options.retries ?? DEFAULTS.retries,
      tickMs: options.tickMs ?? DEFAULTS.tickMs,
      maxEntries: options.maxPending ?? DEFAULTS.maxPending,
    });
  }

  /** Events waiting for their pod (a gauge for the collector). */
  get pendingCount(): number {
    return this.pending.size;
  }

  async enrich(event: RuntimeEvent): Promise<RuntimeEvent> {
    if (!event.pod) return this.count("host", event);
    const match = this.lookup(event);
    if (match) return this.count("hit", this.withMatch(event, match));
    const outcome = await this.pending.hold(event);
    return this.released(event, outcome);
  }

  /** Releases every held event un-enriched (shutdown). */
  close(): void {
    this.pending.close();
  }

  private lookup(event: RuntimeEvent): PodMatch | undefined {
    const pod = event.pod;
    if (!pod) return undefined;
    return this.pods.find({
      containerId: pod.container?.id,
      namespace: pod.namespace,
      name: pod.name,
      containerName: pod.container?.name,
    });
  }

  private released(event: RuntimeEvent, outcome: CacheOutcome<PodMatch>): RuntimeEvent {
    if (outcome.resolved) return this.count("late_hit", this.withMatch(event, outcome.value));
    return this.count(outcome.reason === "overflow" ? "overflow" : "miss", event);
  }

  private withMatch(event: RuntimeEvent, match: PodMatch): RuntimeEvent {
    return this.mark(withPod(event, match), match);
  }

  private count(result: EnrichResult, event: RuntimeEvent): RuntimeEvent {
    this.onResult(result);
    return event;
  }
}

/** The event with what the cluster knows; the owner reference beats label inference. */
function withPod(event: RuntimeEvent, { pod, container }: PodMatch): RuntimeEvent {
  const podRef: PodRef = { namespace: pod.namespace, name: pod.name, uid: pod.uid, labels: pod.labels };
  const sourceContainer = event.pod?.container;
  const containerRef = { ...sourceContainer, ...containerFields(container, sourceContainer?.id) };
  if (Object.keys(containerRef).length > 0) podRef.container = containerRef;
  const enriched: RuntimeEvent = { ...event, pod: podRef };
  if (pod.workload) enriched.workload = pod.workload;
  return enriched;
}

/** Only what the cache knows, so a field the source wrote is never blanked. */
function containerFields(container: ContainerFacts | undefined, sourceId: string | undefined): ContainerRef {
  if (!container) return {};
  const ref: ContainerRef = { name: container.name };
  // The full id replaces the source's prefix; but a container matched by name may have
  // restarted since the kubelet's last report, and then the source's id is the right one.
  const cachedId = container.containerId;
  if (cachedId && (!sourceId || cachedId.startsWith(normalizeContainerId(sourceId)))) ref.id = cachedId;
  if (container.image) ref.image = container.image;
  if (container.imageDigest) ref.imageDigest = container.imageDigest;
  return ref;
}
