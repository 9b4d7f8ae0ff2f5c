import { normalizeTime, reject, type AuditEvent, type Rejection } from "@outlier/contracts";
import { compact, int, obj, str, stringMap, strings, type Obj } from "./fields.ts";
import { normalized, type NormalizeOptions, type NormalizeResult } from "./types.ts";

/**
 * Kubernetes audit events, audit.k8s.io v1 and v1beta1 (and lines with no
 * apiVersion): one Event per log line, or an EventList as the webhook backend POSTs.
 * A list with one bad item is rejected whole, so that it is dead-lettered intact.
 *
 * The request body is kept only for what audit rules inspect (pods, ephemeral
 * containers, RBAC roles and bindings); never for anything else, so secret and
 * configmap data never leave the receiver.
 */
const RBAC_RESOURCES = new Set(["roles", "clusterroles", "rolebindings", "clusterrolebindings"]);

export function normalizeAudit(raw: Obj, opts: NormalizeOptions): NormalizeResult {
  const kind = raw["kind"];
  if (kind === "EventList") return normalizeList(raw["items"], opts);
  if (kind !== undefined && kind !== "Event") return reject("invalid_field", `kind is ${JSON.stringify(kind)}, expected "Event" or "EventList"`);
  const event = auditEvent(raw, opts);
  return "ok" in event ? event : normalized("audit", [event]);
}

function normalizeList(items: unknown, opts: NormalizeOptions): NormalizeResult {
  if (!Array.isArray(items)) return reject("invalid_field", "EventList.items is not an array");
  const events: AuditEvent[] = [];
  for (const [index, item] of items.entries()) {
    const event = obj(item) ? auditEvent(item as Obj, opts) : reject("not_an_object", "not an object");
    if ("ok" in event) return reject(event.code, `items[${index}]: ${event.message}`);
    events.push(event);
  }
  return normalized("audit", events);
}

function auditEvent(raw: Obj, opts: NormalizeOptions): AuditEvent | Rejection {
  const apiVersion = raw["apiVersion"];
  if (apiVersion !== undefined && !(typeof apiVersion === "string" && apiVersion.startsWith("audit.k8s.io/"))) {
    return reject("invalid_field", `apiVersion ${JSON.stringify(apiVersion)} is not audit.k8s.io`);
  }
  const auditID = str(raw["auditID"]);
  const stage = str(raw["stage"]);
  const verb = str(raw["verb"]);
  const user = obj(raw["user"]);
  const username = str(user?.["username"]);
  if (!auditID || !stage || !verb || !username) {
    const missing = Object.entries({ auditID, stage, verb, "user.username": username }).find(([, v]) => !v)?.[0];
    return reject("missing_field", `${missing} is missing`);
  }
  // v1beta1 logs (2017) carry `timestamp` only; v1 dropped it for requestReceivedTimestamp.
  const received = str(raw["requestReceivedTimestamp"]) ?? str(raw["timestamp"]);
  if (!received) return reject("missing_field", "requestReceivedTimestamp (or v1beta1 timestamp) is missing");
  const requestReceivedTimestamp = normalizeTime(received);
  if (!requestReceivedTimestamp) return reject("invalid_field", `requestReceivedTimestamp is not RFC 3339: ${received.slice(0, 64)}`);

  const objectRef = objectRefOf(obj(raw["objectRef"]));
  const impersonated = obj(raw["impersonatedUser"]);
  const impersonatedName = str(impersonated?.["username"]);
  const status = obj(raw["responseStatus"]);
  const stageTimestamp = str(raw["stageTimestamp"]);
  return compact({
    schema: "outlier.audit.v1" as const,
    id: `${auditID}/${stage}`,
    auditID,
    stage,
    level: str(raw["level"]),
    cluster: opts.cluster,
    verb,
    requestURI: str(raw["requestURI"]),
    user: { username, groups: strings(user?.["groups"]) },
    impersonatedUser: impersonatedName ? { username: impersonatedName, groups: strings(impersonated?.["groups"]) } : undefined,
    sourceIPs: strings(raw["sourceIPs"]),
    userAgent: str(raw["userAgent"]),
    objectRef,
    responseStatus: status ? compact({ code: int(status["code"]), reason: str(status["reason"]) }) : undefined,
    requestReceivedTimestamp,
    stageTimestamp: stageTimestamp ? normalizeTime(stageTimestamp) : undefined,
    annotations: stringMap(raw["annotations"]),
    requestObject: keepsRequestObject(objectRef) ? raw["requestObject"] : undefined,
  });
}

function objectRefOf(ref: Obj | undefined): AuditEvent["objectRef"] {
  if (!ref) return undefined;
  return compact({
    resource: str(ref["resource"]),
    subresource: str(ref["subresource"]),
    namespace: str(ref["namespace"]),
    name: str(ref["name"]),
    apiGroup: str(ref["apiGroup"]),
    apiVersion: str(ref["apiVersion"]),
  });
}

function keepsRequestObject(ref: AuditEvent["objectRef"]): boolean {
  if (!ref?.resource) return false;
  // A TokenRequest's body: audiences, expiration, bound object. The token is only in the response.
  if (ref.resource === "serviceaccounts") return !ref.apiGroup && ref.subresource === "token";
  if (ref.resource === "pods") return !ref.apiGroup && (!ref.subresource || ref.subresource === "ephemeralcontainers");
  return RBAC_RESOURCES.has(ref.resource) && !ref.subresource && (!ref.apiGroup || ref.apiGroup === "rbac.authorization.k8s.io");
}
