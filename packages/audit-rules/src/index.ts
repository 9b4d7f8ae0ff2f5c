export type { AuditObject, AuditRule, RuleContext, RuleMatch } from "./rule.ts";
export { isDecisiveStage, wasAllowed, isAllowedFinal, principalOf } from "./rule.ts";
export { AUDIT_RULES } from "./rules/index.ts";
export { evaluateAudit } from "./evaluate.ts";
export { MemorySeenSet, DEFAULT_SEEN_MAX_KEYS, DEFAULT_LEARNING_MS, type MemorySeenSetOptions } from "./seen-set.ts";
export { ExecSessionCorrelator, type ExecObservation, type ExecSessionOptions } from "./exec-session.ts";
export { parsePodStreamRequest, type PodStreamRequest } from "./exec-request.ts";
export { workloadFromPodName } from "./pod-workload.ts";
