import { describe, expect, it } from "vitest";
import { closest, levenshtein } from "./closest.ts";

describe("closest", () => {
  it("measures edits", () => {
    expect(levenshtein("checkout", "checkout")).toBe(0);
    expect(levenshtein("chekout", "checkout")).toBe(1);
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
  });

  it("suggests the nearest names within the distance, closest first, case-insensitively", () => {
    const names = ["shop/checkout", "shop/cart", "shop/Checkouts", "bank/ledger"];
    expect(closest("shop/chekout", names, 2)).toEqual(["shop/checkout", "shop/Checkouts"]);
    expect(closest("shop/zzz", names, 2)).toEqual([]);
  });
});
