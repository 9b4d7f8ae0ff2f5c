export {
  ANNOTATIONS,
  DEFAULT_POLICY,
  EVIDENCE_LIMITS,
  MAX_IMAGE_DIFF,
  MAX_IMAGE_DIGESTS,
  baselineKeyOf,
  contains,
  policyFor,
  type Baseline,
  type BaselineEntry,
  type BaselineId,
  type BaselinePolicy,
  type BaselineState,
  type EntryStatus,
  type PendingReason,
  type RelearnWindow,
} from "./model.ts";
export {
  advanceTo,
  newBaseline,
  observationFromEvent,
  observe,
  type ObserveContext,
  type ObserveResult,
  type ProcessObservation,
  type Verdict,
} from "./observe.ts";
export { applyDecision, lock, reset, unlock, type Decision, type DecisionResult } from "./decisions.ts";
export { classifyNoise, type ContainerSpecCommands, type NoiseKind } from "./noise.ts";
export { driftFinding, overflowFinding, unexpectedProcessFinding, type BaselineFindingInput, type WorkloadMeta } from "./findings.ts";
export { Cooldown, rollupText, type CooldownOptions, type Rollup } from "./cooldown.ts";
export { assessRisk, type RiskAssessment, type RiskFeature } from "./risk.ts";
