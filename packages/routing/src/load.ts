import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { DEFAULT_TIMING, type Receiver, type RouteNode, type RoutingConfig } from "./config.ts";
import { RoutesError, formatPath, offsetOf, problemAt, type PathKey, type RoutesProblem } from "./errors.ts";
import { RoutesFileSchema, sinkConfigs, type RawRoute, type RawRoutesFile } from "./schema.ts";

interface PathProblem {
  path: PathKey[];
  message: string;
}

// Alertmanager keys we do not support, with what to write instead.
const KEY_HINTS: Record<string, string> = {
  match: `use matchers: ['name="value"']`,
  match_re: `use matchers: ['name=~"regex"']`,
};

/**
 * Reads and validates a routing file. Problems are thrown together in a RoutesError,
 * each as `FILE:LINE:COL: path.to.key: message`: YAML syntax first, then every field,
 * then (once the fields are valid) receiver names and root-route rules.
 */
export interface LoadRoutesOptions {
  fileName?: string;
  /**
   * `required` (the alerter, which sends): a receiver that names no secret location is an
   * error. `optional` (routes test, replay --routes: nothing is sent): such receivers are
   * routed all the same and listed in `withoutSecrets`.
   */
  secrets?: "required" | "optional";
}

export function loadRoutes(yamlText: string, opts: LoadRoutesOptions = {}): RoutingConfig {
  const file = opts.fileName ?? "routes.yaml";
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RoutesError(doc.errors.map((e) => problemAt(file, lineCounter, e.pos[0], "(file)", e.message)));
  }
  if (doc.contents === null) {
    throw new RoutesError([problemAt(file, lineCounter, 0, "(file)", "the routing file is empty; expected route: and receivers:")]);
  }
  const raw: unknown = doc.toJS();
  const withoutSecrets = opts.secrets === "optional" ? fillMissingSecrets(raw) : new Set<string>();
  const parsed = parseRoutesFile(raw);
  const problems = parsed.success ? checkReferences(parsed.data) : parsed.error.issues.flatMap(fromIssue);
  if (problems.length > 0) throw new RoutesError(locate(problems, doc, lineCounter, file));
  return { ...compile(parsed.data!), withoutSecrets };
}

function parseRoutesFile(raw: unknown) {
  return RoutesFileSchema.safeParse(raw, {
    error: (issue) => (issue.code === "invalid_type" && issue.input === undefined ? "required" : undefined),
  });
}

/** Placeholder for a secret location that a check without sending does not need. */
const UNSET_SECRET = "OUTLIER_SECRET_NOT_CONFIGURED";

/**
 * Gives every sink that names no secret location a placeholder one (in `raw`), so the rest
 * of the file is checked as the alerter would; returns the receivers concerned.
 */
function fillMissingSecrets(raw: unknown): Set<string> {
  const names = new Set<string>();
  const result = parseRoutesFile(raw);
  if (result.success) return names;
  for (const issue of result.error.issues) {
    const key = issue.code === "custom" ? (issue.params as { missingSecret?: string } | undefined)?.missingSecret : undefined;
    const sink = key === undefined ? undefined : valueAt(raw, issue.path);
    if (!isRecord(sink)) continue;
    sink[key!] = UNSET_SECRET;
    const receiver = valueAt(raw, issue.path.slice(0, 2));
    if (isRecord(receiver) && typeof receiver["name"] === "string") names.add(receiver["name"]);
  }
  return names;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) at = isRecord(at) || Array.isArray(at) ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fromIssue(issue: z.core.$ZodIssue): PathProblem[] {
  const path = issue.path.filter((key): key is PathKey => typeof key !== "symbol");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key${KEY_HINTS[key] ? `; ${KEY_HINTS[key]}` : ""}` }));
  }
  return [{ path, message: issue.message }];
}

/** What the schema cannot see: names that must exist or be unique, and root-only rules. */
function checkReferences(file: RawRoutesFile): PathProblem[] {
  const problems: PathProblem[] = [];
  const names = new Set<string>();
  file.receivers.forEach((receiver, i) => {
    if (names.has(receiver.name)) problems.push({ path: ["receivers", i, "name"], message: `receiver "${receiver.name}" is defined twice` });
    names.add(receiver.name);
  });
  const root = file.route;
  if (root.receiver === undefined) problems.push({ path: ["route"], message: "the root route needs a receiver (the default)" });
  for (const key of ["matchers", "min_severity", "continue"] as const) {
    if (root[key] !== undefined) problems.push({ path: ["route", key], message: `the root route matches every finding; it cannot have ${key}` });
  }
  const visit = (route: RawRoute, path: PathKey[]): void => {
    if (route.receiver !== undefined && !names.has(route.receiver)) {
      problems.push({ path: [...path, "receiver"], message: `unknown receiver "${route.receiver}" (defined: ${[...names].join(", ")})` });
    }
    if (route.group_by?.includes("...") && route.group_by.length > 1) {
      problems.push({ path: [...path, "group_by"], message: `'...' (group by all labels) must be alone in group_by` });
    }
    route.routes?.forEach((child, i) => visit(child, [...path, "routes", i]));
  };
  visit(root, ["route"]);
  return problems;
}

function locate(problems: PathProblem[], doc: Document, lineCounter: LineCounter, file: string): RoutesProblem[] {
  return problems
    .map((p) => problemAt(file, lineCounter, offsetOf(doc, p.path), formatPath(p.path), p.message))
    .sort((a, b) => a.line - b.line || a.col - b.col);
}

function compile(file: RawRoutesFile): Omit<RoutingConfig, "withoutSecrets"> {
  const receivers = new Map<string, Receiver>(file.receivers.map((r) => [r.name, { name: r.name, sinks: sinkConfigs(r) }]));
  const root: RouteNode = { path: "route", receiver: "", matchers: [], continue: false, groupBy: [], timing: DEFAULT_TIMING, routes: [] };
  return { route: compileRoute(file.route, "route", root), receivers };
}

/** A node takes its receiver, group_by and timings from its parent unless it sets them. */
function compileRoute(raw: RawRoute, path: string, parent: RouteNode): RouteNode {
  const node: RouteNode = {
    path,
    receiver: raw.receiver ?? parent.receiver,
    matchers: raw.matchers ?? [],
    continue: raw.continue ?? false,
    groupBy: raw.group_by ? (raw.group_by[0] === "..." ? "all" : raw.group_by) : parent.groupBy,
    timing: {
      groupWaitMs: raw.group_wait ?? parent.timing.groupWaitMs,
      groupIntervalMs: raw.group_interval ?? parent.timing.groupIntervalMs,
      repeatIntervalMs: raw.repeat_interval ?? parent.timing.repeatIntervalMs,
    },
    routes: [],
  };
  if (raw.min_severity) node.minSeverity = raw.min_severity;
  node.routes = (raw.routes ?? []).map((child, i) => compileRoute(child, `${path}.routes[${i}]`, node));
  return node;
}
