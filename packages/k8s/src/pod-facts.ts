import type { V1Container, V1ContainerStatus, V1EphemeralContainer, V1Pod, V1Probe } from "@kubernetes/client-node";
import { normalizeContainerId } from "./container-id.ts";
import { workloadFromPod, type OwnerWorkload } from "./workload.ts";

export type ContainerKind = "container" | "init" | "ephemeral";

/** What the detector may want to know about one container of a pod. */
export interface ContainerFacts {
  name: string;
  kind: ContainerKind;
  /** The image the runtime resolved (`status.image`), else the one the spec asks for. */
  image?: string;
  /** `sha256:…` from `status.imageID`. */
  imageDigest?: string;
  /** Current container id, runtime prefix stripped. */
  containerId?: string;
  /** The id before the last restart, so late events of the old container still resolve. */
  previousContainerId?: string;
  command: string[];
  args: string[];
  /** Exec liveness/readiness/startup probe commands: expected, harmless processes. */
  probeCommands: string[][];
  /** Exec postStart/preStop hook commands. */
  lifecycleCommands: string[][];
}

/** A pod reduced to plain data: what enrichment and detection read, nothing else. */
export interface PodFacts {
  uid: string;
  namespace: string;
  name: string;
  nodeName?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  workload?: OwnerWorkload;
  containers: ContainerFacts[];
}

/** Undefined for a pod without uid, namespace or name (never sent by a real API server). */
export function podFacts(pod: V1Pod): PodFacts | undefined {
  const meta = pod.metadata;
  if (!meta?.uid || !meta.namespace || !meta.name) return undefined;
  const facts: PodFacts = {
    uid: meta.uid,
    namespace: meta.namespace,
    name: meta.name,
    labels: { ...meta.labels },
    annotations: { ...meta.annotations },
    containers: [
      ...containersOf("init", pod.spec?.initContainers, pod.status?.initContainerStatuses),
      ...containersOf("container", pod.spec?.containers, pod.status?.containerStatuses),
      ...containersOf("ephemeral", pod.spec?.ephemeralContainers, pod.status?.ephemeralContainerStatuses),
    ],
  };
  const nodeName = pod.spec?.nodeName;
  if (nodeName) facts.nodeName = nodeName;
  const workload = workloadFromPod(pod);
  if (workload) facts.workload = workload;
  return facts;
}

/** Every container id of the pod that an event may carry (current and previous). */
export function containerIdsOf(facts: PodFacts): string[] {
  return facts.containers.flatMap((c) => [c.containerId, c.previousContainerId].filter((id) => id !== undefined));
}

/** `docker-pullable://nginx@sha256:ab…` or `docker.io/library/nginx@sha256:ab…` → `sha256:ab…`. */
export function digestFromImageId(imageId: string): string | undefined {
  const digest = /(sha256:[0-9a-f]{64})$/i.exec(imageId)?.[1];
  return digest?.toLowerCase();
}

function containersOf(
  kind: ContainerKind,
  specs: (V1Container | V1EphemeralContainer)[] | undefined,
  statuses: V1ContainerStatus[] | undefined,
): ContainerFacts[] {
  return (specs ?? []).map((spec) => containerFacts(kind, spec, statuses?.find((s) => s.name === spec.name)));
}

function containerFacts(
  kind: ContainerKind,
  spec: V1Container | V1EphemeralContainer,
  status: V1ContainerStatus | undefined,
): ContainerFacts {
  const facts: ContainerFacts = {
    name: spec.name,
    kind,
    command: spec.command ?? [],
    args: spec.args ?? [],
    probeCommands: [spec.livenessProbe, spec.readinessProbe, spec.startupProbe].flatMap(execCommand),
    lifecycleCommands: [spec.lifecycle?.postStart, spec.lifecycle?.preStop].flatMap(execCommand),
  };
  const image = status?.image || spec.image;
  if (image) facts.image = image;
  const imageDigest = status?.imageID ? digestFromImageId(status.imageID) : undefined;
  if (imageDigest) facts.imageDigest = imageDigest;
  if (status?.containerID) facts.containerId = normalizeContainerId(status.containerID);
  const previous = status?.lastState?.terminated?.containerID;
  if (previous) facts.previousContainerId = normalizeContainerId(previous);
  return facts;
}

function execCommand(handler: Pick<V1Probe, "exec"> | undefined): string[][] {
  const command = handler?.exec?.command;
  return command && command.length > 0 ? [command] : [];
}
