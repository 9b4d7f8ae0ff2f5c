import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

/**
 * Non-resource paths that are public by design: Kubernetes grants them to
 * system:unauthenticated (system:public-info-viewer, service-account issuer discovery),
 * and OpenShift serves its OAuth login form there. Anonymous hits on them are normal.
 */
const PUBLIC_PATHS = new Set([
  "/healthz",
  "/livez",
  "/readyz",
  "/version",
  "/.well-known/openid-configuration",
  "/openid/v1/jwks",
  "/login",
]);

export const anonymousAllowed: AuditRule = {
  id: "anonymous-allowed",
  title: "Anonymous request allowed",
  severity: "high",
  description:
    "A request by system:anonymous (or the system:unauthenticated group) succeeded, other than the public " +
    "health, version and discovery paths: RBAC grants something to unauthenticated callers.",
  match(event) {
    const anonymous = event.user.username === "system:anonymous" || event.user.groups.includes("system:unauthenticated");
    if (!anonymous || !isAllowedFinal(event)) return undefined;
    const object = objectOf(event);
    const path = event.requestURI?.split("?")[0] ?? "";
    if (!event.objectRef && PUBLIC_PATHS.has(path)) return undefined;
    const target = event.objectRef ? describeObject(object) : path;
    return {
      object,
      summary: `anonymous ${event.verb} ${target} allowed (${event.responseStatus?.code})`,
      details: { path },
    };
  },
};
