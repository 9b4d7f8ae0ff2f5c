import { timeFromMillis, type Finding } from "@outlier/contracts";
import { describe, expect, it } from "vitest";
import { Grouper } from "./grouper.ts";
import type { RouteMatch } from "./route.ts";
import { makeFinding } from "./test-finding.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const timing = { groupWaitMs: 30_000, groupIntervalMs: 5 * MINUTE, repeatIntervalMs: 4 * HOUR };

function matchFor(workload: string): RouteMatch {
  return {
    receiver: "payments",
    routePath: "route.routes[0]",
    matchers: ['team="payments"'],
    groupKey: `route.routes[0]:payments:{workload="${workload}"}`,
    groupLabels: { workload },
    timing,
  };
}

/** A grouper on a fake clock; findings carry the clock's time as their own. */
function fakeClock() {
  let now = 0;
  const grouper = new Grouper({ clock: () => now });
  const add = (ms: number, finding: Partial<Finding> = {}, workload = "checkout") => {
    now = ms;
    grouper.add(makeFinding({ name: workload, time: timeFromMillis(Date.parse("2024-05-01T10:00:00Z") + ms), ...finding }), matchFor(workload));
  };
  return { grouper, add };
}

describe("Grouper timing", () => {
  it("waits group_wait, then sends the burst as one notification", () => {
    const { grouper, add } = fakeClock();
    add(0, { dedupKey: "curl", pod: "checkout-1" });
    add(10_000, { dedupKey: "wget", pod: "checkout-2" });
    expect(grouper.due(29_999)).toEqual([]);
    const [notification, ...others] = grouper.due(30_000);
    expect(others).toEqual([]);
    expect(notification).toMatchObject({
      receiver: "payments",
      groupLabels: { workload: "checkout" },
      total: 2,
      resend: false,
      overflow: false,
      summary: "checkout: 2 unexpected processes across 2 replicas in 10s",
    });
    expect(notification!.findings.map((f) => f.dedupKey)).toEqual(["curl", "wget"]);
    expect(grouper.due(30_000)).toEqual([]);
  });

  it("sends what is new no sooner than group_interval after the last notification", () => {
    const { grouper, add } = fakeClock();
    add(0, { dedupKey: "curl" });
    grouper.due(30_000);
    add(60_000, { dedupKey: "nc" });
    expect(grouper.due(60_000 + 30_000)).toEqual([]);
    expect(grouper.due(30_000 + 5 * MINUTE - 1)).toEqual([]);
    const [next] = grouper.due(30_000 + 5 * MINUTE);
    expect(next).toMatchObject({ total: 1, resend: false });
    expect(next!.findings[0]!.dedupKey).toBe("nc");
  });

  it("holds repeats of a notified finding until repeat_interval, then resends them", () => {
    const { grouper, add } = fakeClock();
    add(0, { dedupKey: "curl" });
    grouper.due(30_000);
    add(10 * MINUTE, { dedupKey: "curl" });
    add(20 * MINUTE, { dedupKey: "curl" });
    expect(grouper.due(HOUR)).toEqual([]);
    expect(grouper.due(30_000 + 4 * HOUR - 1)).toEqual([]);
    const [resend] = grouper.due(30_000 + 4 * HOUR);
    expect(resend).toMatchObject({ total: 2, resend: true });
  });

  it("treats a finding as new again once repeat_interval has passed since it was sent", () => {
    const { grouper, add } = fakeClock();
    add(0, { dedupKey: "curl" });
    grouper.due(30_000);
    add(5 * HOUR, { dedupKey: "curl" });
    expect(grouper.due(5 * HOUR)).toMatchObject([{ total: 1, resend: false }]);
  });

  it("forgets an idle group after repeat_interval, so the next burst waits group_wait again", () => {
    const { grouper, add } = fakeClock();
    add(0);
    grouper.due(30_000);
    expect(grouper.stats().groups).toBe(1);
    grouper.due(30_000 + 4 * HOUR);
    expect(grouper.stats().groups).toBe(0);
    add(5 * HOUR);
    expect(grouper.due(5 * HOUR + 29_999)).toEqual([]);
    expect(grouper.due(5 * HOUR + 30_000)).toHaveLength(1);
  });

  it("keeps groups apart by group key", () => {
    const { grouper, add } = fakeClock();
    add(0, {}, "checkout");
    add(0, {}, "cart");
    const notifications = grouper.due(30_000);
    expect(notifications.map((n) => n.groupLabels.workload)).toEqual(["checkout", "cart"]);
  });

  it("uses each finding's own time without a clock", () => {
    const grouper = new Grouper();
    grouper.add(makeFinding({ time: "2024-05-01T10:00:00Z" }), matchFor("checkout"));
    const t0 = Date.parse("2024-05-01T10:00:00Z");
    expect(grouper.due(t0 + 29_999)).toEqual([]);
    expect(grouper.due(t0 + 30_000)).toHaveLength(1);
  });

  it("never holds a finding whose time cannot be read", () => {
    const grouper = new Grouper();
    grouper.add(makeFinding({ time: "yesterday" }), matchFor("checkout"));
    expect(grouper.due(0)).toMatchObject([{ total: 1 }]);
  });
});

describe("Grouper bounds", () => {
  it("lists a bounded number of findings and counts them all", () => {
    const grouper = new Grouper({ clock: () => 0, maxFindingsPerNotification: 3 });
    for (let i = 0; i < 5; i++) grouper.add(makeFinding({ id: `f${i}`, dedupKey: `k${i}` }), matchFor("checkout"));
    const [notification] = grouper.due(30_000);
    expect(notification!.findings.map((f) => f.id)).toEqual(["f0", "f1", "f2"]);
    expect(notification!.total).toBe(5);
    expect(notification!.summary).toMatch(/^checkout: 5 unexpected processes/);
  });

  it("sends findings past maxGroups to their route's overflow group, and counts them", () => {
    const grouper = new Grouper({ clock: () => 0, maxGroups: 1 });
    grouper.add(makeFinding({ name: "checkout" }), matchFor("checkout"));
    grouper.add(makeFinding({ name: "cart" }), matchFor("cart"));
    grouper.add(makeFinding({ name: "search" }), matchFor("search"));
    expect(grouper.stats()).toEqual({ groups: 2, overflowed: 2 });
    const [normal, overflow] = grouper.due(30_000);
    expect(normal).toMatchObject({ overflow: false, total: 1 });
    expect(overflow).toMatchObject({ overflow: true, total: 2, groupLabels: {}, groupKey: "route.routes[0]:payments:overflow" });
    expect(overflow!.summary).toBe("2 workloads in payments: 2 unexpected processes across 1 replica");
  });
});
