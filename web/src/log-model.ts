/**
 * A job log held as the text blocks it arrived in, with a typed-array line index (no string per line), `::group::`/`##[group]`
 * ranges that fold, a visible-row → line mapping, and search that yields between blocks so the page never freezes.
 */

export interface LogGroup {
  title: string;
  /** The `::group::` line. */
  start: number;
  /** The `::endgroup::` line; null while the group is open. */
  end: number | null;
}

/** Workflow commands as printed (`::group::`) and as the runner logs them (`##[group]`). */
const groupPrefixes = ["##[group]", "::group::"];
const endGroups = ["##[endgroup]", "::endgroup::"];

export class LogModel {
  private blocks: string[] = [];
  private readonly blockFirstLine: number[] = [];
  private lineBlock = new Int32Array(1024);
  private lineStart = new Int32Array(1024);
  private lineEnd = new Int32Array(1024);
  private carry = "";
  lineCount = 0;
  bytes = 0;
  readonly groups: LogGroup[] = [];
  private readonly expanded = new Set<number>();
  /** Visible segments: [first line, line count] pairs, with prefix sums of their lengths. */
  private segments: Array<[number, number]> = [];
  private segmentRows: number[] = [];
  private dirty = true;

  /** Adds raw log text; a line split across appends is joined. */
  append(text: string): void {
    this.bytes += text.length;
    const combined = this.carry + text;
    const lastNewline = combined.lastIndexOf("\n");
    if (lastNewline < 0) {
      this.carry = combined;
      return;
    }
    this.carry = combined.slice(lastNewline + 1);
    this.addBlock(combined.slice(0, lastNewline));
  }

  /** The log is complete: a last line without a newline becomes a line. */
  finish(): void {
    if (this.carry) this.addBlock(this.carry);
    this.carry = "";
  }

  private grow(needed: number): void {
    if (needed <= this.lineStart.length) return;
    let size = this.lineStart.length;
    while (size < needed) size *= 2;
    for (const key of ["lineBlock", "lineStart", "lineEnd"] as const) {
      const next = new Int32Array(size);
      next.set(this[key]);
      this[key] = next;
    }
  }

  private addBlock(block: string): void {
    const index = this.blocks.length;
    this.blocks.push(block);
    this.blockFirstLine.push(this.lineCount);
    let start = 0;
    for (;;) {
      const newline = block.indexOf("\n", start);
      const end = newline < 0 ? block.length : newline;
      this.grow(this.lineCount + 1);
      const line = this.lineCount;
      this.lineBlock[line] = index;
      this.lineStart[line] = start;
      this.lineEnd[line] = end > start && block.charCodeAt(end - 1) === 13 ? end - 1 : end;
      const first = block.charCodeAt(start);
      if (first === 58 /* : */ || first === 35 /* # */) this.markGroup(block, start, line);
      this.lineCount += 1;
      if (newline < 0) break;
      start = newline + 1;
    }
    this.dirty = true;
  }

  private markGroup(block: string, start: number, line: number): void {
    const open = this.groups.at(-1);
    const prefix = groupPrefixes.find((candidate) => block.startsWith(candidate, start));
    if (prefix) {
      if (open && open.end === null) open.end = line - 1;
      this.groups.push({ title: block.slice(start + prefix.length, this.lineEnd[line]), start: line, end: null });
    } else if (endGroups.some((candidate) => block.startsWith(candidate, start)) && open && open.end === null) {
      open.end = line;
    }
  }

  line(index: number): string {
    if (index === this.lineCount && this.carry) return this.carry;
    const block = this.blocks[this.lineBlock[index] ?? 0] ?? "";
    return block.slice(this.lineStart[index], this.lineEnd[index]);
  }

  /** Lines including a trailing partial line still being written. */
  get totalLines(): number {
    return this.lineCount + (this.carry ? 1 : 0);
  }

  groupAt(line: number): LogGroup | undefined {
    return this.groups.find((group) => group.start === line);
  }

  isExpanded(group: LogGroup): boolean {
    return this.expanded.has(group.start);
  }

  toggle(group: LogGroup): void {
    if (this.expanded.has(group.start)) this.expanded.delete(group.start);
    else this.expanded.add(group.start);
    this.dirty = true;
  }

  /** Expands whatever group hides `line`. */
  reveal(line: number): void {
    for (const group of this.groups) if (line > group.start && line <= (group.end ?? this.totalLines) && !this.expanded.has(group.start)) this.toggle(group);
  }

  private rebuild(): void {
    const hidden: Array<[number, number]> = [];
    for (const group of this.groups) {
      const end = group.end ?? this.totalLines - 1;
      if (!this.expanded.has(group.start)) hidden.push([group.start + 1, end]);
      else if (group.end !== null && endGroups.some((candidate) => this.line(group.end as number).startsWith(candidate))) hidden.push([group.end, group.end]);
    }
    this.segments = [];
    this.segmentRows = [];
    let next = 0;
    let rows = 0;
    const total = this.totalLines;
    for (const [from, to] of hidden) {
      if (from > next) {
        this.segments.push([next, from - next]);
        this.segmentRows.push(rows);
        rows += from - next;
      }
      next = Math.max(next, to + 1);
    }
    if (next < total) {
      this.segments.push([next, total - next]);
      this.segmentRows.push(rows);
      rows += total - next;
    }
    this.visibleRows = rows;
    this.dirty = false;
  }

  visibleRows = 0;

  /** Rows shown after folding. */
  rowCount(): number {
    if (this.dirty) this.rebuild();
    return this.visibleRows;
  }

  /** The line shown at a visible row. */
  lineAtRow(row: number): number {
    if (this.dirty) this.rebuild();
    let low = 0;
    let high = this.segmentRows.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.segmentRows[mid] ?? 0) <= row) low = mid;
      else high = mid - 1;
    }
    const segment = this.segments[low];
    return segment ? segment[0] + (row - (this.segmentRows[low] ?? 0)) : row;
  }

  /** The row of a line (after revealing it). */
  rowOfLine(line: number): number {
    if (this.dirty) this.rebuild();
    for (let i = 0; i < this.segments.length; i += 1) {
      const [first, count] = this.segments[i] as [number, number];
      if (line >= first && line < first + count) return (this.segmentRows[i] ?? 0) + line - first;
    }
    return 0;
  }

  /** Lines containing `query` (case-insensitive), at most `limit`; yields to the page between blocks. */
  async search(query: string, limit = 10_000, signal?: { cancelled: boolean }): Promise<number[]> {
    const found: number[] = [];
    if (!query) return found;
    const pattern = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi");
    for (let b = 0; b < this.blocks.length && found.length < limit; b += 1) {
      const block = this.blocks[b] as string;
      let lastLine = -1;
      pattern.lastIndex = 0;
      for (let match = pattern.exec(block); match && found.length < limit; match = pattern.exec(block)) {
        const line = this.lineOfOffset(b, match.index);
        if (line !== lastLine) found.push(line);
        lastLine = line;
        pattern.lastIndex = this.lineEnd[line] ?? block.length;
        if (pattern.lastIndex <= match.index) pattern.lastIndex = match.index + 1;
      }
      if (b % 4 === 3) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal?.cancelled) return found;
      }
    }
    return found;
  }

  /** The line of block `b` holding character `offset`: binary search over that block's lines. */
  private lineOfOffset(b: number, offset: number): number {
    let low = this.blockFirstLine[b] ?? 0;
    let high = (this.blockFirstLine[b + 1] ?? this.lineCount) - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStart[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}
