import { readFileSync } from "node:fs";
import { z } from "zod";
import type { BusLogger, KafkaOptions } from "./kafka.ts";

/**
 * The connection part of a service's `kafka` config (brokers, TLS, SASL); each service
 * `.extend`s it with its topics and group settings. The SASL password is meant to come from
 * `<PREFIX>_KAFKA_SASL_PASSWORD_FILE` (a mounted secret), never from YAML.
 */
export function kafkaConnectionSchema(defaultClientId: string) {
  return z.strictObject({
    brokers: z.array(z.string().min(1)).min(1).default(["localhost:9092"]),
    clientId: z.string().min(1).default(defaultClientId),
    ssl: z
      .strictObject({
        enabled: z.boolean().default(true),
        caFile: z.string().optional(),
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .optional(),
    sasl: z
      .strictObject({
        mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
        username: z.string().min(1),
        password: z.string().min(1),
      })
      .optional(),
  });
}

export type KafkaConnection = z.infer<ReturnType<typeof kafkaConnectionSchema>>;

/** The bus options for a configured connection; reads the TLS files now, so a missing one fails at start-up. */
export function kafkaOptionsFrom(conn: KafkaConnection, logger: BusLogger): KafkaOptions {
  const { brokers, clientId, ssl, sasl } = conn;
  const options: KafkaOptions = { brokers, clientId, logger };
  if (ssl?.enabled) {
    options.ssl = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ssl.caFile ? { ca: [readFileSync(ssl.caFile)] } : {}),
      ...(ssl.certFile ? { cert: readFileSync(ssl.certFile) } : {}),
      ...(ssl.keyFile ? { key: readFileSync(ssl.keyFile) } : {}),
    };
  }
  if (sasl) options.sasl = sasl;
  return options;
}
