import { asObject, asString, asStrings } from "../request-object.ts";
import { isAllowedFinal, isPerson, objectOf, type AuditRule } from "../rule.ts";

const DAY_SECONDS = 24 * 60 * 60;

/**
 * The kubelet and controllers mint service-account tokens all day (projected volumes,
 * bound to a pod); a person minting one (`kubectl create token`) holds that account's
 * rights outside any pod, for as long as the token lives. That is how a stolen admin
 * session becomes lasting access: above all with a kube-system account (controllers with
 * wide RBAC) or a token valid for more than a day.
 */
export const serviceAccountToken: AuditRule = {
  id: "service-account-token",
  title: "Service account token minted by a person",
  severity: "high",
  description:
    "A person (not the kubelet, a controller or a service account) created a token for a service account " +
    "(create serviceaccounts/token): it carries that account's rights outside any pod. Critical for a kube-system " +
    "account or a token valid for more than a day.",
  match(event) {
    const object = objectOf(event);
    if (object.resource !== "serviceaccounts" || object.subresource !== "token" || event.verb !== "create") return undefined;
    if (!isAllowedFinal(event) || !isPerson(event)) return undefined;
    const spec = asObject(asObject(event.requestObject)?.spec);
    const expirationSeconds = typeof spec?.["expirationSeconds"] === "number" ? spec["expirationSeconds"] : undefined;
    const boundTo = asObject(spec?.["boundObjectRef"]);
    const systemAccount = object.namespace === "kube-system";
    const longLived = expirationSeconds !== undefined && expirationSeconds > DAY_SECONDS;
    const account = `${object.namespace ?? ""}/${object.name ?? ""}`;
    const validity = !spec ? "expiration not logged (audit level Metadata)" : expirationSeconds === undefined ? "default expiration" : `valid ${duration(expirationSeconds)}`;
    const binding = !spec ? "" : boundTo ? `, bound to ${asString(boundTo["kind"]) ?? "object"} ${asString(boundTo["name"]) ?? ""}`.trimEnd() : ", not bound to a pod or secret";
    const reasons = [systemAccount && "a kube-system account (controllers with wide rights)", longLived && "valid for more than a day"].filter(Boolean);
    return {
      object,
      severity: systemAccount || longLived ? "critical" : "high",
      summary: `minted a token for service account ${account}, ${validity}${binding}`,
      details: {
        serviceAccount: account,
        expirationSeconds,
        audiences: spec ? asStrings(spec["audiences"]) : undefined,
        bound: spec ? boundTo !== undefined : undefined,
        why:
          "people do not normally mint service-account tokens; the kubelet and controllers do" +
          (reasons.length > 0 ? `; critical: ${reasons.join(", ")}` : ""),
        action:
          "confirm with the person; if not expected, revoke the token (delete and recreate the service account, or rotate " +
          "the service-account signing key for a long-lived one) and review what the account can do",
      },
    };
  },
};

/** 604800 → "7d", 7200 → "2h", 90 → "90s". */
function duration(seconds: number): string {
  if (seconds % DAY_SECONDS === 0) return `${seconds / DAY_SECONDS}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
