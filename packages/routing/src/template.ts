/**
 * A tiny template language for values taken from the finding, such as a Slack channel:
 *
 *   '{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'
 *   '#team-{{ labels["team"] }}'
 *
 * Text outside `{{ }}` is literal. Inside, exactly one reference: `annotations["key"]`
 * (the workload's annotations) or `labels["key"]` (the finding's routing labels), with
 * an optional `| default "text"` used when the value is missing or empty. Nothing is
 * evaluated; anything else is a load-time error.
 */
export type TemplatePart = { text: string } | { from: "annotations" | "labels"; key: string; fallback: string };

export interface Template {
  source: string;
  parts: TemplatePart[];
}

export interface TemplateContext {
  labels: Readonly<Record<string, string>>;
  annotations: Readonly<Record<string, string>>;
}

export type CompiledTemplate = { ok: true; template: Template } | { ok: false; error: string };

const STRING = String.raw`"((?:[^"\\]|\\.)*)"`;
const EXPRESSION = new RegExp(String.raw`^\s*(annotations|labels)\[\s*${STRING}\s*\]\s*(?:\|\s*default\s+${STRING}\s*)?$`);

export function compileTemplate(source: string): CompiledTemplate {
  const parts: TemplatePart[] = [];
  let rest = source;
  while (rest !== "") {
    const open = rest.indexOf("{{");
    if (open === -1) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf("}}", open);
    if (close === -1) return { ok: false, error: `template ${JSON.stringify(source)}: "{{" without "}}"` };
    const expression = rest.slice(open + 2, close);
    const m = EXPRESSION.exec(expression);
    if (!m) {
      return {
        ok: false,
        error: `template ${JSON.stringify(source)}: cannot read "{{${expression}}}"; expected annotations["key"] or labels["key"], optionally | default "text"`,
      };
    }
    const [, from, key = "", fallback = ""] = m;
    parts.push({ from: from as "annotations" | "labels", key: unescape(key), fallback: unescape(fallback) });
    rest = rest.slice(close + 2);
  }
  return { ok: true, template: { source, parts } };
}

export function renderTemplate(template: Template, context: TemplateContext): string {
  return template.parts
    .map((part) => ("text" in part ? part.text : context[part.from][part.key] || part.fallback))
    .join("");
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
