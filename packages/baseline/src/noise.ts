import type { RuntimeEvent } from "@outlier/contracts";

/**
 * The commands a container's pod spec names, each as a full argv. Built from the pod
 * cache: exec probe commands (liveness, readiness, startup), and the container's
 * command + args and lifecycle hook commands.
 */
export interface ContainerSpecCommands {
  probeCommands: string[][];
  containerCommands: string[][];
}

/** Expected processes that are neither learned nor alerted on. */
export type NoiseKind = "exec-probe" | "pod-spec-command";

/**
 * Exec probes (Tetragon's `maybe_exec_probe`, or a process outside the init tree that
 * runs, or was started by, a probe command) and commands named in the pod spec (or
 * marked `podSpecCommand` by the collector, which had the pod spec).
 * Matching is on the whole argv, never the binary alone, so that a probe `sh -c …`
 * does not hide an interactive `sh`. `kubectl exec` sessions are the audit
 * correlator's job, not this function's.
 */
export function classifyNoise(event: RuntimeEvent, spec?: ContainerSpecCommands): NoiseKind | undefined {
  const process = event.process;
  if (!process) return undefined;
  if (process.maybeExecProbe === true) return "exec-probe";
  if (process.podSpecCommand === true) return "pod-spec-command";
  if (!spec) return undefined;
  const self = { binary: process.binary, args: process.args };
  if (process.inInitTree === false) {
    const parent = process.parent;
    const isProbe = (argv: string[]) => runs(self, argv) || (parent !== undefined && runs(parent, argv));
    if (spec.probeCommands.some(isProbe)) return "exec-probe";
  }
  if (spec.containerCommands.some((argv) => runs(self, argv))) return "pod-spec-command";
  return undefined;
}

/** `argv[0]` may be a bare name resolved through PATH; the event has the full path. */
function runs(proc: { binary: string; args?: string | undefined }, argv: string[]): boolean {
  const [command, ...args] = argv;
  if (!command) return false;
  const sameBinary = proc.binary === command || basename(proc.binary) === basename(command);
  return sameBinary && normalizeArgs(proc.args ?? "") === normalizeArgs(args.join(" "));
}

// Sources join arguments with spaces and may quote the ones containing spaces.
function normalizeArgs(args: string): string {
  return args.replace(/["']/g, "").replace(/\s+/g, " ").trim();
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
