import type { Finding } from "@outlier/contracts";
import type { RouteMatch } from "./route.ts";
import { addToTally, emptyTally, findingMillis, summarizeGroup, type GroupTally } from "./summary.ts";

/** One message for one group: the findings (bounded), how many there were, and a summary. */
export interface GroupNotification {
  groupKey: string;
  receiver: string;
  routePath: string;
  groupLabels: Record<string, string>;
  /** The first findings of the batch, at most `maxFindingsPerNotification`. */
  findings: Finding[];
  /** All findings in the batch, including those not listed. */
  total: number;
  summary: string;
  /** Every finding in it was already notified less than repeat_interval ago. */
  resend: boolean;
  /** The batch holds findings that did not get a group of their own (maxGroups reached). */
  overflow: boolean;
}

export interface GrouperOptions {
  /** Milliseconds now, for `add`. Without it, a finding's own time is used (replay, tests). */
  clock?: () => number;
  /** Groups kept at once; findings for further groups go to their route's overflow group. */
  maxGroups?: number;
  maxFindingsPerNotification?: number;
  /** dedupKeys remembered per group for repeat_interval; the oldest are forgotten first. */
  maxDedupKeysPerGroup?: number;
}

interface Group {
  match: RouteMatch;
  overflow: boolean;
  findings: Finding[];
  tally: GroupTally;
  /** dedupKeys in the pending batch. */
  pendingKeys: Set<string>;
  /** The pending batch has a finding not notified within repeat_interval. */
  hasNew: boolean;
  nextFlushMs: number;
  lastNotifiedMs?: number;
  /** dedupKey → when it was last notified. */
  notified: Map<string, number>;
}

/**
 * Alertmanager's grouping for findings. A new group waits group_wait before its first
 * notification, so a burst becomes one message; after that it notifies at most every
 * group_interval, when something new arrived. Findings whose dedupKey was notified less
 * than repeat_interval ago are held back and sent again (as a resend) once
 * repeat_interval has passed since the group's last notification. A group with nothing
 * pending is forgotten repeat_interval after its last notification.
 */
export class Grouper {
  #groups = new Map<string, Group>();
  #overflowed = 0;
  readonly #clock: GrouperOptions["clock"];
  readonly #maxGroups: number;
  readonly #maxFindings: number;
  readonly #maxKeys: number;

  constructor(options: GrouperOptions = {}) {
    this.#clock = options.clock;
    this.#maxGroups = options.maxGroups ?? 10_000;
    this.#maxFindings = options.maxFindingsPerNotification ?? 50;
    this.#maxKeys = options.maxDedupKeysPerGroup ?? 1_000;
  }

  add(finding: Finding, match: RouteMatch): void {
    // An unreadable finding time counts as long ago: flushed at the next `due`, never held.
    const at = this.#clock ? this.#clock() : (findingMillis(finding) ?? -Infinity);
    const group = this.#groupFor(match, at);
    if (group.findings.length < this.#maxFindings) group.findings.push(finding);
    addToTally(group.tally, finding);
    if (group.pendingKeys.size < this.#maxKeys) group.pendingKeys.add(finding.dedupKey);
    const notifiedAt = group.notified.get(finding.dedupKey);
    if (notifiedAt === undefined || at >= notifiedAt + match.timing.repeatIntervalMs) group.hasNew = true;
  }

  /** The notifications due at `now` (milliseconds), each group's batch then starting afresh. */
  due(now: number): GroupNotification[] {
    const notifications: GroupNotification[] = [];
    for (const [key, group] of this.#groups) {
      const { groupIntervalMs, repeatIntervalMs } = group.match.timing;
      const repeatDue = group.lastNotifiedMs === undefined || now >= group.lastNotifiedMs + repeatIntervalMs;
      if (group.tally.total === 0) {
        if (repeatDue) this.#groups.delete(key);
      } else if (now >= group.nextFlushMs && (group.hasNew || repeatDue)) {
        notifications.push(this.#notify(key, group, now));
        group.nextFlushMs = now + groupIntervalMs;
      }
    }
    return notifications;
  }

  stats(): { groups: number; overflowed: number } {
    return { groups: this.#groups.size, overflowed: this.#overflowed };
  }

  #groupFor(match: RouteMatch, at: number): Group {
    const existing = this.#groups.get(match.groupKey);
    if (existing) return existing;
    const full = this.#groups.size >= this.#maxGroups;
    if (full) this.#overflowed += 1;
    // One overflow group per route node and receiver keeps the number of groups bounded.
    const key = full ? `${match.routePath}:${match.receiver}:overflow` : match.groupKey;
    let group = this.#groups.get(key);
    if (!group) {
      group = {
        match: full ? { ...match, groupKey: key, groupLabels: {} } : match,
        overflow: full,
        findings: [],
        tally: emptyTally(),
        pendingKeys: new Set(),
        hasNew: false,
        nextFlushMs: at + match.timing.groupWaitMs,
        notified: new Map(),
      };
      this.#groups.set(key, group);
    }
    return group;
  }

  #notify(key: string, group: Group, now: number): GroupNotification {
    const notification: GroupNotification = {
      groupKey: key,
      receiver: group.match.receiver,
      routePath: group.match.routePath,
      groupLabels: group.match.groupLabels,
      findings: group.findings,
      total: group.tally.total,
      summary: summarizeGroup(group.tally),
      resend: !group.hasNew,
      overflow: group.overflow,
    };
    for (const dedupKey of group.pendingKeys) {
      group.notified.delete(dedupKey);
      group.notified.set(dedupKey, now);
    }
    for (const oldest of group.notified.keys()) {
      if (group.notified.size <= this.#maxKeys) break;
      group.notified.delete(oldest);
    }
    group.findings = [];
    group.tally = emptyTally();
    group.pendingKeys = new Set();
    group.hasNew = false;
    group.lastNotifiedMs = now;
    return notification;
  }
}
