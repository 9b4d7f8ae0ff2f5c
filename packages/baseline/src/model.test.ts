import { describe, expect, it } from "vitest";
import { baselineKeyOf, DEFAULT_POLICY, policyFor } from "./model.ts";

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
