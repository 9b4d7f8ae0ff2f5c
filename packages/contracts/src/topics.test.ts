import { describe, expect, it } from "vitest";
import { deadLetterPayload, MAX_DEADLETTER_PAYLOAD_BYTES } from "./topics.ts";

describe("deadLetterPayload", () => {
  it("cuts on a character boundary", () => {
    expect(deadLetterPayload("aé", 2)).toBe("a");
    expect(deadLetterPayload("aé", 3)).toBe("aé");
    expect(deadLetterPayload("aé€", 4)).toBe("aé");
    expect(deadLetterPayload("a😀b", 4)).toBe("a");
    expect(Buffer.byteLength(deadLetterPayload("€".repeat(100), 10))).toBe(9);
  });

  it("keeps a short input as it is, and bounds a long one to 64 KiB by default", () => {
    expect(deadLetterPayload("short", 64)).toBe("short");
    expect(Buffer.byteLength(deadLetterPayload("é".repeat(40_000)))).toBe(MAX_DEADLETTER_PAYLOAD_BYTES);
  });
});
