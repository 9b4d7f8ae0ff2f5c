export { ReplicaWindow, type PodExecs, type ReplicaWindowOptions, type WindowOverflow, type WindowSnapshot } from "./window.ts";
export {
  DEFAULT_THRESHOLDS,
  compareReplicas,
  deviation,
  jaccardDistance,
  scoreReplicas,
  scoresOf,
  type CompareThresholds,
  type DeviationReason,
  type PeerHistory,
  type ReplicaScores,
  type ReplicaDeviation,
  type RobustScore,
} from "./compare.ts";
export { replicaDeviationFinding, type ComparedContainer, type ReplicaFindingInput } from "./findings.ts";
