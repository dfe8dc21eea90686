/**
 * The release commit cache on disk: a checked header (format, version, length, CRC-32) over JSON; written by
 * temp file + rename. Parsed fields are stored under the parser's fingerprint: another parser re-parses them.
 */

import { isAscii } from "node:buffer";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { commitColumns, storeFromColumns, type CommitColumns } from "./commit-columns";
import type { CommitStore } from "./commit-store";
import { parserFingerprint } from "./conventional-commit";

const magic = "slipway-release-cache";
/** Bump when the body's shape changes: an older file is then rebuilt, never misread. */
const formatVersion = 2;
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

interface CacheBody {
  bottoms: string[];
  tips: string[];
  /** `parserFingerprint()` of the parser that parsed the rows. */
  parser: string;
  commits: CommitColumns;
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
    // Commit messages are mostly ASCII: then latin1 decodes the same text faster, and JSON.parse reads one-byte strings faster.
    return fromBody(JSON.parse(body.toString(isAscii(body) ? "latin1" : "utf8")) as unknown, files === "files");
  } catch {
    return undefined;
  }
}

function fromBody(value: unknown, withFiles: boolean): CommitCacheData | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { bottoms, tips, parser, commits } = value as Partial<Record<keyof CacheBody, unknown>>;
  if (!isStringArray(bottoms) || !isStringArray(tips) || typeof parser !== "string") return undefined;
  const reparse = parser !== parserFingerprint();
  const store = storeFromColumns(commits, withFiles, reparse);
  if (!store) return undefined;
  return { withFiles, bottoms, tips, commits: store, ...(reparse ? { reparsed: true } : {}) };
}

function checksum(body: Buffer): string {
  return `crc32:${crc32(body).toString(16).padStart(8, "0")}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Serialises the cache; undefined when it would be larger than `maxBytes` (or its SHAs differ in length). */
export function encodeCommitCache(data: CommitCacheData, maxBytes: number): Buffer | undefined {
  const commits = commitColumns(data.commits, data.withFiles);
  if (!commits) return undefined;
  let body: Buffer;
  try {
    body = Buffer.from(JSON.stringify({ bottoms: data.bottoms, tips: data.tips, parser: parserFingerprint(), commits } satisfies CacheBody), "utf8");
  } catch {
    return undefined; // longer than a JavaScript string can be: far above any sensible bound
  }
  if (body.length > maxBytes) return undefined;
  const hash = checksum(body);
  const header = `${magic} v${formatVersion} ${data.withFiles ? "files" : "nofiles"} ${body.length} ${hash}\n`;
  return Buffer.concat([Buffer.from(header, "latin1"), body]);
}

/**
 * Writes to a temp file beside the cache, then renames it over: readers see the old or the new file, never
 * half of one; of concurrent writers the last wins. Failures (read-only repository, full disk) are ignored.
 */
export async function writeCommitCache(file: string, bytes: Buffer): Promise<boolean> {
  const dir = dirname(file);
  const temp = join(dir, `${basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, bytes);
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
