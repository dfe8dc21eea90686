/** Reads a layer's tar stream (ustar, PAX and GNU long names; gzip detected by its magic bytes) entry by entry. */

import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { SlipwayError } from "../../core/errors";

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarEntryHeader {
  path: string;
  type: TarEntryType;
  mode: number;
  size: number;
  linkTarget: string;
}

const block = 512;

/** Pulls exact byte counts out of an async stream of chunks. */
class ChunkReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(wanted: number): Promise<boolean> {
    while (this.length < wanted && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        this.buffered.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= wanted;
  }

  private take(count: number): Buffer {
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    const taken = all.subarray(0, count);
    const rest = all.subarray(count);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return taken;
  }

  /** Exactly `count` bytes, or undefined at the clean end of the stream. */
  async read(count: number): Promise<Buffer | undefined> {
    if (!(await this.fill(count))) {
      if (this.length === 0) return undefined;
      throw new SlipwayError("IMAGE_INVALID", "the layer's tar archive is truncated");
    }
    return Buffer.from(this.take(count));
  }

  /** `count` bytes as pieces of at most 1 MiB each. */
  async *pieces(count: number): AsyncGenerator<Buffer> {
    let left = count;
    while (left > 0) {
      if (this.length === 0 && !(await this.fill(1))) throw new SlipwayError("IMAGE_INVALID", "the layer's tar archive is truncated");
      const piece = this.take(Math.min(left, this.length, 1024 * 1024));
      left -= piece.length;
      yield piece;
    }
  }
}

function text(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? field.length : end).toString("utf8");
}

function octal(header: Buffer, start: number, length: number): number {
  // Base-256 (GNU) for sizes past 8 GiB: the high bit of the first byte is set.
  if (header[start] & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + header[i];
    return value;
  }
  const digits = text(header, start, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

function typeOf(flag: string): TarEntryType {
  if (flag === "0" || flag === "" || flag === "7") return "file";
  if (flag === "5") return "directory";
  if (flag === "2") return "symlink";
  if (flag === "1") return "hardlink";
  return "other";
}

/** Decompresses when the stream starts with the gzip magic, passes it through otherwise. */
async function maybeGunzip(source: Readable): Promise<AsyncIterator<Buffer>> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  if (first.done) return iterator;
  const head = first.value;
  async function* replay(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
    throw new SlipwayError("IMAGE_INVALID", "zstd-compressed layers are not supported by the local runtime (use gzip)");
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) return replay();
  const gunzip = createGunzip();
  // pipe() does not forward errors: a failing blob read must fail the unpack, not hang it.
  const compressed = Readable.from(replay()).on("error", (error) => gunzip.destroy(error));
  return (compressed.pipe(gunzip) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
}

/** Calls `onEntry` for every entry in order; the callback must consume `body` for files. */
export async function readTar(source: Readable, onEntry: (header: TarEntryHeader, body: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const reader = new ChunkReader(await maybeGunzip(source));
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const header = await reader.read(block);
    if (!header || header.every((byte) => byte === 0)) return;
    const size = octal(header, 124, 12);
    const flag = String.fromCharCode(header[156] || 0x30);
    const padded = Math.ceil(size / block) * block;
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      const data = (await reader.read(padded)) ?? Buffer.alloc(0);
      const content = data.subarray(0, size);
      if (flag === "x") pax = parsePax(content);
      else if (flag === "L") longName = text(content, 0, content.length);
      else if (flag === "K") longLink = text(content, 0, content.length);
      continue;
    }
    const prefix = header.subarray(257, 263).toString("ascii").startsWith("ustar") ? text(header, 345, 155) : "";
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const entry: TarEntryHeader = {
      path: name,
      type: typeOf(flag),
      mode: octal(header, 100, 8),
      size: pax.size !== undefined ? Number(pax.size) : size,
      linkTarget: pax.linkpath ?? longLink ?? text(header, 157, 100),
    };
    pax = {};
    longName = undefined;
    longLink = undefined;
    const bodySize = entry.type === "file" ? entry.size : size;
    let consumed = false;
    const body = (async function* () {
      consumed = true;
      yield* reader.pieces(bodySize);
    })();
    await onEntry(entry, body);
    if (!consumed) for await (const _piece of reader.pieces(bodySize)) void _piece;
    const rest = Math.ceil(bodySize / block) * block - bodySize;
    if (rest > 0) await reader.read(rest);
  }
}
