import { readFileSync } from "node:fs";

/** Where a secret is: an environment variable (`*_env` in the routing file) or a mounted file (`*_file`). */
export interface SecretRef {
  env?: string | undefined;
  file?: string | undefined;
}

export interface SecretResolver {
  /** The secret's value; throws SecretError naming the variable or file (never the value). */
  read(ref: SecretRef, what: string): string;
}

export class SecretError extends Error {
  override readonly name = "SecretError";
}

export interface SecretResolverOptions {
  env?: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
}

/** Reads `*_env` from the environment and `*_file` from files, trimmed (Secret volumes often end in a newline). */
export function secretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  return {
    read(ref, what) {
      if (ref.env !== undefined) {
        const value = env[ref.env]?.trim();
        if (!value) throw new SecretError(`${what}: environment variable ${ref.env} is not set or empty`);
        return value;
      }
      if (ref.file !== undefined) {
        let value: string;
        try {
          value = readFile(ref.file).trim();
        } catch (error) {
          throw new SecretError(`${what}: cannot read file ${ref.file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
        }
        if (!value) throw new SecretError(`${what}: file ${ref.file} is empty`);
        return value;
      }
      throw new SecretError(`${what}: neither an environment variable nor a file is configured`);
    },
  };
}
