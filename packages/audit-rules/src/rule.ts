import type { AuditEvent, Severity } from "@outlier/contracts";

/** What a request acted on: the audit objectRef, with a created object's generated name filled in. */
export interface AuditObject {
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Only on a create whose name the server picks (pods of a ReplicaSet): the name prefix. */
  generateName?: string;
  apiGroup?: string;
}

export interface RuleMatch {
  object: AuditObject;
  /** One line saying what happened, without the user (the evaluator adds it). */
  summary: string;
  /** Rule-specific facts for the finding's evidence (which host namespaces, which subjects…). */
  details: Record<string, unknown>;
  /** The container a pod subresource request named, when it named one. */
  container?: string;
  /** When this match is more (or less) severe than the rule's usual severity. */
  severity?: Severity;
  /** Set when the rule matched but must not raise a finding yet; the evaluator counts it. */
  suppressed?: "learning";
}

export interface RuleContext {
  /**
   * Test-and-set on a bounded learned set: records `key` under `kind` and tells whether
   * it was already there. Atomic, and asynchronous, so that Redis (SET NX) can back it
   * and what was learned survives a restart (`RedisSeenSet` in @outlier/store).
   */
  seen(kind: string, key: string): Promise<boolean>;
  /** True while `kind` is in its first learning period at event time `time`. */
  learning(kind: string, time: string): Promise<boolean>;
  /** Called for every suppressed match, so suppression is counted, never silent. */
  suppressed?(ruleId: string, reason: "learning"): void;
}

export interface AuditRule {
  /** Stable id; the finding type is `audit.<id>`. Never reuse a retired id. */
  id: string;
  title: string;
  severity: Severity;
  description: string;
  /** Asynchronous only for rules that consult the learned set (`ctx.seen`, `ctx.learning`). */
  match(event: AuditEvent, ctx: RuleContext): RuleMatch | undefined | Promise<RuleMatch | undefined>;
}

/** Subresources that stream: the API server logs them at ResponseStarted (code 101). */
const STREAMING_SUBRESOURCES = new Set(["exec", "attach", "portforward"]);

/**
 * The one stage at which a request is judged, so that a request logged at several
 * stages raises one finding: ResponseStarted for streaming subresources (their
 * ResponseComplete only comes when the session ends), ResponseComplete otherwise.
 */
export function isDecisiveStage(event: AuditEvent): boolean {
  const streaming = STREAMING_SUBRESOURCES.has(event.objectRef?.subresource ?? "");
  return event.stage === (streaming ? "ResponseStarted" : "ResponseComplete");
}

/** The API server let the request through. A missing code is not taken as success. */
export function wasAllowed(event: AuditEvent): boolean {
  const code = event.responseStatus?.code;
  return code !== undefined && code < 400;
}

/** A request judged at its decisive stage and allowed: what most rules look at. */
export function isAllowedFinal(event: AuditEvent): boolean {
  return isDecisiveStage(event) && wasAllowed(event);
}

/** Who the request acted as: the impersonated user when there is one. */
export function principalOf(event: AuditEvent): string {
  return event.impersonatedUser?.username ?? event.user.username;
}

/**
 * A person, not a controller: the authenticated caller (a person acting while impersonating
 * is still a person) is not a Kubernetes component or workload identity. Those all have
 * `system:` names (`system:serviceaccount:*`, `system:node:*`, `system:kube-controller-manager`,
 * `system:kube-scheduler`, `system:apiserver`, `system:anonymous`) or belong to the
 * `system:serviceaccounts` or `system:nodes` group.
 */
export function isPerson(event: AuditEvent): boolean {
  const { username, groups } = event.user;
  return !username.startsWith("system:") && !groups.includes("system:serviceaccounts") && !groups.includes("system:nodes");
}

export function objectOf(event: AuditEvent): AuditObject {
  const { resource, subresource, namespace, name, apiGroup } = event.objectRef ?? {};
  return { resource, subresource, namespace, name, apiGroup };
}

export function describeObject(object: AuditObject): string {
  const kind = object.subresource ? `${object.resource}/${object.subresource}` : (object.resource ?? "");
  const name = object.name ?? (object.generateName ? `${object.generateName}*` : "");
  const where = object.namespace ? `${object.namespace}/${name}` : name;
  return `${kind} ${where}`.trim();
}
