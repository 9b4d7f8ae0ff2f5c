import { isMap, isScalar, isSeq, type Document, type LineCounter } from "yaml";

/** One problem in a routing file, located at the line and column it concerns. */
export interface RoutesProblem {
  file: string;
  line: number;
  col: number;
  /** The key it concerns, e.g. "route.routes[1].matchers[0]"; "(file)" for YAML syntax. */
  path: string;
  message: string;
}

export class RoutesError extends Error {
  readonly problems: RoutesProblem[];

  constructor(problems: RoutesProblem[]) {
    const lines = problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.path}: ${p.message}`);
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in routing file:\n${lines.join("\n")}`);
    this.name = "RoutesError";
    this.problems = problems;
  }
}

export type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  if (path.length === 0) return "(root)";
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

/**
 * The offset in the text of what `path` names: a map entry's key, a sequence item, or
 * the nearest existing parent when the key is missing.
 */
export function offsetOf(doc: Document, path: readonly PathKey[]): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && node.items[key] !== undefined) {
      node = node.items[key];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

export function problemAt(file: string, lineCounter: LineCounter, offset: number, path: string, message: string): RoutesProblem {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col, path, message };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}
