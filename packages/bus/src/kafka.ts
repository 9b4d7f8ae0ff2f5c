import type { ConnectionOptions } from "node:tls";
import { Kafka, logLevel, type LogEntry, type SASLOptions } from "kafkajs";

/** The part of a pino logger the bus uses: (object, message) at four levels. */
export interface BusLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** KafkaJS's own log lines go here (pino-compatible); without it, its warnings and errors go to stderr. */
  logger?: BusLogger;
}

/** The one place a KafkaJS client is built, so the rest of the code never configures KafkaJS itself. */
export function createKafka(opts: KafkaOptions): Kafka {
  const { logger } = opts;
  return new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    ...(opts.ssl === undefined ? {} : { ssl: opts.ssl }),
    ...(opts.sasl === undefined ? {} : { sasl: opts.sasl }),
    logLevel: logger ? logLevel.INFO : logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logTo(logger ?? CONSOLE, entry),
  });
}

/** Without a logger (tools, tests): KafkaJS's warnings and errors as JSON lines on stderr, as KafkaJS itself prints them. */
const CONSOLE: BusLogger = {
  error: (obj, msg) => console.error(JSON.stringify({ level: "ERROR", message: msg, ...obj })),
  warn: (obj, msg) => console.error(JSON.stringify({ level: "WARN", message: msg, ...obj })),
  info: () => undefined,
  debug: () => undefined,
};

/**
 * KafkaJS warns when an idempotent producer has bounded retries. Ours are bounded on purpose:
 * the caller retries with a fresh producer id and accepts a duplicate (at-least-once).
 */
const EXPECTED_WARNINGS = new Set(["Limiting retries for the idempotent producer may invalidate EoS guarantees"]);

/**
 * Errors KafkaJS logs as ERROR but retries by itself, and that are normal while a broker
 * starts or a group coordinator moves: not an operator's problem unless they persist
 * (then the caller's own error says so).
 */
const RETRIED_BY_KAFKAJS = /coordinator is loading|coordinator is not available|not the correct coordinator|There is no leader for this topic-partition/i;

/**
 * While a broker is unreachable KafkaJS logs every failed connection, each crash and restart
 * of a consumer, and each stop and start (165 lines, 148 at error, in one 20 s outage of the
 * alerter). Our consumers log one line per change of state instead (KafkaConsumer), so these go to debug.
 */
const CONNECTION_CHURN = /ECONNREFUSED|No broker available|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|Connection error|Connection timeout|Failed to connect to seed broker|^Restarting the consumer in/i;
const RESTART_NOISE = new Set(["Starting", "Stopped"]);

/** One KafkaJS log entry at the level an operator should see it. */
export function logTo(logger: BusLogger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
  const obj = { kafkajs: namespace, ...fields };
  if (EXPECTED_WARNINGS.has(message)) logger.debug(obj, message);
  else if (RESTART_NOISE.has(message) || CONNECTION_CHURN.test(message) || CONNECTION_CHURN.test(String(fields["error"] ?? ""))) logger.debug(obj, message);
  else if (level === logLevel.ERROR && RETRIED_BY_KAFKAJS.test(String(fields["error"] ?? ""))) logger.info(obj, message);
  else if (level === logLevel.ERROR) logger.error(obj, message);
  else if (level === logLevel.WARN) logger.warn(obj, message);
  else if (level === logLevel.INFO) logger.info(obj, message);
  else logger.debug(obj, message);
}
