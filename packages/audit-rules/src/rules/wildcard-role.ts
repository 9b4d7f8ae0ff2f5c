import { asObject, asObjects, asStrings, objectName } from "../request-object.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

const ROLES = new Set(["clusterroles", "roles"]);
const WRITES = new Set(["create", "update", "patch"]);

export const wildcardRole: AuditRule = {
  id: "wildcard-role",
  title: "Role granting wildcard verbs or resources",
  severity: "medium",
  description:
    "A Role or ClusterRole was written with `*` in its verbs or resources: whoever it is bound to gets every verb, " +
    "or every resource, including ones added later. Judged on the rules the request body shows (a patch may show part).",
  match(event) {
    const object = objectOf(event);
    if (!ROLES.has(object.resource ?? "") || !WRITES.has(event.verb) || !isAllowedFinal(event)) return undefined;
    const body = asObject(event.requestObject);
    const wildcardRules = asObjects(body?.rules)
      .map((r) => ({ apiGroups: asStrings(r.apiGroups), resources: asStrings(r.resources), verbs: asStrings(r.verbs) }))
      .filter((r) => r.verbs.includes("*") || r.resources.includes("*"));
    if (wildcardRules.length === 0) return undefined;
    const named = { ...object, name: object.name ?? objectName(body) };
    return {
      object: named,
      summary: `${describeObject(named)} grants ${wildcardRules.map((r) => `[${r.verbs.join(",")}] on [${r.resources.join(",")}]`).join("; ")}`,
      details: { wildcardRules },
    };
  },
};
