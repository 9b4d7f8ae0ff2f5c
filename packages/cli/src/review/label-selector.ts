import { CliError, EXIT } from "./errors.ts";

/** One requirement of a label selector: `key=value` or `key!=value`. */
export interface LabelRequirement {
  key: string;
  op: "=" | "!=";
  value: string;
}

const REQUIREMENT = /^([A-Za-z0-9][-A-Za-z0-9_./]*)\s*(!=|==|=)\s*([-A-Za-z0-9_.]*)$/;

/** `app=web,tier!=db`: comma-separated requirements, all of which must hold (as in kubectl). */
export function parseSelector(text: string): LabelRequirement[] {
  return text.split(",").map((part) => {
    const m = REQUIREMENT.exec(part.trim());
    if (!m) throw new CliError(`invalid label selector "${part.trim()}": use key=value or key!=value, comma-separated`, EXIT.usage);
    const [, key = "", op, value = ""] = m;
    return { key, op: op === "!=" ? "!=" : "=", value };
  });
}

/** `!=` also holds when the label is absent, as in Kubernetes. */
export function matchesSelector(labels: Record<string, string> | undefined, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every((r) => (r.op === "=" ? labels?.[r.key] === r.value : labels?.[r.key] !== r.value));
}
