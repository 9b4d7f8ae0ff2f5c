import path from "node:path";

/** The repository root, found from this file's location so any cwd works. */
export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Real-format event samples shared by the project; read in place, never copied. */
export const fixturesDir = path.resolve(repoRoot, "../shared/fixtures");
