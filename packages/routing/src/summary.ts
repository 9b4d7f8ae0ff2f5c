import { formatDuration, normalizeTime, timeToMillis, type Finding } from "@outlier/contracts";

/** Counts over a batch of findings, kept as findings arrive, for one summary line. */
export interface GroupTally {
  total: number;
  byType: Map<string, number>;
  /** "namespace/name" of each workload; capped at MAX_DISTINCT. */
  workloads: Set<string>;
  namespaces: Set<string>;
  clusters: Set<string>;
  /** Pod names: the replicas involved; capped at MAX_DISTINCT. */
  replicas: Set<string>;
  firstMs: number;
  lastMs: number;
}

/** Distinct values kept per set; past it a count reads "1000+". */
export const MAX_DISTINCT = 1000;

const NOUNS: Record<string, [one: string, many: string]> = {
  "process.unexpected": ["unexpected process", "unexpected processes"],
  "replica.deviation": ["replica deviation", "replica deviations"],
  "exec.session": ["exec session", "exec sessions"],
  "baseline.drift": ["baseline drift", "baseline drifts"],
};

export function emptyTally(): GroupTally {
  const sets = { workloads: new Set<string>(), namespaces: new Set<string>(), clusters: new Set<string>(), replicas: new Set<string>() };
  return { total: 0, byType: new Map(), ...sets, firstMs: Infinity, lastMs: -Infinity };
}

export function addToTally(tally: GroupTally, finding: Finding): void {
  tally.total += 1;
  tally.byType.set(finding.type, (tally.byType.get(finding.type) ?? 0) + 1);
  if (finding.workload) {
    addCapped(tally.workloads, `${finding.workload.namespace}/${finding.workload.name}`);
    addCapped(tally.namespaces, finding.workload.namespace);
  }
  addCapped(tally.clusters, finding.cluster);
  if (finding.pod) addCapped(tally.replicas, finding.pod);
  const ms = findingMillis(finding);
  if (ms !== undefined) {
    tally.firstMs = Math.min(tally.firstMs, ms);
    tally.lastMs = Math.max(tally.lastMs, ms);
  }
}

/** A finding's time in milliseconds, whatever RFC 3339 form it is in; undefined if unreadable. */
export function findingMillis(finding: Finding): number | undefined {
  const time = normalizeTime(finding.time);
  return time === undefined ? undefined : timeToMillis(time);
}

export function tallyFindings(findings: Iterable<Finding>): GroupTally {
  const tally = emptyTally();
  for (const finding of findings) addToTally(tally, finding);
  return tally;
}

/** One line for a batch: "checkout: 14 unexpected processes across 2 replicas in 5m". */
export function summarizeGroup(tally: GroupTally): string {
  const replicas = tally.replicas.size > 0 ? ` across ${count(tally.replicas)} ${plural(tally.replicas.size, "replica", "replicas")}` : "";
  const spanMs = Math.ceil((tally.lastMs - tally.firstMs) / 1000) * 1000;
  const window = spanMs >= 1000 ? ` in ${formatDuration(spanMs)}` : "";
  return `${subject(tally)}: ${counts(tally)}${replicas}${window}`;
}

function subject(tally: GroupTally): string {
  const [workload] = tally.workloads;
  const [namespace] = tally.namespaces;
  if (tally.workloads.size === 1 && workload) return workload.slice(workload.indexOf("/") + 1);
  if (tally.workloads.size > 1 && tally.namespaces.size === 1) return `${count(tally.workloads)} workloads in ${namespace}`;
  if (tally.workloads.size > 1) return `${count(tally.workloads)} workloads in ${count(tally.namespaces)} namespaces`;
  return tally.clusters.size === 1 ? `cluster ${[...tally.clusters][0]}` : `${count(tally.clusters)} clusters`;
}

function counts(tally: GroupTally): string {
  const types = [...tally.byType].sort(([a, n], [b, m]) => m - n || a.localeCompare(b));
  const phrases = types.map(([type, n]) => `${n} ${noun(type, n)}`);
  if (phrases.length === 1) return phrases[0]!;
  return `${tally.total} findings (${phrases.join(", ")})`;
}

function noun(type: string, n: number): string {
  const [one, many] = NOUNS[type] ?? [`${type} finding`, `${type} findings`];
  return plural(n, one, many);
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

function count(set: Set<string>): string {
  return set.size >= MAX_DISTINCT ? `${MAX_DISTINCT}+` : String(set.size);
}

function addCapped(set: Set<string>, value: string): void {
  if (set.size < MAX_DISTINCT) set.add(value);
}
