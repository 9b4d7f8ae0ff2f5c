import { asObject, asObjects, asString, objectName } from "../request-object.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

const BINDINGS = new Set(["clusterrolebindings", "rolebindings"]);
const WRITES = new Set(["create", "update", "patch"]);

export const clusterAdminBinding: AuditRule = {
  id: "cluster-admin-binding",
  title: "Binding to cluster-admin",
  severity: "high",
  description:
    "A RoleBinding or ClusterRoleBinding to the cluster-admin ClusterRole was written: its subjects can do anything. " +
    "A binding body names only its role, so bindings to other wildcard roles are caught when the role is written (wildcard-role).",
  match(event) {
    const object = objectOf(event);
    if (!BINDINGS.has(object.resource ?? "") || !WRITES.has(event.verb) || !isAllowedFinal(event)) return undefined;
    const body = asObject(event.requestObject);
    const roleRef = asObject(body?.roleRef);
    if (asString(roleRef?.kind) !== "ClusterRole" || asString(roleRef?.name) !== "cluster-admin") return undefined;
    const subjects = asObjects(body?.subjects).map((s) => ({
      kind: asString(s.kind),
      name: asString(s.name),
      namespace: asString(s.namespace),
    }));
    const named = { ...object, name: object.name ?? objectName(body) };
    const who = subjects.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`).join(", ");
    return {
      object: named,
      summary: `${describeObject(named)} binds cluster-admin to ${who || "(no subjects in the request)"}`,
      details: { roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects },
    };
  },
};
