import type { Finding, Severity } from "@outlier/contracts";
import type { SinkConfigOf } from "@outlier/routing";
import { commandLine, execUser, whyAnomalous } from "./evidence.ts";
import { findingMillis } from "./finding-time.ts";
import { HttpClient } from "./http.ts";
import { basename, ocsfDetectionFinding } from "./ocsf.ts";
import type { SecretResolver } from "./secrets.ts";
import { DeliveryError, type Delivery, type Sink } from "./sink.ts";

/** Elasticsearch / OpenSearch `_bulk`: one document per finding, ECS field names (or OCSF). */

export const ECS_VERSION = "8.11.0";

/** ECS leaves event.severity's scale to the source; these follow Elastic's risk scores. */
const ECS_SEVERITY: Record<Severity, number> = { info: 1, low: 21, medium: 47, high: 73, critical: 99 };

export interface EcsProcess {
  executable: string;
  name: string;
  command_line: string;
  pid?: number;
  working_directory?: string;
  user?: { id?: string; name?: string };
  parent?: { executable: string; name: string; command_line: string; pid?: number };
}

export interface EcsDocument {
  "@timestamp": string;
  message: string;
  ecs: { version: string };
  event: { kind: "alert"; category: string[]; type: string[]; id: string; action: string; severity: number; reason: string; module: "outlier"; dataset: "outlier.finding" };
  rule: { name: string };
  orchestrator: {
    type: "kubernetes";
    cluster: { name: string };
    namespace?: string;
    resource?: { type: "pod"; name: string; parent: { type: string }; label: string[]; annotation: string[] };
  };
  container?: { name: string };
  host?: { name: string };
  process?: EcsProcess;
  user?: { name: string };
  labels: { outlier_severity: Severity; outlier_workload?: string };
  /** Outlier's own fields; the evidence as JSON text, so its varying shapes never clash in a mapping. */
  outlier: { finding_type: string; dedup_key: string; workload?: { kind: string; name: string }; why: string[]; evidence: string };
}

export function ecsDocument(finding: Finding): EcsDocument {
  const ms = findingMillis(finding) ?? Date.now();
  const workload = finding.workload;
  const user = execUser(finding);
  const doc: EcsDocument = {
    "@timestamp": new Date(ms).toISOString(),
    message: finding.summary,
    ecs: { version: ECS_VERSION },
    event: {
      kind: "alert",
      category: finding.process ? ["process", "intrusion_detection"] : ["intrusion_detection"],
      type: ["info"],
      id: finding.id,
      action: finding.type,
      severity: ECS_SEVERITY[finding.severity],
      reason: finding.summary,
      module: "outlier",
      dataset: "outlier.finding",
    },
    rule: { name: finding.type },
    orchestrator: { type: "kubernetes", cluster: { name: finding.cluster } },
    labels: { outlier_severity: finding.severity },
    outlier: { finding_type: finding.type, dedup_key: finding.dedupKey, why: whyAnomalous(finding), evidence: JSON.stringify(finding.evidence) },
  };
  if (workload) {
    doc.orchestrator.namespace = workload.namespace;
    doc.labels.outlier_workload = `${workload.kind}/${workload.name}`;
    doc.outlier.workload = { kind: workload.kind, name: workload.name };
    if (finding.pod) {
      doc.orchestrator.resource = {
        type: "pod",
        name: finding.pod,
        parent: { type: workload.kind },
        label: Object.entries(workload.labels).map(([k, v]) => `${k}:${v}`),
        annotation: Object.entries(workload.annotations).map(([k, v]) => `${k}:${v}`),
      };
    }
  }
  if (finding.container) doc.container = { name: finding.container };
  if (finding.node) doc.host = { name: finding.node };
  if (finding.process) doc.process = ecsProcess(finding.process);
  if (user) doc.user = { name: user };
  return doc;
}

function ecsProcess(process: NonNullable<Finding["process"]>): EcsProcess {
  const result: EcsProcess = { executable: process.binary, name: basename(process.binary), command_line: commandLine(process) };
  if (process.pid !== undefined) result.pid = process.pid;
  if (process.cwd) result.working_directory = process.cwd;
  if (process.uid !== undefined || process.user) {
    result.user = { ...(process.uid !== undefined ? { id: String(process.uid) } : {}), ...(process.user ? { name: process.user } : {}) };
  }
  const parent = process.parent;
  if (parent) {
    result.parent = { executable: parent.binary, name: basename(parent.binary), command_line: commandLine(parent), ...(parent.pid !== undefined ? { pid: parent.pid } : {}) };
  }
  return result;
}

/**
 * The `_bulk` body: a `create` action with the finding id as `_id` (a redelivered finding
 * is a 409, not a duplicate; `create` also works for data streams), then the document;
 * NDJSON with the trailing newline `_bulk` requires.
 */
export function bulkBody(findings: readonly Finding[], index: string, format: "ecs" | "ocsf"): string {
  return findings
    .map((f) => `${JSON.stringify({ create: { _index: index, _id: f.id } })}\n${JSON.stringify(format === "ocsf" ? ocsfDetectionFinding(f) : ecsDocument(f))}\n`)
    .join("");
}

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string };
}

export class ElasticsearchSink implements Sink {
  readonly name: string;
  readonly #config: SinkConfigOf<"elasticsearch">;
  readonly #url: string;
  readonly #authorization: string | undefined;
  readonly #http: HttpClient;

  constructor(config: SinkConfigOf<"elasticsearch">, secrets: SecretResolver) {
    this.#config = config;
    this.#url = `${config.url.replace(/\/+$/, "")}/_bulk`;
    const auth = authorization(config, secrets);
    this.#authorization = auth?.header;
    this.#http = new HttpClient(auth?.secrets ?? []);
    this.name = `elasticsearch:${config.index}`;
  }

  async deliver(delivery: Delivery, signal?: AbortSignal): Promise<void> {
    if (delivery.findings.length === 0) return;
    const headers: Record<string, string> = { "content-type": "application/x-ndjson" };
    if (this.#authorization) headers.authorization = this.#authorization;
    const body = bulkBody(delivery.findings, this.#config.index, this.#config.format);
    const res = await this.#http.post(this.#url, headers, body, signal);
    if (res.status !== 200) throw this.#http.failure(res);
    let items: BulkItem[];
    try {
      items = itemsOf(JSON.parse(res.body));
    } catch {
      throw new DeliveryError("server_error", `unreadable _bulk answer: ${this.#http.safe(res.body)}`, { retryable: true, status: res.status });
    }
    this.#checkItems(delivery, items);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  /**
   * Items answer in request order. Created (2xx) and already there (409) are done; the
   * rest is sent again — retried while every failure is temporary (429, 5xx), otherwise
   * given up at once (a mapping error will not go away).
   */
  #checkItems(delivery: Delivery, items: BulkItem[]): void {
    const failed = delivery.findings
      .map((finding, i) => ({ finding, item: items[i] }))
      .filter(({ item }) => item === undefined || ((item.status < 200 || item.status >= 300) && item.status !== 409));
    if (failed.length === 0) return;
    const temporary = failed.every(({ item }) => item !== undefined && (item.status === 429 || item.status >= 500));
    const first = failed[0]?.item;
    const detail = first ? `${first.status} ${first.error?.type ?? ""} ${first.error?.reason ?? ""}` : "missing item";
    throw new DeliveryError("partial_failure", this.#http.safe(`${failed.length} of ${delivery.findings.length} documents failed (first: ${detail})`), {
      retryable: temporary,
      status: first?.status,
      remaining: { ...delivery, findings: failed.map(({ finding }) => finding) },
    });
  }
}

function itemsOf(answer: unknown): BulkItem[] {
  const items = (answer as { items?: unknown }).items;
  if (!Array.isArray(items)) throw new Error("no items");
  return items.map((entry) => Object.values(entry as Record<string, BulkItem>)[0] ?? { status: 0 });
}

/** The Authorization header, and every form of the credential an error text must not show. */
function authorization(config: SinkConfigOf<"elasticsearch">, secrets: SecretResolver): { header: string; secrets: string[] } | undefined {
  if (config.api_key_env !== undefined || config.api_key_file !== undefined) {
    const key = secrets.read({ env: config.api_key_env, file: config.api_key_file }, "elasticsearch api_key");
    return { header: `ApiKey ${key}`, secrets: [key] };
  }
  if (config.username !== undefined) {
    const password = secrets.read({ env: config.password_env, file: config.password_file }, "elasticsearch password");
    const basic = Buffer.from(`${config.username}:${password}`).toString("base64");
    return { header: `Basic ${basic}`, secrets: [basic, password] };
  }
  return undefined;
}
