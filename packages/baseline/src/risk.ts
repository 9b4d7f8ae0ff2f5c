import type { ProcessInfo, Severity } from "@outlier/contracts";

/**
 * What makes an executable that nobody expected worth waking someone for. Each feature
 * is something an intruder does and ordinary software rarely does.
 */
export type RiskFeature =
  /** Runs from a world-writable or memory-backed directory: where a dropped payload lands. */
  | "writable-path"
  /** Its file is deleted or an anonymous memory file: fileless execution. */
  | "deleted-or-memfd"
  /**
   * A downloader or network tool started by an application that is not a shell, or a
   * shell it starts that is interactive or fetches, connects or reads credentials.
   */
  | "tool-from-app"
  /** Runs as root in a workload whose known processes all run as another user. */
  | "root-in-non-root-workload";

export interface RiskAssessment {
  features: RiskFeature[];
  /** low: nothing but novelty ("review"); high: one feature; critical: two, or fileless execution. */
  severity: Severity;
  /** One phrase per feature, for summaries and evidence. */
  explained: string[];
  /**
   * The file itself is suspect (writable directory, deleted, memfd): never learned without
   * a person, however many replicas run it. A shell started by an application or a root
   * process is suspect only when it is also new on one replica: many applications spawn
   * `sh -c` on every replica, and that is what learning is for.
   */
  suspectFile: boolean;
}

const WRITABLE_DIRS = ["/tmp/", "/dev/shm/", "/var/tmp/", "/run/"];
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ash", "ksh", "mksh", "busybox"]);
const TOOLS = ["curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ssh", "scp", "sftp", "ftp", "tftp", "nmap", "rsync"];
const TOOL_SET = new Set(TOOLS);
/** In a shell's command line: a tool, a shell's own network redirection, or credentials and cloud metadata. */
const SHELL_RISK = new RegExp(
  [`(^|[\\s;|&(/"'])(${TOOLS.join("|")})([\\s;|&)"']|$)`, "/dev/(tcp|udp)/", "/etc/shadow", "/etc/passwd", "serviceaccount", "169\\.254\\.169\\.254", "metadata\\.google\\.internal"].join("|"),
);
/** Every URL in the command line points at the pod itself: a local health check, not a download. */
const REMOTE_URL = /\b[a-z]+:\/\/(?!(127\.0\.0\.1|localhost|\[::1\])[:/])/i;

/**
 * The risk features of one process. `knownUsers` are the users (names or uids) the
 * workload's known processes run as — or a function giving them, asked only for a root
 * process; empty when unknown, and then uid 0 is not held against the process.
 */
export function assessRisk(
  process: Pick<ProcessInfo, "binary" | "args" | "parent" | "uid" | "user">,
  knownUsers: readonly string[] | (() => readonly string[]) = [],
): RiskAssessment {
  const features: RiskFeature[] = [];
  const binary = process.binary;
  if (WRITABLE_DIRS.some((dir) => binary.startsWith(dir))) features.push("writable-path");
  if (isFileless(binary)) features.push("deleted-or-memfd");
  const parent = process.parent?.binary;
  if (parent !== undefined && !SHELLS.has(basename(parent)) && suspectTool(binary, process.args ?? "")) features.push("tool-from-app");
  const root = process.uid === 0 || process.user === "root";
  const users = root ? (typeof knownUsers === "function" ? knownUsers() : knownUsers) : [];
  if (users.length > 0 && !users.some(isRootUser)) features.push("root-in-non-root-workload");
  const suspectFile = features.includes("writable-path") || features.includes("deleted-or-memfd");
  return { features, severity: severityOf(features), explained: features.map((f) => explain(f, process)), suspectFile };
}

/**
 * A downloader or network tool that reaches beyond the pod; a shell that is interactive
 * (no command, or `-i`) or whose command fetches, connects or reads credentials. A shell
 * running a script or a local command is what applications do every day.
 */
function suspectTool(binary: string, args: string): boolean {
  const name = basename(binary);
  const local = args.includes("://") && !REMOTE_URL.test(args);
  if (TOOL_SET.has(name)) return !local;
  if (!SHELLS.has(name)) return false;
  const command = args.trim();
  return command === "" || interactive(command) || (SHELL_RISK.test(command) && !local);
}

/** `-i` (or `-ic`, …) among the shell's own options, before its command. */
function interactive(command: string): boolean {
  for (const word of command.split(/\s+/)) {
    if (!word.startsWith("-")) return false;
    if (/^-[a-z]*i[a-z]*$/.test(word)) return true;
    if (word.endsWith("c")) return false;
  }
  return false;
}

function severityOf(features: RiskFeature[]): Severity {
  if (features.length >= 2 || features.includes("deleted-or-memfd")) return "critical";
  return features.length === 1 ? "high" : "low";
}

function explain(feature: RiskFeature, process: Pick<ProcessInfo, "binary" | "parent">): string {
  switch (feature) {
    case "writable-path":
      return "runs from a world-writable or memory-backed directory";
    case "deleted-or-memfd":
      return "runs from a deleted or in-memory (memfd) file";
    case "tool-from-app":
      return `a downloader, network tool or shell that fetches, connects or reads credentials, started by ${process.parent?.binary ?? "an application"}, not by a shell`;
    case "root-in-non-root-workload":
      return "runs as root in a workload whose processes run as another user";
  }
}

/** Tetragon and Falco show a memfd as `memfd:name` (sometimes under `/`), a deleted file with a ` (deleted)` suffix. */
function isFileless(binary: string): boolean {
  return binary.startsWith("memfd:") || binary.startsWith("/memfd:") || binary.endsWith(" (deleted)");
}

function isRootUser(user: string): boolean {
  return user === "0" || user === "root";
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
