import { MemoryBus, type OutRecord, type Producer } from "@outlier/bus";
import { FindingSchema, SCHEMA_HEADER, TOPICS, type Finding } from "@outlier/contracts";
import { Detector } from "@outlier/detector";
import { createLogger } from "@outlier/service-kit";
import { MemoryBaselineStore, MemoryFindingLog } from "@outlier/store";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { exec } from "../../../packages/detector/src/test-events.ts";
import { DetectorService } from "./detector-service.ts";
import { createDetectorMetrics } from "./metrics.ts";

const PODS = ["checkout-7d9f-a1", "checkout-7d9f-b2", "checkout-7d9f-c3"];
const COMMON = ["/usr/bin/entrypoint", "/usr/local/bin/server", "/bin/sh"];
const learningHour = () => PODS.flatMap((pod) => Array.from({ length: 12 }, (_, i) => COMMON.map((binary) => exec({ pod, binary, minutes: i * 5 }))).flat());
const runtimeRecord = (value: string): OutRecord => ({ topic: TOPICS.runtime, key: "c1/shop/Deployment/checkout", value, headers: { [SCHEMA_HEADER]: "outlier.runtime.v1" } });

function setup(producer?: (inner: Producer) => Producer, shared?: { bus: MemoryBus; store: MemoryBaselineStore }) {
  const bus = shared?.bus ?? new MemoryBus({ partitions: 3, redeliveryBackoffMs: 10, logger: { error: () => undefined } });
  const store = shared?.store ?? new MemoryBaselineStore();
  const findingLog = new MemoryFindingLog();
  const registry = new Registry();
  const service = new DetectorService({
    consumer: bus.consumer(),
    producer: producer ? producer(bus.producer()) : bus.producer(),
    store,
    findingLog,
    newDetector: () => new Detector({ store }),
    topics: { ...TOPICS },
    groupId: "detector",
    fromBeginning: true,
    metrics: createDetectorMetrics(registry),
    logger: createLogger({ level: "silent", name: "detector-test" }),
  });
  const findings = (): Finding[] => bus.records(TOPICS.findings).map((r) => FindingSchema.parse(JSON.parse(r.value)));
  return { bus, store, findingLog, registry, service, findings };
}

describe("DetectorService", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());

  it("judges consumed events, produces findings keyed by workload, and dead-letters bad records without stopping", async () => {
    const { bus, service, findings, findingLog, registry } = setup();
    stop = () => service.stop();
    const events = [...learningHour().map((e) => JSON.stringify(e)), "{broken", JSON.stringify(exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes: 61 }))];
    await bus.producer().send(events.map(runtimeRecord));
    await service.start();

    await expect.poll(() => findings().filter((f) => f.type === "process.unexpected").length).toBe(1);
    const record = bus.records(TOPICS.findings).find((r) => r.value.includes("/usr/bin/nc"))!;
    expect(record.key).toBe("c1/shop/Deployment/checkout");
    expect(record.headers[SCHEMA_HEADER]).toBe("outlier.finding.v1");
    expect((await findingLog.recent()).map((f) => f.id)).toEqual(findings().map((f) => f.id).reverse());

    const letters = bus.records(TOPICS.deadletter).map((r) => JSON.parse(r.value) as { code: string; source: string; payload: string });
    expect(letters).toEqual([expect.objectContaining({ code: "malformed_json", payload: "{broken", source: expect.stringMatching(/^kafka:outlier\.runtime\.v1\[\d+\]@\d+$/) })]);
    const metrics = await registry.getMetricsAsJSON();
    const consumed = metrics.find((m) => m.name === "outlier_detector_events_consumed_total")!.values;
    expect(consumed).toEqual([expect.objectContaining({ labels: { type: "process_exec" }, value: events.length - 1 })]);
  });

  it("still produces a batch's finding when producing it failed once: the redelivery is judged from the store", async () => {
    let failures = 1;
    const flaky = (inner: Producer): Producer => ({
      send: async (records) => {
        if (records.some((r) => r.value.includes("/usr/bin/nc")) && failures-- > 0) throw new Error("broker unavailable");
        await inner.send(records);
      },
      close: () => inner.close(),
    });
    const { bus, service, findings, registry } = setup(flaky);
    stop = () => service.stop();
    await bus.producer().send(learningHour().map((e) => runtimeRecord(JSON.stringify(e))));
    await service.start();
    await expect.poll(() => service.detector.stats.total("events")).toBe(learningHour().length);

    await bus.producer().send([runtimeRecord(JSON.stringify(exec({ pod: PODS[1]!, binary: "/usr/bin/nc", minutes: 61 })))]);
    await expect.poll(() => findings().filter((f) => f.type === "process.unexpected").map((f) => f.pod)).toEqual([PODS[1]]);
    const failed = (await registry.getMetricsAsJSON()).find((m) => m.name === "outlier_detector_batch_failures_total")!.values;
    expect(failed).toEqual([expect.objectContaining({ labels: { stage: "write" }, value: 1 })]);
  });

  it("commits a partition only up to an exec it defers, so a restart judges it again rather than losing it", async () => {
    const first = setup();
    stop = () => first.service.stop();
    await first.bus.producer().send(learningHour().map((e) => runtimeRecord(JSON.stringify(e))));
    await first.service.start();
    await expect.poll(() => first.service.detector.stats.total("events")).toBe(learningHour().length);
    // From outside the container with no kubectl exec in the audit log (yet): held, not judged.
    const intruder = exec({ pod: PODS[2]!, binary: "/usr/bin/nc", minutes: 70, inInitTree: false, parent: "/usr/bin/runc" });
    await first.bus.producer().send([runtimeRecord(JSON.stringify(intruder))]);
    await expect.poll(() => first.service.detector.isDeferred(intruder.id)).toBe(true);
    await first.service.stop();

    const second = setup(undefined, first);
    stop = () => second.service.stop();
    await second.service.start();
    await expect.poll(() => second.service.detector.isDeferred(intruder.id)).toBe(true);
    await second.bus.producer().send([runtimeRecord(JSON.stringify(exec({ pod: PODS[0]!, binary: "/bin/sh", minutes: 72 })))]);
    await expect.poll(() => second.findings().filter((f) => f.type === "process.unexpected").map((f) => f.process?.binary)).toEqual(["/usr/bin/nc"]);
  });

  it("starts from the store again after a rebalance, so no baseline cached before it is trusted", async () => {
    const { bus, service } = setup();
    stop = () => service.stop();
    await service.start();
    await expect.poll(() => service.consuming).toBe(true);
    const before = service.detector;
    const other = bus.consumer();
    await other.run({ topics: [TOPICS.runtime], groupId: "detector", handle: async () => undefined });
    await expect.poll(() => service.detector !== before).toBe(true);
    await other.stop();
  });
});

