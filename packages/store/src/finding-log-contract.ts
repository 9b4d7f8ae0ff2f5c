import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import type { Finding } from "@outlier/contracts";
import type { FindingLog } from "./finding-log.ts";

export function finding(id: string, type = "process.unexpected", namespace = "shop"): Finding {
  return {
    schema: "outlier.finding.v1",
    id,
    type,
    severity: "high",
    time: "2026-01-01T00:00:00.000000000Z",
    cluster: "c1",
    summary: `${type} ${id}`,
    workload: { kind: "Deployment", name: "checkout", namespace, labels: {}, annotations: {} },
    evidence: {},
    dedupKey: `${type}|${id}`,
  };
}

/** The behaviour every FindingLog must have; run against memory and real Redis. `maxLen` is what `open` configured. */
export function findingLogContract(name: string, open: () => Promise<FindingLog>, maxLen: number): void {
  describe(`FindingLog contract: ${name}`, () => {
    let log: FindingLog;
    beforeEach(async () => {
      log = await open();
      return () => log.close();
    });

    it("lists findings newest first, up to the limit", async () => {
      await log.append([finding("a"), finding("b")]);
      await log.append([finding("c")]);
      expect((await log.recent()).map((f) => f.id)).toEqual(["c", "b", "a"]);
      expect((await log.recent({ limit: 2 })).map((f) => f.id)).toEqual(["c", "b"]);
      expect(await log.recent()).toContainEqual(finding("a"));
    });

    it("returns a finding appended twice (a redelivered batch) once", async () => {
      await log.append([finding("a"), finding("b")]);
      await log.append([finding("a")]);
      expect((await log.recent()).map((f) => f.id)).toEqual(["a", "b"]);
    });

    it("filters by namespace and by type or type family", async () => {
      const { workload: _none, ...noWorkload } = finding("x3", "audit.secret-read");
      await log.append([finding("p1"), finding("x1", "audit.pod-exec"), finding("x2", "audit.rbac-escalation", "bank"), finding("e1", "exec.session"), { ...noWorkload, namespace: "bank" }]);
      expect((await log.recent({ namespace: "bank" })).map((f) => f.id)).toEqual(["x3", "x2"]);
      expect((await log.recent({ type: "audit" })).map((f) => f.id)).toEqual(["x3", "x2", "x1"]);
      expect((await log.recent({ type: "exec.session" })).map((f) => f.id)).toEqual(["e1"]);
      expect(await log.recent({ type: "exec.sess" })).toEqual([]);
    });

    it("lists only what was recorded since a time", async () => {
      await log.append([finding("old")]);
      await sleep(20);
      const since = Date.now();
      await sleep(5);
      await log.append([finding("new")]);
      expect((await log.recent({ since })).map((f) => f.id)).toEqual(["new"]);
    });

    it("lists only findings whose own (event) time is at or after happenedSince", async () => {
      await log.append([{ ...finding("replayed"), time: "2025-03-02T10:00:00.000000000Z" }, { ...finding("live"), time: "2026-01-01T10:00:00.000000000Z" }]);
      expect((await log.recent({ happenedSince: Date.parse("2026-01-01T09:00:00Z") })).map((f) => f.id)).toEqual(["live"]);
      expect((await log.recent({ happenedSince: Date.parse("2026-01-01T10:00:00Z") })).map((f) => f.id)).toEqual(["live"]);
      expect(await log.recent({ happenedSince: Date.parse("2026-01-01T10:00:01Z") })).toEqual([]);
    });

    it("keeps the newest maxLen findings when trimming", async () => {
      const many = Array.from({ length: maxLen * 3 }, (_, i) => finding(`f${i}`));
      for (const f of many) await log.append([f]);
      const kept = (await log.recent({ limit: many.length })).map((f) => f.id);
      expect(kept.slice(0, maxLen)).toEqual(many.slice(-maxLen).map((f) => f.id).reverse());
      // Redis trims whole stream nodes (MAXLEN ~), so a little more than maxLen may stay.
      expect(kept.length).toBeLessThan(many.length);
    });
  });
}
