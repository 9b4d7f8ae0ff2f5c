import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { V1Pod } from "@kubernetes/client-node";

type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

interface HistoryEntry {
  resourceVersion: number;
  type: WatchEventType;
  object: V1Pod;
}

interface Watcher {
  response: ServerResponse;
  matches: (pod: V1Pod) => boolean;
}

/** How the server says a watch's resourceVersion is too old: the watch cache's ERROR event, or etcd's HTTP 410. */
export type ExpiredStyle = "event" | "status";

const SELECTABLE_FIELDS: Record<string, (pod: V1Pod) => string | undefined> = {
  "spec.nodeName": (pod) => pod.spec?.nodeName,
  "metadata.name": (pod) => pod.metadata?.name,
  "metadata.namespace": (pod) => pod.metadata?.namespace,
};

/**
 * A Kubernetes API server for `/api/v1/pods`, list and watch only, speaking the real
 * protocol: bearer-token auth, PodList with `metadata.resourceVersion`, field
 * selectors, `watch=true` as a kept-open stream of newline-delimited watch events
 * resumed from `resourceVersion`, `timeoutSeconds`, 410 Expired once history is
 * compacted, and `Status` bodies for errors. Test hooks: fail requests, end or drop
 * open watches, park new watches (a slow server), compact history.
 */
export class FakeKubeApi {
  readonly token = "test-token";
  listRequests = 0;
  readonly watchUrls: URL[] = [];
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  private readonly pods = new Map<string, V1Pod>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private parked: (() => void)[] | undefined;
  private readonly failures: { watch: number[]; list: number[] } = { watch: [], list: [] };
  private resourceVersion = 100;
  private oldestResumable = 100;
  private expiredStyle: ExpiredStyle = "event";

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  add(pod: V1Pod): void {
    this.record("ADDED", pod);
  }

  modify(pod: V1Pod): void {
    this.record("MODIFIED", pod);
  }

  delete(uid: string): void {
    const pod = this.pods.get(uid);
    if (pod) this.record("DELETED", pod);
  }

  /** The next watch (or list) requests answer these HTTP statuses, in order. */
  failNext(kind: "watch" | "list", ...statuses: number[]): void {
    this.failures[kind].push(...statuses);
  }

  /** Ends every open watch cleanly, as the server does when a watch times out. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.response.end();
    this.watchers.clear();
  }

  /** Cuts every open watch connection mid-stream. */
  dropWatches(): void {
    for (const watcher of this.watchers) watcher.response.socket?.destroy();
    this.watchers.clear();
  }

  /** New watch requests wait unanswered until {@link resumeWatches}. */
  parkWatches(): void {
    this.parked ??= [];
  }

  resumeWatches(): void {
    const parked = this.parked ?? [];
    this.parked = undefined;
    for (const serve of parked) serve();
  }

  /** Forgets the event history (etcd compaction): older resource versions now get 410. */
  compact(style: ExpiredStyle = "event"): void {
    this.history.length = 0;
    this.oldestResumable = this.resourceVersion;
    this.expiredStyle = style;
  }

  private record(type: WatchEventType, pod: V1Pod): void {
    this.resourceVersion += 1;
    const object: V1Pod = structuredClone(pod);
    object.metadata = { ...object.metadata, resourceVersion: String(this.resourceVersion) };
    const uid = object.metadata.uid ?? "";
    if (type === "DELETED") this.pods.delete(uid);
    else this.pods.set(uid, object);
    const entry = { resourceVersion: this.resourceVersion, type, object };
    this.history.push(entry);
    for (const watcher of this.watchers) {
      if (watcher.matches(object)) writeEvent(watcher.response, entry);
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.headers.authorization !== `Bearer ${this.token}`) return sendStatus(res, 401, "Unauthorized", "Unauthorized");
    if (req.method !== "GET" || url.pathname !== "/api/v1/pods") return sendStatus(res, 404, "NotFound", "the server could not find the requested resource");
    const matches = parseFieldSelector(url.searchParams.get("fieldSelector") ?? "");
    if (typeof matches === "string") return sendStatus(res, 400, "BadRequest", matches);
    const isWatch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const failure = this.failures[isWatch ? "watch" : "list"].shift();
    if (failure !== undefined) return sendStatus(res, failure, "InternalError", "injected failure");
    if (!isWatch) return this.list(res, matches);
    this.watchUrls.push(url);
    const serve = () => this.watch(req, res, url, matches);
    if (this.parked) this.parked.push(serve);
    else serve();
  }

  private list(res: ServerResponse, matches: (pod: V1Pod) => boolean): void {
    this.listRequests += 1;
    const items = [...this.pods.values()].filter(matches);
    sendJson(res, 200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: String(this.resourceVersion) }, items });
  }

  private watch(req: IncomingMessage, res: ServerResponse, url: URL, matches: (pod: V1Pod) => boolean): void {
    if (req.socket.destroyed) return; // the client gave up while parked
    const from = Number(url.searchParams.get("resourceVersion") || "0");
    const expired = from !== 0 && from < this.oldestResumable;
    if (expired && this.expiredStyle === "status") return sendStatus(res, 410, "Expired", `too old resource version: ${from}`);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    if (expired) {
      const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", reason: "Expired", code: 410, message: `too old resource version: ${from} (${this.oldestResumable})` };
      res.end(`${JSON.stringify({ type: "ERROR", object: status })}\n`);
      return;
    }
    // resourceVersion 0 or unset: start with the current state, as synthetic ADDED events.
    const backlog =
      from === 0
        ? [...this.pods.values()].map((object) => ({ resourceVersion: 0, type: "ADDED" as const, object }))
        : this.history.filter((e) => e.resourceVersion > from);
    for (const entry of backlog) if (matches(entry.object)) writeEvent(res, entry);
    const watcher: Watcher = { response: res, matches };
    this.watchers.add(watcher);
    const timeoutSeconds = Number(url.searchParams.get("timeoutSeconds") || "0");
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    res.on("close", () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}

function parseFieldSelector(selector: string): ((pod: V1Pod) => boolean) | string {
  const terms: ((pod: V1Pod) => boolean)[] = [];
  for (const term of selector.split(",").filter((t) => t !== "")) {
    const parsed = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    const field = parsed?.[1] ? SELECTABLE_FIELDS[parsed[1]] : undefined;
    if (!parsed || !field) return `"${term}" is not a known field selector: only "spec.nodeName", "metadata.name", "metadata.namespace"`;
    const [, , operator, value] = parsed;
    terms.push(operator === "!=" ? (pod) => field(pod) !== value : (pod) => field(pod) === value);
  }
  return (pod) => terms.every((t) => t(pod));
}

function writeEvent(res: ServerResponse, entry: HistoryEntry): void {
  res.write(`${JSON.stringify({ type: entry.type, object: entry.object })}\n`);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code });
}
