import { stableId, type Finding, type RuntimeEvent, type Severity } from "@outlier/contracts";
import { baselineKeyOf, type Baseline, type BaselineEntry } from "./model.ts";
import type { RiskAssessment } from "./risk.ts";

/** Workload labels and annotations from the pod cache; the pod's labels stand in without it. */
export interface WorkloadMeta {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface BaselineFindingInput {
  /** The exec event that produced the verdict. */
  event: RuntimeEvent;
  /** The baseline and entry as returned by `observe`. */
  baseline: Baseline;
  entry?: BaselineEntry;
  liveReplicas: number;
  replicasRunningBinary: number;
  workloadMeta?: WorkloadMeta;
  /** The process's risk features (`assessRisk`), when weighed. */
  risk?: RiskAssessment;
}

/**
 * For the verdicts `unexpected` and `denied-seen`. High; critical when the entry is
 * denied, when only one of several live replicas ran the binary, or when its risk
 * features are critical.
 */
export function unexpectedProcessFinding(input: BaselineFindingInput): Finding {
  const { event, baseline, entry } = input;
  const binary = event.process?.binary ?? "";
  const denied = entry?.status === "denied";
  const singleReplica = input.liveReplicas >= 2 && input.replicasRunningBinary <= 1;
  const risk = input.risk?.explained ?? [];
  const severity: Severity = denied || singleReplica || input.risk?.severity === "critical" ? "critical" : "high";
  const what = denied ? "Denied process" : "Unexpected process";
  const compared = baseline.state === "learning" ? "while the baseline learns" : "not in the locked baseline";
  const summary = `${what} ${binary} in ${where(baseline)} (${compared})${risk.length > 0 ? ` — ${risk.join("; ")}` : ""}`;
  return finding(input, "process.unexpected", severity, binary, summary, {
    denied,
    singleReplica,
    replicas: { live: input.liveReplicas, runningBinary: input.replicasRunningBinary },
    risk,
    action: denied ? "look at the pod now: a person denied this binary" : "look at the pod; approve the binary if it belongs (outlier baseline review), else deny it",
  });
}

/** For the verdict `drift`: a new executable in a new image, inside its relearn window. Low. */
export function driftFinding(input: BaselineFindingInput): Finding {
  const { event, baseline } = input;
  const binary = event.process?.binary ?? "";
  const digest = event.pod?.container?.imageDigest ?? "";
  const window = baseline.relearn.find((w) => w.imageDigest === digest);
  const diff = window?.newBinaries ?? [binary];
  const previous = baseline.imageDigests.filter((d) => d !== digest).at(-1);
  const summary = `New image ${digest} of ${where(baseline)} runs ${binary}, which ${previous ? `image ${previous}` : "the earlier image"} did not (${diff.length} new binaries so far)`;
  return finding(input, "baseline.drift", "low", `${digest}|${binary}`, summary, {
    imageDigest: digest,
    previousImageDigest: previous,
    action: "review the image diff: approve it if the rollout was meant to add these binaries (outlier baseline review), else deny them",
    imageDiff: diff,
    imageDiffOverflow: window?.newBinariesOverflow ?? 0,
    relearnWindow: window ? { startedAt: window.startedAt, endsAt: window.endsAt } : undefined,
  });
}

/** For the verdict `overflow`: the baseline is full and stopped learning new executables. Low. */
export function overflowFinding(input: BaselineFindingInput): Finding {
  const { baseline } = input;
  const summary = `Baseline of ${where(baseline)} is full (${baseline.entryCount} entries); ${baseline.overflowCount} executables not learned`;
  return finding(input, "baseline.overflow", "low", "", summary, {});
}

function finding(
  input: BaselineFindingInput,
  type: string,
  severity: Severity,
  dedupSuffix: string,
  summary: string,
  evidence: Record<string, unknown>,
): Finding {
  const { event, baseline, entry } = input;
  const id = baseline.id;
  const dedupKey = [type, baselineKeyOf(id), dedupSuffix].filter((p) => p !== "").join("|");
  const result: Finding = {
    schema: "outlier.finding.v1",
    id: stableId(type, dedupKey, event.id),
    type,
    severity,
    time: event.time,
    cluster: id.cluster,
    summary,
    workload: {
      kind: id.kind,
      name: id.name,
      namespace: id.namespace,
      labels: input.workloadMeta?.labels ?? event.pod?.labels ?? {},
      annotations: input.workloadMeta?.annotations ?? {},
    },
    container: id.container,
    evidence: { ...evidence, eventId: event.id, baseline: baselineEvidence(baseline), entry },
    dedupKey,
  };
  if (event.pod) result.pod = event.pod.name;
  if (event.node) result.node = event.node;
  if (event.process) result.process = event.process;
  return result;
}

function baselineEvidence(b: Baseline): Record<string, unknown> {
  return {
    state: b.state,
    learningStartedAt: b.learningStartedAt,
    learningEndsAt: b.learningEndsAt,
    lockedAt: b.lockedAt,
    imageDigests: b.imageDigests,
    entryCount: b.entryCount,
    overflowCount: b.overflowCount,
  };
}

function where(b: Baseline): string {
  return `${b.id.kind} ${b.id.namespace}/${b.id.name} container ${b.id.container}`;
}
