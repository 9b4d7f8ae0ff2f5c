import { describe, expect, it } from "vitest";
import { baselineKeyOf, DEFAULT_POLICY, parseDuration, policyFor } from "./model.ts";

describe("parseDuration", () => {
  it("reads hours, minutes and seconds", () => {
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("2h30m")).toBe(9_000_000);
    expect(parseDuration(" 45s ")).toBe(45_000);
    expect(parseDuration("1h0m5s")).toBe(3_605_000);
  });
  it("rejects malformed, empty and zero durations", () => {
    for (const text of ["", "0m", "1d", "m", "1.5h", "30m1h", "-1h", "1 h"]) expect(parseDuration(text), text).toBeUndefined();
  });
});

describe("policyFor", () => {
  it("applies the workload's annotations over the global policy", () => {
    const global = { ...DEFAULT_POLICY, learningWindowMs: 1000 };
    expect(policyFor({ "outlier.dev/learning-window": "2h", "outlier.dev/auto-lock": "false" }, global)).toEqual({
      ...global,
      learningWindowMs: 7_200_000,
      autoLock: false,
    });
  });
  it("ignores malformed annotations and keeps the defaults", () => {
    expect(policyFor({ "outlier.dev/learning-window": "soon", "outlier.dev/auto-lock": "yes" })).toEqual(DEFAULT_POLICY);
    expect(policyFor(undefined)).toEqual(DEFAULT_POLICY);
  });
});

it("keys a baseline by workload and container", () => {
  expect(baselineKeyOf({ cluster: "prod", namespace: "shop", kind: "StatefulSet", name: "db", container: "pg" })).toBe(
    "prod/shop/StatefulSet/db|pg",
  );
});
