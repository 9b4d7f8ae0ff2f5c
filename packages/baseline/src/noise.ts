import { runsArgv, type RuntimeEvent } from "@outlier/contracts";

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
    const isProbe = (argv: string[]) => runsArgv(self, argv) || (parent !== undefined && runsArgv(parent, argv));
    if (spec.probeCommands.some(isProbe)) return "exec-probe";
  }
  if (spec.containerCommands.some((argv) => runsArgv(self, argv))) return "pod-spec-command";
  return undefined;
}
