import { describe, expect, it } from "vitest";
import { matchesSelector, parseSelector } from "./label-selector.ts";

describe("label selector", () => {
  it("parses = , == and != requirements, comma-separated", () => {
    expect(parseSelector("app=web, tier!=db,app.kubernetes.io/part-of==shop")).toEqual([
      { key: "app", op: "=", value: "web" },
      { key: "tier", op: "!=", value: "db" },
      { key: "app.kubernetes.io/part-of", op: "=", value: "shop" },
    ]);
  });

  it("requires every requirement; != holds for a missing label", () => {
    const reqs = parseSelector("app=web,tier!=db");
    expect(matchesSelector({ app: "web" }, reqs)).toBe(true);
    expect(matchesSelector({ app: "web", tier: "db" }, reqs)).toBe(false);
    expect(matchesSelector(undefined, parseSelector("tier!=db"))).toBe(true);
    expect(matchesSelector(undefined, reqs)).toBe(false);
  });

  it("rejects what it does not support with exit code 2", () => {
    expect(() => parseSelector("tier in (a,b)")).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseSelector("app")).toThrow(/invalid label selector "app"/);
  });
});
