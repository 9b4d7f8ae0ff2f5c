import type { Baseline, BaselineId } from "@outlier/baseline";
import { WORKLOAD_KINDS } from "@outlier/contracts";
import type { Stores } from "./connection.ts";
import { closest } from "./closest.ts";
import { CliError, EXIT } from "./errors.ts";
import { matchesSelector, parseSelector } from "./label-selector.ts";

/** The options that narrow which baselines a command acts on. */
export interface SelectOptions {
  namespace?: string;
  selector?: string;
  container?: string;
  cluster?: string;
}

/** A workload as a person names it: NAMESPACE/KIND/NAME, or NAMESPACE/NAME when the kind is unambiguous. */
export interface Target {
  namespace: string;
  kind?: string;
  name: string;
}

const KIND_ALIASES: Record<string, string> = { deploy: "Deployment", sts: "StatefulSet", ds: "DaemonSet", rs: "ReplicaSet", cj: "CronJob", po: "Pod" };

/** `shop/Deployment/web` — how every command prints a workload. */
export function workloadName(id: Pick<BaselineId, "namespace" | "kind" | "name">): string {
  return `${id.namespace}/${id.kind}/${id.name}`;
}

export function parseTarget(text: string): Target {
  const parts = text.split("/");
  if (parts.some((p) => p === "") || (parts.length !== 2 && parts.length !== 3)) {
    throw new CliError(`"${text}" is not a workload: use NAMESPACE/KIND/NAME (e.g. shop/Deployment/web) or NAMESPACE/NAME`, EXIT.usage);
  }
  if (parts.length === 2) return { namespace: parts[0]!, name: parts[1]! };
  const kind = canonicalKind(parts[1]!);
  if (!kind) throw new CliError(`unknown workload kind "${parts[1]}": one of ${WORKLOAD_KINDS.join(", ")}`, EXIT.usage);
  return { namespace: parts[0]!, kind, name: parts[2]! };
}

function canonicalKind(text: string): string | undefined {
  const lower = text.toLowerCase();
  return WORKLOAD_KINDS.find((k) => k.toLowerCase() === lower || k.toLowerCase() === lower.replace(/s$/, "")) ?? KIND_ALIASES[lower];
}

/** The baselines matching -n, -l, -c and --cluster (all of them when none is given). */
export async function selectBaselines(stores: Stores, options: SelectOptions): Promise<Baseline[]> {
  const requirements = options.selector ? parseSelector(options.selector) : undefined;
  const filter: { namespace?: string; cluster?: string } = {};
  if (options.namespace) filter.namespace = options.namespace;
  if (options.cluster) filter.cluster = options.cluster;
  const listed = (await stores.baselines.list(filter)).filter((b) => !options.container || b.id.container === options.container);
  if (!requirements) return listed;
  const labels = await Promise.all(listed.map((b) => stores.labels.getLabels(b.id)));
  return listed.filter((_, i) => matchesSelector(labels[i], requirements));
}

/**
 * The baselines of one named workload: every container, or the one `-c` names.
 * Unknown names fail with the closest stored names as suggestions.
 */
export async function resolveTarget(stores: Stores, text: string, options: Pick<SelectOptions, "container" | "cluster">): Promise<Baseline[]> {
  const target = parseTarget(text);
  const all = await stores.baselines.list(options.cluster ? { cluster: options.cluster } : {});
  const matches = all.filter(
    (b) => b.id.namespace === target.namespace && b.id.name === target.name && (!target.kind || b.id.kind === target.kind),
  );
  if (matches.length === 0) throw notFound(text, target, all);
  const kinds = distinct(matches.map((b) => b.id.kind));
  if (kinds.length > 1) {
    throw new CliError(`${text} is ambiguous: it names a ${kinds.join(" and a ")}; use NAMESPACE/KIND/NAME`);
  }
  const clusters = distinct(matches.map((b) => b.id.cluster));
  if (clusters.length > 1) throw new CliError(`${text} exists in clusters ${clusters.join(", ")}; pass --cluster`);
  if (!options.container) return matches;
  const inContainer = matches.filter((b) => b.id.container === options.container);
  if (inContainer.length === 0) {
    const containers = matches.map((b) => b.id.container).join(", ");
    throw new CliError(`${workloadName(matches[0]!.id)} has no baseline for container ${options.container}; its containers: ${containers}`);
  }
  return inContainer;
}

/** TARGET, or a bulk selection by -n / -l; one of the two is required when `required`. */
export async function resolveSelection(
  stores: Stores,
  target: string | undefined,
  options: SelectOptions,
  required: boolean,
): Promise<{ baselines: Baseline[]; bulk: boolean }> {
  if (target) {
    if (options.namespace || options.selector) throw new CliError("name a workload or select with -n / -l, not both", EXIT.usage);
    return { baselines: await resolveTarget(stores, target, options), bulk: false };
  }
  if (required && !options.namespace && !options.selector) {
    throw new CliError("name a workload (NAMESPACE/KIND/NAME) or select baselines with -n NAMESPACE / -l SELECTOR", EXIT.usage);
  }
  const baselines = await selectBaselines(stores, options);
  if (baselines.length === 0) throw new CliError("no baseline matches the selection");
  return { baselines, bulk: true };
}

function notFound(text: string, target: Target, all: Baseline[]): CliError {
  const names = all.map((b) => (target.kind ? workloadName(b.id) : `${b.id.namespace}/${b.id.name}`));
  const wanted = target.kind ? `${target.namespace}/${target.kind}/${target.name}` : `${target.namespace}/${target.name}`;
  // A typo is a few edits in the name; a third of the name's length keeps unrelated names out.
  const suggestions = closest(wanted, names, Math.max(2, Math.floor(target.name.length / 3))).map((n) => (target.kind ? n : fullName(n, all)));
  const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(" or ")}?` : all.length === 0 ? "; the store holds no baselines (check --redis and --prefix)" : "";
  return new CliError(`no baseline for workload ${text}${hint}`);
}

function fullName(shortName: string, all: Baseline[]): string {
  const b = all.find((x) => `${x.id.namespace}/${x.id.name}` === shortName);
  return b ? workloadName(b.id) : shortName;
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}
