import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SinkConfigOf } from "@outlier/routing";
import { describe, expect, it } from "vitest";
import { ElasticsearchSink } from "./elasticsearch.ts";
import { resilient } from "./resilient.ts";
import { SecretError, secretResolver } from "./secrets.ts";
import type { Sink } from "./sink.ts";
import { SlackSink } from "./slack.ts";
import { SplunkHecSink } from "./splunk-hec.ts";
import { HttpReceiver, json, text } from "./testing/http-receiver.ts";
import { captureLogs } from "./testing/log-capture.ts";
import { deadLetters, delivery } from "./testing/sink-contract.ts";
import { WebhookSink } from "./webhook.ts";

describe("secretResolver", () => {
  it("reads *_env from the environment and *_file from a file, trimmed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "outlier-secrets-"));
    await writeFile(join(dir, "token"), "from-file\n");
    const secrets = secretResolver({ env: { HEC_TOKEN: " from-env " } });
    expect(secrets.read({ env: "HEC_TOKEN" }, "splunk_hec token")).toBe("from-env");
    expect(secrets.read({ file: join(dir, "token") }, "splunk_hec token")).toBe("from-file");
  });

  it("names the missing variable or file, never a value", () => {
    const secrets = secretResolver({ env: { OTHER: "s3cret-value" }, readFile: () => "" });
    expect(() => secrets.read({ env: "SLACK_URL" }, "slack api_url")).toThrow(new SecretError("slack api_url: environment variable SLACK_URL is not set or empty"));
    expect(() => secrets.read({ file: "/run/secrets/x" }, "slack token")).toThrow("slack token: file /run/secrets/x is empty");
    const missing = secretResolver({});
    expect(() => missing.read({ file: "/nonexistent/outlier/secret" }, "hmac")).toThrow("hmac: cannot read file /nonexistent/outlier/secret (ENOENT)");
  });
});

/**
 * Every sink with a credential, against a service that echoes the credential back in its
 * error body (as some proxies and misconfigured services do) and then goes away: the
 * secret must appear in no error, dead letter or log line.
 */
describe("secrets never leak into errors or logs", () => {
  const SLACK_PATH = "/services/T0LEAK/B0LEAK/hunter2WebhookSecret";
  const SLACK_TOKEN = "xoxb-leak-4242-hunter2";
  const HEC_TOKEN = "11111111-2222-hec-hunter2";
  const ES_PASSWORD = "es-hunter2-password";
  const HOOK_SECRET = "hook-hunter2-secret";

  async function check(makeSink: (url: string) => Sink, echo: (request: { headers: Record<string, unknown>; path: string }) => ReturnType<typeof json>, secrets: string[]) {
    const receiver = await HttpReceiver.start((request) => echo(request));
    const sink = makeSink(receiver.url);
    const { logger, lines } = captureLogs();
    const { letters, options } = deadLetters();
    const thrown = await sink.deliver(delivery()).catch((e: unknown) => e as Error);
    await resilient(sink, { ...options, logger, maxAttempts: 2 }).deliver(delivery());
    await receiver.close();
    // Now nothing listens: the network error path.
    await resilient(sink, { ...options, logger, maxAttempts: 2 }).deliver(delivery());
    await sink.close();
    const texts = [String(thrown), (thrown as Error).stack ?? "", ...letters.map((l) => JSON.stringify(l.failure)), ...lines];
    expect(letters).toHaveLength(2);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      for (const t of texts) expect(t).not.toContain(secret);
    }
    return texts;
  }

  it("slack webhook URL", async () => {
    const texts = await check(
      (url) => new SlackSink({ kind: "slack", api_url_env: "U" } as SinkConfigOf<"slack">, secretResolver({ env: { U: `${url}${SLACK_PATH}` } })),
      (request) => text(500, `rollup_error posting to http://127.0.0.1${request.path}`),
      [SLACK_PATH, "hunter2WebhookSecret"],
    );
    expect(texts.join("\n")).toContain("rollup_error");
  });

  it("slack bot token", async () => {
    await check(
      (url) => {
        const config = { kind: "slack", token_env: "T", channel: { source: "#x", parts: [{ text: "#x" }] } } as SinkConfigOf<"slack">;
        return new SlackSink(config, secretResolver({ env: { T: SLACK_TOKEN } }), { apiBaseUrl: `${url}/api` });
      },
      (request) => json(503, { ok: false, error: `service_unavailable for ${String(request.headers.authorization)}` }),
      [SLACK_TOKEN],
    );
  });

  it("splunk HEC token", async () => {
    await check(
      (url) => new SplunkHecSink({ kind: "splunk_hec", url: `${url}/services/collector/event`, token_env: "H", format: "native" }, secretResolver({ env: { H: HEC_TOKEN } })),
      (request) => json(503, { text: `Server is busy (${String(request.headers.authorization)})`, code: 9 }),
      [HEC_TOKEN],
    );
  });

  it("elasticsearch basic auth", async () => {
    const basic = Buffer.from(`outlier:${ES_PASSWORD}`).toString("base64");
    await check(
      (url) => new ElasticsearchSink({ kind: "elasticsearch", url, index: "i", username: "outlier", password_env: "P", format: "ecs" }, secretResolver({ env: { P: ES_PASSWORD } })),
      (request) => json(503, { error: { type: "unavailable", reason: `auth ${String(request.headers.authorization)}` }, status: 503 }),
      [ES_PASSWORD, basic],
    );
  });

  it("webhook HMAC secret", async () => {
    await check(
      (url) => new WebhookSink({ kind: "webhook", url: `${url}/hook`, hmac_secret_env: "S" }, secretResolver({ env: { S: HOOK_SECRET } })),
      () => json(500, { error: `misconfigured: expected secret ${HOOK_SECRET}` }),
      [HOOK_SECRET],
    );
  });
});
