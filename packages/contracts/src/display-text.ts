/**
 * Text for people to read on a terminal. Binary paths, arguments, user, pod and label
 * names come from monitored workloads and the API server, so an attacker chooses them:
 * an ESC sequence in a binary name could retitle or clear the reviewer's terminal or
 * hide text (ESC[8m), a newline could forge a table row, a bidi override could make
 * `evil\u202Etxt.sh` read as `evilhs.txt`. Every such character is shown as a visible
 * escape instead, and long text is clipped so one value cannot flood the screen.
 *
 * The convention: `\n`, `\r`, `\t`; other C0, DEL and C1 as `\xHH`; the invisible
 * Unicode format characters (line/paragraph separators, bidi controls, zero-width
 * characters, byte order mark) as `\u{HHHH}`. Printable text, backslashes included,
 * is left as it is.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_KEEPING_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The longest value shown by default: a whole screen line and some. */
export const DISPLAY_MAX = 300;

/** One value (a name, a path, an argument list) on one line: control characters visible, clipped at `max`. */
export function displayText(text: string, max = DISPLAY_MAX): string {
  const shown = text.replace(UNSAFE, visible);
  return shown.length <= max ? shown : clipText(text, max);
}

/** Multi-line text of our own (an error message, a report) that may quote hostile values: newlines kept, the rest visible. */
export function displayLines(text: string): string {
  return text.replace(UNSAFE_KEEPING_NEWLINES, visible);
}

/** Whole characters and whole escapes up to `max - 1`, then an ellipsis. */
function clipText(text: string, max: number): string {
  let out = "";
  for (const ch of text) {
    const piece = ch.replace(UNSAFE, visible);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/**
 * JSON for a terminal: JSON.stringify escapes C0 controls but leaves DEL, C1, the bidi
 * controls and U+2028/2029 raw. Outside strings JSON is ASCII, so writing them as `\uHHHH`
 * changes nothing a parser reads.
 */
export function terminalJson(json: string): string {
  return json.replace(RAW_IN_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16).padStart(4, "0")}}`;
}
