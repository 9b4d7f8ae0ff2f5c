import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMatcher, matches, parseMatcher, type Matcher } from "./matcher.ts";

function matcher(text: string): Matcher {
  const parsed = parseMatcher(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.matcher;
}

describe("parseMatcher", () => {
  it("reads the four operators, quoted and unquoted", () => {
    expect(matcher('team="payments"')).toMatchObject({ name: "team", op: "=", value: "payments" });
    expect(matcher("team != payments")).toMatchObject({ name: "team", op: "!=", value: "payments" });
    expect(matcher('namespace=~"prod-.*"')).toMatchObject({ name: "namespace", op: "=~", value: "prod-.*" });
    expect(matcher('namespace!~"kube-.*"')).toMatchObject({ op: "!~" });
  });
  it("accepts Kubernetes label names and quoted names", () => {
    expect(matcher('app.kubernetes.io/name="checkout"').name).toBe("app.kubernetes.io/name");
    expect(matcher('"odd name"="x"').name).toBe("odd name");
  });
  it("keeps backslashes that are not escapes, like Alertmanager", () => {
    expect(matcher('pod=~"web-\\d+"').value).toBe("web-\\d+");
    expect(matcher('msg="say \\"hi\\""').value).toBe('say "hi"');
  });
  it("explains bad syntax", () => {
    for (const bad of ["team", 'team=="x"x', '=x', 'team="x', 'team=~"("', 'team>="high"']) {
      const parsed = parseMatcher(bad);
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain("bad matcher");
    }
  });
  it("points severity ordering at min_severity", () => {
    const parsed = parseMatcher('severity>="high"');
    expect(parsed.ok ? "" : parsed.error).toContain("min_severity");
  });
});

describe("matches", () => {
  const labels = { team: "payments", namespace: "prod-eu" };
  it("anchors regexes at both ends", () => {
    expect(matches(matcher('namespace=~"prod"'), labels)).toBe(false);
    expect(matches(matcher('namespace=~"prod-.*"'), labels)).toBe(true);
    expect(matches(matcher('namespace=~"eu"'), labels)).toBe(false);
    expect(matches(matcher('namespace!~"prod-.*"'), labels)).toBe(false);
  });
  it("treats a missing label as the empty string", () => {
    expect(matches(matcher('owner=""'), labels)).toBe(true);
    expect(matches(matcher('owner!="x"'), labels)).toBe(true);
    expect(matches(matcher('owner=~".+"'), labels)).toBe(false);
  });
  it("supports Go's (?i) flag", () => {
    expect(matches(matcher('team=~"(?i)PAYMENTS"'), labels)).toBe(true);
  });
  it("matches in linear time: a backtracking regex against a label value chosen by whoever creates pods returns at once", () => {
    const started = performance.now();
    expect(matches(matcher('team=~"(a|aa)+"'), { team: `${"a".repeat(42)}b` })).toBe(false);
    expect(matches(matcher('team=~"(x+x+)+y"'), { team: "x".repeat(5000) })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
  it("refuses what RE2 (Alertmanager's syntax) does not have, such as backreferences and lookaheads", () => {
    expect(parseMatcher('team=~"(a)\\1"')).toMatchObject({ ok: false });
    expect(parseMatcher('team=~"(?=a)a"')).toMatchObject({ ok: false });
  });
  it("formats back to canonical text", () => {
    expect(formatMatcher(matcher("team = payments"))).toBe('team="payments"');
  });
});

describe("formatMatcher and parseMatcher", () => {
  it("round-trip any name and value", () => {
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_./-]{0,20}$/), fc.string({ minLength: 1 }));
    fc.assert(
      fc.property(name, fc.constantFrom("=" as const, "!=" as const), fc.string(), (n, op, value) => {
        const parsed = parseMatcher(formatMatcher({ name: n, op, value }));
        expect(parsed).toEqual({ ok: true, matcher: { name: n, op, value } });
      }),
    );
  });
});
