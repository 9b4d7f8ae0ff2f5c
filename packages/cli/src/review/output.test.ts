import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { drawTable, styled } from "./output.ts";

describe("drawTable", () => {
  it("escapes every plain cell and the text inside coloured ones, keeping only our colour codes", () => {
    const c = pc.createColors(true);
    const out = drawTable([styled(c.red, "p-\u001b[2J\n1"), "binary"], [["/tmp/\u001b]0;t\u0007", styled(c.yellow, "\u202e3")]]);
    expect(out).toContain("/tmp/\\x1b]0;t\\x07");
    expect(out).toContain(c.red("p-\\x1b[2J\\n1"));
    expect(out).toContain(c.yellow("\\u{202e}3"));
    // eslint-disable-next-line no-control-regex
    const withoutOurColours = out.replace(/\u001b\[(31|33|39)m/g, "");
    // eslint-disable-next-line no-control-regex
    expect(withoutOurColours).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
