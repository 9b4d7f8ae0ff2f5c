import { HttpReceiver, json, type Answer } from "./http-receiver.ts";

export const HEC_PATH = "/services/collector/event";

/** HEC's "server is busy" answer. */
export const HEC_BUSY: Answer = json(503, { text: "Server is busy", code: 9 });

export interface SplunkHecReceiver {
  receiver: HttpReceiver;
  /** Every event accepted, in order. */
  events: Record<string, unknown>[];
}

/**
 * Answers like Splunk's HTTP Event Collector on /services/collector/event: checks
 * `Authorization: Splunk <token>` (401 code 2 / 403 code 4), reads the body as JSON
 * objects one after another, each with an `event` (400 code 5, 6 or 12 with
 * `invalid-event-number`), and answers `{"text":"Success","code":0}`.
 */
export async function startSplunkHecReceiver(token: string): Promise<SplunkHecReceiver> {
  const events: Record<string, unknown>[] = [];
  const receiver = await HttpReceiver.start((request) => {
    if (request.method !== "POST" || request.path !== HEC_PATH) return json(404, { text: "The requested URL was not found on this server.", code: 404 });
    const auth = request.headers.authorization;
    if (!auth) return json(401, { text: "Token is required", code: 2 });
    if (auth !== `Splunk ${token}`) return json(403, { text: "Invalid token", code: 4 });
    if (request.body.trim() === "") return json(400, { text: "No data", code: 5 });
    const parsed = splitJsonObjects(request.body);
    if (!Array.isArray(parsed)) return json(400, { text: "Invalid data format", code: 6, "invalid-event-number": parsed.invalid });
    const missing = parsed.findIndex((e) => e.event === undefined || e.event === null || e.event === "");
    if (missing >= 0) return json(400, { text: "Event field is required", code: 12, "invalid-event-number": missing });
    events.push(...parsed);
    return json(200, { text: "Success", code: 0 });
  });
  return { receiver, events };
}

/** Concatenated JSON objects (whitespace between them allowed); or the index of the first bad one. */
export function splitJsonObjects(body: string): Record<string, unknown>[] | { invalid: number } {
  const objects: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}") {
      if (--depth === 0) {
        try {
          objects.push(JSON.parse(body.slice(start, i + 1)) as Record<string, unknown>);
        } catch {
          return { invalid: objects.length };
        }
      }
    } else if (depth === 0 && !/\s/.test(c ?? "")) {
      return { invalid: objects.length };
    }
  }
  return depth === 0 && !inString ? objects : { invalid: objects.length };
}
