import type { SinkConfigOf } from "@outlier/routing";
import { afterEach, describe, expect, it } from "vitest";
import { secretResolver } from "./secrets.ts";
import { SplunkHecSink, splunkHecPayload } from "./splunk-hec.ts";
import { execSession, unexpectedProcess } from "./testing/findings.ts";
import { json } from "./testing/http-receiver.ts";
import { delivery, describeHttpSinkContract } from "./testing/sink-contract.ts";
import { HEC_BUSY, HEC_PATH, splitJsonObjects, startSplunkHecReceiver, type SplunkHecReceiver } from "./testing/splunk-hec-receiver.ts";

const TOKEN = "6a1e2f3c-hec-token-0000";

function config(url: string, extra: Partial<SinkConfigOf<"splunk_hec">> = {}): SinkConfigOf<"splunk_hec"> {
  return { kind: "splunk_hec", url, token_env: "HEC_TOKEN", format: "native", ...extra };
}

describe("splunkHecPayload", () => {
  it("writes one HEC event per finding, concatenated, with the finding's time, host and indexed fields", () => {
    const body = splunkHecPayload([unexpectedProcess(), execSession()], { format: "native", index: "security" });
    const events = splitJsonObjects(body) as Record<string, unknown>[];
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      time: 1714557600.123,
      host: "node-a",
      source: "outlier",
      sourcetype: "outlier:finding",
      index: "security",
      fields: { cluster: "prod-eu", severity: "critical", type: "process.unexpected", namespace: "payments" },
      event: { id: "f-unexpected-1", type: "process.unexpected" },
    });
  });

  it("carries OCSF Detection Findings with format: ocsf", () => {
    const [event] = splitJsonObjects(splunkHecPayload([unexpectedProcess()], { format: "ocsf" })) as Record<string, unknown>[];
    expect(event).toMatchObject({ sourcetype: "outlier:ocsf", event: { class_uid: 2004, type_uid: 200401 } });
  });
});

describe("SplunkHecSink against a HEC receiver", () => {
  let hec: SplunkHecReceiver;
  afterEach(async () => hec.receiver.close());

  async function sink(token = TOKEN): Promise<SplunkHecSink> {
    hec = await startSplunkHecReceiver(TOKEN);
    return new SplunkHecSink(config(`${hec.receiver.url}${HEC_PATH}`), secretResolver({ env: { HEC_TOKEN: token } }));
  }

  it("sends every finding of a delivery in one request, authenticated", async () => {
    const s = await sink();
    await s.deliver(delivery({ findings: [unexpectedProcess(), execSession()] }));
    expect(hec.receiver.requests).toHaveLength(1);
    expect(hec.events.map((e) => (e.event as { id: string }).id)).toEqual(["f-unexpected-1", "f-exec-1"]);
    await s.close();
  });

  it("reports a bad token (403 code 4) as rejected, not retryable", async () => {
    const s = await sink("wrong-token");
    await expect(s.deliver(delivery())).rejects.toMatchObject({ reason: "rejected", retryable: false, status: 403, message: "HTTP 403: code 4: Invalid token" });
    await s.close();
  });

  it("retries when HEC is busy (503 code 9)", async () => {
    const s = await sink();
    hec.receiver.script(HEC_BUSY);
    await expect(s.deliver(delivery())).rejects.toMatchObject({ reason: "server_error", retryable: true });
    await s.close();
  });
});

describeHttpSinkContract("splunk_hec", {
  async start() {
    const hec = await startSplunkHecReceiver(TOKEN);
    const sink = new SplunkHecSink(config(`${hec.receiver.url}${HEC_PATH}`), secretResolver({ env: { HEC_TOKEN: TOKEN } }));
    return {
      sink,
      receiver: hec.receiver,
      accepted: () => hec.events.length,
      close: async () => {
        await sink.close();
        await hec.receiver.close();
      },
    };
  },
  rateLimited: (seconds) => json(429, { text: "Too many requests", code: 9 }, { "retry-after": String(seconds) }),
  serverError: HEC_BUSY,
});
