import { describe, expect, it } from "vitest";
import { compileTemplate, renderTemplate, type Template } from "./template.ts";

function template(source: string): Template {
  const compiled = compileTemplate(source);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.template;
}

const context = {
  labels: { team: "payments", namespace: "prod-eu" },
  annotations: { "outlier.dev/slack-channel": "#payments-oncall" },
};

describe("templates", () => {
  it("takes a value from an annotation, with a default", () => {
    const channel = template('{{ annotations["outlier.dev/slack-channel"] | default "#security" }}');
    expect(renderTemplate(channel, context)).toBe("#payments-oncall");
    expect(renderTemplate(channel, { labels: {}, annotations: {} })).toBe("#security");
    expect(renderTemplate(channel, { labels: {}, annotations: { "outlier.dev/slack-channel": "" } })).toBe("#security");
  });
  it("mixes literal text and labels", () => {
    expect(renderTemplate(template('#team-{{labels["team"]}}-{{ labels["namespace"] }}'), context)).toBe("#team-payments-prod-eu");
    expect(renderTemplate(template("#plain"), context)).toBe("#plain");
    expect(renderTemplate(template('{{ labels["missing"] }}'), context)).toBe("");
  });
  it("rejects anything that is not a plain reference", () => {
    for (const bad of ['{{ annotations["x"]', "{{ env.HOME }}", '{{ labels["a"] | upper }}', "{{ 1 + 1 }}", "{{ labels[team] }}"]) {
      const compiled = compileTemplate(bad);
      expect(compiled.ok, bad).toBe(false);
    }
  });
});
