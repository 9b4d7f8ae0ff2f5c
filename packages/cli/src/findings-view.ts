import pc from "picocolors";
import { displayText, SEVERITIES, severityRank, type Finding, type Severity } from "@outlier/contracts";

export type Colors = ReturnType<typeof pc.createColors>;

/** Colours for a stream: real ones on a terminal, identity functions otherwise. */
export function colorsFor(tty: boolean): Colors {
  return pc.createColors(tty);
}

const SEVERITY_COLOR: Record<Severity, (c: Colors, text: string) => string> = {
  critical: (c, t) => c.bold(c.red(t)),
  high: (c, t) => c.red(t),
  medium: (c, t) => c.yellow(t),
  low: (c, t) => c.cyan(t),
  info: (c, t) => c.dim(t),
};

export function colorSeverity(c: Colors, severity: Severity, text: string = severity): string {
  return SEVERITY_COLOR[severity](c, text);
}

/** Most severe first, then in event-time order (stable). */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

export function countBySeverity(findings: readonly Finding[]): string {
  const parts = [...SEVERITIES].reverse().flatMap((s) => {
    const n = findings.filter((f) => f.severity === s).length;
    return n > 0 ? [`${s} ${n}`] : [];
  });
  return parts.join(", ");
}

/** namespace/kind/name; the namespace alone (`bank/-`) when the finding names no workload; `-` when cluster-wide. */
export function workloadLabel(finding: Finding): string {
  const w = finding.workload;
  if (w) return displayText(`${w.namespace}/${w.kind}/${w.name}`);
  return finding.namespace ? `${displayText(finding.namespace)}/-` : "-";
}

/** "10:20:30" from a normalized time. */
export function clockTime(time: string): string {
  return time.slice(11, 19);
}

/** One line of at most `width` characters, control characters escaped (names and summaries quote attacker text). */
export function clip(text: string, width: number): string {
  return displayText(text.replace(/\s+/g, " ").trim(), width);
}

/** A few lines of a finding's evidence, for people: what ran, who did it, against what; each escaped, it quotes attacker text. */
export function evidenceLines(finding: Finding): string[] {
  return rawEvidenceLines(finding).map((line) => displayText(line, EVIDENCE_WIDTH));
}

/** An evidence line may list a whole exec session; past this it is clipped. */
const EVIDENCE_WIDTH = 1000;

function rawEvidenceLines(finding: Finding): string[] {
  const e = finding.evidence;
  if (finding.type === "process.unexpected") return [...processEvidence(finding), ...riskAndAction(e)];
  if (finding.type === "baseline.drift") {
    return [`new image ${str(e["imageDigest"]).slice(0, 19)}…: new binaries ${strings(e["imageDiff"]).join(", ")}`, ...parentLine(finding), ...riskAndAction(e)];
  }
  if (finding.type === "replica.deviation") {
    return [
      `reasons: ${strings(e["reasons"]).join(", ")}; only this pod ran: ${strings(e["uniqueBinaries"]).join(", ") || "-"}`,
      `compared with ${strings(e["peers"]).join(", ")}`,
      ...riskAndAction(e),
    ];
  }
  if (finding.type === "exec.session") {
    const command = (p: Record<string, unknown>) => [str(p["binary"]), str(p["args"])].filter(Boolean).join(" ");
    const processes = objects(e["processes"]).map(command);
    const risky = objects(e["riskyProcesses"]).map((p) => `high: ${strings(p["reasons"]).join(", ")} — ${command(p)}`);
    const high = risky.length > 0 ? [...risky, `to do: ${str(e["advice"])}`] : [];
    return [who(e), `ran: ${processes.join(" | ") || "(nothing seen)"}`, ...high];
  }
  if (finding.type.startsWith("audit.")) return [who(e), ...auditDetails(obj(e["details"]))];
  if (finding.type.startsWith("falco.")) {
    const rule = obj(e["rule"]);
    return [`Falco rule "${str(rule["name"])}" (${str(rule["priority"])})`, ...processLine(finding)];
  }
  return [];
}

function processEvidence(finding: Finding): string[] {
  const e = finding.evidence;
  const replicas = obj(e["replicas"]);
  const baseline = obj(e["baseline"]);
  const since = str(baseline["lockedAt"]) ? ` since ${clockTime(str(baseline["lockedAt"]))}` : "";
  return [
    ...processLine(finding),
    ...parentLine(finding),
    `ran on ${num(replicas["runningBinary"])} of ${num(replicas["live"])} live replicas; baseline ${str(baseline["state"])}${since} with ${num(baseline["entryCount"])} entries`,
  ];
}

/** Why it looks like an intrusion, and what to do: approve, deny, or look. */
function riskAndAction(e: Record<string, unknown>): string[] {
  const risk = strings(e["risk"]);
  const action = str(e["action"]);
  return [...(risk.length > 0 ? [`risk: ${risk.join("; ")}`] : []), ...(action ? [`to do: ${action}`] : [])];
}

function processLine(finding: Finding): string[] {
  const p = finding.process;
  return p ? [`process ${[p.binary, p.args].filter(Boolean).join(" ")}${p.uid !== undefined ? ` (uid ${p.uid})` : ""}`] : [];
}

function parentLine(finding: Finding): string[] {
  const parent = finding.process?.parent;
  return parent ? [`parent ${[parent.binary, parent.args].filter(Boolean).join(" ")}`] : [];
}

function who(e: Record<string, unknown>): string {
  const user = str(obj(e["user"])["username"]);
  const ips = strings(e["sourceIPs"]).join(", ");
  const agent = str(e["userAgent"]).split(" ")[0] ?? "";
  return `by ${user}${ips ? ` from ${ips}` : ""}${agent ? ` (${agent})` : ""}`;
}

function auditDetails(details: Record<string, unknown>): string[] {
  const lines: string[] = [];
  const reasons = strings(details["reasons"]);
  if (reasons.length > 0) lines.push(`host access: ${reasons.join(", ")}${strings(details["hostPaths"]).length > 0 ? `; hostPath ${strings(details["hostPaths"]).join(", ")}` : ""}`);
  const subjects = objects(details["subjects"]).map((s) => `${str(s["kind"])} ${str(s["name"])}`);
  if (subjects.length > 0) lines.push(`subjects: ${subjects.join(", ")}`);
  const command = strings(details["command"]);
  if (command.length > 0) lines.push(`command: ${command.join(" ")}`);
  return lines;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function objects(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(obj) : [];
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function num(v: unknown): string {
  return typeof v === "number" ? String(v) : "?";
}
