import { describe, expect, it } from "vitest";
import { classifyNoise, type ContainerSpecCommands } from "./noise.ts";
import { execEvent } from "./test-support.ts";

const spec: ContainerSpecCommands = {
  probeCommands: [["cat", "/tmp/healthy"], ["/bin/sh", "-c", "pg_isready -U postgres"]],
  containerCommands: [["nginx", "-g", "daemon off;"]],
};

describe("classifyNoise", () => {
  it("trusts Tetragon's maybe_exec_probe, with or without the pod spec", () => {
    expect(classifyNoise(execEvent({ binary: "/bin/ls", maybeExecProbe: true }))).toBe("exec-probe");
    expect(classifyNoise(execEvent({ binary: "/bin/ls", maybeExecProbe: false }), spec)).toBeUndefined();
  });

  it("recognises a probe command outside the init tree", () => {
    expect(classifyNoise(execEvent({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: false }), spec)).toBe("exec-probe");
  });

  it("recognises what a probe shell starts, and its quoted arguments", () => {
    const shell = { binary: "/bin/sh", args: '-c "pg_isready -U postgres"', inInitTree: false };
    expect(classifyNoise(execEvent(shell), spec)).toBe("exec-probe");
    const child = { binary: "/usr/bin/pg_isready", args: "-U postgres", inInitTree: false, parent: { binary: shell.binary, args: shell.args } };
    expect(classifyNoise(execEvent(child), spec)).toBe("exec-probe");
  });

  it("does not hide an interactive shell or a probe-like command in the init tree", () => {
    expect(classifyNoise(execEvent({ binary: "/bin/sh", args: "", inInitTree: false }), spec)).toBeUndefined();
    expect(classifyNoise(execEvent({ binary: "/bin/cat", args: "/etc/shadow", inInitTree: false }), spec)).toBeUndefined();
    expect(classifyNoise(execEvent({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: true }), spec)).toBeUndefined();
  });

  it("recognises the container's own command, with its exact arguments", () => {
    expect(classifyNoise(execEvent({ binary: "/usr/sbin/nginx", args: "-g daemon off;", inInitTree: true }), spec)).toBe("pod-spec-command");
    expect(classifyNoise(execEvent({ binary: "/usr/sbin/nginx", args: "-s reload" }), spec)).toBeUndefined();
  });

  it("trusts the collector's pod-spec-command mark without the pod spec", () => {
    expect(classifyNoise(execEvent({ binary: "/usr/local/bin/entrypoint.sh", podSpecCommand: true }))).toBe("pod-spec-command");
    expect(classifyNoise(execEvent({ binary: "/usr/local/bin/entrypoint.sh", podSpecCommand: false }))).toBeUndefined();
  });

  it("has nothing to say without a process or without the pod spec", () => {
    expect(classifyNoise({ ...execEvent({ binary: "/bin/cat" }), process: undefined }, spec)).toBeUndefined();
    expect(classifyNoise(execEvent({ binary: "/bin/cat", args: "/tmp/healthy", inInitTree: false }))).toBeUndefined();
  });
});
