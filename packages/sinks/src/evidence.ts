import type { Finding } from "@outlier/contracts";

/**
 * Readers for a finding's evidence, by the shapes the detectors write (packages
 * baseline, replicas, audit-rules). Evidence is open-ended, so every read is checked.
 */

type Obj = Record<string, unknown>;

function obj(value: unknown): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** "Deployment/checkout", or undefined without a workload. */
export function workloadRef(finding: Finding): string | undefined {
  return finding.workload && `${finding.workload.kind}/${finding.workload.name}`;
}

/** A process as one would type it: binary and arguments. */
export function commandLine(process: { binary: string; args?: string | undefined }): string {
  return process.args ? `${process.binary} ${process.args}` : process.binary;
}

/** The Kubernetes user of an exec session (exec.session findings). */
export function execUser(finding: Finding): string | undefined {
  return str(obj(finding.evidence.user)?.username);
}

/** Short phrases saying why the finding is anomalous, most telling first. */
export function whyAnomalous(finding: Finding): string[] {
  const ruleWhy = str(obj(finding.evidence.details)?.why); // audit rules that explain themselves
  return [...baselineWhy(finding.evidence), ...replicaWhy(finding.evidence), ...execWhy(finding), ...(ruleWhy ? [ruleWhy] : [])];
}

/** What to do about the finding, when its rule says (audit rules' `details.action`). */
export function whatToDo(finding: Finding): string | undefined {
  return str(obj(finding.evidence.details)?.action);
}

function baselineWhy(evidence: Obj): string[] {
  const why: string[] = [...strings(evidence.risk)];
  if (evidence.denied === true) why.push("the binary is denied in the baseline");
  const replicas = obj(evidence.replicas);
  const live = num(replicas?.live);
  const running = num(replicas?.runningBinary);
  if (live !== undefined && running !== undefined) why.push(`ran on ${running} of ${live} live replicas`);
  const baseline = obj(evidence.baseline);
  const state = str(baseline?.state);
  if (state) {
    const since = str(baseline?.lockedAt) ?? str(baseline?.learningStartedAt);
    const entries = num(baseline?.entryCount);
    why.push(`baseline ${state}${since ? ` since ${since.slice(0, 10)}` : ""}${entries !== undefined ? ` (${entries} known processes)` : ""}`);
  }
  const imageDiff = strings(evidence.imageDiff);
  const digest = str(evidence.imageDigest);
  if (imageDiff.length > 0) why.push(`new image${digest ? ` ${digest}` : ""} runs ${imageDiff.length} new binaries`);
  return why;
}

function replicaWhy(evidence: Obj): string[] {
  const why: string[] = [];
  const peers = num(evidence.peerCount);
  const unknown = strings(evidence.uniqueUnknownBinaries);
  if (unknown.length > 0) why.push(`ran ${unknown.join(", ")}, which none of its ${peers !== undefined ? `${peers} ` : ""}peers ran`);
  const reasons = strings(evidence.reasons);
  const rate = obj(evidence.execRate);
  if (reasons.includes("exec-rate") && rate) {
    why.push(`${fixed(rate.value, 1)} execs/min vs peers' median ${fixed(rate.median, 1)} (z ${fixed(rate.z, 1)})`);
  }
  return why;
}

function execWhy(finding: Finding): string[] {
  const user = execUser(finding);
  // Audit findings carry evidence.user too: only a session is "kubectl exec by …".
  if (!user || finding.type !== "exec.session") return [];
  const command = strings(finding.evidence.command).join(" ");
  const count = num(finding.evidence.execCount);
  const sources = strings(finding.evidence.sourceIPs);
  const risky = Array.isArray(finding.evidence.riskyProcesses) ? finding.evidence.riskyProcesses : [];
  const reasons = [...new Set(risky.flatMap((p) => strings(obj(p)?.reasons)))];
  return [
    `kubectl ${str(finding.evidence.subresource) ?? "exec"} by ${user}${sources.length > 0 ? ` from ${sources.join(", ")}` : ""}` +
      `${command ? `: ${command}` : ""}${count !== undefined ? ` (${count} processes)` : ""}`,
    ...(reasons.length > 0 ? [`what ran in it ${reasons.join(", ")}`] : []),
  ];
}

function fixed(value: unknown, digits = 2): string {
  const n = num(value);
  return n === undefined ? "?" : n.toFixed(digits);
}
