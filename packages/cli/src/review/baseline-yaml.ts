import { LineCounter, parseAllDocuments, stringify } from "yaml";
import { z } from "zod";
import { baselineKeyOf, type BaselineEntry, type BaselineId } from "@outlier/baseline";
import { WORKLOAD_KINDS } from "@outlier/contracts";
import type { StoredBaseline } from "@outlier/store";
import { CliError } from "./errors.ts";

/*
 * Baselines as code: one YAML document per baseline, with only what a reviewer
 * decides — the state, and per executable its status and the evidence to judge it
 * (parents, users). Sample arguments only on request (`withArgs`): they hold whatever
 * ran while learning, an attacker's command line and tokens included, and a baseline
 * file goes to Git. Counts, first/last seen, replica names, image
 * digests and lock times change all the time and would turn every Git diff into noise,
 * so they are not exported. Documents, entries and evidence lists are sorted, so
 * exporting the same decisions always gives the same bytes.
 */

const EntryDocSchema = z.strictObject({
  binary: z.string().min(1),
  status: z.enum(["learned", "approved", "denied", "pending"]),
  pendingReason: z.enum(["single-replica", "image-drift", "after-lock", "risky"]).optional(),
  parents: z.array(z.string()).default([]),
  sampleArgs: z.array(z.string()).optional(),
  users: z.array(z.string()).default([]),
});

export const BaselineDocSchema = z.strictObject({
  apiVersion: z.literal("outlier.dev/v1"),
  kind: z.literal("Baseline"),
  workload: z.strictObject({
    cluster: z.string().min(1),
    namespace: z.string().min(1),
    kind: z.enum(WORKLOAD_KINDS),
    name: z.string().min(1),
    container: z.string().min(1),
  }),
  state: z.enum(["learning", "locked"]),
  entries: z.array(EntryDocSchema).default([]),
});

export type BaselineDoc = z.infer<typeof BaselineDocSchema>;
export type EntryDoc = z.infer<typeof EntryDocSchema>;

export interface ExportOptions {
  /** Keep each entry's sample arguments (off by default: see the note at the top). */
  withArgs?: boolean;
}

export function toDocument(stored: StoredBaseline, options: ExportOptions = {}): BaselineDoc {
  const { cluster, namespace, kind, name, container } = stored.baseline.id;
  const entries = [...stored.entries.values()].sort((a, b) => compare(a.binary, b.binary)).map((e) => toEntryDoc(e, options));
  return { apiVersion: "outlier.dev/v1", kind: "Baseline", workload: { cluster, namespace, kind, name, container }, state: stored.baseline.state, entries };
}

/** The reviewable part of an entry, lists sorted. */
export function toEntryDoc(entry: Pick<BaselineEntry, "binary" | "status" | "pendingReason" | "parents" | "sampleArgs" | "users">, options: ExportOptions = {}): EntryDoc {
  const reason = entry.status === "pending" && entry.pendingReason ? { pendingReason: entry.pendingReason } : {};
  const args = options.withArgs ? { sampleArgs: sorted(entry.sampleArgs) } : {};
  return { binary: entry.binary, status: entry.status, ...reason, parents: sorted(entry.parents), ...args, users: sorted(entry.users) };
}

/** Every baseline as a document, in baseline-key order. */
export function exportDocuments(baselines: readonly StoredBaseline[], options: ExportOptions = {}): BaselineDoc[] {
  return [...baselines].sort((a, b) => compare(baselineKeyOf(a.baseline.id), baselineKeyOf(b.baseline.id))).map((b) => toDocument(b, options));
}

/** Every baseline as one YAML document, in baseline-key order. */
export function exportYaml(baselines: readonly StoredBaseline[], options: ExportOptions = {}): string {
  return exportDocuments(baselines, options)
    .map((doc) => `---\n${stringify(doc, { lineWidth: 0 })}`)
    .join("");
}

export function docId(doc: BaselineDoc): BaselineId {
  return { ...doc.workload };
}

/** Parses and validates every document; the first problem fails the whole file with its line. */
export function parseBaselineYaml(text: string, file: string): BaselineDoc[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) return []; // an empty file
  const seen = new Set<string>();
  return docs.flatMap((doc, i) => {
    const line = lines.linePos(doc.range[0]).line;
    const where = `${file}: document ${i + 1} (line ${line})`;
    const yamlError = doc.errors[0];
    if (yamlError) throw new CliError(`${file}:${yamlError.linePos?.[0].line ?? line}: ${yamlError.message.split("\n")[0]}`);
    if (doc.contents === null) return [];
    const parsed = BaselineDocSchema.safeParse(doc.toJS());
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CliError(`${where}: ${issue.path.join(".") || "document"}: ${issue.message}`);
    }
    const key = baselineKeyOf(docId(parsed.data));
    if (seen.has(key)) throw new CliError(`${where}: the baseline ${key} appears twice`);
    seen.add(key);
    const binaries = parsed.data.entries.map((e) => e.binary);
    const duplicate = binaries.find((b, j) => binaries.indexOf(b) !== j);
    if (duplicate) throw new CliError(`${where}: entry ${duplicate} appears twice`);
    return [parsed.data];
  });
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort(compare);
}

/** Code-point order: the same everywhere, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
