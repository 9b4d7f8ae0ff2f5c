import { basename } from "@outlier/contracts";

/**
 * What makes a process run in an exec session dangerous: reading credentials or moving
 * data out of the pod. Judged on the command line only (binary and arguments), so a
 * shell's `-c "cat /etc/shadow | curl -T - https://…"` is judged like the processes it
 * will start, which may be missed or come later.
 */

/** Paths and addresses whose mere mention in a command line is a credential read. */
const CREDENTIALS: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /\/?\betc\/g?shadow\b/, what: "the password hashes" },
  { pattern: /\/secrets\/kubernetes\.io\/serviceaccount\b/, what: "the pod's service-account token" },
  { pattern: /\b169\.254\.169\.254\b|\bmetadata\.google\.internal\b|\b100\.100\.100\.200\b/, what: "cloud instance metadata (node credentials)" },
  { pattern: /\.aws\/credentials\b|\.config\/gcloud\b|\.azure\/accessTokens/, what: "cloud credentials" },
  { pattern: /\.kube\/config\b|\/etc\/kubernetes\/(admin|kubelet)\.conf\b|\/var\/lib\/kubelet\/pki\b/, what: "Kubernetes credentials" },
  { pattern: /\.ssh\/id_[a-z0-9]+\b|\.docker\/config\.json\b/, what: "private keys or registry credentials" },
];

/** Tools that open a raw connection: any use moves data out (or lets it be moved). */
const RAW_NETWORK = new Set(["nc", "ncat", "netcat", "socat", "scp", "sftp"]);

/** Commands that run the command after them (`env FOO=1 curl …`, `sh -c "curl …"`). */
const WRAPPERS = new Set(["env", "sudo", "nohup", "timeout", "xargs", "busybox", "exec", "time", "nice", "su", "chroot"]);

/**
 * The reasons this command line is dangerous in an exec session, one phrase each; empty
 * when it is not.
 */
export function sessionRisks(binary: string, args: string | undefined): string[] {
  const line = `${basename(binary)} ${args ?? ""}`.replace(/["'`]/g, " ");
  const reasons = new Set<string>();
  for (const { pattern, what } of CREDENTIALS) {
    const found = pattern.exec(line);
    if (found) reasons.add(`reads ${what} (${found[0]})`);
  }
  // A shell line is several commands: each one starts a segment (`a | b; c && d $(e)`).
  for (const segment of line.split(/[|;&\n]+|\$\(|\)/)) {
    const words = segment.trim().split(/\s+/).filter((w) => w !== "");
    words.forEach((word, i) => {
      if (i > 0 && !startsCommand(words[i - 1]!)) return;
      const reason = exfiltration(basename(word), words.slice(i + 1));
      if (reason) reasons.add(reason);
    });
  }
  return [...reasons];
}

/** True when the word after `previous` is a command: after a wrapper, or a shell's `-c`. */
function startsCommand(previous: string): boolean {
  return previous === "-c" || WRAPPERS.has(basename(previous)) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(previous);
}

/** The pod itself: data sent there does not leave it. */
const LOCAL_HOST = /^([a-z]+:\/\/)?([^@/]*@)?(localhost|127(\.\d+){3}|\[?::1\]?|0\.0\.0\.0)([:/]|$)/i;
/** A destination among a tool's arguments: a URL, or `host:port`. */
const DESTINATION = /:\/\/|^[\w.-]+:\d+/;

function exfiltration(tool: string, args: string[]): string | undefined {
  const destinations = args.filter((a) => DESTINATION.test(a));
  if (destinations.length > 0 && destinations.every((d) => LOCAL_HOST.test(d))) return undefined;
  if (RAW_NETWORK.has(tool)) return rawNetwork(tool, args);
  if (tool === "curl") {
    const flag = args.map((arg, i) => curlUpload(arg, args[i + 1])).find((f) => f !== undefined);
    return flag && `moves data out (curl ${flag})`;
  }
  if (tool === "wget") {
    const flag = args.map((arg) => /^--(post|body)-file(=|$)/.exec(arg)).find((m) => m !== null);
    return flag ? `moves data out (wget --${flag[1]}-file)` : undefined;
  }
  if (tool === "rsync") {
    const destination = args.filter((a) => !a.startsWith("-")).at(-1);
    return destination && /^([^/]*:|rsync:\/\/)/.test(destination) ? "moves data out (rsync to a remote host)" : undefined;
  }
  return undefined;
}

/** Any use of nc, socat, scp…, except a port check (`nc -z`: no data) or a connection to the pod itself. */
function rawNetwork(tool: string, args: string[]): string | undefined {
  if (/^(nc|ncat|netcat)$/.test(tool) && args.some((a) => /^-[a-zA-Z]*z/.test(a))) return undefined;
  const host = args.find((a) => !a.startsWith("-"));
  return host !== undefined && LOCAL_HOST.test(host) ? undefined : `moves data out (${tool})`;
}

/** Short options of curl that take no value, so that `-sT file` is read as `-s -T file`. */
const CURL_SHORT = /^-[sSkLfviIqgGNORjJlnpB#0-9]*([TFd])(.*)$/;
const CURL_LONG = /^--(upload-file|form|data|data-binary|data-urlencode|data-ascii)(?:=(.*))?$/;

/** The upload option of one curl argument: `-T`, `--upload-file`, `-F`/`--form`, or data read from a file (`-d @file`). */
function curlUpload(arg: string, next: string | undefined): string | undefined {
  const short = CURL_SHORT.exec(arg);
  if (short) return short[1] !== "d" ? `-${short[1]}` : readsFile(short[2] || next) ? "-d @file" : undefined;
  const long = CURL_LONG.exec(arg);
  if (!long) return undefined;
  return !long[1]!.startsWith("data") || readsFile(long[2] ?? next) ? `--${long[1]}` : undefined;
}

function readsFile(value: string | undefined): boolean {
  return value !== undefined && (value.startsWith("@") || value.includes("=@"));
}
