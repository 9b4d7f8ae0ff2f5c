const NEWLINE = 0x0a;

/** One complete line and where it ends in the file. */
export interface Line {
  text: string;
  /** File offset just after the line's newline: where reading resumes once this line is durable. */
  end: number;
  /** The line's full length in bytes, without its newline. */
  bytes: number;
  /** True when the line was longer than the limit and `text` holds only its first maxLineBytes + 1 bytes. */
  cut: boolean;
}

/**
 * Splits file bytes into newline-terminated lines and tracks file offsets. A line's
 * bytes are held until its newline arrives, but never more than maxLineBytes + 1 of
 * them: a longer line is cut there, so what is handed on is still over the limit and
 * the normalizer rejects it as `line_too_long` instead of buffering it whole.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private held: Buffer[] = [];
  private heldBytes = 0;
  private lineBytes = 0;
  private offset: number;

  constructor(maxLineBytes: number, offset = 0) {
    this.maxLineBytes = maxLineBytes;
    this.offset = offset;
  }

  /** Bytes of the unterminated line held so far (its true length, not just what is kept). */
  get pendingBytes(): number {
    return this.lineBytes;
  }

  /** Forgets any held bytes and continues counting from `offset`. */
  reset(offset: number): void {
    this.held = [];
    this.heldBytes = 0;
    this.lineBytes = 0;
    this.offset = offset;
  }

  /** Feeds bytes read at the current offset; returns the lines they complete. Slices of `chunk` are kept: never reuse it. */
  push(chunk: Buffer): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.hold(chunk.subarray(start, newline));
      this.offset += newline + 1 - start;
      lines.push(this.take());
      start = newline + 1;
    }
    this.hold(chunk.subarray(start));
    this.offset += chunk.length - start;
    return lines;
  }

  /** The held unterminated line, as if it ended here (a rotated-away file's last line); undefined when none. */
  flush(): Line | undefined {
    return this.lineBytes === 0 ? undefined : this.take();
  }

  private hold(bytes: Buffer): void {
    this.lineBytes += bytes.length;
    const room = this.maxLineBytes + 1 - this.heldBytes;
    if (room <= 0 || bytes.length === 0) return;
    const kept = bytes.subarray(0, room);
    this.held.push(kept);
    this.heldBytes += kept.length;
  }

  private take(): Line {
    const text = this.held.length === 1 ? this.held[0]!.toString("utf8") : Buffer.concat(this.held).toString("utf8");
    const line = { text, end: this.offset, bytes: this.lineBytes, cut: this.lineBytes > this.maxLineBytes };
    this.reset(this.offset);
    return line;
  }
}
