import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const RSYSLOGD = "/usr/sbin/rsyslogd";

/** A message rsyslog received, as its RFC 5424 parser read it. */
export interface SyslogReceived {
  input: "tcp" | "tls" | "mtls";
  version: string;
  pri: number;
  hostname: string;
  appName: string;
  msgId: string;
  timestamp: string;
  msg: string;
}

export interface Rsyslog {
  tcpPort: number;
  /** TLS, any client (anon). */
  tlsPort: number;
  /** TLS that requires a client certificate signed by `caFile`. */
  mtlsPort: number;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** Waits until at least `count` messages arrived (or the timeout), then returns them all. */
  waitForMessages(count: number, timeoutMs?: number): Promise<SyslogReceived[]>;
  stop(): Promise<void>;
}

/** Whether Debian's rsyslogd and the gtls driver (rsyslog-gnutls) are installed. */
export function rsyslogAvailable(): boolean {
  const driver = spawnSync("sh", ["-c", "ls /usr/lib/*/rsyslog/lmnsd_gtls.so /usr/lib/rsyslog/lmnsd_gtls.so 2>/dev/null"], { encoding: "utf8" });
  return spawnSync(RSYSLOGD, ["-v"]).status === 0 && driver.stdout.trim() !== "" && spawnSync("openssl", ["version"]).status === 0;
}

/**
 * Starts a real rsyslogd (foreground, its own config and work dir) with plain TCP and
 * TLS listeners (gtls, a throwaway CA made with openssl), writing every message's
 * parsed fields to a file the test reads back.
 */
export async function startRsyslog(): Promise<Rsyslog> {
  const dir = await mkdtemp(join(tmpdir(), "outlier-rsyslog-"));
  makeCertificates(dir);
  const [tcpPort, tlsPort, mtlsPort] = [await freePort(), await freePort(), await freePort()];
  const output = join(dir, "received.log");
  await writeFile(join(dir, "rsyslog.conf"), config(dir, output, { tcpPort, tlsPort, mtlsPort }));
  const child = spawn(RSYSLOGD, ["-n", "-f", join(dir, "rsyslog.conf"), "-i", join(dir, "rsyslogd.pid")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await Promise.all([tcpPort, tlsPort, mtlsPort].map((port) => waitForPort(port, child)));
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`rsyslogd did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    tcpPort,
    tlsPort,
    mtlsPort,
    caFile: join(dir, "ca.pem"),
    clientCertFile: join(dir, "client.pem"),
    clientKeyFile: join(dir, "client-key.pem"),
    async waitForMessages(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      let messages = await readMessages(output);
      while (messages.length < count && Date.now() < deadline) {
        await sleep(50);
        messages = await readMessages(output);
      }
      return messages;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000).then(() => child.kill("SIGKILL"))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function makeCertificates(dir: string): void {
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const days = ["-days", "2"];
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", ...days, "-subj", "/CN=Outlier test CA"]);
  for (const [name, cn, san] of [
    ["server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ["client", "outlier-alerter", "extendedKeyUsage=clientAuth"],
  ] as const) {
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
    spawnSync("sh", ["-c", `printf '%s\\n' '${san}' > ${name}.ext`], { cwd: dir });
    run(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out", `${name}.pem`, ...days, "-extfile", `${name}.ext`]);
  }
}

function config(dir: string, output: string, ports: { tcpPort: number; tlsPort: number; mtlsPort: number }): string {
  const tls = `StreamDriver.Name="gtls" StreamDriver.Mode="1"`;
  return `
global(workDirectory="${dir}"
       DefaultNetstreamDriverCAFile="${dir}/ca.pem"
       DefaultNetstreamDriverCertFile="${dir}/server.pem"
       DefaultNetstreamDriverKeyFile="${dir}/server-key.pem")
module(load="imtcp")
input(type="imtcp" port="${ports.tcpPort}" address="127.0.0.1" name="tcp")
input(type="imtcp" port="${ports.tlsPort}" address="127.0.0.1" name="tls" ${tls} StreamDriver.AuthMode="anon")
input(type="imtcp" port="${ports.mtlsPort}" address="127.0.0.1" name="mtls" ${tls} StreamDriver.AuthMode="x509/certvalid")
template(name="fields" type="list") {
  property(name="inputname") constant(value="\\t")
  property(name="protocol-version") constant(value="\\t")
  property(name="pri") constant(value="\\t")
  property(name="hostname") constant(value="\\t")
  property(name="app-name") constant(value="\\t")
  property(name="msgid") constant(value="\\t")
  property(name="timereported" dateFormat="rfc3339") constant(value="\\t")
  property(name="msg" droplastlf="on" controlcharacters="escape") constant(value="\\n")
}
action(type="omfile" file="${output}" template="fields" asyncWriting="off" flushOnTXEnd="on")
`;
}

async function readMessages(file: string): Promise<SyslogReceived[]> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [input = "", version = "", pri = "", hostname = "", appName = "", msgId = "", timestamp = "", ...msg] = line.split("\t");
      return { input: input as SyslogReceived["input"], version, pri: Number(pri), hostname, appName, msgId, timestamp, msg: msg.join("\t") };
    });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}
