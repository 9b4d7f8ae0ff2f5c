import {
  deadLetter,
  envelope,
  TOPICS,
  workloadKey,
  type AuditEvent,
  type DeadLetterInput,
  type Envelope,
  type RejectCode,
  type RuntimeEvent,
  type TopicNames,
} from "@outlier/contracts";

/**
 * Runtime events are keyed by workload, so every replica of a workload lands on one
 * partition. Host processes (no pod) are keyed per node.
 */
export function runtimeKey(event: RuntimeEvent): string {
  const { pod, workload } = event;
  if (!pod || !workload || workload.kind === "Host") return workloadKey(event.cluster, "_host", "Host", event.node ?? "_unknown");
  return workloadKey(event.cluster, pod.namespace, workload.kind, workload.name);
}

/**
 * Audit events are keyed by the namespace they touch ("_cluster" for cluster-scoped
 * and non-resource requests): the stages of one request, and the exec sessions of a
 * namespace, stay in order on one partition. The API server's own order across
 * namespaces is not meaningful, so nothing is lost by splitting there.
 */
export function auditKey(event: AuditEvent): string {
  return `${event.cluster}/${event.objectRef?.namespace || "_cluster"}/audit`;
}

/** The collector writes events and dead letters, never findings. */
export type CollectorTopics = Omit<TopicNames, "findings">;


export function eventRecord(event: RuntimeEvent | AuditEvent, topics: CollectorTopics = TOPICS): Envelope {
  return event.schema === "outlier.runtime.v1" ? envelope(topics.runtime, runtimeKey(event), event) : envelope(topics.audit, auditKey(event), event);
}

/** A rejected input of one cluster; its source is e.g. "/var/log/tetragon.log:120" or "http:falco". */
export interface CollectorDeadLetter extends DeadLetterInput {
  cluster: string;
  code: RejectCode;
}

/** Keyed by cluster and source location (without a line number), so one bad file's records stay together. */
export function deadLetterRecord(input: CollectorDeadLetter, topics: CollectorTopics = TOPICS): Envelope {
  return envelope(topics.deadletter, `${input.cluster}/${input.source.replace(/:\d+$/, "")}`, deadLetter(input));
}
