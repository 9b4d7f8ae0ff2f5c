/**
 * What a pod's (or Job's) name alone says about its controller. The collector's event
 * normalizer, the audit rules and the Kubernetes pod cache all read names this way.
 */

/** k8s.io/apimachinery's rand.SafeEncodeString alphabet (no vowels, no 0/1/3): pod-template hashes and pod-name suffixes. */
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
/** `<deployment>-<hash>-<suffix>`, or a ReplicaSet's generateName `<deployment>-<hash>-` on a pod create. */
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-(?:${SAFE}{5})?$`);
const STATEFULSET_POD = /^(.+)-\d+$/;
const FIVE_CHAR_SUFFIX_POD = new RegExp(`^(.+)-${SAFE}{5}$`);
/**
 * The CronJob controller names each Job `<cronjob>-<scheduled time>`: Unix minutes (8
 * digits today) since Kubernetes 1.21's controller v2, Unix seconds (10 digits) before.
 * 8–10 digits keeps hand-named Jobs such as `migrate-2` as Jobs.
 */
const CRONJOB_JOB = /^(.+)-\d{8,10}$/;

/** The Deployment of a pod named `<deployment>-<hash>-<suffix>` (or of a ReplicaSet's generateName). */
export function deploymentOfPodName(podName: string): string | undefined {
  return DEPLOYMENT_POD.exec(podName)?.[1];
}

export interface NamedController {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  name: string;
}

/**
 * The controller a pod name suggests: `<name>-<6–10>-<5>` → Deployment, `<name>-<digits>`
 * → StatefulSet, `<name>-<5>` → DaemonSet. A 5-char suffix could also be a Job pod, but
 * Job pods carry `job-name` labels, so without labels DaemonSet is the better guess.
 */
export function controllerOfPodName(podName: string): NamedController | undefined {
  const deployment = deploymentOfPodName(podName);
  if (deployment) return { kind: "Deployment", name: deployment };
  const statefulSet = STATEFULSET_POD.exec(podName)?.[1];
  if (statefulSet) return { kind: "StatefulSet", name: statefulSet };
  const daemonSet = FIVE_CHAR_SUFFIX_POD.exec(podName)?.[1];
  return daemonSet ? { kind: "DaemonSet", name: daemonSet } : undefined;
}

/** The CronJob that made a Job, from the Job's name; undefined for a Job of its own. */
export function cronJobOfJobName(jobName: string): string | undefined {
  return CRONJOB_JOB.exec(jobName)?.[1];
}
