/**
 * True when a process runs this argv: the same binary (`argv[0]` may be a bare name
 * resolved through PATH, the event has the full path) and the same arguments. Sources
 * join arguments with spaces and may quote the ones containing spaces, so quotes and
 * runs of spaces are ignored.
 */
export function runsArgv(process: { binary: string; args?: string | undefined }, argv: readonly string[]): boolean {
  const [command, ...args] = argv;
  if (!command) return false;
  const sameBinary = process.binary === command || basename(process.binary) === basename(command);
  return sameBinary && normalizeArgs(process.args ?? "") === normalizeArgs(args.join(" "));
}

function normalizeArgs(args: string): string {
  return args.replace(/["']/g, "").replace(/\s+/g, " ").trim();
}

/** The last path segment: `/usr/bin/curl` → `curl`. */
export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
