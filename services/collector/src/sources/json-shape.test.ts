import { describe, expect, it } from "vitest";
import { jsonShape } from "./json-shape.ts";

const limits = { maxDepth: 64, maxItems: 1000 };

describe("jsonShape", () => {
  it("measures depth and the top-level arrays' lengths, ignoring brackets and commas in strings", () => {
    const body = JSON.stringify({ kind: "EventList", items: [{ a: "[,{" }, { b: [1, 2, 3, [4]] }, {}], empty: [], sourceIPs: ["10.0.0.1", "\\\"],"] });
    expect(jsonShape(body, limits)).toEqual({ depth: 5, items: 3 });
    expect(jsonShape("{}", limits)).toEqual({ depth: 1, items: 0 });
    expect(jsonShape('{"items":[ ]}', limits)).toEqual({ depth: 2, items: 0 });
  });

  it("stops counting past the limits, so a hostile body costs one partial pass", () => {
    const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
    expect(jsonShape(deep, limits)).toEqual({ depth: 65, items: 0 });
    const wide = JSON.stringify({ kind: "EventList", items: Array.from({ length: 1_000_000 }, () => ({})) });
    expect(jsonShape(wide, limits)).toEqual({ depth: 3, items: 1001 });
  });
});
