import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration, parsePositiveDuration } from "./duration.ts";

describe("parseDuration", () => {
  it("reads Alertmanager durations", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1h0m5s")).toBe(3_605_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("0")).toBe(0);
  });
  it("rejects what Alertmanager rejects", () => {
    for (const bad of ["", "5", "m", "1.5h", "30m1h", "5 m", "-1s", "1h1h", " 45s "]) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
  });
});

describe("parsePositiveDuration", () => {
  it("reads the same syntax, ignoring surrounding spaces", () => {
    expect(parsePositiveDuration("2h30m")).toBe(9_000_000);
    expect(parsePositiveDuration(" 45s ")).toBe(45_000);
    expect(parsePositiveDuration("1d")).toBe(86_400_000);
  });
  it("rejects malformed, empty and zero durations", () => {
    for (const text of ["", "0", "0m", "m", "1.5h", "30m1h", "-1h", "1 h"]) expect(parsePositiveDuration(text), text).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it("round-trips through parseDuration", () => {
    for (const text of ["30s", "5m", "1h30m", "4h", "1d2h", "1s500ms"]) {
      expect(formatDuration(parseDuration(text)!)).toBe(text);
    }
    expect(formatDuration(0)).toBe("0s");
  });
});
