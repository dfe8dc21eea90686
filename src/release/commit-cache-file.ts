/**
 * The release commit cache on disk: a checked header line (format, version, length, CRC-32) over a body of
 * `u32 length | JSON (bottoms, tips, parser) | commits (commit-columns.ts)`; written by temp file + rename.
 * Parsed fields are stored under the parser's fingerprint: another parser re-parses them.
 */

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { decodeCommits, encodeCommits } from "./commit-columns";
import type { CommitStore } from "./commit-store";
import { parserFingerprint } from "./conventional-commit";

const magic = "slipway-release-cache";
/** Bump when the body's shape changes: an older file is then rebuilt, never misread. */
const formatVersion = 3;
/** Temp files of writers that died are removed by a later writer after this long. */
const staleTempMs = 10 * 60 * 1000;

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
}

interface CacheHead {
  bottoms: string[];
  tips: string[];
  /** `parserFingerprint()` of the parser that parsed the rows. */
  parser: string;
}

/** The cache, or undefined when it is missing, truncated, corrupt or of another format version. */
export async function readCommitCache(file: string): Promise<CommitCacheData | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) return undefined;
  const newline = bytes.indexOf(0x0a);
  if (newline === -1) return undefined;
  const [name, version, files, length, hash] = bytes.subarray(0, newline).toString("latin1").split(" ");
  const body = bytes.subarray(newline + 1);
  if (name !== magic || version !== `v${formatVersion}` || (files !== "files" && files !== "nofiles")) return undefined;
  // CRC-32 catches torn and flipped bytes (this guards against accidents, not attackers: the file is the repository's own).
  if (length !== String(body.length) || hash !== checksum(body)) return undefined;
  try {
    return fromBody(body, files === "files");
  } catch {
    return undefined;
  }
}

function fromBody(body: Buffer, withFiles: boolean): CommitCacheData | undefined {
  if (body.length < 4) return undefined;
  const headEnd = 4 + body.readUInt32LE(0);
  if (headEnd > body.length) return undefined;
  const head = JSON.parse(body.subarray(4, headEnd).toString("utf8")) as unknown;
  if (typeof head !== "object" || head === null) return undefined;
  const { bottoms, tips, parser } = head as Partial<Record<keyof CacheHead, unknown>>;
  if (!isStringArray(bottoms) || !isStringArray(tips) || typeof parser !== "string") return undefined;
  const reparse = parser !== parserFingerprint();
  const store = decodeCommits(body.subarray(headEnd), withFiles, reparse);
  if (!store) return undefined;
  return { withFiles, bottoms, tips, commits: store, ...(reparse ? { reparsed: true } : {}) };
}

function checksum(body: Buffer): string {
  return `crc32:${crc32(body).toString(16).padStart(8, "0")}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Serialises the cache as the file's parts in order; undefined when it would be larger than `maxBytes` (or its SHAs differ in length). */
export function encodeCommitCache(data: CommitCacheData, maxBytes: number): Buffer[] | undefined {
  let parts: Buffer[];
  try {
    const commits = encodeCommits(data.commits, data.withFiles);
    if (!commits) return undefined;
    const head = Buffer.from(JSON.stringify({ bottoms: data.bottoms, tips: data.tips, parser: parserFingerprint() } satisfies CacheHead), "utf8");
    const headLength = Buffer.alloc(4);
    headLength.writeUInt32LE(head.length);
    parts = [headLength, head, ...commits];
  } catch {
    return undefined; // longer than a JavaScript string or buffer can be: far above any sensible bound
  }
  const bodyLength = parts.reduce((sum, part) => sum + part.length, 0);
  if (bodyLength > maxBytes) return undefined;
  // CRC-32 runs over the parts in turn: the body is never copied into one buffer (the file is written with writev).
  // Empty parts are skipped: Node 20's crc32 of no bytes returns 0, not the running value, above 2^31.
  const hash = `crc32:${parts.reduce((crc, part) => (part.length === 0 ? crc : crc32(part, crc)), 0).toString(16).padStart(8, "0")}`;
  const header = `${magic} v${formatVersion} ${data.withFiles ? "files" : "nofiles"} ${bodyLength} ${hash}\n`;
  return [Buffer.from(header, "latin1"), ...parts];
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
