import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type BaselineEntry } from "./model.ts";
import { newBaseline } from "./observe.ts";
import { applyDecision, lock, reset, unlock } from "./decisions.ts";

const id = { cluster: "prod", namespace: "shop", kind: "Deployment", name: "web", container: "app" } as const;
const start = "2024-05-01T10:00:00.000000000Z";
const pending: BaselineEntry = {
  binary: "/usr/bin/nc",
  status: "pending",
  pendingReason: "single-replica",
  count: 3,
  firstSeen: start,
  lastSeen: start,
  parents: [],
  sampleArgs: [],
  users: [],
  replicas: ["web-1"],
};

describe("applyDecision", () => {
  const baseline = { ...newBaseline(id, start, DEFAULT_POLICY), entryCount: 4 };

  it("approves and denies, dropping the pending reason and keeping the evidence", () => {
    const approved = applyDecision(baseline, pending, "approve");
    expect(approved.entry).toEqual({ ...pending, status: "approved", pendingReason: undefined });
    expect("pendingReason" in approved.entry!).toBe(false);
    expect(approved.baseline).toBe(baseline);
    expect(applyDecision(baseline, pending, "deny").entry?.status).toBe("denied");
  });

  it("removes an entry and counts it out of the baseline", () => {
    const removed = applyDecision(baseline, pending, "remove");
    expect(removed.entry).toBeUndefined();
    expect(removed.baseline).toMatchObject({ entryCount: 3, version: baseline.version + 1 });
  });
});

describe("lock, unlock, reset", () => {
  const learning = { ...newBaseline(id, start, DEFAULT_POLICY), entryCount: 7, version: 3 };

  it("locks at the given time, once", () => {
    const locked = lock(learning, "2024-05-01T10:20:00.000000000Z");
    expect(locked).toMatchObject({ state: "locked", lockedAt: "2024-05-01T10:20:00.000000000Z", version: 4 });
    expect(lock(locked, "2024-05-01T11:00:00.000000000Z")).toBe(locked);
  });

  it("unlocks into a new learning window and keeps the entries", () => {
    const relearning = unlock(lock(learning, start), "2024-05-02T08:00:00.000000000Z", { ...DEFAULT_POLICY, learningWindowMs: 30 * 60_000 });
    expect(relearning).toMatchObject({
      state: "learning",
      learningStartedAt: "2024-05-02T08:00:00.000000000Z",
      learningEndsAt: "2024-05-02T08:30:00.000000000Z",
      entryCount: 7,
      version: 5,
    });
    expect("lockedAt" in relearning).toBe(false);
  });

  it("resets to an empty learning baseline with a higher version", () => {
    const fresh = reset({ ...learning, overflowCount: 2, imageDigests: ["sha256:a"] }, "2024-05-03T00:00:00.000000000Z", DEFAULT_POLICY);
    expect(fresh).toMatchObject({ state: "learning", entryCount: 0, overflowCount: 0, imageDigests: [], version: 4 });
    expect(fresh.learningStartedAt).toBe("2024-05-03T00:00:00.000000000Z");
  });
});
