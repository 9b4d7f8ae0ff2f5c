import type { Finding, Severity } from "@outlier/contracts";
import { commandLine, execUser, workloadRef } from "./evidence.ts";
import { findingMillis } from "./finding-time.ts";

/**
 * OCSF Detection Finding (class 2004, category 2 Findings), schema 1.3: the format
 * SIEM sinks emit with `format: ocsf`. Required: activity_id, category_uid, class_uid,
 * finding_info, metadata, severity_id, time, type_uid.
 */
export const OCSF_VERSION = "1.3.0";
export const OCSF_DETECTION_FINDING = 2004;

const ACTIVITY_CREATE = 1;

const SEVERITY: Record<Severity, [id: number, name: string]> = {
  info: [1, "Informational"],
  low: [2, "Low"],
  medium: [3, "Medium"],
  high: [4, "High"],
  critical: [5, "Critical"],
};

export interface OcsfProcess {
  name: string;
  pid?: number;
  cmd_line: string;
  file: { path: string; name: string; type_id: 1 };
  cwd?: string;
  user?: { uid?: string; name?: string };
  parent_process?: OcsfProcess;
}

export interface OcsfDetectionFinding {
  activity_id: number;
  activity_name: "Create";
  category_uid: 2;
  category_name: "Findings";
  class_uid: typeof OCSF_DETECTION_FINDING;
  class_name: "Detection Finding";
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: 1;
  status: "New";
  time: number;
  message: string;
  metadata: { version: string; product: { name: "Outlier"; vendor_name: "Outlier" }; uid: string; correlation_uid: string };
  finding_info: { uid: string; title: string; types: string[]; analytic: { name: string; type_id: 1; type: "Rule" }; created_time: number };
  resources: { type: string; name: string; namespace?: string; labels?: string[]; cloud_partition?: string }[];
  evidences: { process?: OcsfProcess; container?: { name: string }; actor?: { user: { name: string } } }[];
  device?: { hostname: string; type_id: 0 };
  unmapped: { cluster: string; dedup_key: string; evidence: Record<string, unknown> };
}

export function ocsfDetectionFinding(finding: Finding): OcsfDetectionFinding {
  const [severityId, severityName] = SEVERITY[finding.severity];
  const time = findingMillis(finding) ?? Date.now();
  const user = execUser(finding);
  const evidence: OcsfDetectionFinding["evidences"][number] = {};
  if (finding.process) evidence.process = ocsfProcess(finding.process);
  if (finding.container) evidence.container = { name: finding.container };
  if (user) evidence.actor = { user: { name: user } };
  const result: OcsfDetectionFinding = {
    activity_id: ACTIVITY_CREATE,
    activity_name: "Create",
    category_uid: 2,
    category_name: "Findings",
    class_uid: OCSF_DETECTION_FINDING,
    class_name: "Detection Finding",
    type_uid: OCSF_DETECTION_FINDING * 100 + ACTIVITY_CREATE,
    type_name: "Detection Finding: Create",
    severity_id: severityId,
    severity: severityName,
    status_id: 1,
    status: "New",
    time,
    message: finding.summary,
    metadata: { version: OCSF_VERSION, product: { name: "Outlier", vendor_name: "Outlier" }, uid: finding.id, correlation_uid: finding.dedupKey },
    finding_info: {
      uid: finding.id,
      title: finding.summary,
      types: [finding.type],
      analytic: { name: finding.type, type_id: 1, type: "Rule" },
      created_time: time,
    },
    resources: resources(finding),
    evidences: Object.keys(evidence).length > 0 ? [evidence] : [],
    unmapped: { cluster: finding.cluster, dedup_key: finding.dedupKey, evidence: finding.evidence },
  };
  if (finding.node) result.device = { hostname: finding.node, type_id: 0 };
  return result;
}

function resources(finding: Finding): OcsfDetectionFinding["resources"] {
  const list: OcsfDetectionFinding["resources"] = [];
  const workload = finding.workload;
  if (workload) {
    const labels = Object.entries(workload.labels).map(([key, value]) => `${key}:${value}`);
    list.push({ type: workload.kind, name: workloadRef(finding) ?? workload.name, namespace: workload.namespace, labels, cloud_partition: finding.cluster });
  }
  if (finding.pod) list.push({ type: "Pod", name: finding.pod, ...(workload ? { namespace: workload.namespace } : {}), cloud_partition: finding.cluster });
  return list;
}

function ocsfProcess(process: NonNullable<Finding["process"]>): OcsfProcess {
  const result: OcsfProcess = { name: basename(process.binary), cmd_line: commandLine(process), file: file(process.binary) };
  if (process.pid !== undefined) result.pid = process.pid;
  if (process.cwd) result.cwd = process.cwd;
  if (process.uid !== undefined || process.user) {
    result.user = { ...(process.uid !== undefined ? { uid: String(process.uid) } : {}), ...(process.user ? { name: process.user } : {}) };
  }
  if (process.parent) {
    const parent = process.parent;
    result.parent_process = { name: basename(parent.binary), cmd_line: commandLine(parent), file: file(parent.binary), ...(parent.pid !== undefined ? { pid: parent.pid } : {}) };
  }
  return result;
}

function file(path: string): OcsfProcess["file"] {
  return { path, name: basename(path), type_id: 1 };
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1) || path;
}
