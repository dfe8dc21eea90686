/**
 * The release commit cache on disk: a checked header line (format, version, length, CRC-32) over a base body of
 * `u32 length | JSON (bottoms, tips, parser) | commits (commit-columns.ts)`, then any number of appended segments,
 * each a checked line of its own over `u32 length | JSON (tips, parser) | the commits it adds`. A run that only
 * adds commits appends a segment (a few hundred bytes) instead of rewriting the file; past a bound of segments, or
 * when anything else changes, the file is rewritten whole by temp file + rename.
 * Parsed fields are stored under the parser's fingerprint: another parser re-parses them.
 */

import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, writevSync } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { decodeCommits, encodeCommits } from "./commit-columns";
import { CommitStore } from "./commit-store";
import { parserFingerprint } from "./conventional-commit";

const magic = "slipway-release-cache";
/** Bump when the body's shape changes: an older file is then rebuilt, never misread. */
const formatVersion = 4;
const segmentMagic = "segment";
/** Temp files of writers that died are removed by a later writer after this long. */
const staleTempMs = 10 * 60 * 1000;
/** Past either bound the next write folds the segments into a new base. */
const maxSegments = 32;
const maxAppendedCommits = 512;
/** Segments beyond this many bytes are not read for the hint (its tips are then the base's). */
const maxSegmentBytesRead = 1024 * 1024;

export interface CommitCacheData {
  /** Whether commits carry their changed paths (a single-service repository does without). */
  withFiles: boolean;
  /** Every ancestor of a cached commit is cached too, except those reachable from these (history released before). */
  bottoms: string[];
  /** Newest-first tips to hand git as `--not` (a hint: the closure rule above makes any subset correct). */
  tips: string[];
  commits: CommitStore;
  /** Set when the file's parsed fields came from another parser and were parsed again: worth writing back. */
  reparsed?: boolean;
  /** The file these commits were read from (absent for a cache built in memory). */
  file?: CacheFileState;
}

/** What a writer needs to know to append to the file it read. */
export interface CacheFileState {
  /** The base's header line: a segment is appended only to a file that still starts with it. */
  header: string;
  /** Commits read from the file (base and segments): later ones are new. */
  commits: number;
  segments: number;
  /** Commits the segments added. */
  appended: number;
  /** Bytes after the last whole segment (an append cut short), or an append that could not be placed: the next write rewrites the file. */
  torn: boolean;
  /**
   * The last part read (the base, or the last whole segment): its header line, where it starts, and where it ends.
   * An append checks the file still holds it there: a byte-identical rewrite of the base by another run would
   * otherwise drop the segments this run's new commits may hang from, with the base header unchanged.
   */
  tail: { line: string; offset: number; end: number };
}

/** The start of the file, read synchronously: enough to ask git for the commits the cache lacks in the same batch as the refs. */
export interface CacheHint {
  /** The base's header line. */
  header: string;
  withFiles: boolean;
  bottoms: string[];
  tips: string[];
}

interface CacheHead {
  bottoms?: string[];
  tips: string[];
  /** `parserFingerprint()` of the parser that parsed the rows. */
  parser: string;
}

interface Header {
  line: string;
  withFiles: boolean;
  length: number;
  hash: string;
  /** Where the body starts. */
  start: number;
}

/** The cache, or undefined when it is missing, or its base truncated, corrupt or of another format version. */
export async function readCommitCache(file: string): Promise<CommitCacheData | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  const header = bytes && parseHeader(bytes);
  if (!bytes || !header || header.start + header.length > bytes.length) return undefined;
  const base = bytes.subarray(header.start, header.start + header.length);
  // CRC-32 catches torn and flipped bytes (this guards against accidents, not attackers: the file is the repository's own).
  if (header.hash !== checksum([base])) return undefined;
  try {
    const body = decodeBody(base, header.withFiles);
    if (!body?.head.bottoms) return undefined;
    const data: CommitCacheData = { withFiles: header.withFiles, bottoms: body.head.bottoms, tips: body.head.tips, commits: body.commits, ...(body.reparsed ? { reparsed: true } : {}) };
    data.file = { header: header.line, commits: 0, segments: 0, appended: 0, torn: false, tail: { line: header.line, offset: 0, end: header.start + header.length } };
    applySegments(data, bytes, header.start + header.length);
    data.file.commits = data.commits.size;
    return data;
  } catch {
    return undefined;
  }
}

/** The base's header line and head, or undefined (no file, another format): a few kilobytes read at once. */
export function readCacheHint(file: string): CacheHint | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(64 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, read);
    const header = parseHeader(bytes);
    if (!header) return undefined;
    const head = parseHead(bytes.subarray(header.start));
    if (!head?.bottoms) return undefined;
    return { header: header.line, withFiles: header.withFiles, bottoms: head.bottoms, tips: latestTips(fd, header.start + header.length) ?? head.tips };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The tips the last whole segment after the base recorded, when there are segments (read at once; a few kilobytes). */
function latestTips(fd: number, baseEnd: number): string[] | undefined {
  const size = fstatSync(fd).size;
  if (size <= baseEnd || size - baseEnd > maxSegmentBytesRead) return undefined;
  const bytes = Buffer.alloc(size - baseEnd);
  const read = readSync(fd, bytes, 0, bytes.length, baseEnd);
  const last = checkedSegments(bytes.subarray(0, read), 0).at(-1);
  return last && parseHead(last.body)?.tips;
}

function parseHeader(bytes: Buffer): Header | undefined {
  const newline = bytes.indexOf(0x0a);
  if (newline === -1 || newline > 256) return undefined;
  const line = bytes.subarray(0, newline).toString("latin1");
  const [name, version, files, length, hash] = line.split(" ");
  if (name !== magic || version !== `v${formatVersion}` || (files !== "files" && files !== "nofiles") || !/^\d+$/.test(length)) return undefined;
  return { line, withFiles: files === "files", length: Number(length), hash, start: newline + 1 };
}

/** Merges the whole segments after the base into `data`; stops at the first that is cut short or damaged. */
function applySegments(data: CommitCacheData, bytes: Buffer, from: number): void {
  const state = data.file as CacheFileState;
  // A segment adds commits its writer had not read: none is in the base, but two runs may append the same ones.
  const appended = new Set<string>();
  const segments = checkedSegments(bytes, from);
  for (const { line, offset, end, body } of segments) {
    const segment = decodeBody(body, data.withFiles);
    if (!segment) {
      state.torn = true;
      return;
    }
    const fresh = segment.commits.values().filter((commit) => !appended.has(commit.sha));
    for (const commit of fresh) appended.add(commit.sha);
    data.commits.addUncached(fresh);
    state.appended += fresh.length;
    data.tips = segment.head.tips;
    if (segment.reparsed) data.reparsed = true;
    state.segments += 1;
    state.tail = { line, offset, end };
  }
  if (segments.torn) state.torn = true;
}

/** The segments from `from` on whose length and CRC-32 check out, in order; `torn` when bytes after the last of them do not. */
function checkedSegments(bytes: Buffer, from: number): { line: string; offset: number; end: number; body: Buffer }[] & { torn: boolean } {
  const segments = Object.assign([] as { line: string; offset: number; end: number; body: Buffer }[], { torn: false });
  for (let at = from; at < bytes.length; ) {
    const newline = bytes.indexOf(0x0a, at);
    const line = newline === -1 ? "" : bytes.subarray(at, newline).toString("latin1");
    const [name, length, hash] = line.split(" ");
    const end = newline + 1 + Number(length);
    const body = name === segmentMagic && /^\d+$/.test(length) && end <= bytes.length ? bytes.subarray(newline + 1, end) : undefined;
    if (!body || hash !== checksum([body])) {
      segments.torn = true;
      break;
    }
    segments.push({ line, offset: at, end, body });
    at = end;
  }
  return segments;
}

function decodeBody(body: Buffer, withFiles: boolean): { head: CacheHead; commits: CommitStore; reparsed: boolean } | undefined {
  const head = parseHead(body);
  if (!head) return undefined;
  const reparsed = head.parser !== parserFingerprint();
  const commits = decodeCommits(body.subarray(4 + body.readUInt32LE(0)), withFiles, reparsed);
  return commits ? { head, commits, reparsed } : undefined;
}

function parseHead(body: Buffer): CacheHead | undefined {
  if (body.length < 4) return undefined;
  const headEnd = 4 + body.readUInt32LE(0);
  if (headEnd > body.length) return undefined;
  const head = JSON.parse(body.subarray(4, headEnd).toString("utf8")) as unknown;
  if (typeof head !== "object" || head === null) return undefined;
  const { bottoms, tips, parser } = head as Partial<Record<keyof CacheHead, unknown>>;
  if ((bottoms !== undefined && !isStringArray(bottoms)) || !isStringArray(tips) || typeof parser !== "string") return undefined;
  return { ...(bottoms ? { bottoms } : {}), tips, parser };
}

/** CRC-32 over the parts in turn (never copied into one buffer). Empty parts are skipped: Node 20's crc32 of no bytes returns 0, not the running value, above 2^31. */
function checksum(parts: Buffer[]): string {
  return `crc32:${parts.reduce((crc, part) => (part.length === 0 ? crc : crc32(part, crc)), 0).toString(16).padStart(8, "0")}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Serialises the cache as the file's parts in order; undefined when it would be larger than `maxBytes` (or its SHAs differ in length). */
export function encodeCommitCache(data: CommitCacheData, maxBytes: number): Buffer[] | undefined {
  const parts = encodeBody({ bottoms: data.bottoms, tips: data.tips, parser: parserFingerprint() }, data.commits, data.withFiles);
  const bodyLength = parts ? byteLength(parts) : Infinity;
  if (!parts || bodyLength > maxBytes) return undefined;
  return [Buffer.from(`${magic} v${formatVersion} ${data.withFiles ? "files" : "nofiles"} ${bodyLength} ${checksum(parts)}\n`, "latin1"), ...parts];
}

/**
 * The commits added since the file was read, as a segment to append; undefined when the file must be rewritten
 * instead (it was not read, is damaged at the end, or holds enough segments already).
 */
export function encodeCacheSegment(data: CommitCacheData): Buffer[] | undefined {
  const { file } = data;
  const added = file ? data.commits.size - file.commits : 0;
  if (!file || file.torn || data.reparsed || added <= 0 || file.segments >= maxSegments || file.appended + added > maxAppendedCommits) return undefined;
  const commits = new CommitStore(data.commits.values().slice(file.commits));
  const parts = encodeBody({ tips: data.tips, parser: parserFingerprint() }, commits, data.withFiles);
  return parts && [Buffer.from(`${segmentMagic} ${byteLength(parts)} ${checksum(parts)}\n`, "latin1"), ...parts];
}

function encodeBody(head: CacheHead, commits: CommitStore, withFiles: boolean): Buffer[] | undefined {
  try {
    const columns = encodeCommits(commits, withFiles);
    if (!columns) return undefined;
    const json = Buffer.from(JSON.stringify(head), "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    return [length, json, ...columns];
  } catch {
    return undefined; // longer than a JavaScript string or buffer can be: far above any sensible bound
  }
}

/** The length of the file parts written one after the other. */
export const byteLength = (parts: Buffer[]): number => parts.reduce((sum, part) => sum + part.length, 0);

/**
 * Appends a segment to the file, provided it still holds what the commits were read from: the base header at the
 * start and the last part read at its place (the checks and the write go through one descriptor, so a rename by
 * another writer in between only orphans the append). Appends of concurrent runs land one after the other; commits
 * two of them add are merged once on reading. Resolves to the file's state after the append, undefined when
 * nothing was appended.
 */
export function appendCommitCache(file: string, state: CacheFileState, parts: Buffer[], commits: number): CacheFileState | undefined {
  // Synchronous: six small reads and writes, each far cheaper than a round trip through the thread pool.
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_APPEND);
    const at = fd;
    const holds = (line: string, offset: number): boolean => {
      const expected = Buffer.from(`${line}\n`, "latin1");
      const found = Buffer.alloc(expected.length);
      return readSync(at, found, 0, found.length, offset) === found.length && found.equals(expected);
    };
    if (!holds(state.header, 0) || !holds(state.tail.line, state.tail.offset) || fstatSync(at).size < state.tail.end) return undefined;
    writevSync(at, parts);
    const size = fstatSync(at).size;
    const length = byteLength(parts);
    const line = parts[0].toString("latin1").trimEnd();
    const next = { ...state, commits: state.commits + commits, segments: state.segments + 1, appended: state.appended + commits };
    // Where the segment landed is known only when no other run appended right after it: else the next write rewrites.
    return holds(line, size - length) ? { ...next, tail: { line, offset: size - length, end: size } } : { ...next, torn: true };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes to a temp file beside the cache, then renames it over: readers see the old or the new file, never
 * half of one; of concurrent writers the last wins. Failures (read-only repository, full disk) are ignored.
 */
export async function writeCommitCache(file: string, parts: Buffer[]): Promise<boolean> {
  const dir = dirname(file);
  const temp = join(dir, `${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, "wx");
    try {
      await handle.writev(parts);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await removeStaleTemps(dir, basename(file));
    return true;
  } catch {
    await unlink(temp).catch(() => undefined);
    return false;
  }
}

async function removeStaleTemps(dir: string, name: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(dir).catch(() => [])) {
    if (!entry.startsWith(`${name}.`) || !entry.endsWith(".tmp")) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > staleTempMs) await unlink(path).catch(() => undefined);
  }
}
