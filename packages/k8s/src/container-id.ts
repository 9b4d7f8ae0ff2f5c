/** Runtime prefixes the kubelet puts in front of a container id in `status.containerStatuses[].containerID`. */
const RUNTIME_PREFIX = /^[a-z0-9-]+:\/\//;

/** Shortest id accepted for a prefix lookup: `docker ps` and Falco's `container.id` use 12 hex chars. */
export const MIN_CONTAINER_ID_PREFIX = 12;

/** `containerd://4f1c…` → `4f1c…`; ids are compared lower-cased. */
export function normalizeContainerId(id: string): string {
  return id.trim().replace(RUNTIME_PREFIX, "").toLowerCase();
}
