/** A reproducible ustar writer (PAX records for long or non-ASCII names) producing a stream of tar bytes. */

import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

export interface TarEntry {
  /** Path inside the archive, without a leading slash; directories without a trailing slash. */
  path: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  size?: number;
  linkTarget?: string;
  /** Seconds since the epoch. */
  mtime: number;
  /** File content, read when the entry is written. */
  sourcePath?: string;
  content?: Buffer;
}

const block = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function fitsUstar(text: string, limit: number): boolean {
  return Buffer.byteLength(text) <= limit && /^[\x20-\x7e]*$/.test(text);
}

function header(fields: { name: string; mode: number; size: number; mtime: number; typeflag: string; linkname?: string }): Buffer {
  const buffer = Buffer.alloc(block);
  buffer.write(fields.name, 0, 100, "utf8");
  buffer.write(octal(fields.mode & 0o7777, 8), 100, "ascii");
  buffer.write(octal(0, 8), 108, "ascii");
  buffer.write(octal(0, 8), 116, "ascii");
  buffer.write(octal(fields.size, 12), 124, "ascii");
  buffer.write(octal(Math.max(0, Math.floor(fields.mtime)), 12), 136, "ascii");
  buffer.write("        ", 148, "ascii");
  buffer.write(fields.typeflag, 156, "ascii");
  if (fields.linkname) buffer.write(fields.linkname, 157, 100, "utf8");
  buffer.write("ustar\0", 257, "ascii");
  buffer.write("00", 263, "ascii");
  buffer.write("root", 265, "ascii");
  buffer.write("root", 297, "ascii");
  let sum = 0;
  for (const byte of buffer) sum += byte;
  buffer.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return buffer;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % block;
  return Buffer.alloc(rest === 0 ? 0 : block - rest);
}

async function* entryBlocks(entry: TarEntry): AsyncGenerator<Buffer> {
  const name = entry.type === "directory" ? `${entry.path}/` : entry.path;
  const link = entry.linkTarget ?? "";
  const pax: string[] = [];
  if (!fitsUstar(name, 100)) pax.push(paxRecord("path", name));
  if (!fitsUstar(link, 100)) pax.push(paxRecord("linkpath", link));
  if (pax.length > 0) {
    const data = Buffer.from(pax.join(""), "utf8");
    yield header({ name: "PaxHeader", mode: 0o644, size: data.length, mtime: entry.mtime, typeflag: "x" });
    yield data;
    yield padding(data.length);
  }
  const size = entry.type === "file" ? (entry.content?.length ?? entry.size ?? 0) : 0;
  const typeflag = entry.type === "file" ? "0" : entry.type === "directory" ? "5" : "2";
  const shortName = fitsUstar(name, 100) ? name : Buffer.from(name).subarray(0, 99).toString("latin1").replace(/[^\x20-\x7e]/g, "_");
  const shortLink = fitsUstar(link, 100) ? link : "";
  yield header({ name: shortName, mode: entry.mode, size, mtime: entry.mtime, typeflag, linkname: shortLink });
  if (entry.type !== "file") return;
  if (entry.content) yield entry.content;
  else if (entry.sourcePath) {
    let written = 0;
    for await (const chunk of createReadStream(entry.sourcePath) as AsyncIterable<Buffer>) {
      written += chunk.length;
      if (written > size) throw new Error(`${entry.sourcePath} grew while it was archived`);
      yield chunk;
    }
    if (written !== size) throw new Error(`${entry.sourcePath} changed size while it was archived`);
  }
  yield padding(size);
}

/** The archive of `entries`, in the order given (callers sort them for reproducibility). */
export function tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Readable {
  async function* all(): AsyncGenerator<Buffer> {
    for await (const entry of entries) yield* entryBlocks(entry);
    yield Buffer.alloc(block * 2);
  }
  return Readable.from(all(), { objectMode: false });
}
