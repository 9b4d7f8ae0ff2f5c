import { atLeast, type Finding } from "@outlier/contracts";
import type { RouteNode, RouteTiming, RoutingConfig } from "./config.ts";
import { findingLabels } from "./labels.ts";
import { formatMatcher, matches } from "./matcher.ts";

/** One receiver a finding reaches, and why. */
export interface RouteMatch {
  receiver: string;
  /** The route node that matched, e.g. "route.routes[1]". */
  routePath: string;
  /** Every matcher on the way from the root to that node (all of them matched). */
  matchers: string[];
  /** Findings with the same group key are notified together. */
  groupKey: string;
  /** The values of the node's group_by labels for this finding. */
  groupLabels: Record<string, string>;
  timing: RouteTiming;
}

/** One condition of a node checked against a finding, for `explainRoute`. */
export interface ConditionResult {
  condition: string;
  actual: string;
  ok: boolean;
}

/** A node that was tried: its conditions, and whether it (or a child) took the finding. */
export interface RouteStep {
  node: RouteNode;
  depth: number;
  conditions: ConditionResult[];
  matched: boolean;
}

export interface RouteTrace {
  labels: Record<string, string>;
  steps: RouteStep[];
  matches: RouteMatch[];
}

/** The receivers a finding reaches, with Alertmanager's semantics. */
export function routeFinding(config: RoutingConfig, finding: Finding): RouteMatch[] {
  return traceRoute(config, finding).matches;
}

/**
 * Alertmanager's walk: a node matches when all its conditions hold; its children are
 * tried in order, and the first child that matches stops the search unless that child
 * has `continue: true`; a matching node none of whose children match takes the finding
 * itself. The root matches every finding, so its receiver is the default.
 */
export function traceRoute(config: RoutingConfig, finding: Finding): RouteTrace {
  const labels = findingLabels(finding);
  const steps: RouteStep[] = [];
  const walk = (node: RouteNode, depth: number, matchedAbove: string[]): RouteMatch[] => {
    const conditions = checkConditions(node, labels, finding);
    const step: RouteStep = { node, depth, conditions, matched: conditions.every((c) => c.ok) };
    steps.push(step);
    if (!step.matched) return [];
    const path = [...matchedAbove, ...conditions.map((c) => c.condition)];
    const found: RouteMatch[] = [];
    for (const child of node.routes) {
      const childMatches = walk(child, depth + 1, path);
      found.push(...childMatches);
      if (childMatches.length > 0 && !child.continue) break;
    }
    return found.length > 0 ? found : [toMatch(node, path, labels)];
  };
  const matches = walk(config.route, 0, []);
  return { labels, steps, matches };
}

function checkConditions(node: RouteNode, labels: Record<string, string>, finding: Finding): ConditionResult[] {
  const results = node.matchers.map((m) => ({ condition: formatMatcher(m), actual: labels[m.name] ?? "", ok: matches(m, labels) }));
  if (node.minSeverity) {
    results.push({ condition: `min_severity: ${node.minSeverity}`, actual: finding.severity, ok: atLeast(finding.severity, node.minSeverity) });
  }
  return results;
}

function toMatch(node: RouteNode, matchers: string[], labels: Record<string, string>): RouteMatch {
  const names = node.groupBy === "all" ? Object.keys(labels).sort() : node.groupBy;
  const groupLabels = Object.fromEntries(names.map((name) => [name, labels[name] ?? ""]));
  const labelText = Object.entries(groupLabels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(",");
  return {
    receiver: node.receiver,
    routePath: node.path,
    matchers,
    groupKey: `${node.path}:${node.receiver}:{${labelText}}`,
    groupLabels,
    timing: node.timing,
  };
}
