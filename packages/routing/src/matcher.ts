import { RE2JS } from "re2js";

/**
 * Alertmanager label matchers: `name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`. Names may hold Kubernetes label characters (`app.kubernetes.io/name`)
 * or be double-quoted. Regexes are anchored at both ends, as in Alertmanager. A label
 * the finding does not have matches as the empty string, as in Alertmanager.
 *
 * Regexes run on RE2 (re2js, pure JavaScript): label values are chosen by whoever creates
 * pods, and RE2 matches in time linear in the input, where JavaScript's backtracking engine
 * takes exponential time on `(a|aa)+` against a few dozen characters. It is also
 * Alertmanager's own syntax (Go's regexp is RE2): no backreferences or lookarounds.
 */
export const MATCH_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled for =~ and !~. */
  regex?: RE2JS;
}

export type ParsedMatcher = { ok: true; matcher: Matcher } | { ok: false; error: string };

const SYNTAX = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.:/-]+)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;
const EXPECTED = 'expected name="value", name!="value", name=~"regex" or name!~"regex"';

export function parseMatcher(text: string): ParsedMatcher {
  const m = SYNTAX.exec(text);
  if (!m) {
    const ordering = /^\s*[^=!~<>]+\s*[<>]/.test(text);
    const hint = ordering ? "ordering is not a matcher; use min_severity: on the route" : EXPECTED;
    return { ok: false, error: `bad matcher ${JSON.stringify(text)}: ${hint}` };
  }
  const [, rawName = "", op = "=", rawValue = ""] = m;
  const name = unquote(rawName);
  const value = unquote(rawValue);
  if (name === undefined || name === "") return { ok: false, error: `bad matcher ${JSON.stringify(text)}: bad label name` };
  if (value === undefined) return { ok: false, error: `bad matcher ${JSON.stringify(text)}: unbalanced quotes in value` };
  const matcher: Matcher = { name, op: op as MatchOp, value };
  if (op === "=~" || op === "!~") {
    try {
      matcher.regex = anchoredRegex(value);
    } catch (e) {
      return { ok: false, error: `bad matcher ${JSON.stringify(text)}: ${(e as Error).message}` };
    }
  }
  return { ok: true, matcher };
}

export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const actual = labels[matcher.name] ?? "";
  switch (matcher.op) {
    case "=":
      return actual === matcher.value;
    case "!=":
      return actual !== matcher.value;
    case "=~":
      return matcher.regex!.test(actual);
    case "!~":
      return !matcher.regex!.test(actual);
  }
}

/** Canonical text, which parseMatcher reads back to the same matcher. */
export function formatMatcher(matcher: Matcher): string {
  const name = /^[A-Za-z0-9_.:/-]+$/.test(matcher.name) ? matcher.name : quote(matcher.name);
  return `${name}${matcher.op}${quote(matcher.value)}`;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n")}"`;
}

/**
 * Quoted text loses its quotes; like Alertmanager, only \\, \" and \n are escapes and
 * any other backslash is kept, so `"prod-\d+"` means the regex prod-\d+.
 * Undefined when a quote is unbalanced.
 */
function unquote(text: string): string | undefined {
  if (!text.startsWith('"')) return text.includes('"') ? undefined : text;
  if (text.length < 2 || !text.endsWith('"')) return undefined;
  const body = text.slice(1, -1);
  if (/(^|[^\\])(\\\\)*"/.test(body)) return undefined;
  return body.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** Anchored as Alertmanager does; RE2 reads Go's flags such as a leading `(?i)` itself. */
function anchoredRegex(source: string): RE2JS {
  return RE2JS.compile(`^(?:${source})$`);
}
