import { describe, expect, it } from "vitest";
import { parsePodStreamRequest } from "./exec-request.ts";
import { workloadFromPodName } from "./pod-workload.ts";

describe("parsePodStreamRequest", () => {
  it("reads the command, in order, and the first container from an exec URI", () => {
    const uri = "/api/v1/namespaces/default/pods/p/exec?command=bash&container=nginx1&container=nginx1&stdin=true&stdout=true&tty=true";
    expect(parsePodStreamRequest(uri)).toEqual({ command: ["bash"], container: "nginx1", tty: true, stdin: true, ports: [] });
    const encoded = "/api/v1/namespaces/s/pods/p/exec?command=sh&command=-c&command=cat%20%2Fetc%2Fpasswd&stdout=true";
    expect(parsePodStreamRequest(encoded)).toMatchObject({ command: ["sh", "-c", "cat /etc/passwd"], container: undefined, tty: false });
  });

  it("is empty without a query or a URI", () => {
    expect(parsePodStreamRequest(undefined)).toEqual({ command: [], container: undefined, tty: false, stdin: false, ports: [] });
    expect(parsePodStreamRequest("/api/v1/namespaces/s/pods/p/attach")).toMatchObject({ command: [] });
  });
});

describe("workloadFromPodName", () => {
  it("recognises Deployment pods and ReplicaSet generateNames", () => {
    expect(workloadFromPodName("default", "nginx-deployment-7998647bdf-phvq7")?.name).toBe("nginx-deployment");
    expect(workloadFromPodName("default", "nginx-deployment-f7f486546-")?.name).toBe("nginx-deployment");
  });

  it("does not guess for StatefulSet, DaemonSet, Job or bare pods", () => {
    for (const name of ["postgres-0", "fluentd-x7k2p", "backup-28472310-xk2p9", "debug"]) {
      expect(workloadFromPodName("default", name)).toBeUndefined();
    }
  });
});
