import type { Finding } from "@outlier/contracts";
import type { SinkConfigOf } from "@outlier/routing";
import { findingMillis } from "./finding-time.ts";
import { HttpClient } from "./http.ts";
import { ocsfDetectionFinding } from "./ocsf.ts";
import type { SecretResolver } from "./secrets.ts";
import { DeliveryError, type Delivery, type Sink } from "./sink.ts";

/** Splunk HTTP Event Collector, `/services/collector/event`: one HEC event per finding. */

export interface HecEvent {
  /** Epoch seconds, milliseconds as the fraction. */
  time?: number;
  host: string;
  source: "outlier";
  sourcetype: string;
  index?: string;
  /** Indexed fields, searchable with tstats. */
  fields: Record<string, string>;
  event: unknown;
}

type HecOptions = Pick<SinkConfigOf<"splunk_hec">, "index" | "sourcetype" | "format">;

export function hecEvent(finding: Finding, options: HecOptions): HecEvent {
  const ocsf = options.format === "ocsf";
  const event: HecEvent = {
    host: finding.node ?? finding.cluster,
    source: "outlier",
    sourcetype: options.sourcetype ?? (ocsf ? "outlier:ocsf" : "outlier:finding"),
    fields: { cluster: finding.cluster, severity: finding.severity, type: finding.type, ...(finding.workload ? { namespace: finding.workload.namespace } : {}) },
    event: ocsf ? ocsfDetectionFinding(finding) : finding,
  };
  const ms = findingMillis(finding);
  if (ms !== undefined) event.time = ms / 1000;
  if (options.index) event.index = options.index;
  return event;
}

/** The request body: HEC takes events as JSON objects one after another (no array). */
export function splunkHecPayload(findings: readonly Finding[], options: HecOptions): string {
  return findings.map((finding) => JSON.stringify(hecEvent(finding, options))).join("\n");
}

/** HEC's status codes that mean "try again later" (9: server busy / queues full). */
const BUSY_CODES = new Set([9]);

export class SplunkHecSink implements Sink {
  readonly name: string;
  readonly #config: SinkConfigOf<"splunk_hec">;
  readonly #token: string;
  readonly #http: HttpClient;

  constructor(config: SinkConfigOf<"splunk_hec">, secrets: SecretResolver) {
    this.#config = config;
    this.#token = secrets.read({ env: config.token_env, file: config.token_file }, "splunk_hec token");
    this.#http = new HttpClient([this.#token]);
    this.name = `splunk_hec:${new URL(config.url).host}`;
  }

  async deliver(delivery: Delivery, signal?: AbortSignal): Promise<void> {
    if (delivery.findings.length === 0) return;
    const body = splunkHecPayload(delivery.findings, this.#config);
    const headers = { authorization: `Splunk ${this.#token}`, "content-type": "application/json" };
    const res = await this.#http.post(this.#config.url, headers, body, signal);
    if (res.status === 200) return;
    const answer = parseAnswer(res.body);
    const failure = this.#http.failure(res, answer ? `code ${answer.code}: ${answer.text}` : res.body);
    if (answer && BUSY_CODES.has(answer.code) && !failure.retryable) {
      throw new DeliveryError("server_error", failure.message, { retryable: true, status: res.status });
    }
    throw failure;
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}

function parseAnswer(body: string): { text: string; code: number } | undefined {
  try {
    const answer = JSON.parse(body) as { text?: unknown; code?: unknown };
    return typeof answer.code === "number" ? { text: String(answer.text ?? ""), code: answer.code } : undefined;
  } catch {
    return undefined;
  }
}
