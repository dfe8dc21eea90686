/** Splits a byte stream into UTF-8 lines (LF or CRLF), across chunk boundaries, with a bound on line length. */

export const maxLineBytes = 64 * 1024;

const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/** Backs off so a cut never splits a UTF-8 sequence (continuation bytes are 10xxxxxx). */
function utf8SafeCut(bytes: Buffer, limit: number): number {
  let cut = limit;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
  return cut === 0 ? limit : cut;
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxBytes = maxLineBytes,
  ) {}

  write(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let start = 0;
    for (let lf = bytes.indexOf(lineFeed, start); lf >= 0; lf = bytes.indexOf(lineFeed, start)) {
      this.emitLine(this.take(bytes.subarray(start, lf)));
      start = lf + 1;
    }
    if (start < bytes.length) {
      // Copy: the caller may reuse its buffer.
      this.pending.push(Buffer.from(bytes.subarray(start)));
      this.pendingBytes += bytes.length - start;
      this.splitOverlong();
    }
  }

  /** Emits what remains after the last newline, if anything. */
  flush(): void {
    if (this.pendingBytes > 0) this.emitLine(this.take(Buffer.alloc(0)));
  }

  private take(tail: Buffer): Buffer {
    if (this.pendingBytes === 0) return tail;
    const line = Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private splitOverlong(): void {
    if (this.pendingBytes <= this.maxBytes) return;
    let rest = this.take(Buffer.alloc(0));
    while (rest.length > this.maxBytes) {
      const cut = utf8SafeCut(rest, this.maxBytes);
      this.emit(rest.subarray(0, cut).toString("utf8"));
      rest = rest.subarray(cut);
    }
    if (rest.length > 0) {
      this.pending = [Buffer.from(rest)];
      this.pendingBytes = rest.length;
    }
  }

  private emitLine(bytes: Buffer): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn ? bytes.length - 1 : bytes.length;
    let rest = bytes.subarray(0, end);
    while (rest.length > this.maxBytes) {
      const cut = utf8SafeCut(rest, this.maxBytes);
      this.emit(rest.subarray(0, cut).toString("utf8"));
      rest = rest.subarray(cut);
    }
    this.emit(rest.toString("utf8"));
  }
}
