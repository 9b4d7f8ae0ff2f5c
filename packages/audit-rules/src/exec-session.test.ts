import { describe, expect, it } from "vitest";
import { FindingSchema } from "@outlier/contracts";
import { ExecSessionCorrelator } from "./exec-session.ts";
import { at, execAudit, processExec } from "./test-support.ts";

const IDLE_S = 120;

describe("ExecSessionCorrelator", () => {
  it("rolls the processes of one exec session up into one exec.session finding naming the user", () => {
    const sessions = new ExecSessionCorrelator();
    expect(sessions.openFromAudit(execAudit())).toBe(true);
    const joined = [
      processExec({ binary: "/bin/sh", args: "-c id", pid: 100, seconds: 1 }),
      processExec({ binary: "/usr/bin/id", pid: 101, seconds: 1.1 }),
      processExec({ binary: "/usr/bin/id", pid: 102, seconds: 30 }),
    ].map((p) => sessions.observe(p));
    // The workload's own worker, in the init tree, during the session: not part of it.
    const worker = sessions.observe(processExec({ binary: "/usr/sbin/nginx", pid: 7, inInitTree: true, seconds: 5 }));
    expect(joined).toEqual(["in-session", "in-session", "in-session"]);
    expect(worker).toBe("none");

    expect(sessions.flush(at(30 + IDLE_S))).toEqual([]); // still within the idle gap
    const findings = sessions.flush(at(31 + IDLE_S));
    expect(findings).toHaveLength(1);
    const finding = FindingSchema.parse(findings[0]);
    expect(finding).toMatchObject({
      type: "exec.session",
      severity: "medium",
      time: at(0),
      cluster: "prod",
      pod: "web-6f87496b94-qdlh8",
      container: "app",
      node: "node-a",
      workload: { kind: "Deployment", name: "web", namespace: "shop" },
      summary: "alice@example.com exec into shop/web-6f87496b94-qdlh8 (app): sh -c id; 3 process(es) run",
      dedupKey: "exec.session|alice@example.com|shop/web-6f87496b94-qdlh8/app",
      evidence: {
        user: { username: "alice@example.com", groups: ["system:authenticated"] },
        sourceIPs: ["10.0.0.7"],
        command: ["sh", "-c", "id"],
        tty: true,
        start: at(0),
        end: at(30),
        closedBy: "idle",
        execCount: 3,
        droppedProcesses: 0,
        processes: [
          { binary: "/bin/sh", args: "-c id", count: 1, firstTime: at(1) },
          { binary: "/usr/bin/id", count: 2, firstTime: at(1.1) },
        ],
      },
    });
    expect(sessions.openSessions).toBe(0);
    expect(sessions.flush(at(1000))).toEqual([]); // emitted once
  });

  it("keeps out other containers, other pods, and processes after the idle gap", () => {
    const sessions = new ExecSessionCorrelator();
    sessions.openFromAudit(execAudit());
    // From outside the init tree with no session of theirs open: held for a session that may still come.
    expect(sessions.observe(processExec({ binary: "/bin/ls", container: "sidecar", seconds: 1 }))).toBe("held");
    expect(sessions.observe(processExec({ binary: "/bin/ls", pod: "web-6f87496b94-zzzzz", seconds: 1 }))).toBe("held");
    expect(sessions.observe(processExec({ binary: "/bin/ls", seconds: 1 + IDLE_S }))).toBe("held");
    expect(sessions.observe(processExec({ binary: "/bin/ls", seconds: -10 }))).toBe("held"); // long before the exec
    expect(sessions.observe(processExec({ binary: "/bin/ls", maybeExecProbe: true, seconds: 2 }))).toBe("none");
  });

  it("lets a process seen before its late audit event join the session, within the grace window", () => {
    const sessions = new ExecSessionCorrelator({ graceMs: 60_000 });
    // The runtime event arrives first; the audit webhook batch comes 20 s later.
    const shell = processExec({ binary: "/bin/sh", pid: 100, seconds: 0.5 });
    const other = processExec({ binary: "/bin/cat", pid: 300, container: "app", pod: "other-pod", seconds: 20 });
    expect(sessions.observe(shell)).toBe("held");
    expect(sessions.observe(processExec({ binary: "/usr/sbin/nginx", pid: 7, inInitTree: true, seconds: 3 }))).toBe("none");
    expect(sessions.observe(other)).toBe("held");
    expect(sessions.openFromAudit(execAudit())).toBe(true);
    expect([sessions.claimed(shell.id), sessions.claimed(shell.id), sessions.claimed(other.id)]).toEqual([true, false, false]);
    const [finding] = sessions.flush(at(20 + IDLE_S + 1));
    expect(finding?.evidence.processes).toEqual([{ binary: "/bin/sh", count: 1, firstTime: at(0.5) }]);
  });

  it("drops held processes older than the grace window", () => {
    const sessions = new ExecSessionCorrelator({ graceMs: 10_000, idleGapMs: 600_000 });
    sessions.observe(processExec({ binary: "/bin/sh", seconds: 0.5 }));
    expect(sessions.flush(at(11))).toEqual([]); // nothing open; the held process expires
    sessions.openFromAudit(execAudit());
    const [finding] = sessions.flush(at(2000));
    expect(finding?.evidence).toMatchObject({ execCount: 0, processes: [] });
  });

  it("joins Falco processes by their runtime parent, and their children by parent pid", () => {
    const sessions = new ExecSessionCorrelator();
    sessions.openFromAudit(execAudit());
    const falco = (spec: Parameters<typeof processExec>[0]) => sessions.observe(processExec({ ...spec, source: "falco" }));
    expect(falco({ binary: "bash", pid: 200, parent: { binary: "runc:[2:INIT]", pid: 199 }, seconds: 1 })).toBe("in-session");
    expect(falco({ binary: "curl", pid: 201, parent: { binary: "bash", pid: 200 }, seconds: 2 })).toBe("in-session");
    expect(falco({ binary: "php-fpm", pid: 50, parent: { binary: "php-fpm", pid: 1 }, seconds: 3 })).toBe("none");
    const [finding] = sessions.flush(at(10 + IDLE_S));
    expect(finding?.evidence.processes).toEqual([
      { binary: "bash", count: 1, firstTime: at(1) },
      { binary: "curl", count: 1, firstTime: at(2) },
    ]);
  });

  it("holds the children of a held Falco process too, so the whole tree joins a late session", () => {
    const sessions = new ExecSessionCorrelator();
    const falco = (spec: Parameters<typeof processExec>[0]) => sessions.observe(processExec({ ...spec, source: "falco" }));
    falco({ binary: "bash", pid: 200, parent: { binary: "runc", pid: 199 }, seconds: 1 });
    falco({ binary: "id", pid: 201, parent: { binary: "bash", pid: 200 }, seconds: 2 });
    sessions.openFromAudit(execAudit());
    const [finding] = sessions.flush(at(10 + IDLE_S));
    expect(finding?.evidence.execCount).toBe(2);
  });

  it("opens sessions only for allowed exec/attach at ResponseStarted, once per auditID", () => {
    const sessions = new ExecSessionCorrelator();
    expect(sessions.openFromAudit(execAudit({ stage: "ResponseComplete", responseStatus: { code: 403 } }))).toBe(false);
    expect(sessions.openFromAudit(execAudit({ stage: "ResponseComplete" }))).toBe(false);
    expect(sessions.openFromAudit(execAudit())).toBe(true);
    expect(sessions.openFromAudit(execAudit())).toBe(false); // redelivered
    const attach = execAudit({
      auditID: "attach-1",
      objectRef: { resource: "pods", subresource: "attach", namespace: "shop", name: "web-6f87496b94-qdlh8" },
      requestURI: "/api/v1/namespaces/shop/pods/web-6f87496b94-qdlh8/attach?container=app&stdin=true",
    });
    expect(sessions.openFromAudit(attach)).toBe(true);
    expect(sessions.openSessions).toBe(2);
  });

  it("is bounded: the least active session closes early, and extra distinct processes are only counted", () => {
    const sessions = new ExecSessionCorrelator({ maxOpenSessions: 2, maxProcessesPerSession: 2 });
    const podExec = (auditID: string, pod: string) =>
      execAudit({ auditID, objectRef: { resource: "pods", subresource: "exec", namespace: "shop", name: pod } });
    sessions.openFromAudit(podExec("a", "pod-a"));
    sessions.openFromAudit(podExec("b", "pod-b"));
    for (const [i, binary] of ["/bin/a", "/bin/b", "/bin/c", "/bin/a"].entries()) {
      sessions.observe(processExec({ binary, pod: "pod-b", seconds: i + 1 }));
    }
    sessions.openFromAudit(podExec("c", "pod-c")); // evicts "a", the least recently active
    expect(sessions.openSessions).toBe(2);
    const early = sessions.flush(at(10));
    expect(early.map((f) => [f.pod, f.evidence.closedBy])).toEqual([["pod-a", "capacity"]]);

    const [b] = sessions.flush(at(10 + IDLE_S)).filter((f) => f.pod === "pod-b");
    expect(b?.evidence).toMatchObject({ execCount: 4, droppedProcesses: 1 });
    expect((b?.evidence.processes as unknown[]).length).toBe(2);
  });

  it("closes a busy session at its maximum duration", () => {
    const sessions = new ExecSessionCorrelator({ maxDurationMs: 300_000 });
    sessions.openFromAudit(execAudit());
    for (let s = 60; s <= 300; s += 60) expect(sessions.observe(processExec({ binary: "/bin/date", seconds: s }))).toBe("in-session");
    expect(sessions.observe(processExec({ binary: "/bin/date", seconds: 301 }))).toBe("held");
    const [finding] = sessions.flush(at(301));
    expect(finding?.evidence).toMatchObject({ closedBy: "max-duration", execCount: 5 });
  });
});
