import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.ts";

describe("LineSplitter", () => {
  it("returns complete lines with the file offset after each newline", () => {
    const splitter = new LineSplitter(100, 10);
    const lines = splitter.push(Buffer.from("ab\ncde\nf"));
    expect(lines.map((l) => [l.text, l.end])).toEqual([
      ["ab", 13],
      ["cde", 17],
    ]);
    expect(splitter.pendingBytes).toBe(1);
  });

  it("holds a partial line until its newline arrives, across chunks and split UTF-8 characters", () => {
    const bytes = Buffer.from("héllo wörld\n🙂\n");
    const splitter = new LineSplitter(100);
    const texts: string[] = [];
    for (let i = 0; i < bytes.length; i++) texts.push(...splitter.push(bytes.subarray(i, i + 1)).map((l) => l.text));
    expect(texts).toEqual(["héllo wörld", "🙂"]);
    expect(splitter.pendingBytes).toBe(0);
  });

  it("keeps empty lines", () => {
    expect(new LineSplitter(100).push(Buffer.from("\n\nx\n")).map((l) => l.text)).toEqual(["", "", "x"]);
  });

  it("cuts a line over the limit to limit + 1 bytes but reports its true length and end", () => {
    const splitter = new LineSplitter(10);
    const long = "x".repeat(25);
    const lines = [...splitter.push(Buffer.from(long.slice(0, 7))), ...splitter.push(Buffer.from(`${long.slice(7)}\nok\n`))];
    expect(lines).toEqual([
      { text: "x".repeat(11), end: 26, bytes: 25, cut: true },
      { text: "ok", end: 29, bytes: 2, cut: false },
    ]);
  });

  it("does not cut a line exactly at the limit", () => {
    const [line] = new LineSplitter(5).push(Buffer.from("12345\n"));
    expect(line).toEqual({ text: "12345", end: 6, bytes: 5, cut: false });
  });

  it("flushes the held partial line as a line ending at the current offset", () => {
    const splitter = new LineSplitter(100);
    splitter.push(Buffer.from("a\nbc"));
    expect(splitter.flush()).toEqual({ text: "bc", end: 4, bytes: 2, cut: false });
    expect(splitter.flush()).toBeUndefined();
  });

  it("forgets held bytes on reset", () => {
    const splitter = new LineSplitter(100);
    splitter.push(Buffer.from("half"));
    splitter.reset(0);
    expect(splitter.push(Buffer.from("new\n"))).toEqual([{ text: "new", end: 4, bytes: 3, cut: false }]);
  });
});
