/** Splits `git log --format=%x1e%H%x1f%P%x1f%ct%x1f%B [-z --name-only]` output into commits as it streams in. */

import type { RawCommit } from "./conventional-commit";

export const historyFormat = "--format=%x1e%H%x1f%P%x1f%ct%x1f%B";

/** A commit as `git log` streams it: the raw commit plus its committer time (epoch seconds), which orders history. */
export interface LoggedCommit extends RawCommit {
  time: number;
}

/** Feed chunks with `push`, then `end`; each complete commit goes to `onCommit` as soon as the next one starts. */
export class HistoryStreamParser {
  private pending = "";

  constructor(private readonly onCommit: (commit: LoggedCommit) => void) {}

  push(chunk: string): void {
    const text = this.pending + chunk;
    let start = text.indexOf("\x1e");
    if (start === -1) {
      this.pending = text;
      return;
    }
    for (;;) {
      const next = text.indexOf("\x1e", start + 1);
      if (next === -1) break;
      this.emit(text.slice(start + 1, next));
      start = next;
    }
    this.pending = text.slice(start);
  }

  end(): void {
    if (this.pending.startsWith("\x1e")) this.emit(this.pending.slice(1));
    this.pending = "";
  }

  private emit(record: string): void {
    const first = record.indexOf("\x1f");
    const second = record.indexOf("\x1f", first + 1);
    const third = record.indexOf("\x1f", second + 1);
    if (first === -1 || second === -1 || third === -1) return;
    const parents = record.slice(first + 1, second);
    const rest = record.slice(third + 1);
    const nul = rest.indexOf("\0");
    const files: string[] = [];
    if (nul !== -1) {
      for (const path of rest.slice(nul + 1).split("\0")) {
        const trimmed = path.startsWith("\n") ? path.slice(1) : path;
        if (trimmed) files.push(trimmed);
      }
    }
    this.onCommit({
      sha: record.slice(0, first),
      parents: parents ? parents.split(" ") : [],
      time: Number(record.slice(second + 1, third)),
      message: nul === -1 ? rest : rest.slice(0, nul),
      files,
    });
  }
}
