import { describe, expect, it } from "vitest";
import { timeFromMillis, timeToMillis, type Finding } from "@outlier/contracts";
import { Cooldown } from "./cooldown.ts";

const T0 = timeToMillis("2024-05-01T10:00:00.000000000Z");
const at = (minutes: number) => timeFromMillis(T0 + minutes * 60_000);

function finding(minutes: number, pod: string, dedupKey = "process.unexpected|prod/shop/Deployment/web|app|/usr/bin/nc"): Finding {
  return { schema: "outlier.finding.v1", id: `f-${minutes}-${pod}`, type: "process.unexpected", severity: "high", time: at(minutes), cluster: "prod", summary: "Unexpected process /usr/bin/nc", pod, evidence: {}, dedupKey };
}

describe("Cooldown", () => {
  it("passes the first occurrence and holds repeats within the cooldown", () => {
    const cooldown = new Cooldown({ cooldownMs: 10 * 60_000 });
    expect(cooldown.admit(finding(0, "web-1"))).toEqual(finding(0, "web-1"));
    expect(cooldown.admit(finding(1, "web-1"))).toBeUndefined();
    expect(cooldown.admit(finding(9, "web-2"))).toBeUndefined();
  });

  it("rolls the held repeats up into the first occurrence after the cooldown", () => {
    const cooldown = new Cooldown({ cooldownMs: 10 * 60_000 });
    cooldown.admit(finding(0, "web-1"));
    cooldown.admit(finding(1, "web-1"));
    cooldown.admit(finding(2, "web-2"));
    const sent = cooldown.admit(finding(12, "web-3"));
    expect(sent?.id).toBe("f-12-web-3");
    expect(sent?.evidence).toEqual({ rollup: { count: 3, replicas: 3, since: at(0) } });
    expect(sent?.summary).toBe(`Unexpected process /usr/bin/nc (3 times across 3 replicas since ${at(0)})`);
    // A new cooldown started at minute 12.
    expect(cooldown.admit(finding(13, "web-1"))).toBeUndefined();
  });

  it("sends a later occurrence plainly when nothing was held back", () => {
    const cooldown = new Cooldown({ cooldownMs: 10 * 60_000 });
    cooldown.admit(finding(0, "web-1"));
    expect(cooldown.admit(finding(30, "web-1"))).toEqual(finding(30, "web-1"));
  });

  it("keeps dedupKeys apart, treats late events as repeats, and stays bounded", () => {
    const cooldown = new Cooldown({ cooldownMs: 10 * 60_000, maxKeys: 2 });
    cooldown.admit(finding(5, "web-1", "a"));
    expect(cooldown.admit(finding(5, "web-1", "b"))).toBeDefined();
    expect(cooldown.admit(finding(1, "web-1", "a"))).toBeUndefined();
    cooldown.admit(finding(6, "web-1", "c"));
    expect(cooldown.size).toBe(2);
    // "b" was the least recently seen and was forgotten: it passes again.
    expect(cooldown.admit(finding(7, "web-1", "b"))).toBeDefined();
  });
});
