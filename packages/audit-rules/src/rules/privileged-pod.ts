import { asObject, asObjects, asString, objectGenerateName } from "../request-object.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

/**
 * One rule for every way a pod spec reaches into its node, with `details.reasons`
 * naming which: they share a cause (a pod spec that escapes isolation) and a response.
 */
export const privilegedPod: AuditRule = {
  id: "privileged-pod",
  title: "Pod created with host access",
  severity: "high",
  description:
    "A pod was created with a privileged container, hostPID, hostIPC, hostNetwork or a hostPath volume: " +
    "anything running in it can reach the node.",
  match(event) {
    const object = objectOf(event);
    if (object.resource !== "pods" || object.subresource || event.verb !== "create") return undefined;
    if (!isAllowedFinal(event)) return undefined;
    const spec = asObject(asObject(event.requestObject)?.spec);
    if (!spec) return undefined;
    const access = hostAccessOf(spec);
    if (access.reasons.length === 0) return undefined;
    const named = object.name ? object : { ...object, generateName: objectGenerateName(event.requestObject) };
    return {
      object: named,
      summary: `pod ${describeObject({ ...named, resource: undefined })} created with ${access.reasons.join(", ")}`,
      details: access,
    };
  },
};

function hostAccessOf(spec: Record<string, unknown>) {
  const containers = ["initContainers", "containers", "ephemeralContainers"].flatMap((field) => asObjects(spec[field]));
  const privilegedContainers = containers
    .filter((c) => asObject(c.securityContext)?.privileged === true)
    .map((c) => asString(c.name) ?? "");
  const hostPaths = asObjects(spec.volumes)
    .map((v) => asString(asObject(v.hostPath)?.path))
    .filter((p) => p !== undefined);
  const reasons = [
    ...(privilegedContainers.length > 0 ? ["privileged"] : []),
    ...(["hostPID", "hostIPC", "hostNetwork"] as const).filter((field) => spec[field] === true),
    ...(hostPaths.length > 0 ? ["hostPath"] : []),
  ];
  return { reasons, privilegedContainers, hostPaths };
}
