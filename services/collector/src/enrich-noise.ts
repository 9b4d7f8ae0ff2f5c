import { classifyNoise } from "@outlier/baseline";
import type { RuntimeEvent } from "@outlier/contracts";
import type { PodMatch } from "@outlier/k8s";

/**
 * Marks an exec that the pod spec explains. The collector has the pod spec and the
 * detector does not, so it is decided here and travels with the event: an exec probe
 * gets `maybeExecProbe` (as Tetragon would have set it), the container's own command
 * or an exec lifecycle hook gets `podSpecCommand`. The PodEnricher's `mark`.
 */
export function markPodSpecNoise(event: RuntimeEvent, { container }: PodMatch): RuntimeEvent {
  const process = event.process;
  // Without the container we cannot tell whose probes and command to compare with.
  if (event.type !== "process_exec" || !process || !container) return event;
  const noise = classifyNoise(event, {
    probeCommands: container.probeCommands,
    containerCommands: [[...container.command, ...container.args], ...container.lifecycleCommands],
  });
  if (noise === "exec-probe") return { ...event, process: { ...process, maybeExecProbe: true } };
  if (noise === "pod-spec-command") return { ...event, process: { ...process, podSpecCommand: true } };
  return event;
}
