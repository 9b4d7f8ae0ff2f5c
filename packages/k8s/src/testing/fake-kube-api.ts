import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig, type KubernetesObject, type V1Pod } from "@kubernetes/client-node";

type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

interface HistoryEntry {
  resourceVersion: number;
  type: WatchEventType;
  path: string;
  object: KubernetesObject;
}

interface Watcher {
  response: ServerResponse;
  path: string;
  matches: (object: KubernetesObject) => boolean;
}

interface Stored {
  path: string;
  object: KubernetesObject;
}

/** The collection each kind is listed and watched at (`kind` → path). */
export const COLLECTION_PATHS: Record<string, string> = {
  Pod: "/api/v1/pods",
  Deployment: "/apis/apps/v1/deployments",
  ReplicaSet: "/apis/apps/v1/replicasets",
  StatefulSet: "/apis/apps/v1/statefulsets",
  DaemonSet: "/apis/apps/v1/daemonsets",
  Job: "/apis/batch/v1/jobs",
  CronJob: "/apis/batch/v1/cronjobs",
};
const SERVED_PATHS = new Map(Object.entries(COLLECTION_PATHS).map(([kind, path]) => [path, kind]));

/** A list page: the snapshot a `continue` token walks through, as the server pins one resource version. */
interface Snapshot {
  resourceVersion: number;
  items: KubernetesObject[];
}

/** How the server says a watch's resourceVersion is too old: the watch cache's ERROR event, or etcd's HTTP 410. */
export type ExpiredStyle = "event" | "status";

const SELECTABLE_FIELDS: Record<string, (object: KubernetesObject) => string | undefined> = {
  "spec.nodeName": (object) => (object as V1Pod).spec?.nodeName,
  "metadata.name": (object) => object.metadata?.name,
  "metadata.namespace": (object) => object.metadata?.namespace,
};

/**
 * A Kubernetes API server for the collections in {@link COLLECTION_PATHS} (pods and
 * the workload kinds), list and watch only, speaking the real protocol: bearer-token
 * auth, `<Kind>List` with `metadata.resourceVersion`, `limit`/`continue` paging over
 * one snapshot, field selectors, `watch=true` as a kept-open stream of
 * newline-delimited watch events resumed from `resourceVersion` (one resource version
 * sequence across kinds, as etcd has), `timeoutSeconds`, 410 Expired once history is
 * compacted, and `Status` bodies for errors. Test hooks: fail requests, forbid a
 * collection (RBAC), end or drop open watches, park new watches (a slow server),
 * compact history.
 */
export class FakeKubeApi {
  readonly token = "test-token";
  /** Every list request served (not the failed ones), each page counted. */
  readonly listUrls: URL[] = [];
  readonly watchUrls: URL[] = [];
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  private readonly objects = new Map<string, Stored>();
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly forbidden = new Set<string>();
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

  get listRequests(): number {
    return this.listUrls.length;
  }

  /** Stores an object (its `kind` says where; uids must be unique) and tells the watchers. */
  add(object: KubernetesObject): void {
    this.record("ADDED", object);
  }

  modify(object: KubernetesObject): void {
    this.record("MODIFIED", object);
  }

  delete(uid: string): void {
    const stored = this.objects.get(uid);
    if (stored) this.record("DELETED", stored.object);
  }

  /** Every request to this collection gets 403 Forbidden, as without RBAC, until {@link allow}. */
  forbid(path: string): void {
    this.forbidden.add(path);
  }

  allow(path: string): void {
    this.forbidden.delete(path);
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

  private record(type: WatchEventType, given: KubernetesObject): void {
    const path = COLLECTION_PATHS[given.kind ?? ""];
    if (!path) throw new Error(`the fake API server does not serve kind ${given.kind}`);
    this.resourceVersion += 1;
    const object = structuredClone(given);
    object.metadata = { ...object.metadata, resourceVersion: String(this.resourceVersion) };
    const uid = object.metadata.uid ?? "";
    if (type === "DELETED") this.objects.delete(uid);
    else this.objects.set(uid, { path, object });
    const entry = { resourceVersion: this.resourceVersion, type, path, object };
    this.history.push(entry);
    for (const watcher of this.watchers) {
      if (watcher.path === path && watcher.matches(object)) writeEvent(watcher.response, entry);
    }
  }

  private stored(path: string): KubernetesObject[] {
    return [...this.objects.values()].filter((s) => s.path === path).map((s) => s.object);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.headers.authorization !== `Bearer ${this.token}`) return sendStatus(res, 401, "Unauthorized", "Unauthorized");
    if (req.method !== "GET" || !SERVED_PATHS.has(url.pathname)) return sendStatus(res, 404, "NotFound", "the server could not find the requested resource");
    if (this.forbidden.has(url.pathname)) return sendStatus(res, 403, "Forbidden", `cannot list resource at ${url.pathname}`);
    const matches = parseFieldSelector(url.searchParams.get("fieldSelector") ?? "");
    if (typeof matches === "string") return sendStatus(res, 400, "BadRequest", matches);
    const isWatch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
    const failure = this.failures[isWatch ? "watch" : "list"].shift();
    if (failure !== undefined) return sendStatus(res, failure, "InternalError", "injected failure");
    if (!isWatch) return this.list(res, url, matches);
    this.watchUrls.push(url);
    const serve = () => this.watch(req, res, url, matches);
    if (this.parked) this.parked.push(serve);
    else serve();
  }

  private list(res: ServerResponse, url: URL, matches: (object: KubernetesObject) => boolean): void {
    const token = url.searchParams.get("continue");
    const snapshot = token ? this.snapshots.get(token) : { resourceVersion: this.resourceVersion, items: this.stored(url.pathname).filter(matches) };
    if (!snapshot) return sendStatus(res, 410, "Expired", "the provided continue parameter is too old");
    this.listUrls.push(url);
    const limit = Number(url.searchParams.get("limit") || "0");
    const items = limit > 0 ? snapshot.items.slice(0, limit) : snapshot.items;
    const rest = snapshot.items.slice(items.length);
    const metadata: Record<string, string> = { resourceVersion: String(snapshot.resourceVersion) };
    if (rest.length > 0) {
      metadata.continue = `page-${this.listUrls.length}`;
      this.snapshots.set(metadata.continue, { resourceVersion: snapshot.resourceVersion, items: rest });
    }
    const kind = `${SERVED_PATHS.get(url.pathname)}List`;
    sendJson(res, 200, { kind, apiVersion: url.pathname.startsWith("/api/") ? "v1" : url.pathname.split("/").slice(2, 4).join("/"), metadata, items });
  }

  private watch(req: IncomingMessage, res: ServerResponse, url: URL, matches: (object: KubernetesObject) => boolean): void {
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
        ? this.stored(url.pathname).map((object) => ({ resourceVersion: 0, type: "ADDED" as const, path: url.pathname, object }))
        : this.history.filter((e) => e.path === url.pathname && e.resourceVersion > from);
    for (const entry of backlog) if (matches(entry.object)) writeEvent(res, entry);
    const watcher: Watcher = { response: res, path: url.pathname, matches };
    this.watchers.add(watcher);
    const timeoutSeconds = Number(url.searchParams.get("timeoutSeconds") || "0");
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    res.on("close", () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}

function parseFieldSelector(selector: string): ((object: KubernetesObject) => boolean) | string {
  const terms: ((object: KubernetesObject) => boolean)[] = [];
  for (const term of selector.split(",").filter((t) => t !== "")) {
    const parsed = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    const field = parsed?.[1] ? SELECTABLE_FIELDS[parsed[1]] : undefined;
    if (!parsed || !field) return `"${term}" is not a known field selector: only "spec.nodeName", "metadata.name", "metadata.namespace"`;
    const [, , operator, value] = parsed;
    terms.push(operator === "!=" ? (object) => field(object) !== value : (object) => field(object) === value);
  }
  return (object) => terms.every((t) => t(object));
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

/** A client configuration for the fake server at `server`, with its bearer token. */
export function kubeConfigFor(server: string, token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "t", server, skipTLSVerify: true }],
    users: [{ name: "u", token }],
    contexts: [{ name: "c", cluster: "t", user: "u" }],
    currentContext: "c",
  });
  return kubeConfig;
}
