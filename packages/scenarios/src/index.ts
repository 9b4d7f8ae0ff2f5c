/**
 * @outlier/scenarios — labelled scenarios for measuring detection quality (issue 9).
 *
 * Pure and deterministic:
 *
 *   generateScenario({ seed, feed })            → { files: {name, lines}[], incidents, learningWindowMs, … }
 *   scoreFindings(findings, incidents)          → per-finding verdicts and per-incident results
 *   summarize(score, feed) / mergeRows / overall → the rows `pnpm bench:quality` prints
 *
 * `feed` is "tetragon" (one Tetragon JSON export per node + the audit log) or "falco"
 * (Falco's JSON alerts, the exec feed rule and the detections, + the audit log).
 * Replaying a scenario through `outlier replay`'s code is `@outlier/scenarios/replay`
 * (`replayScenario`). README.md describes the classes and the matching.
 */
export { generateScenario, SCENARIO_CLASSES, type Scenario, type ScenarioOptions } from "./generate.ts";
export { FEEDS, type Feed, type Incident, type IncidentKind, type TypeRule } from "./incidents.ts";
export { FALCO_EXEC_RULE, falcoLabels, type ScenarioFile } from "./render.ts";
export {
  findingBinaries,
  inScopeOf,
  mergeRows,
  overall,
  scoreFindings,
  summarize,
  typeMatches,
  type ClassRow,
  type FindingVerdict,
  type IncidentScore,
  type Score,
  type ScoreOptions,
  type Verdict,
} from "./score.ts";
export { Random } from "./random.ts";
