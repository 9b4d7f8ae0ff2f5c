import { pino, stdSerializers, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { scrubSecrets } from "./scrub.ts";

export type { Logger } from "pino";

export interface LoggerOptions {
  level: string;
  name: string;
  /** Human-readable output for a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** Where lines go (tests pass an in-memory stream); stdout by default. */
  destination?: DestinationStream;
}

/** Keys whose values are secrets wherever they appear in a logged object. */
const SECRET_KEYS = ["token", "tokens", "password", "secret", "authorization", "cookie", "webhookUrl", "apiKey", "privateKey"];
const MAX_DEPTH = 5;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    for (let depth = 0; depth < MAX_DEPTH; depth++) paths.push([...Array<string>(depth).fill("*"), key].join("."));
  }
  return paths;
}

/** `err`/`error` fields: an Error is serialized and scrubbed; a string (libraries log those too) is scrubbed. */
function scrubError(err: unknown): unknown {
  if (typeof err === "string") return scrubSecrets(err);
  if (!(err instanceof Error)) return err;
  const serialized = stdSerializers.err(err);
  return {
    ...serialized,
    message: scrubSecrets(serialized.message),
    stack: serialized.stack === undefined ? undefined : scrubSecrets(serialized.stack),
  };
}

/**
 * pino with secrets redacted: values under secret-named keys (any depth up to 5),
 * credentials in error messages and stacks, and URLs with credentials in message strings.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? (options.pretty ? pretty({ colorize: true }) : undefined);
  return pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: redactPaths(), censor: "[redacted]" },
      serializers: { err: scrubError, error: scrubError },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a: unknown) => (typeof a === "string" ? scrubSecrets(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
