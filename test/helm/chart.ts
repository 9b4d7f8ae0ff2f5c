import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const ROOT = join(import.meta.dirname, "..", "..");
export const CHART = join(ROOT, "deploy", "helm", "outlier");
/** Every option on (helm lint also reads ci/*-values.yaml). */
export const FULL_VALUES = join(CHART, "ci", "full-values.yaml");

/** helm from $HELM, the cache scripts/install-helm.sh fills, or PATH; undefined when there is none. */
export function findHelm(): string | undefined {
  const candidates = [process.env.HELM, join(ROOT, ".cache", "helm", "bin", "helm")];
  for (const path of candidates) if (path && existsSync(path)) return path;
  try {
    execFileSync("helm", ["version", "--short"], { stdio: "ignore" });
    return "helm";
  } catch {
    return undefined;
  }
}

export function helm(binary: string, args: readonly string[]): string {
  // helm writes its cache and config under $HOME by default; keep the tests off the user's.
  const home = join(ROOT, ".cache", "helm", "home");
  return execFileSync(binary, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data") },
  });
}

/** `helm template` of the chart as release "outlier" in namespace "outlier"; extra args are passed on (-f, --set). */
export function renderChart(binary: string, ...args: string[]): string {
  return helm(binary, ["template", "outlier", CHART, "--namespace", "outlier", ...args]);
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export function parseObjects(manifest: string): K8sObject[] {
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((obj): obj is K8sObject => obj !== null);
}
