import { describe, expect, it } from "vitest";
import { normalizeTime, timeFromEpochNanos, timeToMillis } from "./time.ts";

describe("normalizeTime", () => {
  it("pads 0 to 9 fractional digits to nanoseconds", () => {
    expect(normalizeTime("2023-10-31T10:20:30Z")).toBe("2023-10-31T10:20:30.000000000Z");
    expect(normalizeTime("2023-10-31T10:20:30.1Z")).toBe("2023-10-31T10:20:30.100000000Z");
    expect(normalizeTime("2023-10-31T10:20:30.123456789Z")).toBe("2023-10-31T10:20:30.123456789Z");
  });
  it("converts offsets to UTC", () => {
    expect(normalizeTime("2023-10-31T12:20:30.5+02:00")).toBe("2023-10-31T10:20:30.500000000Z");
  });
  it("rejects what is not RFC 3339", () => {
    expect(normalizeTime("yesterday")).toBeUndefined();
    expect(normalizeTime("2023-13-45T99:00:00Z")).toBeUndefined();
  });
  it("keeps nanoseconds from an epoch count above 2^53", () => {
    expect(timeFromEpochNanos("1618926302417183232")).toBe("2021-04-20T13:45:02.417183232Z");
  });
  it("orders as strings in time order", () => {
    const a = normalizeTime("2023-10-31T10:20:30.9Z")!;
    const b = normalizeTime("2023-10-31T10:20:31Z")!;
    expect(a < b).toBe(true);
    expect(timeToMillis(b) - timeToMillis(a)).toBe(100);
  });
});
