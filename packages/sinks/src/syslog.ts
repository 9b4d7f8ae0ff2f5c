import { connect as tcpConnect, isIP, type Socket } from "node:net";
import { hostname as osHostname } from "node:os";
import { connect as tlsConnect } from "node:tls";
import { normalizeTime, type Finding, type Severity } from "@outlier/contracts";
import type { SinkConfigOf } from "@outlier/routing";
import { commandLine, execUser, whyAnomalous, workloadRef } from "./evidence.ts";
import { findingMillis } from "./finding-time.ts";
import { basename, ocsfDetectionFinding } from "./ocsf.ts";
import { safeText } from "./safe-text.ts";
import type { SecretResolver } from "./secrets.ts";
import { DeliveryError, type Delivery, type Sink } from "./sink.ts";

/**
 * Syslog over TCP or TLS: one RFC 5424 message per finding, framed by octet counting
 * (RFC 6587 / RFC 5425), carrying CEF (or OCSF JSON) as its MSG.
 */

export const CEF_VENDOR = "Outlier";
export const CEF_PRODUCT = "Outlier";
export const CEF_VERSION = "0.1";
/** Facility 4, "security/authorization messages". */
const FACILITY = 4;
const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };
const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

/**
 * Control characters CEF has no escape for (tab, NUL, escape, C1, DEL, and the Unicode line
 * and paragraph separators): a SIEM or syslog relay may split or cut a message at them. The
 * bidi controls, zero-width characters and byte order mark too: in an analyst's console they
 * would reorder or hide the text around them.
 */
// eslint-disable-next-line no-control-regex
const UNESCAPABLE_CONTROLS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** CEF header fields: backslash and pipe escaped; a header has no line breaks or other control characters. */
export function cefHeaderEscape(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ").replace(UNESCAPABLE_CONTROLS, " ");
}

/** CEF extension values: backslash and equals sign escaped, line breaks as \n and \r, other control characters as spaces. */
export function cefValueEscape(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/=/g, "\\=")
    .replace(/\r\n|\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(UNESCAPABLE_CONTROLS, " ");
}

export function cefMessage(finding: Finding): string {
  const header = ["CEF:0", CEF_VENDOR, CEF_PRODUCT, CEF_VERSION, finding.type, finding.summary.slice(0, 512), String(CEF_SEVERITY[finding.severity])];
  const ext: [string, string | number | undefined][] = [
    ["rt", findingMillis(finding)],
    ["externalId", finding.id],
    ["cat", finding.type],
    ["msg", finding.summary],
    ["reason", whyAnomalous(finding).join("; ") || undefined],
    ["dhost", finding.node],
    ["dproc", finding.process && basename(finding.process.binary)],
    ["dpid", finding.process?.pid],
    ["sproc", finding.process?.parent?.binary],
    ["spid", finding.process?.parent?.pid],
    ["suser", execUser(finding)],
    ["cs1Label", "cluster"],
    ["cs1", finding.cluster],
    ["cs2Label", "namespace"],
    ["cs2", finding.workload?.namespace],
    ["cs3Label", "workload"],
    ["cs3", workloadRef(finding)],
    ["cs4Label", "pod"],
    ["cs4", finding.pod],
    ["cs5Label", "container"],
    ["cs5", finding.container],
    ["cs6Label", "commandLine"],
    ["cs6", finding.process && commandLine(finding.process)],
    ["flexString1Label", "dedupKey"],
    ["flexString1", finding.dedupKey],
  ];
  // A label is only written with its value.
  const present = ext.filter(([key, value], i) => value !== undefined && value !== "" && !(key.endsWith("Label") && ext[i + 1]?.[1] === undefined));
  return `${header.map(cefHeaderEscape).join("|")}|${present.map(([key, value]) => `${key}=${cefValueEscape(String(value))}`).join(" ")}`;
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`. */
export function syslogMessage(body: string, finding: Finding, hostname: string): string {
  const pri = FACILITY * 8 + SYSLOG_SEVERITY[finding.severity];
  return `<${pri}>1 ${syslogTime(finding.time)} ${headerField(hostname, 255)} outlier - ${headerField(finding.type, 32)} - ${body}`;
}

/** Octet-counting framing: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const bytes = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${bytes.length} `, "ascii"), bytes]);
}

/** RFC 5424 allows at most six fractional digits. */
function syslogTime(time: string): string {
  const normalized = normalizeTime(time) ?? new Date().toISOString().replace("Z", "000000Z");
  return `${normalized.slice(0, 26)}Z`;
}

/** Header fields are printable US-ASCII without spaces, "-" when empty. */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return clean === "" ? "-" : clean;
}

export interface SyslogSinkOptions {
  hostname?: string;
}

export class SyslogSink implements Sink {
  readonly name: string;
  readonly #config: SinkConfigOf<"syslog">;
  readonly #hostname: string;
  readonly #tls: { ca?: string; cert?: string; key?: string };
  #socket: Socket | undefined;

  constructor(config: SinkConfigOf<"syslog">, secrets: SecretResolver, options: SyslogSinkOptions = {}) {
    this.#config = config;
    this.#hostname = options.hostname ?? osHostname();
    this.name = `syslog:${config.host}:${config.port}`;
    const read = (file: string | undefined, what: string) => (file === undefined ? undefined : secrets.read({ file }, what));
    const ca = read(config.ca_file, "syslog ca_file");
    const cert = read(config.cert_file, "syslog cert_file");
    const key = read(config.key_file, "syslog key_file");
    this.#tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }

  /**
   * Resolves once the frames are handed to the connection. Syslog has no acknowledgement:
   * frames written just before the peer drops the connection can be lost unnoticed.
   */
  async deliver(delivery: Delivery, signal?: AbortSignal): Promise<void> {
    if (delivery.findings.length === 0) return;
    const frames = Buffer.concat(delivery.findings.map((finding) => octetCounted(syslogMessage(this.#body(finding), finding, this.#hostname))));
    const socket = await this.#connection(signal);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => socket.destroy(new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.write(frames, (error) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(this.#failure(error));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => socket.end(resolve));
    socket.destroy();
  }

  #body(finding: Finding): string {
    return this.#config.format === "ocsf" ? JSON.stringify(ocsfDetectionFinding(finding)) : cefMessage(finding);
  }

  /** The open connection, or a new one; a broken one is dropped so the next attempt reconnects. */
  async #connection(signal?: AbortSignal): Promise<Socket> {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    const { host, port } = this.#config;
    const socket =
      this.#config.protocol === "tls"
        ? tlsConnect({ host, port, ...this.#tls, ...(isIP(host) ? {} : { servername: host }) })
        : tcpConnect({ host, port });
    const ready = this.#config.protocol === "tls" ? "secureConnect" : "connect";
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => socket.destroy(new Error("aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.once(ready, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      socket.once("error", (error) => {
        signal?.removeEventListener("abort", onAbort);
        reject(this.#failure(error));
      });
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    this.#socket = socket;
    return socket;
  }

  #failure(error: Error): DeliveryError {
    const code = (error as NodeJS.ErrnoException).code;
    const key = this.#tls.key;
    return new DeliveryError("network", safeText(`${code ? `${code} ` : ""}${error.message}`, key ? [key] : []), { retryable: true });
  }
}
