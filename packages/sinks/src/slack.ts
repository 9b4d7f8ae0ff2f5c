import { displayText, severityRank, type Finding, type Severity } from "@outlier/contracts";
import { renderTemplate, templateContext, type SinkConfigOf } from "@outlier/routing";
import { commandLine, whatToDo, whyAnomalous, workloadRef } from "./evidence.ts";
import { HttpClient, type HttpResponse } from "./http.ts";
import type { SecretResolver } from "./secrets.ts";
import { DeliveryError, type Delivery, type Pacing, type Sink } from "./sink.ts";

/** Slack Incoming Webhook or chat.postMessage: one Block Kit message per delivery. */

export interface SlackText {
  type: "plain_text" | "mrkdwn";
  text: string;
}
export type SlackBlock =
  | { type: "header"; text: SlackText }
  | { type: "section"; text?: SlackText; fields?: SlackText[] }
  | { type: "context"; elements: SlackText[] }
  | { type: "divider" };

export interface SlackMessage {
  channel?: string;
  /** The notification text (push, screen readers); the attachment holds the details. */
  text: string;
  attachments: { color: string; blocks: SlackBlock[] }[];
  unfurl_links: false;
}

export const SEVERITY_COLOR: Record<Severity, string> = {
  info: "#439FE0",
  low: "#2EB67D",
  medium: "#ECB22E",
  high: "#E8710A",
  critical: "#E01E5A",
};

/** Findings listed one by one; Slack allows 50 blocks, a reader far fewer. */
const LISTED = 5;
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

export function slackPayload(delivery: Delivery, options: { channel?: string } = {}): SlackMessage {
  const severity = highestSeverity(delivery.findings);
  const blocks: SlackBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(`${severity.toUpperCase()} · ${oneLine(delivery.summary)}`, HEADER_MAX) } },
    { type: "section", fields: whereFields(delivery.findings) },
    ...delivery.findings.slice(0, LISTED).map(findingBlock),
  ];
  const total = delivery.total ?? delivery.findings.length;
  const more = total - Math.min(delivery.findings.length, LISTED);
  if (more > 0) blocks.push({ type: "context", elements: [mrkdwn(`…and ${more} more (${total} in all)`)] });
  const hint = reviewHint(delivery.findings);
  if (hint) blocks.push({ type: "context", elements: [mrkdwn(hint)] });
  const message: SlackMessage = {
    // The summary names workloads, which whoever creates pods chooses: escaped like the blocks.
    text: `[${severity.toUpperCase()}] ${escape(delivery.summary)}`,
    attachments: [{ color: SEVERITY_COLOR[severity], blocks }],
    unfurl_links: false,
  };
  if (options.channel) message.channel = options.channel;
  return message;
}

/** The channel for a delivery: the template rendered with its first finding. */
export function slackChannel(config: SinkConfigOf<"slack">, delivery: Delivery): string | undefined {
  const first = delivery.findings[0];
  if (!config.channel || !first) return undefined;
  return renderTemplate(config.channel, templateContext(first)) || undefined;
}

function highestSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((max, f) => (severityRank(f.severity) > severityRank(max) ? f.severity : max), "info");
}

function whereFields(findings: readonly Finding[]): SlackText[] {
  const values = (pick: (f: Finding) => string | undefined) => distinct(findings.map(pick));
  const rows: [string, string][] = [
    ["Cluster", values((f) => f.cluster)],
    ["Namespace", values((f) => f.workload?.namespace)],
    ["Workload", values((f) => workloadRef(f))],
    ["Container", values((f) => f.container)],
    ["Pod", values((f) => f.pod)],
    ["Node", values((f) => f.node)],
  ];
  return rows.filter(([, value]) => value !== "").map(([label, value]) => mrkdwn(`*${label}*\n${value}`));
}

function findingBlock(finding: Finding): SlackBlock {
  const lines = [`*${escape(finding.type)}* · ${finding.severity} · ${escape(finding.summary)}`];
  const process = finding.process;
  if (process) {
    lines.push(`Process: ${code(commandLine(process))}${process.pid !== undefined ? ` (pid ${process.pid})` : ""}`);
    if (process.parent) lines.push(`Parent: ${code(commandLine(process.parent))}`);
  }
  const why = whyAnomalous(finding);
  if (why.length > 0) lines.push(`Why: ${escape(why.join("; "))}`);
  const action = whatToDo(finding);
  if (action) lines.push(`What to do: ${escape(action)}`);
  return { type: "section", text: mrkdwn(clip(lines.join("\n"), SECTION_MAX)) };
}

function reviewHint(findings: readonly Finding[]): string | undefined {
  // The review CLI's address: NAMESPACE/KIND/NAME (the cluster is the Redis it talks to).
  const workloads = distinctList(findings.map((f) => f.workload && `${f.workload.namespace}/${f.workload.kind}/${f.workload.name}`));
  if (workloads.length !== 1) return undefined;
  return `Review the baseline: ${code(`outlier baseline review ${workloads[0]}`)}`;
}

function distinctList(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ""))];
}

/** "a, b, c +2 more" — a group can span many pods. */
function distinct(values: (string | undefined)[]): string {
  const list = distinctList(values);
  const shown = list.slice(0, 3).map(escape).join(", ");
  return list.length > 3 ? `${shown} +${list.length - 3} more` : shown;
}

function mrkdwn(text: string): SlackText {
  return { type: "mrkdwn", text };
}

/**
 * Slack's three control characters (`<!channel>`, `<http://x|y>` and entities start with them),
 * after the control, bidi and line-separator characters are made visible: a newline in a pod
 * name must not forge a line of the message, nor a U+202E reverse what follows.
 */
function escape(text: string): string {
  return oneLine(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Control characters shown as `\xHH`, `\n`, `\u{202e}` (the CLI's convention); Slack's own limits clip. */
function oneLine(text: string): string {
  return displayText(text, Number.POSITIVE_INFINITY);
}

/** Inline code; a backtick inside would end it early, so it becomes a similar quote. */
function code(text: string): string {
  return `\`${escape(clip(text, 500)).replace(/`/g, "ˋ")}\``;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Errors chat.postMessage reports that go away by themselves. */
const TEMPORARY_API_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

export interface SlackSinkOptions {
  /** The Web API's base URL; tests point it at a local receiver. */
  apiBaseUrl?: string;
}

export class SlackSink implements Sink {
  readonly name: string;
  readonly pacing: Pacing;
  readonly #config: SinkConfigOf<"slack">;
  readonly #webhookUrl: string | undefined;
  readonly #token: string | undefined;
  readonly #apiBaseUrl: string;
  readonly #http: HttpClient;

  constructor(config: SinkConfigOf<"slack">, secrets: SecretResolver, options: SlackSinkOptions = {}) {
    this.#config = config;
    const webhook = config.api_url_env !== undefined || config.api_url_file !== undefined;
    this.#webhookUrl = webhook ? secrets.read({ env: config.api_url_env, file: config.api_url_file }, "slack api_url") : undefined;
    this.#token = webhook ? undefined : secrets.read({ env: config.token_env, file: config.token_file }, "slack token");
    this.#apiBaseUrl = options.apiBaseUrl ?? "https://slack.com/api";
    this.name = `slack:${config.channel?.source ?? "webhook"}`;
    // The webhook's path alone is as secret as the whole URL.
    const hidden = [this.#webhookUrl, this.#webhookUrl && safePath(this.#webhookUrl), this.#token].filter((s): s is string => !!s);
    this.#http = new HttpClient(hidden);
    this.pacing = { intervalMs: 1000, key: (delivery) => slackChannel(config, delivery) ?? "webhook" };
  }

  async deliver(delivery: Delivery, signal?: AbortSignal): Promise<void> {
    const channel = slackChannel(this.#config, delivery);
    const body = JSON.stringify(slackPayload(delivery, channel ? { channel } : {}));
    if (this.#webhookUrl) {
      const res = await this.#http.post(this.#webhookUrl, { "content-type": "application/json" }, body, signal);
      if (res.status !== 200) throw this.#http.failure(res);
      return;
    }
    const res = await this.#http.post(
      `${this.#apiBaseUrl}/chat.postMessage`,
      { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${this.#token}` },
      body,
      signal,
    );
    if (res.status !== 200) throw this.#http.failure(res);
    this.#checkApiAnswer(res);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  /** chat.postMessage answers 200 even on failure, with `{ok: false, error}`. */
  #checkApiAnswer(res: HttpResponse): void {
    let answer: { ok?: boolean; error?: string };
    try {
      answer = JSON.parse(res.body) as typeof answer;
    } catch {
      throw new DeliveryError("server_error", `unreadable answer: ${this.#http.safe(res.body)}`, { retryable: true, status: res.status });
    }
    if (answer.ok === true) return;
    const error = this.#http.safe(answer.error ?? "unknown_error");
    const temporary = TEMPORARY_API_ERRORS.has(error);
    throw new DeliveryError(error === "ratelimited" ? "rate_limited" : temporary ? "server_error" : "rejected", `chat.postMessage: ${error}`, {
      retryable: temporary,
      status: res.status,
    });
  }
}

function safePath(url: string): string | undefined {
  try {
    const path = new URL(url).pathname;
    return path.length > 1 ? path : undefined;
  } catch {
    return undefined;
  }
}
