import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "@outlier/baseline";
import { MemoryBaselineStore } from "@outlier/store";
import { Detector } from "./detector.ts";
import { secretRead } from "./test-events.ts";

const newReaders = (findings: { type: string; summary: string }[]) => findings.filter((f) => f.type === "audit.secret-read-new-principal").map((f) => f.summary.split(":")[0]);

describe("stateful audit rules and the learning window", () => {
  it("learn for the baselines' learning window (replay --learning-window, policy learningWindowMs), not a fixed 24 h", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() }, { policy: { ...DEFAULT_POLICY, learningWindowMs: 30 * 60_000 } });
    expect(await detector.process([secretRead("system:serviceaccount:shop:operator", 0), secretRead("alice@example.com", 10)])).toEqual([]);
    const after = await detector.process([secretRead("system:serviceaccount:shop:operator", 31), secretRead("mallory@example.com", 31)]);
    expect(newReaders(after)).toEqual(["mallory@example.com"]);
    expect(detector.stats.get("audit_suppressed", "secret-read-new-principal")).toBe(2);
  });
});
