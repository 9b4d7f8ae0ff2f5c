import { expect, it } from "vitest";
import { stableId } from "./ids.ts";

it("is deterministic and separates parts", () => {
  expect(stableId("a", "b")).toBe(stableId("a", "b"));
  expect(stableId("ab", "")).not.toBe(stableId("a", "b"));
  expect(stableId("x")).toMatch(/^[0-9a-f]{32}$/);
});
