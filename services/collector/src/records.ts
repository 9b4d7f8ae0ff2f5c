import type { OutRecord } from "@outlier/bus";
import {
  deadLetter,
  type DeadLetterInput,
  SCHEMA_HEADER,
  TOPICS,
  workloadKey,
  type AuditEvent,
  type RejectCode,
  type RuntimeEvent,
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

/** Where each kind of record goes; the contract's names unless configured otherwise. */
export interface TopicNames {
  runtime: string;
  audit: string;
  deadletter: string;
}

export const DEFAULT_TOPICS: TopicNames = { runtime: TOPICS.runtime, audit: TOPICS.audit, deadletter: TOPICS.deadletter };

export function eventRecord(event: RuntimeEvent | AuditEvent, topics: TopicNames = DEFAULT_TOPICS): OutRecord {
  const runtime = event.schema === "outlier.runtime.v1";
  return {
    topic: runtime ? topics.runtime : topics.audit,
    key: runtime ? runtimeKey(event) : auditKey(event),
    value: JSON.stringify(event),
    headers: { [SCHEMA_HEADER]: event.schema },
  };
}

/** A rejected input of one cluster; its source is e.g. "/var/log/tetragon.log:120" or "http:falco". */
export interface CollectorDeadLetter extends DeadLetterInput {
  cluster: string;
  code: RejectCode;
}

/** Keyed by cluster and source location (without a line number), so one bad file's records stay together. */
export function deadLetterRecord(input: CollectorDeadLetter, topics: TopicNames = DEFAULT_TOPICS): OutRecord {
  const letter = deadLetter(input);
  return {
    topic: topics.deadletter,
    key: `${input.cluster}/${input.source.replace(/:\d+$/, "")}`,
    value: JSON.stringify(letter),
    headers: { [SCHEMA_HEADER]: letter.schema },
  };
}
