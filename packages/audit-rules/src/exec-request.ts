/** What a pods/exec, attach or portforward request asked for, read from its request URI. */
export interface PodStreamRequest {
  /** exec: the command and its arguments, one `command=` parameter each. */
  command: string[];
  container?: string;
  tty: boolean;
  stdin: boolean;
  /** portforward: the pod ports. */
  ports: string[];
}

/**
 * The audit log has no request body for these subresources: kubectl sends everything
 * as query parameters (`?command=sh&command=-c&command=id&container=app&stdin=true`).
 */
export function parsePodStreamRequest(requestURI: string | undefined): PodStreamRequest {
  const query = requestURI?.includes("?") ? requestURI.slice(requestURI.indexOf("?") + 1) : "";
  const params = new URLSearchParams(query);
  return {
    command: params.getAll("command"),
    container: params.get("container") || undefined,
    tty: params.get("tty") === "true",
    stdin: params.get("stdin") === "true",
    ports: params.getAll("ports"),
  };
}
