export { ReplicaWindow, type PodExecs, type ReplicaWindowOptions, type WindowOverflow, type WindowSnapshot } from "./window.ts";
export {
  DEFAULT_THRESHOLDS,
  compareReplicas,
  jaccardDistance,
  type CompareThresholds,
  type DeviationReason,
  type ReplicaDeviation,
  type RobustScore,
} from "./compare.ts";
export { replicaDeviationFinding, type ComparedContainer, type ReplicaFindingInput } from "./findings.ts";
