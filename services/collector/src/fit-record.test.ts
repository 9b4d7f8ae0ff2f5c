import { describe, expect, it } from "vitest";
import { fitToBytes, truncationMarker } from "./fit-record.ts";

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe("fitToBytes", () => {
  it("returns a value that fits as it is", () => {
    const event = { id: "e1", process: { binary: "/bin/sh", args: "-c date" } };
    expect(fitToBytes(event, 1000)).toEqual({ fits: true, value: event, cut: 0 });
  });

  it("cuts the longest strings with a marker, keeps short fields whole, and leaves the input unchanged", () => {
    const args = "A".repeat(300_000);
    const output = "é".repeat(100_000); // two bytes each: cut on a character boundary
    const event = { id: "e1", cluster: "prod", process: { binary: "/usr/bin/python3", args }, rule: { output }, labels: { app: "web" } };
    const fitted = fitToBytes(event, 64 * 1024);
    if (!fitted.fits) throw new Error("expected it to fit");
    expect(size(fitted.value)).toBeLessThanOrEqual(64 * 1024);
    expect(fitted.cut).toBe(2);
    const value = fitted.value;
    expect(value).toMatchObject({ id: "e1", cluster: "prod", process: { binary: "/usr/bin/python3" }, labels: { app: "web" } });
    const cutArgs = value.process.args;
    expect(cutArgs.startsWith("AAAA")).toBe(true);
    expect(cutArgs).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(value.rule.output).toMatch(/^é+…\[truncated \d+ bytes\]$/);
    const kept = cutArgs.indexOf("…");
    expect(cutArgs.slice(kept)).toBe(truncationMarker(300_000 - kept));
    expect(event.process.args).toBe(args);
  });

  it("does not fit when only cutting small strings would do (a huge array)", () => {
    const event = { id: "e1", items: Array.from({ length: 50_000 }, (_, i) => `item-${i}`) };
    expect(fitToBytes(event, 64 * 1024)).toEqual({ fits: false, bytes: size(event) });
  });
});
