import { describe, expect, it } from "vitest";
import { displayLines, displayText, terminalJson } from "./display-text.ts";

/** What an attacker can put in a binary path, an argument, a pod or user name. */
const HOSTILE = [
  "\u001b]0;pwned\u0007",
  "\u001b[2J",
  "\u001b[8mhidden",
  "over\rwrite",
  "nul\u0000byte",
  "evil\u202etxt.sh",
  "two\nlines",
  "\u009b31m",
  "del\u007f",
  "line\u2028sep",
];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("displayText", () => {
  it("shows every control, bidi and separator character as a visible escape", () => {
    expect(displayText("\u001b]0;title\u0007")).toBe("\\x1b]0;title\\x07");
    expect(displayText("\u001b[2J\u001b[8m")).toBe("\\x1b[2J\\x1b[8m");
    expect(displayText("a\rb\nc\td\u0000e\u007f")).toBe("a\\rb\\nc\\td\\x00e\\x7f");
    expect(displayText("\u009b")).toBe("\\x9b");
    expect(displayText("evil\u202etxt.sh")).toBe("evil\\u{202e}txt.sh");
    expect(displayText("a\u2028b\u2029c\u200bd\ufeff")).toBe("a\\u{2028}b\\u{2029}c\\u{200b}d\\u{feff}");
    for (const text of HOSTILE) expect(displayText(text)).not.toMatch(CONTROL);
  });

  it("leaves printable text alone, accents, emoji and backslashes included", () => {
    const text = "/usr/bin/grép -E '\\d+' 🙂 <!channel> a|b=c";
    expect(displayText(text)).toBe(text);
  });

  it("clips long text at whole escapes and whole characters", () => {
    expect(displayText("x".repeat(500))).toBe(`${"x".repeat(299)}…`);
    expect(displayText("abc\u001bdef", 6)).toBe("abc…");
    expect(displayText("abc\u001bdef", 8)).toBe("abc\\x1b…");
    expect(displayText("ab🙂cd", 4)).toBe("ab…");
    expect(displayText("a".repeat(100), 100)).toBe("a".repeat(100));
  });
});

describe("terminalJson", () => {
  it("writes what JSON.stringify leaves raw (DEL, C1, bidi, U+2028) as \\u escapes, parsing back the same", () => {
    const data = { binary: "/x\u001b[2J\u007f\u009b\u202etxt\u2028" };
    const json = terminalJson(JSON.stringify(data));
    expect(json).toBe('{"binary":"/x\\u001b[2J\\u007f\\u009b\\u202etxt\\u2028"}');
    expect(JSON.parse(json)).toEqual(data);
  });
});

describe("displayLines", () => {
  it("keeps the newlines of a message and escapes the rest", () => {
    expect(displayLines("no entry \u001b[2J\rx\nsee help")).toBe("no entry \\x1b[2J\\rx\nsee help");
  });
});
