import { createLogger } from "@outlier/service-kit";
import type { InRecord } from "@outlier/bus";
import type { DeadLetter, Finding } from "@outlier/contracts";
import { loadRoutes, type RoutingConfig } from "@outlier/routing";
import type { Delivery, Sink } from "@outlier/sinks";
import { MemoryDeliveredStore } from "@outlier/store";
import { Registry } from "prom-client";
import { beforeEach, describe, expect, it } from "vitest";
import { Dispatcher, type ReceiverSink } from "./dispatcher.ts";
import { createAlerterMetrics, type AlerterMetrics } from "./metrics.ts";
import { finding } from "./testing/findings.ts";

const ROUTES = `
route:
  receiver: team
  group_by: [namespace, workload]
  group_wait: 30s
  group_interval: 5m
  routes:
    - receiver: soc
      min_severity: critical
      continue: true
      group_by: [namespace]
      group_wait: 1s
    - receiver: team
receivers:
  - name: team
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'
        api_url_env: SLACK_WEBHOOK_URL
    webhook_configs:
      - url: http://127.0.0.1:9/hook
  - name: soc
    webhook_configs:
      - url: http://127.0.0.1:9/soc
`;

/** A sink that records what it was given; `fail` makes its next deliveries throw (as when dead-lettering failed). */
class RecordingSink implements Sink {
  readonly name: string;
  readonly deliveries: Delivery[] = [];
  fail = 0;
  constructor(name: string) {
    this.name = name;
  }
  async deliver(delivery: Delivery): Promise<void> {
    if (this.fail > 0) {
      this.fail -= 1;
      throw new Error("dead-letter topic unavailable");
    }
    this.deliveries.push(delivery);
  }
  ids(): string[][] {
    return this.deliveries.map((d) => d.findings.map((f) => f.id).sort());
  }
  async close(): Promise<void> {}
}

let offset = 0;
function record(value: Finding | string): InRecord {
  offset += 1;
  return { topic: "findings", partition: 0, offset: String(offset), key: "k", value: typeof value === "string" ? value : JSON.stringify(value), headers: {} };
}

/** Lets queued work (a handle() reaching the grouper) run. */
const idle = () => new Promise((resolve) => setImmediate(resolve));

/** Whether a promise has settled by the time queued work has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("Dispatcher", () => {
  let now: number;
  let routes: RoutingConfig;
  let store: MemoryDeliveredStore;
  let deadLetters: DeadLetter[];
  let metrics: AlerterMetrics;
  let slack: RecordingSink;
  let teamHook: RecordingSink;
  let socHook: RecordingSink;
  let dispatcher: Dispatcher;

  beforeEach(() => {
    now = 1_000_000;
    routes = loadRoutes(ROUTES);
    store = new MemoryDeliveredStore({ now: () => now });
    deadLetters = [];
    metrics = createAlerterMetrics(new Registry());
    slack = new RecordingSink("slack");
    teamHook = new RecordingSink("team-hook");
    socHook = new RecordingSink("soc-hook");
    const sinkConfigs = (receiver: string) => routes.receivers.get(receiver)!.sinks;
    const sinks = new Map<string, ReceiverSink[]>([
      ["team", [slack, teamHook].map((sink, index) => ({ index, config: sinkConfigs("team")[index]!, sink }))],
      ["soc", [{ index: 0, config: sinkConfigs("soc")[0]!, sink: socHook }]],
    ]);
    dispatcher = new Dispatcher({
      routes,
      sinks,
      delivered: store,
      metrics,
      logger: createLogger({ level: "silent", name: "test" }),
      clock: () => now,
      deadLetter: async (records) => void deadLetters.push(...records),
    });
  });

  const flushAt = async (ms: number) => {
    now = ms;
    dispatcher.flushDue();
    await new Promise((resolve) => setImmediate(resolve));
  };

  it("holds a batch for group_wait, sends each group once to every sink, then resolves and records it", async () => {
    const batch = [
      record(finding({ id: "a1", workload: "checkout" })),
      record(finding({ id: "a2", workload: "checkout", pod: "checkout-7d9f8-zzzzz" })),
      record(finding({ id: "b1", workload: "ledger" })),
    ];
    const handled = dispatcher.handle(batch);
    await idle();
    await flushAt(now + 29_000);
    expect(await settled(handled)).toBe(false);
    expect(slack.deliveries).toHaveLength(0);

    await flushAt(now + 1_000);
    await handled;
    expect(slack.ids().sort()).toEqual([["a1", "a2"], ["b1"]]);
    expect(teamHook.ids().sort()).toEqual([["a1", "a2"], ["b1"]]);
    expect(slack.deliveries.find((d) => d.total === 2)?.summary).toMatch(/^checkout: 2 unexpected processes across 2 replicas/);
    expect(await store.delivered([{ destination: "team/0", findingId: "a1" }, { destination: "team/1", findingId: "b1" }, { destination: "soc/0", findingId: "a1" }])).toEqual([
      true,
      true,
      false,
    ]);
    expect(dispatcher.pending).toBe(0);
  });

  it("sends a finding to every receiver it routes to, each on its own timing", async () => {
    const handled = dispatcher.handle([record(finding({ id: "c1", severity: "critical" }))]);
    await idle();
    await flushAt(now + 1_000);
    expect(socHook.ids()).toEqual([["c1"]]);
    expect(await settled(handled)).toBe(false); // the team receiver still waits its group_wait
    await flushAt(now + 29_000);
    await handled;
    expect(slack.ids()).toEqual([["c1"]]);
  });

  it("splits a group by the Slack channel each workload's annotation names", async () => {
    const r = loadRoutes(ROUTES.replace("group_by: [namespace, workload]", "group_by: [namespace]"));
    const sinks = new Map([["team", [{ index: 0, config: r.receivers.get("team")!.sinks[0]!, sink: slack }]]]);
    dispatcher = new Dispatcher({ routes: r, sinks, delivered: store, metrics, logger: createLogger({ level: "silent", name: "t" }), clock: () => now, deadLetter: async () => {} });
    const handled = dispatcher.handle([
      record(finding({ id: "p1", workload: "checkout", channel: "#payments-oncall" })),
      record(finding({ id: "p2", workload: "ledger", channel: "#ledger" })),
      record(finding({ id: "p3", workload: "cart" })),
    ]);
    await idle();
    await flushAt(now + 30_000);
    await handled;
    const channels = slack.deliveries.map((d) => [d.findings[0]!.workload!.annotations["outlier.dev/slack-channel"] ?? "(default)", d.findings.length]);
    expect(channels.sort()).toEqual([["#ledger", 1], ["#payments-oncall", 1], ["(default)", 1]]);
  });

  it("skips the sinks that already had a finding, and resolves at once when all had it", async () => {
    await store.markDelivered([{ destination: "team/0", findingId: "d1" }, { destination: "team/0", findingId: "d2" }, { destination: "team/1", findingId: "d2" }]);
    const handled = dispatcher.handle([record(finding({ id: "d1" })), record(finding({ id: "d2", workload: "ledger" }))]);
    await idle();
    await flushAt(now + 30_000);
    await handled;
    expect(slack.ids()).toEqual([]);
    expect(teamHook.ids()).toEqual([["d1"]]);
    expect((await metrics.duplicatesSkipped.get()).values).toEqual([expect.objectContaining({ labels: { receiver: "team" }, value: 1 })]);

    // Redelivered again, now that everything is recorded: nothing is sent, nothing waits.
    await dispatcher.handle([record(finding({ id: "d1" })), record(finding({ id: "d2", workload: "ledger" }))]);
    expect(teamHook.deliveries).toHaveLength(1);
  });

  it("fails the batch when a sink's delivery could not be recorded, and the redelivery reaches only that sink", async () => {
    teamHook.fail = 1;
    const batch = [record(finding({ id: "e1" }))];
    const first = dispatcher.handle(batch).then(() => "committed", (error: Error) => error.message);
    await idle();
    await flushAt(now + 30_000);
    expect(await first).toBe("dead-letter topic unavailable");
    expect(slack.ids()).toEqual([["e1"]]);

    // The group notified already: the redelivered finding waits for its group_interval.
    const again = dispatcher.handle(batch);
    await idle();
    await flushAt(now + 60_000);
    expect(await settled(again)).toBe(false);
    await flushAt(now + 240_000);
    await again;
    expect(slack.ids()).toEqual([["e1"]]);
    expect(teamHook.ids()).toEqual([["e1"]]);
  });

  it("a redelivered batch waits for the copy already in a group instead of adding it twice", async () => {
    const batch = [record(finding({ id: "g1" })), record(finding({ id: "g1" }))];
    const first = dispatcher.handle(batch);
    await idle();
    const second = dispatcher.handle(batch);
    await idle();
    await flushAt(now + 30_000);
    await Promise.all([first, second]);
    expect(slack.ids()).toEqual([["g1"]]);
  });

  it("dead-letters unreadable records with their origin and handles the rest", async () => {
    const handled = dispatcher.handle([record("{not json"), record(JSON.stringify({ schema: "outlier.finding.v1", id: "x" })), record(finding({ id: "h1" }))]);
    await idle();
    await flushAt(now + 30_000);
    await handled;
    expect(deadLetters.map((d) => d.code)).toEqual(["malformed_json", "schema_violation"]);
    expect(deadLetters[0]).toMatchObject({ schema: "outlier.deadletter.v1", payload: "{not json", source: expect.stringMatching(/^kafka:findings\[0\]@\d+$/) });
    expect(slack.ids()).toEqual([["h1"]]);
  });

  it("on stop, releases waiting findings unsent so that their batch is not committed", async () => {
    const handled = dispatcher.handle([record(finding({ id: "s1" }))]);
    await idle();
    await new Promise((resolve) => setImmediate(resolve));
    await dispatcher.stop();
    await expect(handled).rejects.toThrow(/redelivered/);
    await flushAt(now + 30_000);
    expect(slack.deliveries).toHaveLength(0);
    expect(await store.delivered([{ destination: "team/0", findingId: "s1" }])).toEqual([false]);
  });
});
