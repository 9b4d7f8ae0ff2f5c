import { asObject, asObjects, asString } from "../request-object.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

export const ephemeralContainer: AuditRule = {
  id: "ephemeral-container",
  title: "Ephemeral container added to a pod",
  severity: "medium",
  description:
    "An ephemeral container (kubectl debug) was added to a running pod: it runs any image, " +
    "possibly sharing a target container's process namespace.",
  match(event) {
    const object = objectOf(event);
    if (object.resource !== "pods" || object.subresource !== "ephemeralcontainers") return undefined;
    if (!["update", "patch"].includes(event.verb) || !isAllowedFinal(event)) return undefined;
    // The body is present at audit level Request and above; without it, only the fact is known.
    const containers = asObjects(asObject(asObject(event.requestObject)?.spec)?.ephemeralContainers).map((c) => ({
      name: asString(c.name),
      image: asString(c.image),
      targetContainerName: asString(c.targetContainerName),
    }));
    return {
      object,
      summary: `ephemeral container added to ${describeObject({ ...object, resource: "pod", subresource: undefined })}`,
      details: { containers },
    };
  },
};
