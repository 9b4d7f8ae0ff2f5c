import { HttpReceiver, json, type Answer, type ReceivedRequest } from "./http-receiver.ts";

export interface ElasticsearchReceiver {
  receiver: HttpReceiver;
  /** Documents stored, by index and _id. */
  documents: Map<string, Record<string, unknown>>;
  /** Statuses to answer for a document id on its next create attempts, e.g. [429] once. */
  itemFailures: Map<string, number[]>;
}

const ACTIONS = new Set(["index", "create", "update", "delete"]);
const ERROR_TYPES: Record<number, string> = {
  429: "es_rejected_execution_exception",
  400: "mapper_parsing_exception",
  409: "version_conflict_engine_exception",
};

/**
 * Answers like Elasticsearch's `_bulk`: NDJSON with a trailing newline (400 otherwise),
 * action/source line pairs, an ApiKey when one is set (401), and per-item results with
 * `errors: true` when any item failed — 409 for an existing _id on `create`, and the
 * statuses scripted in `itemFailures` (429 for a full write queue).
 */
export async function startElasticsearchReceiver(options: { apiKey?: string } = {}): Promise<ElasticsearchReceiver> {
  const documents = new Map<string, Record<string, unknown>>();
  const itemFailures = new Map<string, number[]>();
  const receiver = await HttpReceiver.start((request) => {
    if (request.method !== "POST" || !request.path.endsWith("/_bulk")) return error(404, "no_handler_found_exception", `no handler for ${request.path}`);
    if (options.apiKey && request.headers.authorization !== `ApiKey ${options.apiKey}`) {
      return error(401, "security_exception", "unable to authenticate with provided credentials");
    }
    const type = request.headers["content-type"] ?? "";
    if (!/^application\/(x-ndjson|json)/.test(type)) return error(406, "media_type_header_exception", `Content-Type header [${type}] is not supported`);
    return bulk(request, documents, itemFailures);
  });
  return { receiver, documents, itemFailures };
}

function bulk(request: ReceivedRequest, documents: Map<string, Record<string, unknown>>, itemFailures: Map<string, number[]>): Answer {
  if (!request.body.endsWith("\n")) return error(400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]");
  const lines = request.body.slice(0, -1).split("\n");
  const items: Record<string, { _index: string; _id: string; status: number; error?: { type: string; reason: string } }>[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    let action: Record<string, { _index?: string; _id?: string }>;
    let source: Record<string, unknown>;
    try {
      action = JSON.parse(lines[i] ?? "") as typeof action;
      source = JSON.parse(lines[i + 1] ?? "") as typeof source;
    } catch {
      return error(400, "x_content_parse_exception", `malformed line ${i + 1}`);
    }
    const [op, meta] = Object.entries(action)[0] ?? [];
    if (!op || !meta || !ACTIONS.has(op) || !meta._index || !meta._id) return error(400, "illegal_argument_exception", `malformed action/metadata line [${i + 1}]`);
    const key = `${meta._index}/${meta._id}`;
    const scripted = itemFailures.get(meta._id)?.shift();
    const status = scripted ?? (op === "create" && documents.has(key) ? 409 : 201);
    if (status === 201) documents.set(key, source);
    const item = { _index: meta._index, _id: meta._id, status };
    items.push({ [op]: status === 201 ? item : { ...item, error: { type: ERROR_TYPES[status] ?? "exception", reason: `status ${status} for [${meta._id}]` } } });
  }
  return json(200, { took: 1, errors: items.some((item) => Object.values(item)[0]!.status !== 201), items });
}

function error(status: number, type: string, reason: string): Answer {
  return json(status, { error: { root_cause: [{ type, reason }], type, reason }, status });
}
