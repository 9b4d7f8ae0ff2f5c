import { atLeast, type Finding } from "@outlier/contracts";
import type { Incident, IncidentKind, TypeRule } from "./incidents.ts";

/**
 * Matches findings to labelled incidents (pure).
 *
 * A finding is in an incident's scope when the cluster and namespace are the same, the
 * workload name is the same (when both name one), the pod is one of the incident's (when
 * both name pods), the container is the same (when both name one), the executables it
 * names (process, a replica deviation's unique binaries, an exec session's processes)
 * include one of the incident's (when both name some), the user is the same (when both
 * name one; an incident with users and no workload, API activity only, takes only
 * findings naming a user), and its time is within the incident's range widened by the slack.
 *
 * Then, for each finding:
 * - **true**: in the scope of an attack whose `expect` or `allow` has its type. An
 *   attack is **recalled** when one of its findings has an `expect` type at or above
 *   that rule's `minSeverity`.
 * - **allowed**: otherwise, in the scope of a benign incident that allows its type at
 *   its severity, within the allowed count. Neither true nor false: it does not enter
 *   precision (shown in its own column).
 * - **false**: anything else; attributed to the most specific benign incident in whose
 *   scope it is (pods named, executables named, shortest range), or `unattributed`.
 *
 * precision = true / (true + false).
 */

export interface ScoreOptions {
  /** A finding may come this long before its incident's first activity (default 1 min). */
  slackBeforeMs?: number;
  /** …and this long after its last (default 10 min: replica windows close, sessions end). */
  slackAfterMs?: number;
}

export type Verdict = "true" | "allowed" | "false";

export interface FindingVerdict {
  finding: Finding;
  verdict: Verdict;
  /** The incident it matched (true, allowed) or is attributed to (false); none: unattributed. */
  incident?: Incident;
  /** Why a finding is false or an attack missed, in a few words. */
  note?: string;
}

export interface IncidentScore {
  incident: Incident;
  /** Attacks: found with an expected type and severity. Benign: true when no finding counts against it. */
  recalled: boolean;
  trueFindings: Finding[];
  allowedFindings: Finding[];
  falseFindings: Finding[];
}

export interface Score {
  verdicts: FindingVerdict[];
  incidents: IncidentScore[];
  /** False findings in no benign incident's scope. */
  unattributed: Finding[];
}

export function scoreFindings(findings: readonly Finding[], incidents: readonly Incident[], options: ScoreOptions = {}): Score {
  const slack = { before: options.slackBeforeMs ?? 60_000, after: options.slackAfterMs ?? 10 * 60_000 };
  const scores = new Map<string, IncidentScore>(incidents.map((i) => [i.id, { incident: i, recalled: i.kind === "benign", trueFindings: [], allowedFindings: [], falseFindings: [] }]));
  const allowedUsed = new Map<string, number>();
  const verdicts: FindingVerdict[] = [];
  const unattributed: Finding[] = [];
  const ordered = [...findings].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));

  for (const finding of ordered) {
    const inScope = incidents.filter((i) => inScopeOf(finding, i, slack));
    const attack = bestOf(
      inScope.filter((i) => i.kind === "attack" && [...i.expect, ...i.allow].some((r) => typeMatches(r.type, finding.type))),
      finding,
    );
    if (attack) {
      const score = scores.get(attack.id)!;
      score.trueFindings.push(finding);
      if (attack.expect.some((r) => typeMatches(r.type, finding.type) && (r.minSeverity === undefined || atLeast(finding.severity, r.minSeverity)))) score.recalled = true;
      verdicts.push({ finding, verdict: "true", incident: attack });
      continue;
    }
    const benign = inScope.filter((i) => i.kind === "benign");
    const allowing = bestOf(
      benign.filter((i) => i.allow.some((r, k) => allows(r, finding, i) && (r.max === undefined || (allowedUsed.get(`${i.id}#${k}`) ?? 0) < r.max))),
      finding,
    );
    if (allowing) {
      const k = allowing.allow.findIndex((r, k) => allows(r, finding, allowing) && (r.max === undefined || (allowedUsed.get(`${allowing.id}#${k}`) ?? 0) < r.max));
      allowedUsed.set(`${allowing.id}#${k}`, (allowedUsed.get(`${allowing.id}#${k}`) ?? 0) + 1);
      scores.get(allowing.id)!.allowedFindings.push(finding);
      verdicts.push({ finding, verdict: "allowed", incident: allowing });
      continue;
    }
    const blamed = bestOf(benign, finding) ?? bestOf(inScope, finding);
    if (blamed) {
      const score = scores.get(blamed.id)!;
      score.falseFindings.push(finding);
      if (blamed.kind === "benign") score.recalled = false;
    } else {
      unattributed.push(finding);
    }
    verdicts.push({ finding, verdict: "false", incident: blamed, note: falseNote(finding, blamed) });
  }
  return { verdicts, incidents: [...scores.values()], unattributed };
}

function falseNote(finding: Finding, blamed: Incident | undefined): string {
  if (!blamed) return "in no incident's scope";
  if (blamed.kind === "attack") return `in the scope of attack ${blamed.id}, but ${finding.type} is not a type it expects`;
  const rule = blamed.allow.find((r) => typeMatches(r.type, finding.type));
  if (!rule) return `${finding.type} is not allowed for ${blamed.class}`;
  if (rule.maxSeverity && !atLeast(rule.maxSeverity, finding.severity)) return `${finding.severity} is above the ${rule.maxSeverity} allowed for ${blamed.class}`;
  const foreign = foreignBinaries(rule, finding, blamed);
  if (foreign.length > 0) return `names executables that are not the ${blamed.class}'s: ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}`;
  return `more ${finding.type} than the ${rule.max} allowed for ${blamed.class}`;
}

function allows(rule: TypeRule, finding: Finding, incident: Incident): boolean {
  return (
    typeMatches(rule.type, finding.type) &&
    (rule.maxSeverity === undefined || atLeast(rule.maxSeverity, finding.severity)) &&
    foreignBinaries(rule, finding, incident).length === 0
  );
}

function foreignBinaries(rule: TypeRule, finding: Finding, incident: Incident): string[] {
  return rule.ownBinariesOnly ? findingBinaries(finding).filter((b) => !incident.binaries.includes(b)) : [];
}

/** `falco.*`, `audit.*token*`: `*` is any run of characters. */
export function typeMatches(pattern: string, type: string): boolean {
  if (!pattern.includes("*")) return pattern === type;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(type);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The most specific incident: pods named and holding the finding's pod, users named, executables named, the shortest range, then the first listed. */
function bestOf(candidates: Incident[], finding: Finding): Incident | undefined {
  const rank = (i: Incident): number[] => [
    i.pods.length > 0 && finding.pod !== undefined && i.pods.includes(finding.pod) ? 0 : 1,
    i.users.length > 0 && findingUser(finding) !== undefined ? 0 : 1,
    i.binaries.length > 0 && findingBinaries(finding).length > 0 ? 0 : 1,
    i.endMs - i.startMs,
  ];
  let best: Incident | undefined;
  let bestRank: number[] = [];
  for (const c of candidates) {
    const r = rank(c);
    if (!best || lexLess(r, bestRank)) {
      best = c;
      bestRank = r;
    }
  }
  return best;
}

function lexLess(a: number[], b: number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k]! < b[k]!;
  return false;
}

export function inScopeOf(finding: Finding, incident: Incident, slack: { before: number; after: number }): boolean {
  if (finding.cluster !== incident.cluster) return false;
  const namespace = finding.workload?.namespace ?? finding.namespace;
  if (namespace !== incident.namespace) return false;
  if (incident.workload && finding.workload && finding.workload.name !== incident.workload.name) return false;
  // A workload's activity: not a finding that names neither a workload nor a pod (an API request elsewhere in the namespace).
  if (incident.workload && !finding.workload && finding.pod === undefined) return false;
  if (incident.pods.length > 0 && finding.pod !== undefined && !incident.pods.includes(finding.pod)) return false;
  if (incident.container && finding.container && finding.container !== incident.container) return false;
  const binaries = findingBinaries(finding);
  if (incident.binaries.length > 0 && binaries.length > 0 && !binaries.some((b) => incident.binaries.includes(b))) return false;
  const user = findingUser(finding);
  if (incident.users.length > 0 && user && !incident.users.includes(user)) return false;
  // API-only activity (no workload): only a finding about a request, which names its user.
  if (!incident.workload && incident.users.length > 0 && !user) return false;
  const t = Date.parse(finding.time);
  return t >= incident.startMs - slack.before && t <= incident.endMs + slack.after;
}

/** The executables a finding names: its process, a replica deviation's unique binaries, an exec session's processes. */
export function findingBinaries(finding: Finding): string[] {
  const out = new Set<string>();
  if (finding.process?.binary) out.add(finding.process.binary);
  const e = finding.evidence;
  for (const key of ["uniqueUnknownBinaries", "uniqueBinaries"]) {
    const list = e[key];
    if (Array.isArray(list)) for (const b of list) if (typeof b === "string") out.add(b);
  }
  const processes = e["processes"];
  if (Array.isArray(processes)) {
    for (const p of processes) {
      const binary = (p as { binary?: unknown } | null)?.binary;
      if (typeof binary === "string") out.add(binary);
    }
  }
  return [...out];
}

function findingUser(finding: Finding): string | undefined {
  const user = finding.evidence["user"];
  if (typeof user === "string") return user;
  const name = (user as { username?: unknown } | undefined)?.username;
  return typeof name === "string" ? name : undefined;
}

// ---------------------------------------------------------------------------------
// Summaries

export interface ClassRow {
  class: string;
  kind: IncidentKind | "-";
  feed: string;
  incidents: number;
  /** Attacks found (benign: incidents with no finding against them). */
  recalled: number;
  /** All findings matched to or blamed on the class. */
  findings: number;
  trueFindings: number;
  allowed: number;
  falsePositives: number;
  /** Attacks: recalled / incidents; benign: undefined. */
  recall?: number;
  /** true / (true + false); undefined when neither. */
  precision?: number;
}

/** One row per class (attacks first), plus `unattributed` when some false findings are in no incident's scope. */
export function summarize(score: Score, feed: string): ClassRow[] {
  const rows = new Map<string, ClassRow>();
  for (const s of score.incidents) {
    const key = s.incident.class;
    const row = rows.get(key) ?? { class: key, kind: s.incident.kind, feed, incidents: 0, recalled: 0, findings: 0, trueFindings: 0, allowed: 0, falsePositives: 0 };
    row.incidents++;
    if (s.recalled) row.recalled++;
    row.trueFindings += s.trueFindings.length;
    row.allowed += s.allowedFindings.length;
    row.falsePositives += s.falseFindings.length;
    row.findings += s.trueFindings.length + s.allowedFindings.length + s.falseFindings.length;
    rows.set(key, row);
  }
  if (score.unattributed.length > 0) {
    const n = score.unattributed.length;
    rows.set("unattributed", { class: "unattributed", kind: "-", feed, incidents: 0, recalled: 0, findings: n, trueFindings: 0, allowed: 0, falsePositives: n });
  }
  return finishRows([...rows.values()]);
}

/** Adds rows of the same class and feed (several seeds); recall and precision recomputed. */
export function mergeRows(rows: readonly ClassRow[]): ClassRow[] {
  const merged = new Map<string, ClassRow>();
  for (const r of rows) {
    const key = `${r.feed}\u0000${r.class}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { ...r });
      continue;
    }
    m.incidents += r.incidents;
    m.recalled += r.recalled;
    m.findings += r.findings;
    m.trueFindings += r.trueFindings;
    m.allowed += r.allowed;
    m.falsePositives += r.falsePositives;
  }
  return finishRows([...merged.values()]);
}

/** The overall row of some class rows: recall over attacks, precision over all findings. */
export function overall(rows: readonly ClassRow[], feed: string): ClassRow {
  const attacks = rows.filter((r) => r.kind === "attack");
  const total: ClassRow = {
    class: "overall",
    kind: "-",
    feed,
    incidents: sum(rows, (r) => r.incidents),
    recalled: sum(attacks, (r) => r.recalled),
    findings: sum(rows, (r) => r.findings),
    trueFindings: sum(rows, (r) => r.trueFindings),
    allowed: sum(rows, (r) => r.allowed),
    falsePositives: sum(rows, (r) => r.falsePositives),
  };
  const attackCount = sum(attacks, (r) => r.incidents);
  total.recall = attackCount > 0 ? total.recalled / attackCount : undefined;
  total.precision = total.trueFindings + total.falsePositives > 0 ? total.trueFindings / (total.trueFindings + total.falsePositives) : undefined;
  return total;
}

function finishRows(rows: ClassRow[]): ClassRow[] {
  for (const r of rows) {
    r.recall = r.kind === "attack" && r.incidents > 0 ? r.recalled / r.incidents : undefined;
    r.precision = r.trueFindings + r.falsePositives > 0 ? r.trueFindings / (r.trueFindings + r.falsePositives) : undefined;
  }
  const order = (r: ClassRow) => (r.kind === "attack" ? 0 : r.kind === "benign" ? 1 : 2);
  return rows.sort((a, b) => a.feed.localeCompare(b.feed) || order(a) - order(b) || a.class.localeCompare(b.class));
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  return items.reduce((s, t) => s + f(t), 0);
}
