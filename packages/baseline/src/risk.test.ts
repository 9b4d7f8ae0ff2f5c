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

  it("flags a shell, downloader or network tool that an application (not a shell) started", () => {
    expect(assessRisk({ binary: "/bin/sh", parent: { binary: "/usr/bin/java" } })).toMatchObject({ features: ["tool-from-app"], severity: "high", suspectFile: false });
    expect(assessRisk({ binary: "/usr/bin/curl", parent: { binary: "/usr/bin/python3" } }).explained[0]).toContain("/usr/bin/python3");
    expect(assessRisk({ binary: "/usr/bin/curl", parent: { binary: "/bin/bash" } }).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/curl" }).features).toEqual([]);
  });

  it("flags uid 0 only in a workload whose known processes run as another user", () => {
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, ["1000"])).toMatchObject({ features: ["root-in-non-root-workload"], severity: "high" });
    expect(assessRisk({ binary: "/usr/bin/id", user: "root" }, ["app"]).severity).toBe("high");
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, ["0", "1000"]).features).toEqual([]);
    expect(assessRisk({ binary: "/usr/bin/id", uid: 0 }, []).features).toEqual([]);
  });

  it("is critical with two features", () => {
    const r = assessRisk({ binary: "/tmp/nc", parent: { binary: "/usr/bin/node" }, uid: 0 }, ["1000"]);
    expect(r.features).toEqual(["writable-path", "tool-from-app", "root-in-non-root-workload"]);
    expect(r.severity).toBe("critical");
    expect(r.explained).toHaveLength(3);
  });
});
