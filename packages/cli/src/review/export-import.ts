import { readFile } from "node:fs/promises";
import path from "node:path";
import type { StoredBaseline } from "@outlier/store";
import { docId, exportDocuments, exportYaml, parseBaselineYaml } from "./baseline-yaml.ts";
import { commit, type Author } from "./changes.ts";
import type { Stores } from "./connection.ts";
import { CliError, EXIT } from "./errors.ts";
import { describePlan, importChange, isEmpty, planImport, type ImportPlan } from "./import-plan.ts";
import { Progress } from "../progress.ts";
import type { CliIo } from "./io.ts";
import { render, wallClock, type OutputFormat } from "./output.ts";
import { resolveSelection, type SelectOptions } from "./select.ts";

/**
 * `baseline export`: the selected baselines (all by default) on stdout, as YAML
 * documents, or with `--output json` the same documents as one JSON array.
 */
export async function runExport(stores: Stores, target: string | undefined, options: SelectOptions & { output: OutputFormat; withArgs?: boolean }, io: CliIo): Promise<number> {
  const any = target || options.namespace || options.selector;
  const baselines = any ? (await resolveSelection(stores, target, options, false)).baselines : await stores.baselines.list();
  const loaded = await Promise.all(baselines.map((b) => stores.baselines.load(b.id)));
  const stored = loaded.filter((s): s is StoredBaseline => s !== undefined);
  const exported = { withArgs: options.withArgs === true };
  io.stdout.write(options.output === "json" ? render("json", exportDocuments(stored, exported), () => "") : exportYaml(stored, exported));
  io.stderr.write(`exported ${stored.length} baseline(s)\n`);
  return 0;
}

/**
 * `baseline import`: makes the stored baselines match the file, document by
 * document, and prints the diff. With --dry-run, prints the diff and writes nothing.
 */
export async function runImport(stores: Stores, options: { file: string; dryRun?: boolean; output: OutputFormat }, author: Author, io: CliIo): Promise<number> {
  const text = await readFile(options.file, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${options.file}: ${e.code === "ENOENT" ? "no such file" : e.message}`, EXIT.usage);
  });
  const docs = parseBaselineYaml(text, options.file);
  const source = `import ${path.basename(options.file)}`;
  const importer: Author = { actor: author.actor, reason: author.reason ? `${author.reason} (${source})` : source };
  const time = wallClock();
  const plans: ImportPlan[] = [];
  const progress = new Progress(io);
  for (const [i, doc] of docs.entries()) {
    progress.show(() => `importing: ${i}/${docs.length} baselines (${progress.rate(i)}), ${plans.length} to change`);
    const stored = await stores.baselines.load(docId(doc));
    const plan = planImport(doc, stored);
    if (isEmpty(plan)) continue;
    plans.push(plan);
    if (!options.dryRun) await commit(stores.baselines, importer, importChange(doc, stored, plan, time));
  }
  progress.clear();
  const verb = options.dryRun ? "would change" : "changed";
  const summary = `${verb} ${plans.length} of ${docs.length} baseline(s)${options.dryRun ? " (dry run: nothing written)" : ""}\n`;
  io.stdout.write(render(options.output, { dryRun: options.dryRun === true, changes: plans }, () => plans.flatMap(describePlan).map((l) => `${l}\n`).join("") + summary));
  return 0;
}
