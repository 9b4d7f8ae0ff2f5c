import path from "node:path";

/** The repository root, where `pnpm` runs scripts and where examples/ lives. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

/**
 * How a person runs `outlier` from where they typed the last command: `scripts/dev
 * outlier` when they came through scripts/dev (pnpm then lives in .cache/node, not on
 * their PATH), else `pnpm outlier`; with paths relative to their directory, so that a
 * hint can be pasted as printed.
 */
export interface CommandHints {
  /** `outlier` as the person runs it, e.g. `scripts/dev outlier` or `../scripts/dev outlier`. */
  outlier: string;
  /** A path under the repository root, as seen from the person's directory. */
  path: (fromRoot: string) => string;
}

export function commandHints(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): CommandHints {
  const from = env["OUTLIER_INVOKED_FROM"] ?? cwd;
  const path_ = (fromRoot: string) => path.relative(from, path.join(REPO_ROOT, fromRoot)) || ".";
  if (env["OUTLIER_VIA_DEV_SCRIPT"] !== "1") return { outlier: "pnpm outlier", path: path_ };
  const dev = path_("scripts/dev");
  return { outlier: `${dev.includes("/") ? dev : `./${dev}`} outlier`, path: path_ };
}
