import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { repoRoot } from "./paths.ts";
import { freePort, runServer, spawnServer, waitUntilReady } from "./process.ts";

/** A Kafka release as a folder of Maven Central jars, plus how that release configures logging. */
export interface KafkaDistribution {
  version: string;
  pom: string;
  libsDir: string;
  logging: "reload4j" | "log4j2";
}

/** The release the suite pins (INFRA.md): 3.9's core needs reload4j added for its log4j backend. */
export const KAFKA_3_9: KafkaDistribution = {
  version: "3.9.1",
  pom: path.join(repoRoot, "test/harness/kafka-pom.xml"),
  libsDir: path.join(repoRoot, ".cache/kafka/libs"),
  logging: "reload4j",
};

/** Kafka 4.x, for the one smoke test that checks KafkaJS still talks to it. */
export const KAFKA_4: KafkaDistribution = {
  version: "4.1.0",
  pom: path.join(repoRoot, "test/harness/kafka4-pom.xml"),
  libsDir: path.join(repoRoot, ".cache/kafka4/libs"),
  logging: "log4j2",
};

export interface KafkaBroker {
  brokers: string[];
  /** Folder holding server.properties, the data (log.dirs) and broker.log. */
  dir: string;
  logFile: string;
  /** SIGTERM, then SIGKILL after 10 s. Data is kept, so restart() can follow. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same ports and data: records survive. */
  restart(): Promise<void>;
  /** Stops and deletes the folder (kept when OUTLIER_KEEP_SERVERS is set). */
  dispose(): Promise<void>;
}

const READY_TIMEOUT_MS = 90_000;

/** Starts a single-node KRaft broker (broker + controller in one JVM) on free loopback ports. */
export async function startKafkaBroker(
  opts: { port?: number; dataDir?: string; distribution?: KafkaDistribution } = {},
): Promise<KafkaBroker> {
  const dist = opts.distribution ?? KAFKA_3_9;
  ensureKafkaJars(dist);
  const port = opts.port ?? (await freePort());
  const controllerPort = await freePort();
  const ownsDir = opts.dataDir === undefined;
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "outlier-kafka-"));
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, "broker.log");
  const serverProperties = writeConfig(dir, dist, port, controllerPort);
  const brokers = [`127.0.0.1:${port}`];

  const controls = await runServer(
    async () => {
      formatStorage(dist, dir, serverProperties, logFile);
      const child = spawnServer("java", [...jvmArgs(dist, dir), "kafka.Kafka", serverProperties], logFile);
      await waitUntilReady(child, () => describeCluster(brokers), {
        name: `Kafka ${dist.version} on ${brokers[0]}`,
        logFile,
        timeoutMs: READY_TIMEOUT_MS,
      });
      return child;
    },
    { path: dir, owned: ownsDir },
  );
  return { brokers, dir, logFile, ...controls };
}

/** Fetches the broker jars from Maven Central once; later runs find them in .cache. */
export function ensureKafkaJars(dist: KafkaDistribution): void {
  // Same marker as scripts/install-servers.sh: written last, so an interrupted download is fetched again.
  const complete = path.join(dist.libsDir, ".complete");
  if (fs.existsSync(complete)) return;
  for (const tool of ["java", "mvn"]) {
    try {
      execFileSync(tool, ["-version"], { stdio: "ignore" });
    } catch {
      throw new Error(`Kafka ${dist.version} jars are missing in ${dist.libsDir} and '${tool}' is not installed to fetch them`);
    }
  }
  // An absolute outputDirectory: a relative one resolves against the pom's folder, not the cwd.
  const args = [
    "-B", "-q", "-f", dist.pom,
    "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies",
    "-DincludeScope=runtime", `-DoutputDirectory=${dist.libsDir}`,
  ];
  try {
    execFileSync("mvn", args, { stdio: "pipe" });
  } catch (error) {
    const output = error instanceof Error && "stdout" in error ? String(error.stdout) : "";
    throw new Error(`mvn could not fetch the Kafka ${dist.version} jars: ${output.slice(-2000)}`);
  }
  fs.writeFileSync(complete, "");
}

function writeConfig(dir: string, dist: KafkaDistribution, port: number, controllerPort: number): string {
  const settings: Record<string, string | number> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "log.dirs": path.join(dir, "data"),
    // One broker: internal topics cannot have more replicas than brokers, or groups never get a coordinator.
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "num.partitions": 3,
    "auto.create.topics.enable": "true",
    // Test speed: no 3 s wait before the first rebalance of a group.
    "group.initial.rebalance.delay.ms": 0,
  };
  const file = path.join(dir, "server.properties");
  fs.writeFileSync(file, Object.entries(settings).map(([k, v]) => `${k}=${v}`).join("\n") + "\n");
  fs.writeFileSync(path.join(dir, logConfigName(dist)), logConfig(dist));
  return file;
}

function logConfigName(dist: KafkaDistribution): string {
  return dist.logging === "reload4j" ? "log4j.properties" : "log4j2.properties";
}

function logConfig(dist: KafkaDistribution): string {
  const pattern = "[%d] %p %m (%c)%n";
  if (dist.logging === "reload4j") {
    return [
      "log4j.rootLogger=INFO, stdout",
      "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
      "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
      `log4j.appender.stdout.layout.ConversionPattern=${pattern}`,
    ].join("\n") + "\n";
  }
  return [
    "appender.stdout.type=Console",
    "appender.stdout.name=STDOUT",
    "appender.stdout.layout.type=PatternLayout",
    `appender.stdout.layout.pattern=${pattern}`,
    "rootLogger.level=INFO",
    "rootLogger.appenderRef.stdout.ref=STDOUT",
  ].join("\n") + "\n";
}

function jvmArgs(dist: KafkaDistribution, dir: string): string[] {
  const logProperty = dist.logging === "reload4j" ? "log4j.configuration" : "log4j2.configurationFile";
  const logUrl = dist.logging === "reload4j" ? `file:${path.join(dir, logConfigName(dist))}` : path.join(dir, logConfigName(dist));
  return ["-Xms256m", "-Xmx512m", "-Djava.awt.headless=true", `-D${logProperty}=${logUrl}`, "-cp", path.join(dist.libsDir, "*")];
}

/** KRaft needs its log dir formatted with a cluster id once; a restart reuses the formatted dir. */
function formatStorage(dist: KafkaDistribution, dir: string, serverProperties: string, logFile: string): void {
  if (fs.existsSync(path.join(dir, "data", "meta.properties"))) return;
  const clusterId = newClusterId();
  const args = [...jvmArgs(dist, dir), "kafka.tools.StorageTool", "format", "-t", clusterId, "-c", serverProperties];
  try {
    execFileSync("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const output = error instanceof Error && "stderr" in error ? String(error.stderr) : String(error);
    fs.appendFileSync(logFile, output);
    throw new Error(`Kafka StorageTool format failed (log: ${logFile}): ${output.slice(0, 2000)}`);
  }
}

/**
 * 16 random bytes in base64url, as Kafka's Uuid.randomUuid(). Like Kafka, avoid a leading "-":
 * StorageTool's argument parser would read `-t -abc…` as a missing id (1 start in 64 failed so).
 */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Ready means the real client gets cluster metadata, not a line in the log. */
async function describeCluster(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    brokers,
    clientId: "outlier-harness",
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}
