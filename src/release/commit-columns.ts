/**
 * The cache's commits on disk, column by column and mostly binary, so that reading 10,000 commits is a few copies
 * and slices rather than a JSON parse of every field:
 *
 *   u32 metaBytes | meta (JSON) | u32 textBytes | text (UTF-8) | int32 columns | float64 times
 *
 * The text holds every SHA (fixed width) and then every normalised message; headers, bodies and subjects are
 * slices of their message (offsets in the int32 columns). Types, scopes and changed paths repeat, so they are
 * stored once in dictionaries and referenced by number. Rare values (breaking notes, references, reverts, a
 * subject that is not part of its message) are sparse maps in the meta. Parents are links by position (their
 * SHAs are the linked commits'), only parents outside the cache are spelled out.
 */

import { isAscii } from "node:buffer";
import { endianness } from "node:os";
import { cachedCommit, type CachedCommit } from "./cached-commit";
import { CommitStore } from "./commit-store";
import { splitMessage } from "./conventional-commit";

interface Meta {
  count: number;
  links: number;
  shaLength: number;
  /** The int32 and float64 columns are in this machine's byte order: another one rebuilds the cache. */
  endian: "LE" | "BE";
  /** The SHAs of the parents not cached, in order. */
  outside: string[];
  types: string[];
  scopes: string[];
  /** Only when the cache holds changed paths. */
  paths?: string[];
  subjects: Record<string, string>;
  /** Pull-request numbers too large for an int32 column (a hostile `(#99999999999)`). */
  pullRequests: Record<string, number>;
  breakingNotes: Record<string, string[]>;
  references: Record<string, number[]>;
  reverts: Record<string, { sha: string; header: string }>;
}

/** The int32 columns, in file order; the first `perCommit` have one value per commit. */
const perCommit = ["parentCount", "messageLength", "headerLength", "bodyLength", "subjectStart", "subjectLength", "type", "scope", "pullRequest", "flags", "fileCount"] as const;
type Column = (typeof perCommit)[number];
const breakingFlag = 1;
const mergeFlag = 2;

const none: string[] = [];
const noNumbers: number[] = [];
Object.freeze(none);
Object.freeze(noNumbers);

/** Encodes the commits (as parts to concatenate); undefined when their SHAs differ in length (not one repository's). */
export function encodeCommits(store: CommitStore, withFiles: boolean): Buffer[] | undefined {
  const commits = store.values();
  const count = commits.length;
  const shaLength = commits[0]?.sha.length ?? 40;
  for (let i = 0; i < count; i += 1) if (commits[i].sha.length !== shaLength) return undefined;
  const { start, up: linked } = store.parentLinks();
  const [parentCount, messageLength, headerLength, bodyLength, subjectStart, subjectLength, typeColumn, scopeColumn, pullRequest, flags, fileCount] = perCommit.map(() => new Int32Array(count));
  const up = new Int32Array(linked.length);
  const times = new Float64Array(count);
  const meta: Meta = { count, links: linked.length, shaLength, endian: endianness(), outside: [], types: [], scopes: [], subjects: {}, pullRequests: {}, breakingNotes: {}, references: {}, reverts: {} };
  const types = dictionary(meta.types);
  const scopes = dictionary(meta.scopes);
  const paths = withFiles ? dictionary((meta.paths = [])) : undefined;
  const fileIndexes: number[] = [];
  const shas = new Array<string>(count);
  const messages = new Array<string>(count);
  for (let i = 0; i < count; i += 1) {
    const commit = commits[i];
    const { message, header, body } = normalised(commit);
    shas[i] = commit.sha;
    messages[i] = message;
    parentCount[i] = commit.parents.length;
    for (let link = start[i]; link < start[i + 1]; link += 1) {
      up[link] = linked[link] === -1 ? 0 : linked[link] - i;
      if (linked[link] === -1) meta.outside.push(commit.parents[link - start[i]]);
    }
    times[i] = commit.time;
    messageLength[i] = message.length;
    headerLength[i] = header.length;
    bodyLength[i] = body.length;
    const subjectAt = message.indexOf(commit.subject);
    subjectStart[i] = subjectAt;
    subjectLength[i] = commit.subject.length;
    if (subjectAt === -1) meta.subjects[i] = commit.subject;
    typeColumn[i] = commit.type === undefined ? -1 : types(commit.type);
    scopeColumn[i] = commit.scope === undefined ? -1 : scopes(commit.scope);
    const number = commit.pullRequest;
    pullRequest[i] = number === undefined ? -1 : isInt32(number) ? number : -2;
    if (pullRequest[i] === -2) meta.pullRequests[i] = number as number;
    flags[i] = (commit.breaking ? breakingFlag : 0) | (commit.isMerge ? mergeFlag : 0);
    if (commit.breakingNotes.length > 0) meta.breakingNotes[i] = commit.breakingNotes;
    if (commit.references.length > 0) meta.references[i] = commit.references;
    if (commit.reverts) meta.reverts[i] = commit.reverts;
    if (paths) {
      fileCount[i] = commit.files.length;
      for (const file of commit.files) fileIndexes.push(paths(file));
    }
  }
  const text = Buffer.from(shas.join("") + messages.join(""), "utf8");
  const metaBytes = Buffer.from(JSON.stringify(meta), "utf8");
  const columns = [parentCount, messageLength, headerLength, bodyLength, subjectStart, subjectLength, typeColumn, scopeColumn, pullRequest, flags, fileCount];
  return [u32(metaBytes.length), metaBytes, u32(text.length), text, ...columns.map(bytesOf), bytesOf(up), bytesOf(Int32Array.from(fileIndexes)), bytesOf(times)];
}

/**
 * The commits of an encoded body, or undefined when it is malformed. With `reparse` (another parser wrote the
 * parsed columns) every message is parsed again and the stored fields are ignored.
 */
export function decodeCommits(bytes: Buffer, withFiles: boolean, reparse: boolean): CommitStore | undefined {
  const reader = new ColumnReader(bytes);
  const meta = reader.json();
  if (!isMeta(meta, withFiles) || meta.endian !== endianness()) return undefined;
  const { count, shaLength } = meta;
  const text = reader.text();
  const columns = {} as Record<Column, Int32Array>;
  for (const name of perCommit) columns[name] = reader.int32s(count);
  const up = reader.int32s(meta.links);
  let fileTotal = 0;
  if (withFiles) for (let i = 0; i < count; i += 1) fileTotal += columns.fileCount[i];
  const fileIndexes = reader.int32s(fileTotal);
  const times = reader.float64s(count);
  if (text === undefined || !reader.atEnd()) return undefined;
  const shas = shaList(text, count, shaLength);
  const parents = shas && parentLists(columns.parentCount, up, meta.outside, shas);
  if (!parents) return undefined;
  const out = new Array<CachedCommit>(count);
  let at = count * shaLength;
  let file = 0;
  for (let i = 0; i < count; i += 1) {
    const messageLength = columns.messageLength[i];
    const headerLength = columns.headerLength[i];
    const bodyLength = columns.bodyLength[i];
    if (!(messageLength >= 0 && headerLength >= 0 && bodyLength >= 0 && headerLength <= messageLength && bodyLength <= messageLength && at + messageLength <= text.length)) return undefined;
    const message = text.slice(at, at + messageLength);
    at += messageLength;
    let files = none;
    if (withFiles && columns.fileCount[i] > 0) {
      files = new Array<string>(columns.fileCount[i]);
      for (let f = 0; f < files.length; f += 1, file += 1) {
        const path = meta.paths?.[fileIndexes[file]];
        if (path === undefined) return undefined;
        files[f] = path;
      }
    }
    if (reparse) {
      out[i] = cachedCommit({ sha: shas[i], parents: parents.lists[i], time: times[i], message, files });
      continue;
    }
    const header = message.slice(0, headerLength);
    const body = bodyLength === 0 ? "" : message.slice(messageLength - bodyLength);
    const commit = storedCommit(meta, columns, i, { sha: shas[i], parents: parents.lists[i], files, header, body, time: times[i], message });
    if (!commit) return undefined;
    out[i] = commit;
  }
  return at === text.length ? new CommitStore(out, parents.links) : undefined;
}

/** Commit i: its raw fields as given, its parsed fields as stored (undefined when they do not fit the meta). */
function storedCommit(meta: Meta, columns: Record<Column, Int32Array>, i: number, raw: Pick<CachedCommit, "sha" | "parents" | "files" | "header" | "body" | "time" | "message">): CachedCommit | undefined {
  const { message } = raw;
  const subjectStart = columns.subjectStart[i];
  const subject = subjectStart === -1 ? meta.subjects[i] : message.slice(subjectStart, subjectStart + columns.subjectLength[i]);
  const type = columns.type[i] === -1 ? undefined : meta.types[columns.type[i]];
  const scope = columns.scope[i] === -1 ? undefined : meta.scopes[columns.scope[i]];
  if (typeof subject !== "string" || (columns.type[i] !== -1 && type === undefined) || (columns.scope[i] !== -1 && scope === undefined)) return undefined;
  return {
    sha: raw.sha,
    parents: raw.parents,
    files: raw.files,
    header: raw.header,
    body: raw.body,
    type,
    scope,
    subject,
    breaking: (columns.flags[i] & breakingFlag) !== 0,
    breakingNotes: meta.breakingNotes[i] ?? none,
    pullRequest: columns.pullRequest[i] === -1 ? undefined : columns.pullRequest[i] === -2 ? meta.pullRequests[i] : columns.pullRequest[i],
    references: meta.references[i] ?? noNumbers,
    reverts: meta.reverts[i],
    isMerge: (columns.flags[i] & mergeFlag) !== 0,
    time: raw.time,
    message,
  };
}

/** The message, header and body as the parser saw them: commits read from git carry the raw message. */
function normalised(commit: CachedCommit): { message: string; header: string; body: string } {
  const { message, header, body } = commit;
  if (message.startsWith(header) && message.endsWith(body) && header.length + body.length <= message.length && message === message.trim()) return { message, header, body };
  return splitMessage(message);
}

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0x7fffffff;
}

/** Numbers values as they are first seen: returns a value's position in `list`. */
function dictionary(list: string[]): (value: string) => number {
  const positions = new Map<string, number>();
  return (value) => {
    let position = positions.get(value);
    if (position === undefined) {
      position = list.push(value) - 1;
      positions.set(value, position);
    }
    return position;
  };
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

function bytesOf(array: Int32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Reads the sections in order; every read past the end gives undefined or empty and makes `atEnd` false. */
class ColumnReader {
  private offset = 0;
  private overrun = false;

  constructor(private readonly bytes: Buffer) {}

  json(): unknown {
    const length = this.length();
    if (length === undefined) return undefined;
    try {
      return JSON.parse(this.take(length).toString("utf8")) as unknown;
    } catch {
      this.overrun = true;
      return undefined;
    }
  }

  text(): string | undefined {
    const length = this.length();
    if (length === undefined) return undefined;
    const bytes = this.take(length);
    // Mostly ASCII: latin1 decodes the same text faster and gives one-byte strings.
    return bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
  }

  int32s(count: number): Int32Array {
    return new Int32Array(this.copy(count * 4));
  }

  float64s(count: number): Float64Array {
    return new Float64Array(this.copy(count * 8));
  }

  atEnd(): boolean {
    return !this.overrun && this.offset === this.bytes.length;
  }

  private length(): number | undefined {
    if (this.offset + 4 > this.bytes.length) {
      this.overrun = true;
      return undefined;
    }
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  private take(length: number): Buffer {
    if (!(length >= 0) || this.offset + length > this.bytes.length) {
      this.overrun = true;
      return Buffer.alloc(0);
    }
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** A copy, aligned for a typed array (the file's bytes may start anywhere). */
  private copy(length: number): ArrayBuffer {
    const copy = new Uint8Array(Number.isInteger(length) && length >= 0 ? length : 0);
    copy.set(this.take(copy.length));
    return copy.buffer;
  }
}

function shaList(text: string, count: number, shaLength: number): string[] | undefined {
  if (count * shaLength > text.length) return undefined;
  const list = new Array<string>(count);
  for (let i = 0; i < count; i += 1) list[i] = text.slice(i * shaLength, (i + 1) * shaLength);
  return list;
}

/** Each commit's parent SHAs and the links by position, or undefined when the links do not fit the columns. */
function parentLists(parentCount: Int32Array, stored: Int32Array, outside: string[], sha: string[]): { lists: string[][]; links: { start: number[]; up: number[] } } | undefined {
  const count = sha.length;
  const lists = new Array<string[]>(count);
  const start = new Array<number>(count + 1);
  const up = new Array<number>(stored.length);
  let link = 0;
  let next = 0;
  for (let i = 0; i < count; i += 1) {
    start[i] = link;
    const end = link + parentCount[i];
    if (end < link || end > stored.length) return undefined;
    // Exactly sized (a pushed-to empty array reserves room for many more): most commits have one parent.
    const list: string[] = end - link === 1 ? [""] : new Array<string>(end - link);
    for (let index = 0; link < end; link += 1, index += 1) {
      const delta = stored[link];
      if (delta === 0) {
        if (next >= outside.length) return undefined;
        up[link] = -1;
        list[index] = outside[next++];
        continue;
      }
      const position = i + delta;
      if (position < 0 || position >= count) return undefined;
      up[link] = position;
      list[index] = sha[position];
    }
    lists[i] = list;
  }
  start[count] = link;
  return link === stored.length && next === outside.length ? { lists, links: { start, up } } : undefined;
}

function isMeta(value: unknown, withFiles: boolean): value is Meta {
  if (typeof value !== "object" || value === null) return false;
  const meta = value as Partial<Record<keyof Meta, unknown>>;
  const isCount = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  const isRecord = (r: unknown): boolean => typeof r === "object" && r !== null && !Array.isArray(r);
  return (
    isCount(meta.count) &&
    isCount(meta.links) &&
    isCount(meta.shaLength) &&
    (meta.shaLength as number) > 0 &&
    (meta.endian === "LE" || meta.endian === "BE") &&
    isStringArray(meta.outside) &&
    isStringArray(meta.types) &&
    isStringArray(meta.scopes) &&
    (withFiles ? isStringArray(meta.paths) : meta.paths === undefined) &&
    [meta.subjects, meta.pullRequests, meta.breakingNotes, meta.references, meta.reverts].every(isRecord)
  );
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
