import { stableId, type AuditEvent, type Finding } from "@outlier/contracts";
import { objectLabels } from "./request-object.ts";
import { workloadFromPodName } from "./pod-workload.ts";
import { principalOf, type AuditObject, type AuditRule, type RuleContext, type RuleMatch } from "./rule.ts";

/**
 * Runs every rule on one audit event and builds a Finding v1 (`audit.<rule id>`) per
 * match. Deterministic: a redelivered event gives the same finding ids.
 */
export async function evaluateAudit(event: AuditEvent, rules: readonly AuditRule[], ctx: RuleContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const result = rule.match(event, ctx);
    const match = result instanceof Promise ? await result : result; // most rules answer at once: no microtask for them
    if (!match) continue;
    if (match.suppressed) {
      ctx.suppressed?.(rule.id, match.suppressed);
      continue;
    }
    findings.push(auditFinding(event, rule, match));
  }
  return findings;
}

function auditFinding(event: AuditEvent, rule: AuditRule, match: RuleMatch): Finding {
  const type = `audit.${rule.id}`;
  const principal = principalOf(event);
  const { object } = match;
  return {
    schema: "outlier.finding.v1",
    id: stableId(type, event.id),
    type,
    severity: match.severity ?? rule.severity,
    time: event.requestReceivedTimestamp,
    cluster: event.cluster,
    summary: `${principal}: ${match.summary}`,
    workload: podWorkload(object, event.requestObject),
    namespace: object.namespace,
    pod: object.resource === "pods" ? object.name : undefined,
    container: match.container,
    evidence: {
      rule: { id: rule.id, title: rule.title },
      user: event.user,
      impersonatedUser: event.impersonatedUser,
      sourceIPs: event.sourceIPs,
      userAgent: event.userAgent,
      object,
      verb: event.verb,
      code: event.responseStatus?.code,
      auditID: event.auditID,
      requestURI: event.requestURI,
      details: match.details,
    },
    dedupKey: `${type}|${principal}|${objectKey(object)}`,
  };
}

/** Inferred from the pod name only; a resolver that reads the pod may replace it with its real owner. */
function podWorkload(object: AuditObject, body: unknown): Finding["workload"] {
  const name = object.name ?? object.generateName;
  if (object.resource !== "pods" || !object.namespace || !name) return undefined;
  return workloadFromPodName(object.namespace, name, objectLabels(body));
}

function objectKey(object: AuditObject): string {
  const resource = object.subresource ? `${object.resource}/${object.subresource}` : (object.resource ?? "");
  return `${resource}:${object.namespace ?? ""}/${object.name ?? object.generateName ?? ""}`;
}
